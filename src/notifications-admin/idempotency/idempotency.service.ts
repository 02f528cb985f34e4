import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import { BackgroundRetries } from '../persistence/background-retries';
import { databaseCall, isDatabaseError } from '../persistence/database-call';
import { SqlDialect } from '../persistence/sql-dialect';
import { UnrecordedAnswerException } from './unrecorded-answer.exception';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim still running after this long was left by a crashed instance. */
const ABANDONED_AFTER_MARGIN_MS = 60_000;

interface StoredRecord {
  fingerprint: string;
  state: 'running' | 'completed';
  response: string | null;
}

/**
 * `Idempotency-Key` handling, kept in the database so it holds across
 * instances and restarts. A key is claimed atomically before any work; only
 * a 200 answer is stored, anything else releases the key. A key whose sends
 * happened is never released and never runs again: when its answer cannot be
 * stored, it is stored in the background, and the key answers 409 meanwhile.
 */
@Injectable()
export class IdempotencyService implements OnModuleDestroy {
  private readonly logger = new Logger('RetriggerIdempotency');
  private readonly dialect: SqlDialect;
  private readonly retries = new BackgroundRetries();
  /** Answers this instance is still storing, by principal and key: their fingerprint. */
  private readonly recording = new Map<string, string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(NOTIFICATIONS_ADMIN_CONFIG) private readonly config: NotificationsAdminConfig,
  ) {
    this.dialect = new SqlDialect(dataSource);
  }

  onModuleDestroy(): void {
    this.retries.cancelAll();
  }

  async once<T>(principal: string, key: string, fingerprint: string, run: () => Promise<T>): Promise<T> {
    // Known here without the database, which may well be what failed.
    const recordingFingerprint = this.recording.get(recordingKey(principal, key));
    if (recordingFingerprint !== undefined) {
      throw recordingFingerprint === fingerprint ? stillBeingRecorded() : usedForAnotherRequest();
    }
    if (!(await this.claim(principal, key, fingerprint))) {
      return this.replay<T>(principal, key, fingerprint);
    }
    let answer: T;
    try {
      answer = await run();
    } catch (error) {
      if (error instanceof UnrecordedAnswerException) {
        this.storeLater(principal, key, fingerprint, JSON.stringify(error.answer));
        throw error;
      }
      // With the database failing, releasing would only add another timeout
      // to the answer; a key it cannot release is taken over once abandoned.
      const released = this.release(principal, key);
      if (!isDatabaseError(error)) {
        await released;
      }
      throw error;
    }
    const stored = JSON.stringify(answer);
    try {
      await databaseCall(() => this.complete(principal, key, stored));
    } catch {
      // The sends happened and their outcomes are recorded: the answer is the client's.
      this.storeLater(principal, key, fingerprint, stored);
    }
    return answer;
  }

  private storeLater(principal: string, key: string, fingerprint: string, response: string): void {
    const recording = recordingKey(principal, key);
    this.recording.set(recording, fingerprint);
    this.retries.schedule(() => this.complete(principal, key, response), {
      landed: () => {
        this.recording.delete(recording);
        this.logger.warn('stored the answer of an Idempotency-Key request after a database failure');
      },
      gaveUp: () => {
        this.recording.delete(recording);
        this.logger.error(
          'gave up storing the answer of an Idempotency-Key request; the key answers 409 until it expires',
        );
      },
    });
  }

  /**
   * Inserts a running record, or takes over one that expired or was
   * abandoned by a crashed instance. An abandoned one is taken over only if
   * its admin opened no attempt since it was claimed: every send has its
   * attempt row first, so a key whose sends may have happened never runs them
   * again (at worst, a key whose holder crashed before sending answers 409
   * until it expires, if the admin retriggered anything else meanwhile).
   */
  private async claim(principal: string, key: string, fingerprint: string): Promise<boolean> {
    const d = this.dialect;
    const now = Date.now();
    const expired = new Date(now - IDEMPOTENCY_TTL_MS);
    const abandoned = new Date(now - this.config.webhookTimeoutMs - ABANDONED_AFTER_MARGIN_MS);
    const claimed: unknown[] = await databaseCall(() =>
      this.dataSource.query(
        `INSERT INTO retrigger_idempotency_keys (principal, idempotency_key, fingerprint, state, response, created_at)
       VALUES (${d.params(0, 3)}, 'running', NULL, ${d.param(3)})
       ON CONFLICT (principal, idempotency_key) DO UPDATE
          SET fingerprint = excluded.fingerprint, state = 'running', response = NULL, created_at = excluded.created_at
        WHERE retrigger_idempotency_keys.created_at < ${d.param(4)}
           OR (retrigger_idempotency_keys.state = 'running' AND retrigger_idempotency_keys.created_at < ${d.param(5)}
               AND NOT EXISTS (
                 SELECT 1 FROM webhook_notification_requests attempt
                  WHERE attempt.retriggered_by = retrigger_idempotency_keys.principal
                    AND attempt.created_at >= retrigger_idempotency_keys.created_at))
       RETURNING principal`,
        [principal, key, fingerprint, d.timestamp(new Date(now)), d.timestamp(expired), d.timestamp(abandoned)],
      ),
    );
    return claimed.length > 0;
  }

  private async replay<T>(principal: string, key: string, fingerprint: string): Promise<T> {
    const d = this.dialect;
    const [record]: StoredRecord[] = await databaseCall(() =>
      this.dataSource.query(
        `SELECT fingerprint, state, response FROM retrigger_idempotency_keys
          WHERE principal = ${d.param(0)} AND idempotency_key = ${d.param(1)}`,
        [principal, key],
      ),
    );
    if (!record) {
      throw new ApiException(
        ErrorName.Conflict,
        'A request with this Idempotency-Key was just being processed; retry it',
      );
    }
    if (record.fingerprint !== fingerprint) {
      throw usedForAnotherRequest();
    }
    if (record.state !== 'completed' || record.response === null) {
      throw new ApiException(ErrorName.Conflict, 'A request with this Idempotency-Key is still being processed');
    }
    return JSON.parse(record.response) as T;
  }

  private async complete(principal: string, key: string, response: string): Promise<void> {
    const d = this.dialect;
    await this.dataSource.query(
      `UPDATE retrigger_idempotency_keys SET state = 'completed', response = ${d.param(0)}
        WHERE principal = ${d.param(1)} AND idempotency_key = ${d.param(2)}`,
      [response, principal, key],
    );
  }

  private async release(principal: string, key: string): Promise<void> {
    const d = this.dialect;
    try {
      await this.dataSource.query(
        `DELETE FROM retrigger_idempotency_keys
          WHERE principal = ${d.param(0)} AND idempotency_key = ${d.param(1)} AND state = 'running'`,
        [principal, key],
      );
    } catch (error) {
      this.logger.warn(`could not release an Idempotency-Key after a failed request: ${(error as Error).message}`);
    }
  }
}

function recordingKey(principal: string, key: string): string {
  return `${principal}\n${key}`;
}

function stillBeingRecorded(): ApiException {
  return new ApiException(
    ErrorName.Conflict,
    "The sends of this Idempotency-Key's request happened; its answer is still being recorded: retry shortly",
  );
}

function usedForAnotherRequest(): ApiException {
  return new ApiException(ErrorName.Conflict, 'This Idempotency-Key was already used for a different request');
}
