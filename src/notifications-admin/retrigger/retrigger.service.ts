import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditRecordWriter } from '../audit/audit-record.writer';
import { WebhookDelivery } from '../delivery/webhook-delivery.service';
import { WebhookEntity } from '../entities/webhook.entity';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { RetriggerMetrics } from '../metrics/retrigger-metrics.service';
import { UnrecordedAnswerException } from '../idempotency/unrecorded-answer.exception';
import { AttemptLog, AttemptOutcome } from '../persistence/attempt-log';
import { databaseCall } from '../persistence/database-call';
import { idCaseForms, SqlDialect } from '../persistence/sql-dialect';
import { IN_FLIGHT, NOT_FOUND_FOR_WEBHOOK } from '../outcomes/item-errors';
import { ReasonCode } from '../outcomes/reason-code.enum';
import {
  isUnsupported,
  NO_SIGNATURE,
  PreparedSignature,
  SignatureService,
  UnsupportedSignature,
} from '../signatures/signature.service';
import { SignatureMode } from './dto/retrigger-request.dto';
import { RetriggerItemDto, RetriggerResponseDto } from './dto/retrigger-response.dto';
import { retriggerAnswer, retriggerItem } from './retrigger-answer';
import { RetriggerDryRun } from './retrigger-dry-run';

export interface RetriggerCommand {
  webhookId: string;
  webhookNotificationIds: readonly string[];
  principal: string;
  idempotencyKey?: string;
  /** `original` (the stored headers as first sent) unless asked otherwise. */
  signature: SignatureMode;
  /** Why the operator retriggers, kept in the audit record. */
  reason?: string;
  dryRun: boolean;
}

export interface StoredNotification {
  /** The id as the database holds it. */
  id: string;
  payload: string;
  headers: Record<string, unknown>;
  /** Whether an attempt is pending; read for a dry run only (a send learns it from the attempt insert). */
  inFlight: boolean;
}

export interface LoadedWebhook {
  /** As the database holds it. */
  id: string;
  url: string;
  /** The current signing secret: only ever an HMAC key, never logged or answered. */
  secret: string;
  /** Keyed by lower-case notification id. */
  notifications: Map<string, StoredNotification>;
}

interface LoadedRow {
  webhook_id: string;
  webhook_url: string;
  webhook_secret: string;
  webhook_enabled: unknown;
  notification_id: string | null;
  payload: string | null;
  headers: unknown;
  in_flight: unknown;
}

/**
 * Re-sends stored notifications to their webhook with their original body,
 * and their original signature headers or a fresh signature. SQL per request
 * is constant: one read, one insert of pending attempts (opening the audit
 * record), one completion (completing it) on PostgreSQL, whatever the number
 * of ids.
 */
@Injectable()
export class RetriggerService {
  private readonly dialect: SqlDialect;

  constructor(
    @InjectRepository(WebhookEntity) private readonly webhooks: Repository<WebhookEntity>,
    private readonly attempts: AttemptLog,
    private readonly delivery: WebhookDelivery,
    private readonly idempotency: IdempotencyService,
    private readonly metrics: RetriggerMetrics,
    private readonly dryRun: RetriggerDryRun,
    private readonly signatures: SignatureService,
    private readonly auditRecords: AuditRecordWriter,
  ) {
    this.dialect = new SqlDialect(webhooks.manager.connection);
  }

  async retrigger(command: RetriggerCommand): Promise<RetriggerResponseDto> {
    if (command.idempotencyKey === undefined) {
      return this.run(command);
    }
    return this.idempotency.once(command.principal, command.idempotencyKey, fingerprint(command), () =>
      this.run(command),
    );
  }

