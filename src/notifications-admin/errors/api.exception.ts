import { ERROR_STATUS, ErrorName } from './error-name.enum';

export interface ErrorEnvelope {
  name: ErrorName;
  error: string;
  status: number;
}

/**
 * A failure the client is told about: its name comes from the spec's enum and
 * its message is safe to show. Anything else that escapes is answered as a
 * generic 500 by the envelope filter.
 */
export class ApiException extends Error {
  readonly status: number;

  /** `cause`: what really failed, for the log only (a driver error, say); never answered. */
  constructor(
    readonly errorName: ErrorName,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiException';
    this.status = ERROR_STATUS[errorName];
  }

  toEnvelope(): ErrorEnvelope {
    return { name: this.errorName, error: this.message, status: this.status };
  }
}

/** A database call that failed: answered as a generic 500, its cause (the driver's error) kept for the log. */
export function databaseError(cause: unknown): ApiException {
  return new ApiException(ErrorName.DatabaseError, 'The database could not complete the request', {}, { cause });
}
