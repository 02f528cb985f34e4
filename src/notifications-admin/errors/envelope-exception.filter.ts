import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { TypeORMError } from 'typeorm';
import { ApiException, databaseError } from './api.exception';
import { describeCause } from './describe-cause';
import { ErrorName } from './error-name.enum';

/** Errors raised by body-parser while the request body is read. */
interface BodyReadError {
  type: string;
  status: number;
}

const BODY_READ_MESSAGES: Readonly<Record<string, string>> = {
  'entity.too.large': 'Request body exceeds the size limit',
  'entity.parse.failed': 'Request body is not valid JSON',
  'charset.unsupported': 'Request body charset is not supported; send UTF-8',
  'encoding.unsupported': 'Request body content encoding is not supported',
  'request.aborted': 'Request body was not received completely',
};

/**
 * Failures the service expects (the database down, a third party failing):
 * their cause in words says it all, and a stack would only list our own
 * frames and the install path.
 */
const EXPECTED_FAILURES: ReadonlySet<ErrorName> = new Set([ErrorName.DatabaseError, ErrorName.ThirdPartyError]);

/**
 * The one place where failures become the spec's envelope
 * `{ name, error, status }`, and where every 5xx is logged, once, with its
 * real cause: the client gets no detail, so no stack, SQL or secret reaches
 * it.
 */
@Catch()
export class EnvelopeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('NotificationsAdmin');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const apiException = this.toApiException(exception);
    if (apiException.status >= 500) {
      this.logFailure(apiException);
    }
    if (response.headersSent) {
      return;
    }
    for (const [header, value] of Object.entries(apiException.headers)) {
      response.setHeader(header, value);
    }
    response.status(apiException.status).json(apiException.toEnvelope());
  }

  private toApiException(exception: unknown): ApiException {
    if (exception instanceof ApiException) {
      return exception;
    }
    const bodyReadError =
      asBodyReadError(exception) ?? asBodyReadError((exception as { cause?: unknown } | null)?.cause);
    if (bodyReadError) {
      return answer(
        ErrorName.BadRequest,
        BODY_READ_MESSAGES[bodyReadError.type] ?? 'Request body could not be read',
        exception,
      );
    }
    if (exception instanceof HttpException) {
      return fromHttpException(exception);
    }
    if (exception instanceof TypeORMError || isDriverError(exception)) {
      return databaseError(exception);
    }
    return answer(ErrorName.UnexpectedError, 'An unexpected error occurred', exception);
  }

  /**
   * One line (with the request id, which the logger binds): the answered
   * name, then the cause's type, driver code and message. Only a genuinely
   * unexpected failure brings its stack, to find the bug.
   */
  private logFailure(answered: ApiException): void {
    const cause = answered.cause;
    const described = describeCause(cause);
    this.logger.error({
      msg: `request failed: ${answered.errorName}${described ? ` (${described.text})` : ''}`,
      errorName: answered.errorName,
      ...(described ? { cause: described.fields } : {}),
      ...(!EXPECTED_FAILURES.has(answered.errorName) && cause instanceof Error ? { stack: cause.stack } : {}),
    });
  }
}

function fromHttpException(exception: HttpException): ApiException {
  const status = exception.getStatus();
  if (status === 404 || status === 405) {
    return answer(ErrorName.NotFound, 'No such route', exception);
  }
  if (status === 403 || status === 401) {
    return answer(ErrorName.AccessDenied, 'Admin credentials are required', exception);
  }
  if (status === 409) {
    return answer(ErrorName.Conflict, exception.message, exception);
  }
  if (status === 413) {
    return answer(ErrorName.BadRequest, BODY_READ_MESSAGES['entity.too.large'], exception);
  }
  if (status === 415) {
    return answer(ErrorName.BadRequest, 'Request body media type, charset or encoding is not supported', exception);
  }
  if (status >= 400 && status < 500) {
    return answer(ErrorName.BadRequest, 'Bad request', exception);
  }
  return answer(ErrorName.UnexpectedError, 'An unexpected error occurred', exception);
}

/** An answer made here from what was thrown, which goes along as the cause, for the log. */
function answer(name: ErrorName, message: string, cause: unknown): ApiException {
  return new ApiException(name, message, {}, { cause });
}

function asBodyReadError(exception: unknown): BodyReadError | undefined {
  const candidate = exception as Partial<BodyReadError> | null;
  if (candidate && typeof candidate.type === 'string' && typeof candidate.status === 'number') {
    if (
      candidate.type.startsWith('entity.') ||
      candidate.type.endsWith('.unsupported') ||
      candidate.type.startsWith('request.')
    ) {
      return candidate as BodyReadError;
    }
  }
  return undefined;
}

/** pg and better-sqlite3 errors that reach us without TypeORM's wrapper. */
function isDriverError(exception: unknown): boolean {
  const name = (exception as Error | null)?.constructor?.name;
  return name === 'DatabaseError' || name === 'SqliteError';
}
