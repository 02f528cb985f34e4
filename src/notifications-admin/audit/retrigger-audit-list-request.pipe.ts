import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import type { Request } from 'express';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { KeysetCursor, KeysetPosition } from '../pagination/keyset-cursor';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination/page-size';
import { requirePathUuid } from '../validation/path-uuid';
import { queryInteger } from '../validation/query-integer';

/** What an audit-list request carries, before validation. */
export interface RawRetriggerAuditListRequest {
  webhookId: string;
  limit: unknown;
  cursor: unknown;
}

export interface RetriggerAuditListQuery {
  webhookId: string;
  limit: number;
  /** Where the previous page ended; absent for the first page. */
  after?: KeysetPosition;
  /** The list a cursor belongs to: the webhook's retriggers. */
  scope: string;
}

/** A cursor only reads back on the list of the webhook it was made for. */
function auditCursorScope(webhookId: string): string {
  return `retriggers:${webhookId.toLowerCase()}`;
}

/** Path and query together, so one pipe checks them in the contract's order. */
export const RetriggerAuditListRequest = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RawRetriggerAuditListRequest => {
    const request = context.switchToHttp().getRequest<Request>();
    return {
      webhookId: String(request.params.webhookId),
      limit: request.query.limit,
      cursor: request.query.cursor,
    };
  },
);

/** A path id that is not a UUID is IllegalArgument; then a bad `limit` or `cursor` is ValidationFailed. */
@Injectable()
export class RetriggerAuditListRequestPipe implements PipeTransform<
  RawRetriggerAuditListRequest,
  RetriggerAuditListQuery
> {
  transform(raw: RawRetriggerAuditListRequest): RetriggerAuditListQuery {
    const webhookId = requirePathUuid('webhookId', raw.webhookId);
    const limit = queryInteger('limit', raw.limit, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const scope = auditCursorScope(webhookId);
    if (raw.cursor === undefined) {
      return { webhookId, limit, scope };
    }
    if (typeof raw.cursor !== 'string') {
      throw new ApiException(ErrorName.ValidationFailed, 'cursor must be given once, as a string');
    }
    return { webhookId, limit, after: KeysetCursor.decode(raw.cursor, scope), scope };
  }
}
