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

/** Every entity the module reads or writes, for the host's TypeORM configuration. */
export const NOTIFICATIONS_ADMIN_ENTITIES = [
  WebhookEntity,
  WebhookNotificationEntity,
  WebhookNotificationRequestEntity,
  IdempotencyRecordEntity,
  RetriggerAuditRecordEntity,
];
