import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { WebhookEntity } from '../../src/notifications-admin/entities/webhook.entity';
import { WebhookNotificationEntity } from '../../src/notifications-admin/entities/webhook-notification.entity';
import { WebhookNotificationRequestEntity } from '../../src/notifications-admin/entities/webhook-notification-request.entity';

/** A Standard Webhooks secret: `whsec_` + base64 of random bytes. */
export function newSecret(): string {
  return `whsec_${Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64')}`;
}

export async function seedWebhook(
  dataSource: DataSource,
  fields: Partial<Pick<WebhookEntity, 'url' | 'secret' | 'enabled'>> = {},
): Promise<WebhookEntity> {
  const webhook = dataSource.getRepository(WebhookEntity).create({
    id: randomUUID(),
    url: fields.url ?? 'http://127.0.0.1:9/hooks',
    secret: fields.secret ?? newSecret(),
    enabled: fields.enabled ?? true,
    secretRotatedAt: null,
  });
  return dataSource.getRepository(WebhookEntity).save(webhook);
}

export interface SeededNotification {
  id: string;
  payload: string;
  headers: Record<string, string>;
}

/**
 * A notification stored as the platform's first send left it: the payload
 * bytes and the Standard Webhooks headers signed with `secret`.
 */
export async function seedNotification(
  dataSource: DataSource,
  webhook: Pick<WebhookEntity, 'id'>,
  secret: string,
  fields: {
    payload?: string;
    eventType?: string;
    status?: WebhookNotificationEntity['status'];
    extraHeaders?: Record<string, string>;
    /** Signed just now, so a receiver's timestamp tolerance accepts it. */
    freshSignature?: boolean;
    /** The signature header names: Standard Webhooks' (default), Svix's, or none at all. */
    scheme?: 'webhook' | 'svix' | 'none';
  } = {},
): Promise<SeededNotification> {
  const id = randomUUID();
  const payload =
    fields.payload ??
    JSON.stringify({ type: 'invoice.paid', data: { id: randomUUID(), amount: 4200, note: 'café ✓' } });
  const messageId = `msg_${id}`;
  const sentAt = new Date(Date.now() - (fields.freshSignature ? 1_000 : 3_600_000));
  const signature = new Webhook(secret).sign(messageId, sentAt, payload);
  const scheme = fields.scheme ?? 'webhook';
  const signatureHeaders: Record<string, string> =
    scheme === 'none'
      ? {}
      : {
          [`${scheme}-id`]: messageId,
          [`${scheme}-timestamp`]: String(Math.floor(sentAt.getTime() / 1000)),
          [`${scheme}-signature`]: signature,
        };
  const headers = { 'content-type': 'application/json', ...signatureHeaders, ...fields.extraHeaders };
  await dataSource.getRepository(WebhookNotificationEntity).insert({
    id,
    webhookId: webhook.id,
    eventType: fields.eventType ?? 'invoice.paid',
    payload,
    headers,
    status: fields.status ?? 'failed',
  });
  return { id, payload, headers };
}

export async function attemptsOf(
  dataSource: DataSource,
  notificationId: string,
): Promise<WebhookNotificationRequestEntity[]> {
  return dataSource.getRepository(WebhookNotificationRequestEntity).find({
    where: { webhookNotificationId: notificationId },
    order: { createdAt: 'ASC' },
  });
}

export async function notificationStatus(dataSource: DataSource, notificationId: string): Promise<string> {
  const notification = await dataSource
    .getRepository(WebhookNotificationEntity)
    .findOneByOrFail({ id: notificationId });
  return notification.status;
}

/** An attempt row as a past send left it; `createdAt` fixes its place in the history. */
export async function seedAttempt(
  dataSource: DataSource,
  notificationId: string,
  fields: Partial<Omit<WebhookNotificationRequestEntity, 'webhookNotificationId'>> & { createdAt: Date },
): Promise<WebhookNotificationRequestEntity> {
  const attempt = {
    id: randomUUID(),
    webhookNotificationId: notificationId,
    url: 'http://receiver.example/hooks',
    status: 'succeeded' as const,
    responseStatus: 200,
    responseBody: 'ok',
    error: null,
    durationMs: 12,
    retriggeredBy: null,
    completedAt: new Date(fields.createdAt.getTime() + 12),
    ...fields,
  };
  await dataSource.getRepository(WebhookNotificationRequestEntity).insert(attempt);
  return attempt;
}

/** An attempt still in flight (a send that has not finished): the notification cannot be sent again until it ends. */
export async function seedPendingAttempt(dataSource: DataSource, notificationId: string, url: string): Promise<void> {
  await dataSource.getRepository(WebhookNotificationRequestEntity).insert({
    id: randomUUID(),
    webhookNotificationId: notificationId,
    url,
    status: 'pending',
    retriggeredBy: null,
  });
}

/** Matches a number of seconds within `slack` of `expected`: a test's own duration moves a clock-based age. */
export function secondsAbout(expected: number, slack = 5) {
  return {
    asymmetricMatch: (actual: unknown) => typeof actual === 'number' && Math.abs(actual - expected) <= slack,
    toAsymmetricMatcher: () => `about ${expected} s (±${slack})`,
  };
}

/**
 * What an item reports about a notification that seedNotification signed an
 * hour ago, sent (or refused) with its original signature.
 */
export const HOUR_OLD_SIGNATURE = {
  signatureAgeSeconds: secondsAbout(3600),
  warning: expect.stringMatching(
    /^the signature's webhook-timestamp is 36\d\d s old: receivers enforcing the Standard Webhooks 5-minute tolerance will reject it; "signature": "resign" sends a fresh one$/,
  ) as unknown,
};
