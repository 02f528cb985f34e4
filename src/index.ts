/**
 * Public API for host applications: everything the package exports (its
 * `exports` map allows no deep imports). The standalone service (main.ts,
 * config/, ...) is not part of the package.
 */
export { NotificationsAdminModule } from './notifications-admin/notifications-admin.module';
export type {
  AdminCheck,
  DeliveryAgentOptions,
  DeliveryClientOptions,
  HostAuthGuard,
  NotificationsAdminModuleOptions,
} from './notifications-admin/notifications-admin-options.interface';
export { DEFAULT_ROUTE_PREFIX } from './notifications-admin/notifications-admin.module-definition';
export type { NotificationsAdminModuleExtras } from './notifications-admin/notifications-admin.module-definition';
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
export type { RateLimitStoreHealth } from './notifications-admin/health/rate-limit-store.health';
