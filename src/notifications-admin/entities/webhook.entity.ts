import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Out of schema sync, like every entity of the module: see NOTIFICATIONS_ADMIN_ENTITIES. */
@Entity({ name: 'webhooks', synchronize: false })
export class WebhookEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  url!: string;

  /** The current signing secret. Never part of an answer. */
  @Column({ type: 'text', select: false })
  secret!: string;

  @Column({ name: 'secret_rotated_at', type: Date, nullable: true })
  secretRotatedAt!: Date | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
