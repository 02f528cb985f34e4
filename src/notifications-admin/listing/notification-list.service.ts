import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AttemptStatus } from '../entities/webhook-notification-request.entity';
import type { NotificationStatus } from '../entities/webhook-notification.entity';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { keysetPage } from '../pagination/keyset-cursor';
import { databaseCall } from '../persistence/database-call';
import { idCaseForms, SqlDialect } from '../persistence/sql-dialect';
import { LastAttemptDto } from './dto/last-attempt.dto';
import { NotificationListItemDto } from './dto/notification-list-item.dto';
import { NotificationListPageDto } from './dto/notification-list-page.dto';
import type { NotificationListQuery } from './notification-list-request.pipe';

/** One row per listed notification, or one row of nulls beside the webhook when the page is empty. */
interface PageRow {
  webhook_id: string;
  id: string | null;
  event_type: string | null;
  status: NotificationStatus | null;
  /** ISO 8601 UTC with microseconds (PostgreSQL), or SQLite's `YYYY-MM-DD HH:MM:SS.SSS` UTC text. */
  created_at: string | null;
  attempt_count: number | string | null;
  attempt_id: string | null;
  attempt_status: AttemptStatus | null;
  attempt_response_status: number | null;
  attempt_error: string | null;
  attempt_retriggered_by: string | null;
  /** ISO 8601 UTC with milliseconds (PostgreSQL), or SQLite's UTC text. */
  attempt_created_at: string | null;
  attempt_completed_at: string | null;
}

/**
 * The newest attempt's columns (`a`). Timestamps come as text, in the
 * answer's form on PostgreSQL: parsing them into Dates only to print them
 * again was a visible share of a page's CPU.
 */
function attemptColumns(timestamp: (column: string) => string): string {
  return `a.id AS attempt_id, a.status AS attempt_status, a.response_status AS attempt_response_status,
           a.error AS attempt_error, a.retriggered_by AS attempt_retriggered_by,
           ${timestamp('a.created_at')} AS attempt_created_at, ${timestamp('a.completed_at')} AS attempt_completed_at`;
}

