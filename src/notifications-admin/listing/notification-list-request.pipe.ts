import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import { isISO8601 } from 'class-validator';
import type { Request } from 'express';
import { NOTIFICATION_STATUSES, NotificationStatus } from '../entities/webhook-notification.entity';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { KeysetCursor, KeysetPosition } from '../pagination/keyset-cursor';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination/page-size';
import { requirePathUuid } from '../validation/path-uuid';

export const MAX_EVENT_TYPE_LENGTH = 255;

const QUERY_PARAMETERS = ['status', 'eventType', 'createdAfter', 'createdBefore', 'limit', 'cursor'] as const;
type QueryParameter = (typeof QUERY_PARAMETERS)[number];

/**
 * A date-time with a zone (`Z` or an offset). class-validator's strict
 * ISO 8601 check refuses impossible dates (February 30th) but also takes a
 * bare date or a time without a zone, which would be read in the server's
 * zone: this pattern makes the time and the zone mandatory.
 */
const DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** What a list request carries, before validation. */
export interface RawNotificationListRequest {
  webhookId: string;
  query: Record<string, unknown>;
}

/** An instant as given (for PostgreSQL, which keeps microseconds) and in whole milliseconds. */
export interface Instant {
  text: string;
  /** Rounded down, as Date.parse does. */
  epochMs: number;
  /** The first whole millisecond at or after the instant (SQLite keeps milliseconds). */
  ceilMs: number;
}

export interface NotificationListQuery {
  webhookId: string;
  /** Empty: every status. */
  statuses: NotificationStatus[];
  eventType?: string;
  /** Inclusive. */
  createdAfter?: Instant;
  /** Exclusive. */
  createdBefore?: Instant;
  limit: number;
  /** Where the previous page ended; absent on the first page. */
  after?: KeysetPosition;
  /** The list a cursor belongs to: the webhook and the filters, not the page size. */
  scope: string;
}

/**
 * Path and query in one pipe, so the contract's order holds: a webhookId
 * that is not a UUID is IllegalArgument before any query value is looked at.
 */
export const NotificationListRequest = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RawNotificationListRequest => {
    const request = context.switchToHttp().getRequest<Request>();
    return { webhookId: String(request.params.webhookId), query: { ...request.query } };
  },
);

/**
 * Validates a list request: IllegalArgument for the path, then
 * ValidationFailed naming the first bad query parameter and its value.
 * Unknown parameters are refused too: a misspelt filter (`stauts=failed`)
 * would otherwise list everything, and an operator picks ids from the list.
 */
@Injectable()
export class NotificationListRequestPipe implements PipeTransform<RawNotificationListRequest, NotificationListQuery> {
  transform(raw: RawNotificationListRequest): NotificationListQuery {
    const webhookId = requirePathUuid('webhookId', raw.webhookId);
    const unknown = Object.keys(raw.query).find((name) => !(QUERY_PARAMETERS as readonly string[]).includes(name));
    if (unknown !== undefined) {
      throw invalid(`unknown query parameter ${quote(unknown)}; the list takes ${QUERY_PARAMETERS.join(', ')}`);
    }
    const value = (name: QueryParameter) => single(name, raw.query[name]);

    const statuses = parseStatuses(value('status'));
    const eventType = parseEventType(value('eventType'));
    const createdAfter = parseInstant('createdAfter', value('createdAfter'));
    const createdBefore = parseInstant('createdBefore', value('createdBefore'));
    if (createdAfter && createdBefore && createdAfter.epochMs > createdBefore.epochMs) {
      throw invalid(
        `createdAfter ${quote(createdAfter.text)} is later than createdBefore ${quote(createdBefore.text)}`,
      );
    }
    const limit = parseLimit(value('limit'));
    const scope = JSON.stringify([
      'notifications',
      webhookId.toLowerCase(),
      statuses,
      eventType ?? null,
      createdAfter ? new Date(createdAfter.epochMs).toISOString() : null,
      createdBefore ? new Date(createdBefore.epochMs).toISOString() : null,
    ]);
    const cursor = value('cursor');
    return {
      webhookId,
      statuses,
      eventType,
      createdAfter,
      createdBefore,
      limit,
      after: cursor === undefined ? undefined : KeysetCursor.decode(cursor, scope),
      scope,
    };
  }
}

/** A parameter given once, as text; a repeated or nested one is refused. */
function single(name: QueryParameter, raw: unknown): string | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (typeof raw !== 'string') {
    const hint = name === 'status' ? '; list several statuses in one, comma-separated' : '';
    throw invalid(`${name} must be given once${hint}`);
  }
  return raw;
}

/** Sorted and without repeats, so `failed,pending` and `pending,failed` are the same list (and cursor scope). */
function parseStatuses(raw: string | undefined): NotificationStatus[] {
  if (raw === undefined) {
    return [];
  }
  const given = raw.split(',');
  const bad = given.find((status) => !(NOTIFICATION_STATUSES as readonly string[]).includes(status));
  if (bad !== undefined) {
    throw invalid(
      `status has an unknown value ${quote(bad)}: use ${NOTIFICATION_STATUSES.join(', ')}, several comma-separated`,
    );
  }
  return NOTIFICATION_STATUSES.filter((status) => given.includes(status));
}

function parseEventType(raw: string | undefined): string | undefined {
  if (raw !== undefined && (raw.length === 0 || raw.length > MAX_EVENT_TYPE_LENGTH)) {
    throw invalid(`eventType must be 1 to ${MAX_EVENT_TYPE_LENGTH} characters`);
  }
  return raw;
}

function parseInstant(name: 'createdAfter' | 'createdBefore', raw: string | undefined): Instant | undefined {
  if (raw === undefined) {
    return undefined;
  }
  const epochMs = Date.parse(raw);
  if (
    !DATE_TIME_WITH_ZONE.test(raw) ||
    !isISO8601(raw, { strict: true, strictSeparator: true }) ||
    Number.isNaN(epochMs)
  ) {
    throw invalid(
      `${name} ${quote(raw)} is not an ISO 8601 date-time with a zone, such as 2026-11-30T09:00:00Z or 2026-11-30T10:00:00+01:00`,
    );
  }
  const subMillisecond = /[1-9]/.test(/\.\d{3}(\d*)/.exec(raw)?.[1] ?? '');
  return { text: raw, epochMs, ceilMs: subMillisecond ? epochMs + 1 : epochMs };
}

/** Only plain decimal digits: `Number()` would also take "1e2", "0x10" or " 5". */
function parseLimit(raw: string | undefined): number {
  if (raw === undefined) {
    return DEFAULT_PAGE_SIZE;
  }
  const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
    throw invalid(`limit ${quote(raw)} must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
}

function invalid(message: string): ApiException {
  return new ApiException(ErrorName.ValidationFailed, message);
}

/** The value as given, quoted and cut short: it is echoed in the error. */
function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}
