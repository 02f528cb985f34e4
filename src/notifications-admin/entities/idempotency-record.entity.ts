import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IdempotencyState = 'running' | 'completed';

/** The first answer to an `Idempotency-Key`, kept for replays across instances. */
@Entity({ name: 'retrigger_idempotency_keys', synchronize: false })
@Index('idx_retrigger_idempotency_keys_created', ['createdAt'])
export class IdempotencyRecordEntity {
  @PrimaryColumn({ type: 'text' })
  principal!: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ type: 'text' })
  fingerprint!: string;

  @Column({ type: 'text' })
  state!: IdempotencyState;

  /** The stored 200 answer, as JSON text; null while running. */
  @Column({ type: 'text', nullable: true })
  response!: string | null;

  @Column({ name: 'created_at' })
  createdAt!: Date;
}
