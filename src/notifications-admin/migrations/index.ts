import { CreateNotificationTables1764288000000 } from './1764288000000-CreateNotificationTables';
import { CreateIdempotencyKeys1764288000001 } from './1764288000001-CreateIdempotencyKeys';
import { CreateRetriggerAuditRecords1764288000003 } from './1764288000003-CreateRetriggerAuditRecords';

export {
  CreateIdempotencyKeys1764288000001,
  CreateNotificationTables1764288000000,
  CreateRetriggerAuditRecords1764288000003,
};

/** The module's migrations in order, for the host's TypeORM configuration. */
export const NOTIFICATIONS_ADMIN_MIGRATIONS = [
  CreateNotificationTables1764288000000,
  CreateIdempotencyKeys1764288000001,
  CreateRetriggerAuditRecords1764288000003,
];
