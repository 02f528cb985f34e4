import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { WebhookNotificationRequestEntity } from '../entities/webhook-notification-request.entity';
import { WebhookNotificationEntity } from '../entities/webhook-notification.entity';
import { WebhookEntity } from '../entities/webhook.entity';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { databaseCall } from '../persistence/database-call';
import { idCaseForms } from '../persistence/sql-dialect';
import type { AttemptHistoryQuery } from './attempt-history-request.pipe';
import { AttemptHistoryItemDto } from './dto/attempt-history-item.dto';
import { AttemptHistoryPageDto } from './dto/attempt-history-page.dto';

/**
 * Lists the delivery attempts of one notification, newest first, in two
 * statements: one to tell an unknown webhook from an unknown (or foreign)
 * notification, one for the page. A page past the end is empty, not a 404.
 */
@Injectable()
export class AttemptHistoryService {
  constructor(
    @InjectRepository(WebhookEntity) private readonly webhooks: Repository<WebhookEntity>,
    @InjectRepository(WebhookNotificationRequestEntity)
    private readonly attempts: Repository<WebhookNotificationRequestEntity>,
  ) {}

  async list(query: AttemptHistoryQuery): Promise<AttemptHistoryPageDto> {
    const notificationId = await this.storedNotificationId(query);
    const rows = await databaseCall(() =>
      this.attempts.find({
        where: { webhookNotificationId: notificationId },
        // The id breaks ties between attempts of the same millisecond, so pages never overlap.
        order: { createdAt: 'DESC', id: 'DESC' },
        take: query.limit,
        skip: query.offset,
      }),
    );
    return { items: rows.map(toItem), limit: query.limit, offset: query.offset };
  }

  /** The notification's id as stored, when the webhook exists and the notification is its own. */
  private async storedNotificationId(query: AttemptHistoryQuery): Promise<string> {
    const row = await databaseCall(() =>
      this.webhooks
        .createQueryBuilder('w')
        .select('n.id', 'notification_id')
        .leftJoin(WebhookNotificationEntity, 'n', 'n.webhook_id = w.id AND n.id IN (:...notificationIds)', {
          notificationIds: idCaseForms(query.notificationId),
        })
        .where('w.id IN (:...webhookIds)', { webhookIds: idCaseForms(query.webhookId) })
        .getRawOne<{ notification_id: string | null }>(),
    );
    if (!row) {
      throw new ApiException(ErrorName.NotFound, `Webhook ${query.webhookId} not found`);
    }
    if (!row.notification_id) {
      throw new ApiException(
        ErrorName.NotFound,
        `Notification ${query.notificationId} not found for webhook ${query.webhookId}`,
      );
    }
    return row.notification_id;
  }
}

function toItem(row: WebhookNotificationRequestEntity): AttemptHistoryItemDto {
  return {
    id: row.id,
    url: row.url,
    status: row.status,
    responseStatus: row.responseStatus,
    responseBody: row.responseBody,
    error: row.error,
    durationMs: row.durationMs,
    retriggeredBy: row.retriggeredBy,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
  };
}
