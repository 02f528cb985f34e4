import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { NOTIFICATIONS_ADMIN_ENTITIES } from '../notifications-admin/entities';
import { NOTIFICATIONS_ADMIN_MIGRATIONS } from '../notifications-admin/migrations';
import { TimedOutConnectionEndingClient } from './timed-out-connection-ending.client';

export const DEFAULT_SQLITE_PATH = 'data/notifications.sqlite';

/**
 * Bounds on every PostgreSQL wait, so a stalled database becomes a
 * DatabaseError well within 30 s instead of a hung request.
 */
const POSTGRES_TIMEOUTS = {
  connectionTimeoutMillis: 5_000,
  statement_timeout: 10_000,
  query_timeout: 12_000,
  idle_in_transaction_session_timeout: 15_000,
};

/**
 * Whom the DataSource serves: requests get bounded waits; the migration CLI
 * does not, since building an index on a large host table may take minutes.
 */
export type DataSourceRole = 'service' | 'migrations';

/**
 * better-sqlite3 waits for a locked file synchronously, blocking the event
 * loop: the service lets it wait only this long at a time, and the module's
 * database calls wait the rest (up to SQLITE_LOCK_WAIT_MS) between retries.
 * The migration CLI blocks nothing else and waits the usual 5 s.
 */
const SQLITE_BUSY_TIMEOUT_MS = { service: 20, migrations: 5_000 };

/**
 * The one builder of DataSource options, for the app and the TypeORM CLI
 * (`ormconfig.ts`) alike: SQLite by default, PostgreSQL by URL.
 */
export function buildDataSourceOptions(databaseUrl?: string, role: DataSourceRole = 'service'): DataSourceOptions {
  const common = {
    entities: NOTIFICATIONS_ADMIN_ENTITIES,
    migrations: NOTIFICATIONS_ADMIN_MIGRATIONS,
    synchronize: false,
  };
  if (databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl)) {
    return {
      ...common,
      type: 'postgres',
      url: databaseUrl,
      poolSize: 20,
      extra:
        role === 'service'
          ? { ...POSTGRES_TIMEOUTS, Client: TimedOutConnectionEndingClient }
          : { connectionTimeoutMillis: POSTGRES_TIMEOUTS.connectionTimeoutMillis },
    };
  }
  const path = databaseUrl?.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : DEFAULT_SQLITE_PATH;
  if (path !== ':memory:') {
    mkdirSync(dirname(resolve(path)), { recursive: true });
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: path,
    enableWAL: path !== ':memory:',
    timeout: SQLITE_BUSY_TIMEOUT_MS[role],
  };
}
