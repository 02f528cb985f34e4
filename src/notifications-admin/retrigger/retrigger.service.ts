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
import { AttemptLog, AttemptOutcome } from '../persistence/attempt-log';
import { databaseCall } from '../persistence/database-call';
import { idCaseForms, SqlDialect } from '../persistence/sql-dialect';
import { ReasonCode } from '../outcomes/reason-code.enum';
import {
  isUnsupported,
  PreparedSignature,
  SignatureService,
  UnsupportedSignature,
} from '../signatures/signature.service';
import { SignatureMode } from './dto/retrigger-request.dto';
import { RetriggerItemDto, RetriggerResponseDto } from './dto/retrigger-response.dto';

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

interface StoredNotification {
  /** The id as the database holds it. */
  id: string;
  payload: string;
  headers: Record<string, unknown>;
}

interface LoadedWebhook {
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
}

const NOT_FOUND_FOR_WEBHOOK = 'notification not found for this webhook';
const IN_FLIGHT = 'a retrigger of this notification is already in progress';

/** What an item says about the signature its notification is (or would be) sent with. */
type SignatureReport = Pick<PreparedSignature, 'signatureAgeSeconds' | 'warning'>;
const NO_SIGNATURE: SignatureReport = { signatureAgeSeconds: null, warning: null };

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
    const requested = command.webhookNotificationIds.map((id) => ({
      id,
      stored: webhook.notifications.get(id.toLowerCase()),
    }));
    const startedAt = new Date();
    const signed = this.prepareSignatures(webhook, command.signature, startedAt);
    const audit = command.dryRun
      ? undefined
      : this.auditRecords.start({
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
      audit?.opening,
    );

    const outcomes: AttemptOutcome[] = [];
    const items = await Promise.all(
      requested.map(async ({ id, stored }): Promise<{ item: RetriggerItemDto; succeeded: boolean }> => {
        if (!stored) {
          return failed(id, null, ReasonCode.NotFound, NOT_FOUND_FOR_WEBHOOK, null);
        }
        const signature = signed.get(stored.id)!;
        if (isUnsupported(signature)) {
          return failed(id, null, signature.reason, signature.error, null);
        }
        const report = { signatureAgeSeconds: signature.signatureAgeSeconds, warning: signature.warning };
        const attemptId = opened.get(stored.id);
        if (!attemptId) {
          return failed(id, null, ReasonCode.InFlight, IN_FLIGHT, null, report);
        }
        const result = await this.delivery.deliver({
          url: webhook.url,
          payload: stored.payload,
          headers: signature.headers,
        });
        this.metrics.sendCompleted(result);
        outcomes.push({ attemptId, notificationId: stored.id, completedAt: new Date(), ...result });
        return result.succeeded
          ? succeeded(id, attemptId, result.responseStatus, report)
          : failed(
              id,
              attemptId,
              result.reason ?? ReasonCode.ConnectionFailed,
              result.error ?? 'delivery failed',
              result.responseStatus,
              report,
            );
      }),
    );

    const successfulNotifications = items.filter((entry) => entry.succeeded).map((entry) => entry.item);
    const failedNotifications = items.filter((entry) => !entry.succeeded).map((entry) => entry.item);
    await this.attempts.close(
      outcomes,
      audit?.completion(
        items.map((entry) => entry.item),
        new Date(),
      ),
    );
    this.metrics.itemsAnswered([...successfulNotifications, ...failedNotifications], command.dryRun);
    return {
      retriggerId: audit?.id ?? null,
      signature: command.signature,
      dryRun: command.dryRun,
      totalRequested: command.webhookNotificationIds.length,
      totalSuccess: successfulNotifications.length,
      totalFailed: failedNotifications.length,
      successfulNotifications,
      failedNotifications,
    };
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
   * statement. Written by hand like the attempt log's: building it with the
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
                n.id AS notification_id, n.payload AS payload, ${d.jsonColumn('n.headers')} AS headers
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
        });
      }
    }
    return { id: rows[0].webhook_id, url: rows[0].webhook_url, secret: rows[0].webhook_secret, notifications };
  }
}

/** What makes two requests under one Idempotency-Key the same request. */
function fingerprint(command: RetriggerCommand): string {
  const ids = [command.webhookId, ...command.webhookNotificationIds].map((id) => id.toLowerCase());
  const canonical = JSON.stringify([ids, command.signature, command.reason ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

function succeeded(id: string, attemptId: string, responseStatus: number | null, signature: SignatureReport) {
  const item: RetriggerItemDto = {
    webhookNotificationId: id,
    retriggeredNotificationRequestId: attemptId,
    error: null,
    reason: null,
    responseStatus,
    ...signature,
  };
  return { item, succeeded: true };
}

function failed(
  id: string,
  attemptId: string | null,
  reason: ReasonCode,
  error: string,
  responseStatus: number | null,
  signature: SignatureReport = NO_SIGNATURE,
) {
  const item: RetriggerItemDto = {
    webhookNotificationId: id,
    retriggeredNotificationRequestId: attemptId,
    error,
    reason,
    responseStatus,
    ...signature,
  };
  return { item, succeeded: false };
}
