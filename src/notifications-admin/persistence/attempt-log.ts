import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { statementRows } from '../compat/host-framework';
import { BackgroundRetries } from './background-retries';
import { databaseCall } from './database-call';
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

/**
 * A write to another table that must land with the attempts: on PostgreSQL it
 * rides in the attempts' own statement as a data-modifying CTE, on SQLite in
 * their transaction, so it costs no statement of its own. The retrigger's
 * audit record is one: opened with the attempts, completed with them.
 */
export interface CompanionWrite {
  /** One INSERT or UPDATE without RETURNING, its placeholders numbered from `firstParam` (0-based). */
  sql(dialect: SqlDialect, firstParam: number): string;
  values: readonly unknown[];
}

const INTERRUPTED = 'interrupted';

/** id, status, response_status, response_body, error, duration_ms, completed_at. */
const OUTCOME_CASTS = ['uuid', 'text', 'integer', 'text', 'text', 'integer', 'timestamptz'];

/**
 * The one place where `webhook_notification_requests` rows are written.
 * Rows are opened as `pending` before anything is sent and closed after, in
 * one statement per phase whatever the number of notifications.
 */
@Injectable()
export class AttemptLog implements OnModuleDestroy {
  private readonly logger = new Logger('RetriggerRecovery');
  private readonly dialect: SqlDialect;
  private readonly retries = new BackgroundRetries();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = new SqlDialect(dataSource);
  }

  /** Outcomes still waiting for a retry are left to the sweeper. */
  onModuleDestroy(): void {
    this.retries.cancelAll();
  }

  /**
   * Opens a pending attempt per notification. A notification that already
   * has a pending attempt (on any instance) is refused by the partial unique
   * index and left out of the returned map: notification id → attempt id.
   * `companion` is written with them, even when there is no attempt to open.
   */
  async open(attempts: readonly AttemptToOpen[], now: Date, companion: CompanionWrite): Promise<Map<string, string>> {
    const opened = new Map<string, string>();
    if (attempts.length === 0) {
      await databaseCall(() => this.writeAlone(this.dataSource, companion));
      return opened;
    }
    const createdAt = this.dialect.timestamp(now);
    const { values, tuples } = this.dialect.valueRows(
      attempts.map((attempt) => [
        randomUUID(),
        attempt.notificationId,
        attempt.url,
        'pending',
        attempt.retriggeredBy,
        createdAt,
      ]),
    );
    const insert = `INSERT INTO webhook_notification_requests (id, webhook_notification_id, url, status, retriggered_by, created_at)
         VALUES ${tuples}
         ON CONFLICT DO NOTHING
         RETURNING id, webhook_notification_id`;
    const inserted: Array<{ id: string; webhook_notification_id: string }> = await databaseCall(() => {
      if (this.dialect.postgres) {
        return this.dataSource.query(`WITH companion AS (${companion.sql(this.dialect, values.length)}) ${insert}`, [
          ...values,
          ...companion.values,
        ]);
      }
      return this.dataSource.transaction(async (manager) => {
        await this.writeAlone(manager, companion);
        return manager.query(insert, values);
      });
    });
    for (const row of inserted) {
      opened.set(row.webhook_notification_id, row.id);
    }
    return opened;
  }

  /**
   * Completes the attempts and marks the notifications of the successful ones
   * delivered. When the database fails here the sends have already happened:
   * the caller gets the DatabaseError, and the outcomes are retried in the
   * background until they land or BACKGROUND_RETRY_WINDOW_MS has passed.
   * `companion` is written with them (and retried with them), even when
   * there is no outcome to record.
   */
  async close(outcomes: readonly AttemptOutcome[], companion: CompanionWrite): Promise<void> {
    try {
      await databaseCall(() => this.write(outcomes, companion));
    } catch (error) {
      this.retries.schedule(() => this.write(outcomes, companion), {
        landed: () =>
          this.logger.warn(`recorded the outcome of ${outcomes.length} delivery attempt(s) after a database failure`),
        gaveUp: () =>
          this.logger.error(
            `gave up recording the outcome of ${outcomes.length} delivery attempt(s); they stay pending until marked interrupted`,
          ),
      });
      throw error;
    }
  }

  /**
   * Marks attempts still pending since before `cutoff` as failed: their sender
   * died. The cutoff is older than any live send, so other instances'
   * attempts are never touched. Returns how many were marked.
   */
  async failInterrupted(cutoff: Date, now: Date): Promise<number> {
    const d = this.dialect;
    const rows = await databaseCall(() =>
      statementRows<{ id: string }>(
        this.dataSource,
        `UPDATE webhook_notification_requests
            SET status = 'failed', error = ${d.param(0)}, completed_at = ${d.param(1)}
          WHERE status = 'pending' AND created_at < ${d.param(2)}
          RETURNING id`,
        [INTERRUPTED, d.timestamp(now), d.timestamp(cutoff)],
      ),
    );
    return rows.length;
  }

  private async write(outcomes: readonly AttemptOutcome[], companion: CompanionWrite): Promise<void> {
    if (outcomes.length === 0) {
      await this.writeAlone(this.dataSource, companion);
      return;
    }
    return this.dialect.postgres ? this.closeOnPostgres(outcomes, companion) : this.closeOnSqlite(outcomes, companion);
  }

  /**
   * One statement: PostgreSQL lets an UPDATE feed another through a CTE. Only
   * pending attempts are completed, so a retry after an ambiguous failure (the
   * first try may have landed) or after the sweeper changes nothing.
   */
  private async closeOnPostgres(outcomes: readonly AttemptOutcome[], companion: CompanionWrite): Promise<void> {
    const { values, tuples } = this.dialect.valueRows(outcomes.map(this.outcomeValues), OUTCOME_CASTS);
    await this.dataSource.query(
      `WITH outcome (id, status, response_status, response_body, error, duration_ms, completed_at) AS (
         VALUES ${tuples}
       ), completed AS (
         UPDATE webhook_notification_requests AS attempt
            SET status = outcome.status, response_status = outcome.response_status,
                response_body = outcome.response_body, error = outcome.error,
                duration_ms = outcome.duration_ms, completed_at = outcome.completed_at
           FROM outcome
          WHERE attempt.id = outcome.id AND attempt.status = 'pending'
         RETURNING attempt.webhook_notification_id, outcome.status, outcome.completed_at
       ), companion AS (${companion.sql(this.dialect, values.length)})
       UPDATE webhook_notifications AS notification
          SET status = 'delivered', updated_at = completed.completed_at
         FROM completed
        WHERE notification.id = completed.webhook_notification_id AND completed.status = 'succeeded'`,
      [...values, ...companion.values],
    );
  }

  /**
   * SQLite has no data-modifying CTE: two statements in one local
   * transaction, the second fed by what the first completed (only pending
   * attempts, as on PostgreSQL).
   */
  private async closeOnSqlite(outcomes: readonly AttemptOutcome[], companion: CompanionWrite): Promise<void> {
    const { values, tuples } = this.dialect.valueRows(outcomes.map(this.outcomeValues));
    await this.dataSource.transaction(async (manager) => {
      const completed: Array<{ webhook_notification_id: string; status: string; completed_at: string }> =
        await manager.query(
          `UPDATE webhook_notification_requests
            SET status = outcome.column2, response_status = outcome.column3, response_body = outcome.column4,
                error = outcome.column5, duration_ms = outcome.column6, completed_at = outcome.column7
           FROM (VALUES ${tuples}) AS outcome
          WHERE webhook_notification_requests.id = outcome.column1 AND webhook_notification_requests.status = 'pending'
          RETURNING webhook_notification_requests.webhook_notification_id, webhook_notification_requests.status,
                    webhook_notification_requests.completed_at`,
          values,
        );
      const delivered = completed.filter((attempt) => attempt.status === 'succeeded');
      if (delivered.length > 0) {
        await manager.query(
          `UPDATE webhook_notifications SET status = 'delivered', updated_at = ?
            WHERE id IN (${this.dialect.params(1, delivered.length)})`,
          [delivered[0].completed_at, ...delivered.map((attempt) => attempt.webhook_notification_id)],
        );
      }
      await this.writeAlone(manager, companion);
    });
  }

  /** The companion write in a statement of its own, on `runner`: the data source or a transaction's manager. */
  private writeAlone(runner: DataSource | EntityManager, companion: CompanionWrite): Promise<unknown> {
    return runner.query(companion.sql(this.dialect, 0), [...companion.values]);
  }

  /** In the column order of OUTCOME_CASTS. */
  private readonly outcomeValues = (outcome: AttemptOutcome): unknown[] => [
    outcome.attemptId,
    outcome.succeeded ? 'succeeded' : 'failed',
    outcome.responseStatus,
    outcome.responseBody,
    outcome.error,
    outcome.durationMs,
    this.dialect.timestamp(outcome.completedAt),
  ];
}
