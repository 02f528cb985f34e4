import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, databaseError } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';

/**
 * How long a call waits, in all, for a SQLite file another connection holds
 * locked. better-sqlite3 waits for a lock synchronously, blocking the event
 * loop (and every request of the process), so the driver's own busy wait is
 * kept to a few milliseconds (SQLITE_BUSY_TIMEOUT_MS in the DataSource
 * options) and the rest of the wait happens here, between retries, without
 * blocking.
 */
export const SQLITE_LOCK_WAIT_MS = 5_000;
const FIRST_LOCK_PAUSE_MS = 10;
const MAX_LOCK_PAUSE_MS = 100;

/**
 * Runs one database call of this module and turns any failure of it into a
 * 500 DatabaseError. The drivers raise connection failures (refused, reset,
 * connect timeout) as plain errors that TypeORM does not wrap, so only the
 * call site can tell that they came from the database. The driver's error
 * goes along as the cause, for the envelope filter to log; it is never
 * answered.
 *
 * `run` is one statement or one transaction: when SQLite answers that the
 * file is locked, nothing of it took effect, and it is run again.
 */
export async function databaseCall<T>(run: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + SQLITE_LOCK_WAIT_MS;
  for (let pause = FIRST_LOCK_PAUSE_MS; ; pause = Math.min(pause * 2, MAX_LOCK_PAUSE_MS)) {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ApiException) {
        throw error;
      }
      if (isSqliteLocked(error) && Date.now() + pause < giveUpAt) {
        await sleep(pause);
        continue;
      }
      throw databaseError(error);
    }
  }
}

export function isDatabaseError(error: unknown): boolean {
  return error instanceof ApiException && error.errorName === ErrorName.DatabaseError;
}

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT...), as better-sqlite3 raises them and TypeORM copies them. */
function isSqliteLocked(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
