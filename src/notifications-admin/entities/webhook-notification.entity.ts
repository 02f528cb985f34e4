import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { NOTIFICATION_LIST_INDEX } from '../migrations/1764288000002-CreateNotificationListIndex';

export const NOTIFICATION_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

@Entity({ name: 'webhook_notifications', synchronize: false })
@Index('idx_webhook_notifications_webhook_id', ['webhookId'])
@Index(NOTIFICATION_LIST_INDEX, ['webhookId', 'createdAt', 'id'])
export class WebhookNotificationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  /** The raw body exactly as first sent; it is re-sent byte for byte. */
  @Column({ type: 'text' })
  payload!: string;

  /**
   * The headers of the first send, signature headers included. `json` maps to
   * the jsonb column on PostgreSQL and keeps JSON text on SQLite (TypeORM's
   * `jsonb` would store SQLite's binary JSONB there).
   */
  @Column({ type: 'json' })
  headers!: Record<string, string>;

  @Column({ type: 'text' })
  status!: NotificationStatus;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
