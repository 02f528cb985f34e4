import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SignatureMode } from '../retrigger/dto/retrigger-request.dto';
import type { RetriggerItemDto } from '../retrigger/dto/retrigger-response.dto';

/**
 * One retrigger that was not a dry run: who, why, how it was signed, and the
 * per-item outcomes exactly as answered. Written by the retrigger itself (in
 * its attempt statements), read by the audit routes. The migration owns the
 * schema: a host's schema sync leaves this table alone.
 */
@Entity({ name: 'retrigger_audit_records', synchronize: false })
export class RetriggerAuditRecordEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId!: string;

  @Column({ type: 'text' })
  principal!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'text' })
  signature!: SignatureMode;

  /** The items as answered, in request order; empty until the retrigger completes. */
  @Column({ type: 'json' })
  items!: RetriggerItemDto[];

  @Column({ name: 'total_requested', type: 'integer' })
  totalRequested!: number;

  /** Null until the retrigger completes. */
  @Column({ name: 'total_success', type: 'integer', nullable: true })
  totalSuccess!: number | null;

  /** Null until the retrigger completes. */
  @Column({ name: 'total_failed', type: 'integer', nullable: true })
  totalFailed!: number | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  /** Null while the retrigger runs, and for good when it was interrupted by a crash. */
  @Column({ name: 'completed_at', type: Date, nullable: true })
  completedAt!: Date | null;
}
