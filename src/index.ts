/** Public API for host applications. */
export { NotificationsAdminModule } from './notifications-admin/notifications-admin.module';
export type {
  AdminCheck,
  NotificationsAdminModuleOptions,
} from './notifications-admin/notifications-admin-options.interface';
export {
  NOTIFICATIONS_ADMIN_ENTITIES,
  IdempotencyRecordEntity,
  RetriggerAuditRecordEntity,
  WebhookEntity,
  WebhookNotificationEntity,
  WebhookNotificationRequestEntity,
} from './notifications-admin/entities';
export { NOTIFICATIONS_ADMIN_MIGRATIONS } from './notifications-admin/migrations';
export { ErrorName, ERROR_STATUS } from './notifications-admin/errors/error-name.enum';
export { ReasonCode, REASON_CODES } from './notifications-admin/outcomes/reason-code.enum';
export type { SignatureMode } from './notifications-admin/retrigger/dto/retrigger-request.dto';
export { ApiException } from './notifications-admin/errors/api.exception';
export type { ErrorEnvelope } from './notifications-admin/errors/api.exception';
export { EnvelopeExceptionFilter } from './notifications-admin/errors/envelope-exception.filter';
export {
  setupNotificationsAdminDocs,
  buildNotificationsAdminDocument,
} from './notifications-admin/docs/api-docs.setup';
export { ADMIN_BEARER_SCHEME } from './notifications-admin/docs/api-docs.constants';
export { RetriggerService } from './notifications-admin/retrigger/retrigger.service';
export { RateLimitStoreHealthIndicator } from './notifications-admin/health/rate-limit-store.health';
export { buildDataSourceOptions } from './config/data-source-options';
