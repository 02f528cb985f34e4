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

/**
 * The listing phase's data: `notifications` spread over `webhooks` webhooks,
 * one a second back in time, a third of each status, each delivered or
 * failed one with one attempt (the platform's first send), so listed rows
 * have a newest attempt to read. Written by PostgreSQL itself
 * (generate_series), then analysed, as a production table would be.
 */
export async function seedListing(
  dataSource: DataSource,
  options: { webhooks: number; notifications: number },
): Promise<IdGroup[]> {
  const webhookIds = Array.from({ length: options.webhooks }, () => randomUUID());
  await dataSource.query(
    `INSERT INTO webhooks (id, url, secret, enabled)
     SELECT id, 'http://127.0.0.1:9/hooks', 'whsec_bench', true FROM unnest($1::uuid[]) AS w (id)`,
    [webhookIds],
  );
  await dataSource.query(
    `INSERT INTO webhook_notifications (id, webhook_id, event_type, payload, headers, status, created_at, updated_at)
     SELECT gen_random_uuid(), ($1::uuid[])[1 + i % $3], 'invoice.paid', '{"type":"invoice.paid"}',
            '{"content-type":"application/json"}'::jsonb, (ARRAY['pending', 'delivered', 'failed'])[1 + i % 3],
            now() - i * interval '1 second', now() - i * interval '1 second'
       FROM generate_series(1, $2::integer) AS i`,
    [webhookIds, options.notifications, options.webhooks],
  );
  await dataSource.query(
    `INSERT INTO webhook_notification_requests
            (id, webhook_notification_id, url, status, response_status, error, duration_ms, created_at, completed_at)
     SELECT gen_random_uuid(), n.id, 'http://127.0.0.1:9/hooks',
            CASE n.status WHEN 'delivered' THEN 'succeeded' ELSE 'failed' END,
            CASE n.status WHEN 'delivered' THEN 200 ELSE 503 END,
            CASE n.status WHEN 'delivered' THEN NULL ELSE 'receiver answered 503' END,
            12, n.created_at, n.created_at + interval '12 milliseconds'
       FROM webhook_notifications n
      WHERE n.webhook_id = ANY($1::uuid[]) AND n.status <> 'pending'`,
    [webhookIds],
  );
  await dataSource.query('ANALYZE webhook_notifications');
  await dataSource.query('ANALYZE webhook_notification_requests');
  return webhookIds.map((webhookId) => ({ webhookId, body: '' }));
}
