/**
 * First run, one command: `npm run demo`. Seeds the service's database (the
 * embedded SQLite file unless DATABASE_URL says otherwise, migrated first)
 * with a webhook and a few notifications signed the Standard Webhooks way,
 * pointing at an echo receiver on loopback; starts the service itself
 * (`npm start`, on PORT, default 3000, with the demo admin key and private
 * networks allowed for that receiver); waits until it answers; prints the
 * curl command that retriggers them. Each delivery is printed as the
 * receiver gets it, with whether its original signature verifies. Ctrl-C
 * (or SIGTERM) stops the service and the receiver, and exits 0.
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, DEFAULT_SQLITE_PATH } from '../src/config/data-source-options';
import { WebhookEntity } from '../src/notifications-admin/entities/webhook.entity';
import { WebhookNotificationEntity } from '../src/notifications-admin/entities/webhook-notification.entity';

const ADMIN_KEY = 'demo-admin-key';
/** `npm start` builds first when needed: on a busy machine that takes a while. */
const STARTUP_TIMEOUT_MS = 180_000;
const SHUTDOWN_TIMEOUT_MS = 20_000;
const EVENTS = [
  { type: 'invoice.paid', data: { invoiceId: 'inv_1001', amount: 4200, currency: 'EUR' } },
  { type: 'invoice.paid', data: { invoiceId: 'inv_1002', amount: 1999, currency: 'EUR' } },
  { type: 'customer.updated', data: { customerId: 'cus_77', email: 'ada@example.com' } },
];

interface Seeded {
  webhookId: string;
  ids: string[];
}

interface Running {
  receiver: EchoReceiver;
  service?: ChildProcess;
}

const running: Running = { receiver: { url: '', close: () => Promise.resolve() } };

async function main(): Promise<void> {
  const port = Number(process.env.PORT || 3000);
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  await requireFreePort(port);

  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  running.receiver = await startEchoReceiver(secret);
  const seeded = await seed(secret, running.receiver.url);
  console.log(`Seeded ${process.env.DATABASE_URL ?? DEFAULT_SQLITE_PATH}: webhook ${seeded.webhookId}
  -> ${running.receiver.url} (echo receiver, in this process)
  with ${seeded.ids.length} signed notifications

Starting the service on port ${port} (npm start: build if needed, migrations, HTTP)...`);

  running.service = startService(port);
  await waitUntilServing(port, running.service);
  console.log(`
The service answers on http://localhost:${port}. Retrigger the notifications (in another terminal):

  curl -s -X POST http://localhost:${port}/api/notifications/v1/admin/webhooks/${seeded.webhookId}/notifications/retrigger \\
    -H 'Authorization: Bearer ${ADMIN_KEY}' -H 'Content-Type: application/json' \\
    -d '${JSON.stringify({ webhookNotificationIds: seeded.ids })}'

Or from a browser: open http://localhost:${port}/api/notifications/v1/admin/console, type the admin
API key ${ADMIN_KEY} and the webhook ID ${seeded.webhookId}, press Load, tick the notifications,
then Dry run or Retrigger selected.

Deliveries show up below. Ctrl-C stops the service and the receiver.
`);
}

async function seed(secret: string, url: string): Promise<Seeded> {
  const dataSource = new DataSource(buildDataSourceOptions(process.env.DATABASE_URL));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
    const webhook = await dataSource
      .getRepository(WebhookEntity)
      .save({ id: randomUUID(), url, secret, enabled: true, secretRotatedAt: null });
    const signer = new Webhook(secret);
    const ids: string[] = [];
    for (const event of EVENTS) {
      const id = randomUUID();
      const messageId = `msg_${id}`;
      const sentAt = new Date();
      const payload = JSON.stringify({ ...event, timestamp: sentAt.toISOString() });
      await dataSource.getRepository(WebhookNotificationEntity).insert({
        id,
        webhookId: webhook.id,
        eventType: event.type,
        payload,
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
    return { webhookId: webhook.id, ids };
  } finally {
    await dataSource.destroy();
  }
}

/** A service already on the port would answer the probe in ours' stead. */
async function requireFreePort(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createTcpServer();
    probe.once('error', () =>
      reject(new Error(`port ${port} is already in use: stop what runs there, or run PORT=<another> npm run demo`)),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

/**
 * `npm start`, in a process group of its own: Ctrl-C reaches this process
 * only, which then stops the service with SIGTERM, its graceful shutdown.
 */
function startService(port: number): ChildProcess {
  const npm = process.env.npm_execpath;
  const [command, args] = npm ? [process.execPath, [npm, 'start', '--silent']] : ['npm', ['start', '--silent']];
  const service = spawn(command, args, {
    env: {
      ...process.env,
      PORT: String(port),
      ADMIN_API_KEYS: ADMIN_KEY,
      // The demo receiver is on loopback.
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'pretty',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [service.stdout, service.stderr]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`[service] ${line}`));
  }
  return service;
}

async function waitUntilServing(port: number, service: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (service.exitCode !== null || service.signalCode !== null) {
      throw new Error('the service stopped before it answered (its output is above)');
    }
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/live`)).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the service did not answer within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

let stopping: Promise<void> | undefined;

function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    const { service, receiver } = running;
    if (service?.pid !== undefined && service.exitCode === null && service.signalCode === null) {
      console.log('\nStopping the service and the receiver...');
      const exited = new Promise((resolve) => service.once('exit', resolve));
      signalGroup(service, 'SIGTERM');
      const killer = setTimeout(() => signalGroup(service, 'SIGKILL'), SHUTDOWN_TIMEOUT_MS);
      await exited;
      clearTimeout(killer);
    }
    await receiver.close();
    console.log('Demo stopped.');
    process.exit(code);
  })();
  return stopping;
}

/** The whole group: npm, its shell and the service itself. */
function signalGroup(service: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-service.pid!, signal);
  } catch {
    // already gone
  }
}

interface EchoReceiver {
  url: string;
  close(): Promise<void>;
}

/** Prints each delivery and checks its signature against the webhook's secret, at whatever age. */
async function startEchoReceiver(secret: string): Promise<EchoReceiver> {
  const signer = new Webhook(secret);
  const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(request.headers[name] ?? '');
      const timestamp = Number(header('webhook-timestamp'));
      // The stored signature is replayed as first sent, so it can be older than the
      // library's 5-minute tolerance: recompute it rather than call verify().
      const expected = signer.sign(header('webhook-id'), new Date(timestamp * 1000), body);
      const valid = header('webhook-signature').split(' ').includes(expected);
      const age = Math.max(0, Math.round(Date.now() / 1000 - timestamp));
      console.log(
        `[receiver] ${request.method} ${request.url} webhook-id=${header('webhook-id')} signature ${valid ? 'VALID' : 'INVALID'} (signed ${age} s ago)\n           ${body}`,
      );
      response.writeHead(valid ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.DEMO_RECEIVER_PORT ?? 0), '127.0.0.1', resolve),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/demo`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

main().catch((error: Error) => {
  console.error(`Demo failed: ${error.message}`);
  void stop(1);
});
