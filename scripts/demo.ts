/**
 * First run: `npm run demo`. Seeds the service's database (the embedded
 * SQLite file unless DATABASE_URL says otherwise, migrated first) with a
 * webhook and a few notifications signed the Standard Webhooks way, one of
 * them first sent yesterday, pointing at an echo receiver on loopback that
 * this script keeps running until Ctrl-C. The receiver verifies as the
 * Standard Webhooks library does, 5-minute tolerance included, and prints
 * each delivery with the verdict. Then it prints what to run in a second
 * terminal: a retrigger, a re-signed retrigger of the old one, the audit trail.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, DEFAULT_SQLITE_PATH } from '../src/config/data-source-options';
import { WebhookEntity } from '../src/notifications-admin/entities/webhook.entity';
import { WebhookNotificationEntity } from '../src/notifications-admin/entities/webhook-notification.entity';

const ADMIN_KEY = 'demo-admin-key';
const DAY_MS = 24 * 60 * 60 * 1000;
/** The last one was first sent yesterday: its original signature is past every receiver's tolerance. */
const EVENTS = [
  { type: 'invoice.paid', data: { invoiceId: 'inv_1001', amount: 4200, currency: 'EUR' }, sentAgoMs: 0 },
  { type: 'invoice.paid', data: { invoiceId: 'inv_1002', amount: 1999, currency: 'EUR' }, sentAgoMs: 0 },
  { type: 'customer.updated', data: { customerId: 'cus_77', email: 'ada@example.com' }, sentAgoMs: DAY_MS },
];

async function main(): Promise<void> {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = await startEchoReceiver(secret);

  const dataSource = new DataSource(buildDataSourceOptions(process.env.DATABASE_URL));
  await dataSource.initialize();
  await dataSource.runMigrations();
  const webhook = await dataSource
    .getRepository(WebhookEntity)
    .save({ id: randomUUID(), url: receiver.url, secret, enabled: true, secretRotatedAt: null });
  const signer = new Webhook(secret);
  const ids: string[] = [];
  for (const { sentAgoMs, ...event } of EVENTS) {
    const id = randomUUID();
    const messageId = `msg_${id}`;
    const sentAt = new Date(Date.now() - sentAgoMs);
    const payload = JSON.stringify({ ...event, timestamp: sentAt.toISOString() });
    await dataSource.getRepository(WebhookNotificationEntity).insert({
      id,
      webhookId: webhook.id,
      eventType: event.type,
      payload,
      createdAt: sentAt,
      headers: {
        'content-type': 'application/json',
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signer.sign(messageId, sentAt, payload),
      },
      // As if the platform's first send had failed: the retrigger is what delivers them.
      status: 'failed',
    });
    ids.push(id);
  }
  await dataSource.destroy();

  const port = process.env.PORT || '3000';
  const admin = `http://localhost:${port}/api/notifications/v1/admin/webhooks/${webhook.id}`;
  const post = (body: object) => `curl -s -X POST ${admin}/notifications/retrigger \\
    -H 'Authorization: Bearer ${ADMIN_KEY}' -H 'Content-Type: application/json' \\
    -d '${JSON.stringify(body)}'`;
  console.log(`
Seeded ${process.env.DATABASE_URL ?? DEFAULT_SQLITE_PATH}: webhook ${webhook.id}
  -> ${receiver.url} (echo receiver, running in this terminal)
  with ${ids.length} signed notifications: ${ids.join(', ')}
  (the last one first sent yesterday)

In a second terminal, start the service:

  ADMIN_API_KEYS=${ADMIN_KEY} WEBHOOK_ALLOW_PRIVATE_NETWORKS=true npm start

(WEBHOOK_ALLOW_PRIVATE_NETWORKS=true because this receiver is on loopback.) Then retrigger all three:

  ${post({ webhookNotificationIds: ids })}

Yesterday's is rejected: its original signature is a day old (see its warning). Re-sign it:

  ${post({ webhookNotificationIds: [ids[ids.length - 1]], signature: 'resign', reason: 'receiver was down yesterday' })}

And read the audit trail of both retriggers:

  curl -s ${admin}/retriggers -H 'Authorization: Bearer ${ADMIN_KEY}'

Deliveries show up below. Ctrl-C stops the receiver.
`);
}

interface EchoReceiver {
  url: string;
}

/** Prints each delivery and verifies it as a Standard Webhooks receiver does, at the default tolerance. */
async function startEchoReceiver(secret: string): Promise<EchoReceiver> {
  const verifier = new Webhook(secret);
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(request.headers[name] ?? '');
      const age = Math.round(Date.now() / 1000 - Number(header('webhook-timestamp')));
      let verdict = 'VALID';
      try {
        verifier.verify(body, request.headers as Record<string, string>);
      } catch (error) {
        verdict = `REJECTED: ${(error as Error).message}`;
      }
      console.log(
        `[receiver] ${request.method} ${request.url} webhook-id=${header('webhook-id')} signature ${verdict} (signed ${age} s ago)\n           ${body}`,
      );
      response.writeHead(verdict === 'VALID' ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.DEMO_RECEIVER_PORT ?? 0), '127.0.0.1', resolve),
  );
  process.on('SIGINT', () => {
    console.log('\n[receiver] stopped');
    server.close();
    server.closeAllConnections();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/demo` };
}

main().catch((error: Error) => {
  console.error(`Demo failed: ${error.message}`);
  process.exit(1);
});