  private async run(command: RetriggerCommand): Promise<RetriggerResponseDto> {
    const webhook = await this.load(command);
    const startedAt = new Date();
    const signed = this.prepareSignatures(webhook, command.signature, startedAt);
    if (command.dryRun) {
      const answer = await this.dryRun.answer(command, webhook, signed);
      this.metrics.itemsAnswered([...answer.successfulNotifications, ...answer.failedNotifications], true);
      return answer;
    }
    const requested = command.webhookNotificationIds.map((id) => ({
      id,
      stored: webhook.notifications.get(id.toLowerCase()),
    }));
    const audit = this.auditRecords.start({
      webhookId: webhook.id,
      principal: command.principal,
      reason: command.reason ?? null,
      signature: command.signature,
      totalRequested: command.webhookNotificationIds.length,
      createdAt: startedAt,
    });
    const opened = await this.attempts.open(
      [...webhook.notifications.values()]
        .filter((stored) => !isUnsupported(signed.get(stored.id)!))
        .map((stored) => ({
          notificationId: stored.id,
          url: webhook.url,
          retriggeredBy: command.principal,
        })),
      startedAt,
      audit.opening,
    );

    const outcomes: AttemptOutcome[] = [];
    const items = await Promise.all(
      requested.map(async ({ id, stored }): Promise<RetriggerItemDto> => {
        if (!stored) {
          return retriggerItem(
            id,
            null,
            { reason: ReasonCode.NotFound, error: NOT_FOUND_FOR_WEBHOOK },
            null,
            NO_SIGNATURE,
          );
        }
        const signature = signed.get(stored.id)!;
        if (isUnsupported(signature)) {
          return retriggerItem(id, null, signature, null, NO_SIGNATURE);
        }
        const attemptId = opened.get(stored.id);
        if (!attemptId) {
          return retriggerItem(id, null, { reason: ReasonCode.InFlight, error: IN_FLIGHT }, null, signature);
        }
        const result = await this.delivery.deliver({
          url: webhook.url,
          payload: stored.payload,
          headers: signature.headers,
        });
        this.metrics.sendCompleted(result);
        outcomes.push({ attemptId, notificationId: stored.id, completedAt: new Date(), ...result });
        const refusal = result.succeeded
          ? null
          : { reason: result.reason ?? ReasonCode.ConnectionFailed, error: result.error ?? 'delivery failed' };
        return retriggerItem(id, attemptId, refusal, result.responseStatus, signature);
      }),
    );
    const answer = retriggerAnswer(audit.id, command, false, items);
    try {
      await this.attempts.close(outcomes, audit.completion(items, new Date()));
    } catch (error) {
      throw error instanceof ApiException ? new UnrecordedAnswerException(answer, error) : error;
    }
    this.metrics.itemsAnswered([...answer.successfulNotifications, ...answer.failedNotifications], false);
    return answer;
  }

  /**
   * Per stored notification, the headers it is sent with in this mode and
   * what its signature will meet; or why `resign` cannot sign it. Decided
   * before the attempts are opened: an unsupported notification gets no row.
   */
  private prepareSignatures(
    webhook: LoadedWebhook,
    mode: SignatureMode,
    now: Date,
  ): Map<string, PreparedSignature | UnsupportedSignature> {
    const signed = new Map<string, PreparedSignature | UnsupportedSignature>();
    for (const stored of webhook.notifications.values()) {
      signed.set(stored.id, this.signatures.prepare(mode, stored.headers, stored.payload, webhook.secret, now));
    }
    return signed;
  }

  /**
   * The webhook and the requested notifications that belong to it, in one
   * statement; for a dry run, with whether each has a pending attempt.
   * Written by hand like the attempt log's: building it with the
   * QueryBuilder on every request was a visible share of the CPU profile.
   */
  private async load(command: RetriggerCommand): Promise<LoadedWebhook> {
    const lookupIds = [...new Set(command.webhookNotificationIds.flatMap(idCaseForms))];
    const webhookIds = idCaseForms(command.webhookId);
    const d = this.dialect;
    // Placeholders are numbered in the order they appear: SQLite's `?` are positional.
    const rows = await databaseCall(() =>
      this.webhooks.manager.query<LoadedRow[]>(
        `SELECT w.id AS webhook_id, w.url AS webhook_url, w.secret AS webhook_secret, w.enabled AS webhook_enabled,
                n.id AS notification_id, n.payload AS payload, ${d.jsonColumn('n.headers')} AS headers,
                ${command.dryRun ? IN_FLIGHT_COLUMN : 'NULL'} AS in_flight
           FROM webhooks w
           LEFT JOIN webhook_notifications n
             ON n.webhook_id = w.id AND n.id IN (${d.params(0, lookupIds.length)})
          WHERE w.id IN (${d.params(lookupIds.length, webhookIds.length)})`,
        [...lookupIds, ...webhookIds],
      ),
    );
    if (rows.length === 0) {
      throw new ApiException(ErrorName.NotFound, `Webhook ${command.webhookId} not found`);
    }
    if (!this.dialect.boolean(rows[0].webhook_enabled)) {
      throw new ApiException(ErrorName.Conflict, `Webhook ${command.webhookId} is disabled`);
    }
    const notifications = new Map<string, StoredNotification>();
    for (const row of rows) {
      if (row.notification_id !== null && row.payload !== null) {
        notifications.set(row.notification_id.toLowerCase(), {
          id: row.notification_id,
          payload: row.payload,
          headers: this.dialect.json<Record<string, unknown>>(row.headers) ?? {},
          inFlight: this.dialect.boolean(row.in_flight),
        });
      }
    }
    return { id: rows[0].webhook_id, url: rows[0].webhook_url, secret: rows[0].webhook_secret, notifications };
  }
}

/** Served by the partial unique index on pending attempts. */
const IN_FLIGHT_COLUMN = `EXISTS (SELECT 1 FROM webhook_notification_requests r
                                  WHERE r.webhook_notification_id = n.id AND r.status = 'pending')`;

/** What makes two requests under one Idempotency-Key the same request. */
function fingerprint(command: RetriggerCommand): string {
  const ids = [command.webhookId, ...command.webhookNotificationIds].map((id) => id.toLowerCase());
  const canonical = JSON.stringify([ids, command.signature, command.reason ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}
