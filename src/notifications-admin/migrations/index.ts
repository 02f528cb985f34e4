import { CreateNotificationTables1764288000000 } from './1764288000000-CreateNotificationTables';
import { CreateIdempotencyKeys1764288000001 } from './1764288000001-CreateIdempotencyKeys';
import { CreateNotificationListIndex1764288000002 } from './1764288000002-CreateNotificationListIndex';
import { CreateRetriggerAuditRecords1764288000003 } from './1764288000003-CreateRetriggerAuditRecords';

export {
  CreateIdempotencyKeys1764288000001,
  CreateNotificationListIndex1764288000002,
  CreateNotificationTables1764288000000,
  CreateRetriggerAuditRecords1764288000003,
};

/** The module's migrations in order, for the host's TypeORM configuration. */
export const NOTIFICATIONS_ADMIN_MIGRATIONS = [
  CreateNotificationTables1764288000000,
  CreateIdempotencyKeys1764288000001,
  CreateNotificationListIndex1764288000002,
  CreateRetriggerAuditRecords1764288000003,
];
