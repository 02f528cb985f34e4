import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export const ATTEMPT_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/**
 * One HTTP delivery attempt: first sends and retriggers alike. The indexes
 * are declared as the migration makes them, for readers and tools; the
 * partial unique one is what allows one attempt in flight per notification.
 */
@Entity({ name: 'webhook_notification_requests', synchronize: false })
@Index('idx_webhook_notification_requests_notification', ['webhookNotificationId', 'createdAt'])
@Index('uq_webhook_notification_requests_in_flight', ['webhookNotificationId'], {
  unique: true,
  where: "status = 'pending'",
})
@Index('idx_webhook_notification_requests_pending_created', ['createdAt'], { where: "status = 'pending'" })
export class WebhookNotificationRequestEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'webhook_notification_id', type: 'uuid' })
  webhookNotificationId!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text' })
  status!: AttemptStatus;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  @Column({ name: 'retriggered_by', type: 'text', nullable: true })
  retriggeredBy!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: Date, nullable: true })
  completedAt!: Date | null;
}
