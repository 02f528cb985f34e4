import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SqlDialect } from './sql-dialect';

export interface AttemptToOpen {
  notificationId: string;
  url: string;
  retriggeredBy: string;
}

export interface AttemptOutcome {
  attemptId: string;
  notificationId: string;
  succeeded: boolean;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number | null;
  completedAt: Date;
}

const INTERRUPTED = 'interrupted';

/**
 * The one place where `webhook_notification_requests` rows are written.
 * Rows are opened as `pending` before anything is sent and closed after, in
 * one statement per phase whatever the number of notifications.
 */
@Injectable()
export class AttemptLog {
  private readonly dialect: SqlDialect;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = new SqlDialect(dataSource);
  }

  /**
   * Opens a pending attempt per notification. A notification that already
   * has a pending attempt (on any instance) is refused by the partial unique
   * index and left out of the returned map: notification id → attempt id.
   */
  async open(attempts: readonly AttemptToOpen[], now: Date): Promise<Map<string, string>> {
    const opened = new Map<string, string>();
    if (attempts.length === 0) {
      return opened;
    }
    const columns = 6;
    const values: unknown[] = [];
    const rows = attempts.map((attempt, index) => {
      values.push(randomUUID(), attempt.notificationId, attempt.url, 'pending', attempt.retriggeredBy, this.dialect.timestamp(now));
      return `(${this.dialect.params(index * columns, columns)})`;
    });
    const inserted: Array<{ id: string; webhook_notification_id: string }> = await this.dataSource.query(
      `INSERT INTO webhook_notification_requests (id, webhook_notification_id, url, status, retriggered_by, created_at)
       VALUES ${rows.join(', ')}
       ON CONFLICT DO NOTHING
       RETURNING id, webhook_notification_id`,
      values,
    );
    for (const row of inserted) {
      opened.set(row.webhook_notification_id, row.id);
    }
    return opened;
  }

  /** Completes the attempts and marks the notifications of the successful ones delivered. */
  async close(outcomes: readonly AttemptOutcome[]): Promise<void> {
    if (outcomes.length === 0) {
      return;
    }
    if (this.dialect.postgres) {
      await this.closeOnPostgres(outcomes);
    } else {
      await this.closeOnSqlite(outcomes);
    }
  }

  /**
   * Marks attempts still pending since before `cutoff` as failed: their sender
   * died. The cutoff is older than any live send, so other instances'
   * attempts are never touched. Returns how many were marked.
   */
  async failInterrupted(cutoff: Date, now: Date): Promise<number> {
    const d = this.dialect;
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE webhook_notification_requests
          SET status = 'failed', error = ${d.param(0)}, completed_at = ${d.param(1)}
        WHERE status = 'pending' AND created_at < ${d.param(2)}
        RETURNING id`,
      [INTERRUPTED, d.timestamp(now), d.timestamp(cutoff)],
    );
    return rows.length;
  }

  /** One statement: PostgreSQL lets an UPDATE feed another through a CTE. */
  private async closeOnPostgres(outcomes: readonly AttemptOutcome[]): Promise<void> {
    const columns = 7;
    const values: unknown[] = [];
    const rows = outcomes.map((outcome, index) => {
      values.push(...this.outcomeValues(outcome));
      const p = (column: number) => this.dialect.param(index * columns + column);
      return `(${p(0)}::uuid, ${p(1)}::text, ${p(2)}::integer, ${p(3)}::text, ${p(4)}::text, ${p(5)}::integer, ${p(6)}::timestamptz)`;
    });
    await this.dataSource.query(
      `WITH outcome (id, status, response_status, response_body, error, duration_ms, completed_at) AS (
         VALUES ${rows.join(', ')}
       ), completed AS (
         UPDATE webhook_notification_requests AS attempt
            SET status = outcome.status, response_status = outcome.response_status,
                response_body = outcome.response_body, error = outcome.error,
                duration_ms = outcome.duration_ms, completed_at = outcome.completed_at
           FROM outcome
          WHERE attempt.id = outcome.id
         RETURNING attempt.webhook_notification_id, outcome.status, outcome.completed_at
       )
       UPDATE webhook_notifications AS notification
          SET status = 'delivered', updated_at = completed.completed_at
         FROM completed
        WHERE notification.id = completed.webhook_notification_id AND completed.status = 'succeeded'`,
      values,
    );
  }

  /** SQLite has no data-modifying CTE: two statements in one local transaction. */
  private async closeOnSqlite(outcomes: readonly AttemptOutcome[]): Promise<void> {
    const columns = 7;
    const values: unknown[] = [];
    const rows = outcomes.map((outcome, index) => {
      values.push(...this.outcomeValues(outcome));
      return `(${this.dialect.params(index * columns, columns)})`;
    });
    const delivered = outcomes.filter((outcome) => outcome.succeeded);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE webhook_notification_requests
            SET status = outcome.column2, response_status = outcome.column3, response_body = outcome.column4,
                error = outcome.column5, duration_ms = outcome.column6, completed_at = outcome.column7
           FROM (VALUES ${rows.join(', ')}) AS outcome
          WHERE webhook_notification_requests.id = outcome.column1`,
        values,
      );
      if (delivered.length > 0) {
        await manager.query(
          `UPDATE webhook_notifications SET status = 'delivered', updated_at = ?
            WHERE id IN (${this.dialect.params(1, delivered.length)})`,
          [this.dialect.timestamp(delivered[0].completedAt), ...delivered.map((outcome) => outcome.notificationId)],
        );
      }
    });
  }

  private outcomeValues(outcome: AttemptOutcome): unknown[] {
    return [
      outcome.attemptId,
      outcome.succeeded ? 'succeeded' : 'failed',
      outcome.responseStatus,
      outcome.responseBody,
      outcome.error,
      outcome.durationMs,
      this.dialect.timestamp(outcome.completedAt),
    ];
  }
}
