import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/config/data-source-options';
import { IdempotencyRecordEntity } from '../src/notifications-admin/entities/idempotency-record.entity';
import { assertMatchesSpec } from './support/openapi';
import { Receiver } from './support/receivers';
import { attemptsOf, newSecret, seedAttempt, seedNotification, seedWebhook } from './support/seed';
import { TcpProxy } from './support/tcp-proxy';
import { onPostgres, principalOf, retriggerPath, startTestApp, TestApp, testDatabaseUrl } from './support/test-app';

jest.setTimeout(60_000);

const WEBHOOK_TIMEOUT_MS = 2_000;
const STILL_BEING_RECORDED = /still being recorded/;
const ADMIN = `idem-faults-admin-${randomUUID()}`;
/** One admin per crash case: a crashed key is judged by its own admin's attempts. */
const CRASHED_ADMINS = [`idem-crashed-a-${randomUUID()}`, `idem-crashed-b-${randomUUID()}`];

async function retrigger(testApp: TestApp, webhookId: string, ids: string[], key: string, apiKey = ADMIN) {
  const response = await request(testApp.baseUrl)
    .post(retriggerPath(webhookId))
    .set('Authorization', `Bearer ${apiKey}`)
    .set('Idempotency-Key', key)
    .send({ webhookNotificationIds: ids });
  assertMatchesSpec(response.status, response.body);
  return response;
}

async function eventually<T>(attempt: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > until) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The database fails after the sends, so the answer of an Idempotency-Key
 * request cannot be stored with it. Whatever happens next, the sends never
 * happen again.
 */
describe('Idempotency-Key: a key whose sends happened never sends again', () => {
  let testApp: TestApp;
  /** The database, not through the app's (possibly broken) path. */
  let direct: DataSource;
  let receiver: Receiver;
  let proxy: TcpProxy | undefined;
  let locker: Database.Database | undefined;
  let onRequest: () => void = () => undefined;

  beforeAll(async () => {
    const databaseUrl = testDatabaseUrl();
    const adminApiKeys = [ADMIN, ...CRASHED_ADMINS];
    if (onPostgres()) {
      const target = new URL(databaseUrl);
      proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
      testApp = await startTestApp({
        databaseUrl: proxy.rewrite(databaseUrl),
        webhookTimeoutMs: WEBHOOK_TIMEOUT_MS,
        adminApiKeys,
      });
      direct = await new DataSource(buildDataSourceOptions(databaseUrl)).initialize();
    } else {
      testApp = await startTestApp({ databaseUrl, webhookTimeoutMs: WEBHOOK_TIMEOUT_MS, adminApiKeys });
      direct = testApp.dataSource;
      locker = new Database(databaseUrl.slice('sqlite:'.length));
    }
    receiver = await Receiver.start((_request, response) => {
      onRequest();
      response.writeHead(200).end('ok');
    });
  });

  afterEach(() => {
    onRequest = () => undefined;
    proxy?.forward();
    if (locker?.inTransaction) {
      locker.exec('COMMIT');
    }
  });

  afterAll(async () => {
    await testApp.close();
    if (direct !== testApp.dataSource) {
      await direct.destroy();
    }
    locker?.close();
    await proxy?.close();
    await receiver.close();
  });

  async function seeded() {
    const secret = newSecret();
    const webhook = await seedWebhook(direct, { url: receiver.url, secret });
    const stored = await seedNotification(direct, webhook, secret, { status: 'failed' });
    return { webhook, stored };
  }

  /** The database stops answering the app: connections cut (PostgreSQL), or the file locked by another writer (SQLite). */
  const breakDatabase = () => (proxy ? proxy.cut() : locker!.exec('BEGIN IMMEDIATE'));
  const healDatabase = () => (proxy ? proxy.forward() : locker!.exec('COMMIT'));

  it('database cut between the sends and the store → 500; then 409 "still being recorded", then the stored 200, one send in all', async () => {
    const { webhook, stored } = await seeded();
    const key = `cut-${randomUUID()}`;
    onRequest = breakDatabase;

    const first = await retrigger(testApp, webhook.id, [stored.id], key);
    expect(first.status).toBe(500);
    expect(first.body.name).toBe('DatabaseError');
    expect(receiver.requests).toHaveLength(1);
    onRequest = () => undefined;

    // The database is still down: the instance knows the answer is being recorded.
    const whileDown = await retrigger(testApp, webhook.id, [stored.id], key);
    expect(whileDown.status).toBe(409);
    expect(whileDown.body).toMatchObject({ name: 'Conflict', error: expect.stringMatching(STILL_BEING_RECORDED) });

    healDatabase();
    const replays: number[] = [];
    const replayed = await eventually(
      async () => {
        const response = await retrigger(testApp, webhook.id, [stored.id], key);
        replays.push(response.status);
        if (response.status === 409) {
          expect(response.body.error).toMatch(STILL_BEING_RECORDED);
        }
        return response;
      },
      (response) => response.status === 200,
      20_000,
    );
    expect(replays.every((status) => status === 409 || status === 200)).toBe(true);
    expect(replayed.status).toBe(200);
    const [attempt] = await attemptsOf(direct, stored.id);
    expect(replayed.body).toMatchObject({
      totalRequested: 1,
      totalSuccess: 1,
      totalFailed: 0,
      successfulNotifications: [
        { webhookNotificationId: stored.id, retriggeredNotificationRequestId: attempt.id, error: null },
      ],
    });
    expect(receiver.requests).toHaveLength(1);
    const [record] = await direct.getRepository(IdempotencyRecordEntity).findBy({ idempotencyKey: key });
    expect(record.state).toBe('completed');
  });

  it.each([
    [
      'opened an attempt after the claim (its sends may have happened) → 409, nothing sent',
      CRASHED_ADMINS[0],
      true,
      409,
    ],
    ['opened no attempt since the claim (it crashed before sending) → taken over, 200', CRASHED_ADMINS[1], false, 200],
  ])('a key abandoned by a crashed instance whose admin %s', async (_what, admin, attemptOpened, status) => {
    const { webhook, stored } = await seeded();
    const key = `crashed-${randomUUID()}`;
    const principal = principalOf(admin);
    const claimedAt = new Date(Date.now() - WEBHOOK_TIMEOUT_MS - 120_000);
    await direct.getRepository(IdempotencyRecordEntity).insert({
      principal,
      idempotencyKey: key,
      fingerprint: createHash('sha256').update([webhook.id, stored.id].join('\n').toLowerCase()).digest('hex'),
      state: 'running',
      response: null,
      createdAt: claimedAt,
    });
    if (attemptOpened) {
      await seedAttempt(direct, stored.id, {
        createdAt: new Date(claimedAt.getTime() + 30),
        url: receiver.url,
        status: 'failed',
        error: 'interrupted',
        responseStatus: null,
        responseBody: null,
        durationMs: null,
        retriggeredBy: principal,
      });
    }
    const sentBefore = receiver.requests.length;

    const response = await retrigger(testApp, webhook.id, [stored.id], key, admin);

    expect(response.status).toBe(status);
    expect(receiver.requests.length - sentBefore).toBe(status === 200 ? 1 : 0);
  });
});
