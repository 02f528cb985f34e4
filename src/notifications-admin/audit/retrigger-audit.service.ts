import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { keysetPage } from '../pagination/keyset-cursor';
import { databaseCall } from '../persistence/database-call';
import { idCaseForms, SqlDialect } from '../persistence/sql-dialect';
import type { SignatureMode } from '../retrigger/dto/retrigger-request.dto';
import type { RetriggerItemDto } from '../retrigger/dto/retrigger-response.dto';
import { RetriggerAuditPageDto } from './dto/retrigger-audit-page.dto';
import { RetriggerAuditRecordDto } from './dto/retrigger-audit-record.dto';
import { RetriggerAuditSummaryDto } from './dto/retrigger-audit-summary.dto';
import type { RetriggerAuditListQuery } from './retrigger-audit-list-request.pipe';
import type { RetriggerAuditRecordQuery } from './retrigger-audit-record-request.pipe';

/** A webhook row, joined with one of its audit records (all null when it has none that match). */
interface RecordRow {
  webhook_id: string;
  id: string | null;
  record_webhook_id: string | null;
  principal: string | null;
  reason: string | null;
  signature: SignatureMode | null;
  total_requested: number | null;
  total_success: number | null;
  total_failed: number | null;
  created_at: Date | string | null;
  completed_at: Date | string | null;
  items?: unknown;
}

/** A record's summary columns, each read through `prefix` (a table alias and its dot, or nothing). */
function summaryColumns(prefix = ''): string {
  return [
    'id',
    'webhook_id AS record_webhook_id',
    'principal',
    'reason',
    'signature',
    'total_requested',
    'total_success',
    'total_failed',
    'created_at',
    'completed_at',
  ]
    .map((column) => `${prefix}${column}`)
    .join(', ');
}

/**
 * Reads the retrigger audit trail. Each answer is one statement: the webhook
 * left-joined with its records, so an unknown webhook (404) and a webhook
 * without records (an empty page) are told apart without a second query.
 */
@Injectable()
export class RetriggerAuditService {
  private readonly dialect: SqlDialect;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = new SqlDialect(dataSource);
  }

  /**
   * Newest first, by key: (created_at, id) below the cursor's. The inner
   * query is served by the (webhook_id, created_at DESC, id DESC) index and
   * stops after one row more than the page, which tells whether another
   * page follows.
   */
  async list(query: RetriggerAuditListQuery): Promise<RetriggerAuditPageDto> {
    const d = this.dialect;
    const webhookIds = idCaseForms(query.webhookId);
    const values: unknown[] = [...webhookIds];
    let after = '';
    if (query.after) {
      const cast = (type: string) => (d.postgres ? `::${type}` : '');
      after = `AND (created_at, id) < (${d.param(values.length)}${cast('timestamptz')}, ${d.param(values.length + 1)}${cast('uuid')})`;
      values.push(d.timestamp(new Date(query.after.createdAt)), query.after.id);
    }
    const limit = d.param(values.length);
    values.push(query.limit + 1);
    const outer = d.params(values.length, webhookIds.length);
    values.push(...webhookIds);
    const rows = await databaseCall(() =>
      this.dataSource.query<RecordRow[]>(
        `SELECT w.id AS webhook_id, r.*
           FROM webhooks w
           LEFT JOIN (
             SELECT ${summaryColumns()}
               FROM retrigger_audit_records
              WHERE webhook_id IN (${d.params(0, webhookIds.length)}) ${after}
              ORDER BY created_at DESC, id DESC
              LIMIT ${limit}
           ) r ON r.record_webhook_id = w.id
          WHERE w.id IN (${outer})
          ORDER BY r.created_at DESC, r.id DESC`,
        values,
      ),
    );
    if (rows.length === 0) {
      throw webhookNotFound(query.webhookId);
    }
    return keysetPage(rows, query, {
      position: (row) => ({ createdAt: isoTimestamp(row.created_at!), id: row.id! }),
      item: (row) => this.summary(row),
    });
  }

  /** The record with its items, when it is this webhook's. */
  async get(query: RetriggerAuditRecordQuery): Promise<RetriggerAuditRecordDto> {
    const d = this.dialect;
    const recordIds = idCaseForms(query.retriggerId);
    const webhookIds = idCaseForms(query.webhookId);
    const [row] = await databaseCall(() =>
      this.dataSource.query<RecordRow[]>(
        `SELECT w.id AS webhook_id, ${summaryColumns('r.')}, ${d.jsonColumn('r.items')} AS items
           FROM webhooks w
           LEFT JOIN retrigger_audit_records r
             ON r.webhook_id = w.id AND r.id IN (${d.params(0, recordIds.length)})
          WHERE w.id IN (${d.params(recordIds.length, webhookIds.length)})`,
        [...recordIds, ...webhookIds],
      ),
    );
    if (!row) {
      throw webhookNotFound(query.webhookId);
    }
    if (row.id === null) {
      throw new ApiException(
        ErrorName.NotFound,
        `Retrigger ${query.retriggerId} not found for webhook ${query.webhookId}`,
      );
    }
    return { ...this.summary(row), items: d.json<RetriggerItemDto[]>(row.items) };
  }

  private summary(row: RecordRow): RetriggerAuditSummaryDto {
    return {
      id: row.id!,
      webhookId: row.record_webhook_id!,
      principal: row.principal!,
      reason: row.reason,
      signature: row.signature!,
      totalRequested: Number(row.total_requested),
      totalSuccess: row.total_success === null ? null : Number(row.total_success),
      totalFailed: row.total_failed === null ? null : Number(row.total_failed),
      createdAt: isoTimestamp(row.created_at!),
      completedAt: row.completed_at === null ? null : isoTimestamp(row.completed_at),
    };
  }
}

function webhookNotFound(webhookId: string): ApiException {
  return new ApiException(ErrorName.NotFound, `Webhook ${webhookId} not found`);
}

/** PostgreSQL gives a Date; SQLite the UTC text `YYYY-MM-DD HH:MM:SS.SSS` the module writes. */
function isoTimestamp(value: Date | string): string {
  return (value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`)).toISOString();
}
