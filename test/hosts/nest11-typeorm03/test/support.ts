import { randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { sign } from 'jsonwebtoken';
import { Client } from 'pg';
import { JWT_SECRET } from '../src/host.module';

export const DATABASE_URL = process.env.HOST_DATABASE_URL ?? '';
if (!DATABASE_URL) {
  throw new Error('HOST_DATABASE_URL must name a PostgreSQL database these tests may empty');
}

export const ADMIN_PATH = '/api/notifications/v1/admin/webhooks';

export async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A database of the host's that these tests own: emptied before they start. */
export async function emptyDatabase(): Promise<void> {
  await sql('DROP SCHEMA public CASCADE');
  await sql('CREATE SCHEMA public');
}

export function token(sub: string, roles: string[], secret = JWT_SECRET): string {
  return sign({ sub, roles }, secret, { algorithm: 'HS256', expiresIn: '5m' });
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A webhook receiver on loopback that records what it gets; it answers after `delayMs`. */
export async function startReceiver(
  delayMs = 0,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      setTimeout(() => response.writeHead(200).end('ok'), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A body with the spacing and characters a re-serialisation would change: it must arrive as stored. */
export const STORED_PAYLOAD = '{"type":"invoice.paid",  "data":{"amount":4200,"note":"café ☕"}}\n';

export async function seedNotification(receiverUrl: string): Promise<{ webhookId: string; notificationId: string }> {
  const webhookId = randomUUID();
  const notificationId = randomUUID();
  await sql('INSERT INTO webhooks (id, url, secret) VALUES ($1, $2, $3)', [webhookId, receiverUrl, 'whsec_c2VjcmV0']);
  await sql(
    `INSERT INTO webhook_notifications (id, webhook_id, event_type, payload, headers, status)
     VALUES ($1, $2, 'invoice.paid', $3, $4, 'failed')`,
    [
      notificationId,
      webhookId,
      STORED_PAYLOAD,
      JSON.stringify({ 'content-type': 'application/json', 'webhook-id': `msg_${notificationId}` }),
    ],
  );
  return { webhookId, notificationId };
}

export async function retrigger(baseUrl: string, webhookId: string, ids: string[], authorization?: string) {
  const response = await fetch(`${baseUrl}${ADMIN_PATH}/${webhookId}/notifications/retrigger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ webhookNotificationIds: ids }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}
