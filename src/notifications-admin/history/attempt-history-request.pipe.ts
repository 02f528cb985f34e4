import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import type { Request } from 'express';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination/page-size';
import { requirePathUuid } from '../validation/path-uuid';
import { queryInteger } from '../validation/query-integer';

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
      limit: queryInteger('limit', raw.limit, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
      offset: queryInteger('offset', raw.offset, 0, 0, Number.MAX_SAFE_INTEGER),
    };
  }
}