/** ISO 8601 UTC text of a timestamptz, to the microsecond or the millisecond (truncated, as a JS Date would). */
const pgIso = (precision: 'US' | 'MS') => (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.${precision}"Z"')`;

/**
 * A webhook's notifications, newest first, paged by key: `(created_at, id)`
 * of the last row is the cursor, so rows written while a client pages never
 * shift a page. One statement per page, whatever the page size: it tells an
 * unknown webhook (no row) from an empty page (the webhook's row alone), and
 * reads each notification's attempt count and newest attempt beside it,
 * walking the `(webhook_id, created_at, id)` index without sorting the table.
 */
@Injectable()
export class NotificationListService {
  private readonly dialect: SqlDialect;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = new SqlDialect(dataSource);
  }

  async list(query: NotificationListQuery): Promise<NotificationListPageDto> {
    const { sql, parameters } = this.dialect.postgres ? this.postgresPage(query) : this.sqlitePage(query);
    const rows = await databaseCall(() => this.dataSource.query<PageRow[]>(sql, parameters));
    if (rows.length === 0) {
      throw new ApiException(ErrorName.NotFound, `Webhook ${query.webhookId} not found`);
    }
    return keysetPage(rows, query, {
      order: newestFirst,
      position: (row) => ({ createdAt: this.cursorTime(row.created_at!), id: row.id! }),
      item: (row) => this.toItem(row),
    });
  }

  /**
   * LATERAL keeps the page's LIMIT next to its index scan (the outer join only
   * adds the webhook's row), and fetches the newest attempt with the count of
   * all of them (a window over the notification's attempts, read through
   * their `(webhook_notification_id, created_at)` index) per listed row.
   * created_at is read as text with its microseconds: a Date would cut them,
   * and a cursor a microsecond early would repeat a row.
   */
  private postgresPage(query: NotificationListQuery): { sql: string; parameters: unknown[] } {
    const parameters: unknown[] = [query.webhookId];
    const bind = (value: unknown, cast: string): string => {
      parameters.push(value);
      return `$${parameters.length}::${cast}`;
    };
    const filters = ['n.webhook_id = w.id'];
    if (query.statuses.length > 0) {
      filters.push(`n.status = ANY(${bind(query.statuses, 'text[]')})`);
    }
    if (query.eventType !== undefined) {
      filters.push(`n.event_type = ${bind(query.eventType, 'text')}`);
    }
    if (query.createdAfter) {
      filters.push(`n.created_at >= ${bind(query.createdAfter.text, 'timestamptz')}`);
    }
    if (query.createdBefore) {
      filters.push(`n.created_at < ${bind(query.createdBefore.text, 'timestamptz')}`);
    }
    if (query.after) {
      filters.push(
        `(n.created_at, n.id) < (${bind(query.after.createdAt, 'timestamptz')}, ${bind(query.after.id, 'uuid')})`,
      );
    }
    const sql = `
      SELECT w.id AS webhook_id, page.*
        FROM webhooks w
        LEFT JOIN LATERAL (
          SELECT n.id, n.event_type, n.status,
                 ${pgIso('US')('n.created_at')} AS created_at,
                 a.attempt_count, ${attemptColumns(pgIso('MS'))}
            FROM webhook_notifications n
            LEFT JOIN LATERAL (
              SELECT r.*, count(*) OVER () AS attempt_count
                FROM webhook_notification_requests r
               WHERE r.webhook_notification_id = n.id
               ORDER BY r.created_at DESC, r.id DESC
               LIMIT 1
            ) a ON true
           WHERE ${filters.join(' AND ')}
           ORDER BY n.created_at DESC, n.id DESC
           LIMIT ${bind(query.limit + 1, 'integer')}
        ) page ON true
       WHERE w.id = $1::uuid`;
    return { sql, parameters };
  }

  /**
   * SQLite has no LATERAL: the page is a subquery bound to the webhook's id
   * as stored (any case), and the newest attempt and the count are
   * correlated subqueries. Its timestamps are UTC text that sorts in time
   * order, so bounds are compared as text (see sqliteBound), rounded up to
   * the millisecond it keeps (after is inclusive, before exclusive: both
   * round up), and the cursor carries the stored text itself.
   */
  private sqlitePage(query: NotificationListQuery): { sql: string; parameters: unknown[] } {
    const webhookIds = idCaseForms(query.webhookId);
    const d = this.dialect;
    const parameters: unknown[] = [...webhookIds];
    const bind = (value: unknown): string => {
      parameters.push(value);
      return '?';
    };
    const filters = [`n.webhook_id = (SELECT id FROM webhooks WHERE id IN (${d.params(0, webhookIds.length)}))`];
    if (query.statuses.length > 0) {
      filters.push(`n.status IN (${query.statuses.map(bind).join(', ')})`);
    }
    if (query.eventType !== undefined) {
      filters.push(`n.event_type = ${bind(query.eventType)}`);
    }
    if (query.createdAfter) {
      filters.push(`n.created_at >= ${bind(sqliteBound(query.createdAfter.ceilMs))}`);
    }
    if (query.createdBefore) {
      filters.push(`n.created_at < ${bind(sqliteBound(query.createdBefore.ceilMs))}`);
    }
    if (query.after) {
      filters.push(
        `(n.created_at, n.id) < (${bind(storedSqliteText(query.after.createdAt))}, ${bind(query.after.id)})`,
      );
    }
    const limit = bind(query.limit + 1);
    parameters.push(...webhookIds);
    const sql = `
      SELECT w.id AS webhook_id, page.*
        FROM webhooks w
        LEFT JOIN (
          SELECT n.id, n.event_type, n.status, n.created_at,
                 (SELECT count(*) FROM webhook_notification_requests c
                   WHERE c.webhook_notification_id = n.id) AS attempt_count,
                 ${attemptColumns((column) => column)}
            FROM webhook_notifications n
            LEFT JOIN webhook_notification_requests a
              ON a.id = (SELECT r.id FROM webhook_notification_requests r
                          WHERE r.webhook_notification_id = n.id
                          ORDER BY r.created_at DESC, r.id DESC LIMIT 1)
           WHERE ${filters.join(' AND ')}
           ORDER BY n.created_at DESC, n.id DESC
           LIMIT ${limit}
        ) page ON 1
       WHERE w.id IN (${d.params(0, webhookIds.length)})`;
    return { sql, parameters };
  }

  private toItem(row: PageRow): NotificationListItemDto {
    return {
      id: row.id!,
      eventType: row.event_type!,
      status: row.status!,
      createdAt: this.dialect.postgres ? `${row.created_at!.slice(0, 23)}Z` : sqliteIso(row.created_at!),
      attemptCount: Number(row.attempt_count ?? 0),
      lastAttempt: row.attempt_id === null ? null : this.toLastAttempt(row),
    };
  }

  private toLastAttempt(row: PageRow): LastAttemptDto {
    return {
      id: row.attempt_id!,
      status: row.attempt_status!,
      responseStatus: row.attempt_response_status,
      error: row.attempt_error,
      retriggeredBy: row.attempt_retriggered_by,
      createdAt: this.answerTime(row.attempt_created_at!),
      completedAt: row.attempt_completed_at === null ? null : this.answerTime(row.attempt_completed_at),
    };
  }

  /**
   * A row's created_at as the cursor keeps it: ISO 8601 UTC at the precision
   * the database holds. PostgreSQL: the microseconds it keeps. SQLite: the
   * stored text itself in ISO dress (`T`, `Z`), so that the next page
   * compares against exactly what is stored, whichever of the two forms the
   * row has.
   */
  private cursorTime(createdAt: string): string {
    if (this.dialect.postgres) {
      return createdAt;
    }
    return SQLITE_TIMESTAMP.test(createdAt) ? `${createdAt.replace(' ', 'T')}Z` : sqliteIso(createdAt);
  }

  private answerTime(timestamp: string): string {
    return this.dialect.postgres ? timestamp : sqliteIso(timestamp);
  }
}

