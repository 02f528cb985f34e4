import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { answer, Receiver } from './support/receivers';
import { newSecret, seedNotification, seedWebhook } from './support/seed';
import { LogLine, openDatabase, ServiceProcess } from './support/service-process';
import { TcpProxy } from './support/tcp-proxy';
import { onPostgres, retriggerPath, testDatabaseUrl } from './support/test-app';

jest.setTimeout(60_000);

/** pino's numeric level of `error`. */
const ERROR_LEVEL = 50;

/**
 * The real service's stdout through a database outage: the connections cut
 * (PostgreSQL, through a proxy) or the file locked by another writer (SQLite).
 */
describe('a 5xx in the logs of the standalone service', () => {
  const apiKey = `admin-key-${randomUUID()}`;
  const requestId = `outage-${randomUUID()}`;
  let service: ServiceProcess;
  let database: DataSource;
  let receiver: Receiver;
  let proxy: TcpProxy | undefined;
  let locker: Database.Database | undefined;
  let answered: { status: number; body: unknown };
  let lines: LogLine[];

  beforeAll(async () => {
    const databaseUrl = testDatabaseUrl();
    if (onPostgres()) {
      const target = new URL(databaseUrl);
      proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    }
    receiver = await Receiver.start(answer(200, 'ok'));
    service = await ServiceProcess.start({
      ADMIN_API_KEYS: apiKey,
      DATABASE_URL: proxy ? proxy.rewrite(databaseUrl) : databaseUrl,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    database = await openDatabase(databaseUrl);
    const secret = newSecret();
    const webhook = await seedWebhook(database, { url: receiver.url, secret });
    const stored = await seedNotification(database, webhook, secret, { status: 'failed' });

    if (proxy) {
      proxy.cut();
    } else {
      locker = new Database(databaseUrl.slice('sqlite:'.length));
      locker.exec('BEGIN IMMEDIATE');
    }
    const response = await fetch(service.baseUrl + retriggerPath(webhook.id), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ webhookNotificationIds: [stored.id] }),
    });
    answered = { status: response.status, body: await response.json() };
    proxy?.forward();
    locker?.exec('COMMIT');
    await service.stop();
    lines = service.logLines().filter((line) => line.reqId === requestId);
  });

  afterAll(async () => {
    await service?.stop();
    locker?.close();
    await proxy?.close();
    await database?.destroy();
    await receiver?.close();
  });

  it('answers 500 DatabaseError', () => {
    expect(answered).toEqual({
      status: 500,
      body: { name: 'DatabaseError', error: 'The database could not complete the request', status: 500 },
    });
  });

  it('logs it once, with the request id and the real cause in words: error name, driver code, message', () => {
    const errors = lines.filter((line) => Number(line.level) >= ERROR_LEVEL);
    expect(errors).toHaveLength(1);
    const [failure] = errors;
    const cause = failure.cause as { type: string; code?: string; message: string };
    console.log(`the one error line of the outage: ${failure.msg as string}`);
    expect(failure.errorName).toBe('DatabaseError');
    expect(cause.message).toEqual(expect.any(String));
    expect(cause.message.length).toBeGreaterThan(0);
    if (onPostgres()) {
      // A cut connection: pg's own words, with the socket's code when it has one.
      expect(cause.message).toMatch(/ECONNRESET|ECONNREFUSED|terminated|closed|reset/i);
    } else {
      expect(cause).toEqual({
        type: 'SqliteError',
        code: 'SQLITE_BUSY',
        message: 'database is locked',
      });
    }
    expect(failure.msg).toContain('DatabaseError');
    expect(failure.msg).toContain(cause.message);
    if (cause.code) {
      expect(failure.msg).toContain(cause.code);
    }
  });

  it('with no stack frames, absolute paths or the logger’s made-up error', () => {
    for (const line of lines) {
      const text = JSON.stringify(line);
      expect(text).not.toMatch(/\bat .*\(|\\n\s+at /);
      expect(text).not.toContain(process.cwd());
      expect(text).not.toContain('node_modules');
      expect(text).not.toContain('failed with status code');
    }
  });

  it('keeps the access line of the request, with its status', () => {
    expect(lines.filter((line) => line.msg === 'request completed')).toEqual([
      expect.objectContaining({ res: { statusCode: 500 } }),
    ]);
  });
});
