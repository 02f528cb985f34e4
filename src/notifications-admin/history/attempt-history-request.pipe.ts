import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import type { Request } from 'express';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { requirePathUuid } from '../validation/path-uuid';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** What an attempt-history request carries, before validation. */
export interface RawAttemptHistoryRequest {
  webhookId: string;
  notificationId: string;
  limit: unknown;
  offset: unknown;
}

export interface AttemptHistoryQuery {
  webhookId: string;
  notificationId: string;
  limit: number;
  offset: number;
}

/**
 * Extracts path and query together, so that one pipe checks them in the
 * contract's order (Nest would run separate parameter pipes concurrently).
 */
export const AttemptHistoryRequest = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RawAttemptHistoryRequest => {
    const request = context.switchToHttp().getRequest<Request>();
    return {
      webhookId: String(request.params.webhookId),
      notificationId: String(request.params.notificationId),
      limit: request.query.limit,
      offset: request.query.offset,
    };
  },
);

/**
 * Validates an attempt-history request: a path id that is not a UUID is
 * IllegalArgument, then a bad `limit` or `offset` is ValidationFailed naming
 * the parameter.
 */
@Injectable()
export class AttemptHistoryRequestPipe implements PipeTransform<RawAttemptHistoryRequest, AttemptHistoryQuery> {
  transform(raw: RawAttemptHistoryRequest): AttemptHistoryQuery {
    return {
      webhookId: requirePathUuid('webhookId', raw.webhookId),
      notificationId: requirePathUuid('notificationId', raw.notificationId),
      limit: integerParameter('limit', raw.limit, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
      offset: integerParameter('offset', raw.offset, 0, 0, Number.MAX_SAFE_INTEGER),
    };
  }
}

/**
 * Only plain decimal digits: `Number()` would also take "1e2", "0x10" or " 5",
 * and a repeated parameter arrives as an array.
 */
function integerParameter(name: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined) {
    return fallback;
  }
  const value = typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`;
    throw new ApiException(ErrorName.ValidationFailed, `${name} must be an integer ${range}`);
  }
  return value;
}
