import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { DataSource } from 'typeorm';
import { Receiver } from './support/receivers';
import { attemptsOf, newSecret, notificationStatus, seedNotification, seedWebhook } from './support/seed';
import { openDatabase, ServiceProcess } from './support/service-process';
import { retriggerPath, testDatabaseUrl } from './support/test-app';

jest.setTimeout(60_000);

const RECEIVER_HOLDS_MS = 1_500;
const WEBHOOK_TIMEOUT_MS = 5_000;
/** The drain bound (delivery timeout + 5 s) with room for closing pools and process exit. */
const EXIT_BOUND_MS = WEBHOOK_TIMEOUT_MS + 10_000;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request over `agent`, so the test controls whether its connection is kept alive. */
function send(
  agent: Agent,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { agent, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

describe('graceful shutdown on SIGTERM', () => {
  const apiKey = `admin-key-${randomUUID()}`;
  const keepAlive = new Agent({ keepAlive: true });
  let service: ServiceProcess;
  let database: DataSource;
  let receiver: Receiver;

  beforeAll(async () => {
    const databaseUrl = testDatabaseUrl();
    receiver = await Receiver.start(async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, RECEIVER_HOLDS_MS));
      response.writeHead(200, { 'content-type': 'text/plain' }).end('took my time');
    });
    service = await ServiceProcess.start({
      ADMIN_API_KEYS: apiKey,
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
    });
    database = await openDatabase(databaseUrl);
  });

  afterAll(async () => {
    keepAlive.destroy();
    await service?.stop();
    await database?.destroy();
    await receiver?.close();
  });

  it('refuses new work, lets the in-flight retrigger answer and record its attempt, then exits 0', async () => {
    const secret = newSecret();
    const webhook = await seedWebhook(database, { url: receiver.url, secret });
    const stored = await seedNotification(database, webhook, secret);
    // An idle kept-alive connection must not hold the shutdown open.
    expect((await send(keepAlive, `${service.baseUrl}/health/live`)).status).toBe(200);

    const inFlight = send(keepAlive, service.baseUrl + retriggerPath(webhook.id), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ webhookNotificationIds: [stored.id] }),
    });
    await waitFor(() => receiver.requests.length === 1);
    const signalledAt = Date.now();
    service.signal('SIGTERM');
    await service.waitForLog((line) => line.context === 'Shutdown');

    const refused = await send(new Agent({ keepAlive: false }), `${service.baseUrl}/health/live`).then(
      (late) => late.status,
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect([503, 'ECONNREFUSED']).toContain(refused);

    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.headers.connection).toBe('close');
    expect(JSON.parse(answered.body)).toMatchObject({ totalRequested: 1, totalSuccess: 1, totalFailed: 0 });

    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(EXIT_BOUND_MS);
    // Logged while the process was going away: the asynchronous log destination is flushed on exit.
    await service.waitForLog(
      (line) => line.msg === 'request completed' && (line.req as { method?: string } | undefined)?.method === 'POST',
    );
    expect(() => service.logLines()).not.toThrow();

    const [attempt] = await attemptsOf(database, stored.id);
    expect(attempt).toMatchObject({ status: 'succeeded', responseStatus: 200, completedAt: expect.any(Date) });
    expect(await notificationStatus(database, stored.id)).toBe('delivered');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
