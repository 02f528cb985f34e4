import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { DataSource } from 'typeorm';

/** The ids of one retrigger request: notifications of one webhook. */
export interface IdGroup {
  webhookId: string;
  /** The request body, built once: the bench should not spend its CPU on JSON. */
  body: string;
}

/**
 * Writes webhooks and their stored notifications straight into the tables,
 * as the host platform's first send leaves them: a JSON payload of about
 * `payloadBytes` and Standard Webhooks signature headers. One webhook per
 * group, so concurrent requests never share a notification.
 */
export async function seedGroups(
  dataSource: DataSource,
  options: { groups: number; idsPerGroup: number; payloadBytes: number; receiverUrls: readonly string[] },
): Promise<IdGroup[]> {
  const secret = `whsec_${Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64')}`;
  const signer = new Webhook(secret);
  const groups: IdGroup[] = [];
  const notifications: { ids: string[]; webhookIds: string[]; payloads: string[]; headers: string[] } = {
    ids: [],
    webhookIds: [],
    payloads: [],
    headers: [],
  };
  const webhookIds: string[] = [];
  const urls: string[] = [];
  for (let group = 0; group < options.groups; group++) {
    const webhookId = randomUUID();
    webhookIds.push(webhookId);
    urls.push(options.receiverUrls[group % options.receiverUrls.length]);
    const ids: string[] = [];
    for (let item = 0; item < options.idsPerGroup; item++) {
      const id = randomUUID();
      const payload = JSON.stringify({
        type: 'invoice.paid',
        data: { id, note: 'x'.repeat(Math.max(0, options.payloadBytes - 90)) },
      });
      const messageId = `msg_${id}`;
      const sentAt = new Date();
      notifications.ids.push(id);
      notifications.webhookIds.push(webhookId);
      notifications.payloads.push(payload);
      notifications.headers.push(
        JSON.stringify({
          'content-type': 'application/json',
          'webhook-id': messageId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signer.sign(messageId, sentAt, payload),
        }),
      );
      ids.push(id);
    }
    groups.push({ webhookId, body: JSON.stringify({ webhookNotificationIds: ids }) });
  }
  await dataSource.query(
    `INSERT INTO webhooks (id, url, secret, enabled)
     SELECT id, url, $3, true FROM unnest($1::uuid[], $2::text[]) AS w (id, url)`,
    [webhookIds, urls, secret],
  );
  await dataSource.query(
    `INSERT INTO webhook_notifications (id, webhook_id, event_type, payload, headers, status)
     SELECT id, webhook_id, 'invoice.paid', payload, headers, 'failed'
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[]) AS n (id, webhook_id, payload, headers)`,
    [notifications.ids, notifications.webhookIds, notifications.payloads, notifications.headers],
  );
  return groups;
}

/** Removes what the bench wrote; notifications and attempts go with their webhook (ON DELETE CASCADE). */
export async function removeGroups(dataSource: DataSource, groups: readonly IdGroup[]): Promise<void> {
  const webhookIds = groups.map((group) => group.webhookId);
  // The audit trail has no foreign key to the host's webhooks: it outlives them unless removed.
  await dataSource.query('DELETE FROM retrigger_audit_records WHERE webhook_id = ANY($1::uuid[])', [webhookIds]);
  await dataSource.query('DELETE FROM webhooks WHERE id = ANY($1::uuid[])', [webhookIds]);
}
