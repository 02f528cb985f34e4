import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Repository } from 'typeorm';
import { WebhookDelivery } from '../delivery/webhook-delivery.service';
import { WebhookEntity } from '../entities/webhook.entity';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { UnrecordedAnswerException } from '../idempotency/unrecorded-answer.exception';
import { AttemptLog, AttemptOutcome } from '../persistence/attempt-log';
import { databaseCall } from '../persistence/database-call';
import { idCaseForms, SqlDialect } from '../persistence/sql-dialect';
import { RetriggerItemDto, RetriggerResponseDto } from './dto/retrigger-response.dto';

export interface RetriggerCommand {
  webhookId: string;
  webhookNotificationIds: readonly string[];
  principal: string;
  idempotencyKey?: string;
}

interface StoredNotification {
  /** The id as the database holds it. */
  id: string;
  payload: string;
  headers: Record<string, unknown>;
}

interface LoadedWebhook {
  url: string;
  /** Keyed by lower-case notification id. */
  notifications: Map<string, StoredNotification>;
}

interface LoadedRow {
  webhook_url: string;
  webhook_enabled: unknown;
  notification_id: string | null;
  payload: string | null;
  headers: unknown;
}

const NOT_FOUND_FOR_WEBHOOK = 'notification not found for this webhook';
const IN_FLIGHT = 'a retrigger of this notification is already in progress';

/**
 * Re-sends stored notifications to their webhook with their original body and
 * signature headers. SQL per request is constant: one read, one insert of
 * pending attempts, one completion (PostgreSQL), whatever the number of ids.
 */
@Injectable()
export class RetriggerService {
  private readonly dialect: SqlDialect;

  constructor(
    @InjectRepository(WebhookEntity) private readonly webhooks: Repository<WebhookEntity>,
    private readonly attempts: AttemptLog,
    private readonly delivery: WebhookDelivery,
    private readonly idempotency: IdempotencyService,
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
    const opened = await this.attempts.open(
      [...webhook.notifications.values()].map((stored) => ({
        notificationId: stored.id,
        url: webhook.url,
        retriggeredBy: command.principal,
      })),
      new Date(),
    );

    const outcomes: AttemptOutcome[] = [];
    const items = await Promise.all(
      requested.map(async ({ id, stored }): Promise<{ item: RetriggerItemDto; succeeded: boolean }> => {
        if (!stored) {
          return failed(id, null, NOT_FOUND_FOR_WEBHOOK);
        }
        const attemptId = opened.get(stored.id);
        if (!attemptId) {
          return failed(id, null, IN_FLIGHT);
        }
        const result = await this.delivery.deliver({
          url: webhook.url,
          payload: stored.payload,
          headers: stored.headers,
        });
        outcomes.push({ attemptId, notificationId: stored.id, completedAt: new Date(), ...result });
        return result.succeeded ? succeeded(id, attemptId) : failed(id, attemptId, result.error ?? 'delivery failed');
      }),
    );
    const successfulNotifications = items.filter((entry) => entry.succeeded).map((entry) => entry.item);
    const failedNotifications = items.filter((entry) => !entry.succeeded).map((entry) => entry.item);
    const answer: RetriggerResponseDto = {
      totalRequested: command.webhookNotificationIds.length,
      totalSuccess: successfulNotifications.length,
      totalFailed: failedNotifications.length,
      successfulNotifications,
      failedNotifications,
    };
    try {
      await this.attempts.close(outcomes);
    } catch (error) {
      throw error instanceof ApiException ? new UnrecordedAnswerException(answer, error) : error;
    }
    return answer;
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
        `SELECT w.url AS webhook_url, w.enabled AS webhook_enabled,
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
    return { url: rows[0].webhook_url, notifications };
  }
}

function fingerprint(command: RetriggerCommand): string {
  const canonical = [command.webhookId, ...command.webhookNotificationIds].map((id) => id.toLowerCase()).join('\n');
  return createHash('sha256').update(canonical).digest('hex');
}

function succeeded(id: string, attemptId: string) {
  return {
    item: { webhookNotificationId: id, retriggeredNotificationRequestId: attemptId, error: null },
    succeeded: true,
  };
}

function failed(id: string, attemptId: string | null, error: string) {
  return { item: { webhookNotificationId: id, retriggeredNotificationRequestId: attemptId, error }, succeeded: false };
}
