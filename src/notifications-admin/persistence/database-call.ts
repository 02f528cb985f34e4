import { Logger } from '@nestjs/common';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';

const logger = new Logger('NotificationsAdmin');

/**
 * Runs one database call of this module and turns any failure of it into a
 * 500 DatabaseError. The drivers raise connection failures (refused, reset,
 * connect timeout) as plain errors that TypeORM does not wrap, so only the
 * call site can tell that they came from the database. The driver's message
 * is logged, never answered.
 */
export async function databaseCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiException) {
      throw error;
    }
    logger.error(`database failure: ${describe(error)}`);
    throw new ApiException(ErrorName.DatabaseError, 'The database could not complete the request');
  }
}

export function isDatabaseError(error: unknown): boolean {
  return error instanceof ApiException && error.errorName === ErrorName.DatabaseError;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}
