import { IdempotencyRecordEntity } from './idempotency-record.entity';
import { RetriggerAuditRecordEntity } from './retrigger-audit-record.entity';
import { WebhookNotificationRequestEntity } from './webhook-notification-request.entity';
import { WebhookNotificationEntity } from './webhook-notification.entity';
import { WebhookEntity } from './webhook.entity';

export {
  IdempotencyRecordEntity,
  RetriggerAuditRecordEntity,
  WebhookEntity,
  WebhookNotificationEntity,
  WebhookNotificationRequestEntity,
};

/**
 * Every entity the module reads or writes, for the host's TypeORM configuration.
 * Each is declared `synchronize: false`: the migrations own the schema
 * (partial unique index, foreign keys, checks, jsonb), which TypeORM's
 * entity model cannot express whole, so a host's `synchronize: true` or
 * `migration:generate` must leave these tables alone. A test holds every
 * entity listed here to that.
 */
export const NOTIFICATIONS_ADMIN_ENTITIES = [
  WebhookEntity,
  WebhookNotificationEntity,
  WebhookNotificationRequestEntity,
  IdempotencyRecordEntity,
  RetriggerAuditRecordEntity,
];