/**
 * The order the statement already returns; sorting the page again (at most
 * 201 rows) keeps it so whatever order the outer join hands the rows over in.
 * Text order is time order for these fixed-width UTC forms, and PostgreSQL's
 * uuid order is the order of its lower-case text.
 */
function newestFirst(a: PageRow, b: PageRow): number {
  if (a.created_at !== b.created_at) {
    return a.created_at! < b.created_at! ? 1 : -1;
  }
  return a.id! < b.id! ? 1 : a.id! > b.id! ? -1 : 0;
}

/**
 * SQLite holds UTC text in two forms: `YYYY-MM-DD HH:MM:SS.SSS` (what the
 * module and the migrations' defaults write) and `YYYY-MM-DD HH:MM:SS`
 * (TypeORM's CreateDateColumn, as a host's own inserts write it).
 */
const SQLITE_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{3})?$/;

/** Stored SQLite text as ISO 8601 UTC with milliseconds. */
function sqliteIso(text: string): string {
  const iso = `${text.replace(' ', 'T')}Z`;
  return /\.\d{3}$/.test(text) && SQLITE_TIMESTAMP.test(text) ? iso : new Date(iso).toISOString();
}

/** Back from the cursor's ISO dress to the stored text. */
function storedSqliteText(cursorTime: string): string {
  return cursorTime.replace('T', ' ').replace(/Z$/, '');
}

/**
 * A bound as text that compares right against both stored forms: on a whole
 * second it is the short form, which sorts before `.SSS` texts of that
 * second and equal to the short one; otherwise the long form, which the
 * short form of its second sorts before, as its instant does.
 */
function sqliteBound(epochMs: number): string {
  const text = new Date(epochMs).toISOString().replace('T', ' ').slice(0, 23);
  return text.endsWith('.000') ? text.slice(0, 19) : text;
}
