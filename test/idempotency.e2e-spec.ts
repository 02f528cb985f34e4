import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { IdempotencyRecordEntity } from '../src/notifications-admin/entities/idempotency-record.entity';
import { WebhookEntity } from '../src/notifications-admin/entities/webhook.entity';
import { WebhookNotificationRequestEntity } from '../src/notifications-admin/entities/webhook-notification-request.entity';
import { assertMatchesSpec } from './support/openapi';
import { answer, Receiver } from './support/receivers';
import { attemptsOf, newSecret, seedNotification, seedWebhook } from './support/seed';
import { retriggerPath, startTestApp, TestApp } from './support/test-app';

const ADMIN_A = `idem-admin-a-${randomUUID()}`;
const ADMIN_B = `idem-admin-b-${randomUUID()}`;

async function retrigger(testApp: TestApp, webhookId: string, ids: string[], key?: string, apiKey = ADMIN_A) {
  const call = request(testApp.baseUrl).post(retriggerPath(webhookId)).set('Authorization', `Bearer ${apiKey}`);
  if (key !== undefined) {
    call.set('Idempotency-Key', key);
  }
  const response = await call.send({ webhookNotificationIds: ids });
  assertMatchesSpec(response.status, response.body);
  return response;
}

function keyRows(testApp: TestApp, key: string) {
  return testApp.dataSource.getRepository(IdempotencyRecordEntity).findBy({ idempotencyKey: key });
}

function attemptCount(testApp: TestApp) {
  return testApp.dataSource.getRepository(WebhookNotificationRequestEntity).count();
}

describe('Idempotency-Key', () => {
  let testApp: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    testApp = await startTestApp({ adminApiKeys: [ADMIN_A, ADMIN_B] });
    receiver = await Receiver.start(answer(200, 'ok'));
  });

  afterAll(async () => {
    await testApp.close();
    await receiver.close();
  });

  async function seeded(count = 1) {
    const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
    const secret = newSecret();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push((await seedNotification(testApp.dataSource, webhook, secret)).id);
    }
    return { webhook, ids };
  }

  it('replays the stored 200 answer for the same key and request, sending nothing again', async () => {
    const { webhook, ids } = await seeded(2);
    const key = `replay-${randomUUID()}`;
    const sentBefore = receiver.requests.length;

    const first = await retrigger(testApp, webhook.id, ids, key);
    const attemptsAfterFirst = await attemptCount(testApp);
    const second = await retrigger(testApp, webhook.id, ids, key);

    expect(first.status).toBe(200);
    expect(first.body.totalSuccess).toBe(2);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(receiver.requests.length).toBe(sentBefore + 2);
    expect(await attemptCount(testApp)).toBe(attemptsAfterFirst);
    expect(await attemptsOf(testApp.dataSource, ids[0])).toHaveLength(1);
    const [row] = await keyRows(testApp, key);
    expect(row).toMatchObject({ state: 'completed' });
    expect(JSON.parse(row.response ?? 'null')).toEqual(first.body);
  });

  it.each([
    ['other ids', (ids: string[]) => [ids[0]]],
    ['the same ids in another order', (ids: string[]) => [ids[1], ids[0]]],
  ])('answers 409 Conflict when the key comes back with %s, sending nothing', async (_what, change) => {
    const { webhook, ids } = await seeded(2);
    const key = `fingerprint-${randomUUID()}`;
    await retrigger(testApp, webhook.id, ids, key);
    const sentBefore = receiver.requests.length;
    const attemptsBefore = await attemptCount(testApp);

    const response = await retrigger(testApp, webhook.id, change(ids), key);

    expect(response.status).toBe(409);
    expect(response.body).toEqual({
      name: 'Conflict',
      error: 'This Idempotency-Key was already used for a different request',
      status: 409,
    });
    expect(receiver.requests.length).toBe(sentBefore);
    expect(await attemptCount(testApp)).toBe(attemptsBefore);
  });

  it('answers 409 Conflict while the first request with the key is still running, then replays it', async () => {
    let releaseFirst: () => void = () => undefined;
    const slow = await Receiver.start((_request, response) => {
      releaseFirst = () => response.writeHead(200).end('late');
    });
    try {
      const webhook = await seedWebhook(testApp.dataSource, { url: slow.url });
      const stored = await seedNotification(testApp.dataSource, webhook, newSecret());
      const key = `running-${randomUUID()}`;

      const first = retrigger(testApp, webhook.id, [stored.id], key);
      await waitFor(() => slow.requests.length === 1);
      const second = await retrigger(testApp, webhook.id, [stored.id], key);
      releaseFirst();
      const firstAnswer = await first;
      const replay = await retrigger(testApp, webhook.id, [stored.id], key);

      expect(second.status).toBe(409);
      expect(second.body).toEqual({
        name: 'Conflict',
        error: 'A request with this Idempotency-Key is still being processed',
        status: 409,
      });
      expect(firstAnswer.status).toBe(200);
      expect(firstAnswer.body.totalSuccess).toBe(1);
      expect(replay.body).toEqual(firstAnswer.body);
      expect(slow.requests).toHaveLength(1);
      expect(await attemptsOf(testApp.dataSource, stored.id)).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('stores only 200 answers: a 404 with a key does not stop the same key once the webhook exists', async () => {
    const webhookId = randomUUID();
    const key = `after-404-${randomUUID()}`;
    const ids = [randomUUID()];

    const missing = await retrigger(testApp, webhookId, ids, key);
    expect(missing.status).toBe(404);
    expect(await keyRows(testApp, key)).toEqual([]);

    await testApp.dataSource
      .getRepository(WebhookEntity)
      .insert({ id: webhookId, url: receiver.url, secret: newSecret(), enabled: true, secretRotatedAt: null });
    const found = await retrigger(testApp, webhookId, ids, key);

    expect(found.status).toBe(200);
    expect(found.body.failedNotifications).toEqual([
      {
        webhookNotificationId: ids[0],
        retriggeredNotificationRequestId: null,
        error: 'notification not found for this webhook',
        reason: 'NOT_FOUND',
        responseStatus: null,
        signatureAgeSeconds: null,
        warning: null,
      },
    ]);
    expect(await keyRows(testApp, key)).toEqual([expect.objectContaining({ state: 'completed' })]);
  });

  it('runs again once the stored answer is older than 24 h', async () => {
    const { webhook, ids } = await seeded();
    const key = `expired-${randomUUID()}`;
    await retrigger(testApp, webhook.id, ids, key);
    await testApp.dataSource
      .createQueryBuilder()
      .update(IdempotencyRecordEntity)
      .set({ createdAt: new Date(Date.now() - 25 * 3600_000) })
      .where('idempotency_key = :key', { key })
      .execute();

    const again = await retrigger(testApp, webhook.id, ids, key);

    expect(again.status).toBe(200);
    expect(await attemptsOf(testApp.dataSource, ids[0])).toHaveLength(2);
  });

  it('scopes keys to the admin principal: two admins use the same key independently', async () => {
    const mine = await seeded();
    const theirs = await seeded();
    const key = `shared-${randomUUID()}`;

    const a = await retrigger(testApp, mine.webhook.id, mine.ids, key, ADMIN_A);
    const b = await retrigger(testApp, theirs.webhook.id, theirs.ids, key, ADMIN_B);

    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.totalSuccess).toBe(1);
    expect(b.body.totalSuccess).toBe(1);
    expect(await keyRows(testApp, key)).toHaveLength(2);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['non-ASCII', 'clé'],
    ['a control character', 'tab\there'],
  ])('refuses a key that is %s with 400 ValidationFailed, writing and sending nothing', async (_what, key) => {
    const { webhook, ids } = await seeded();
    const sentBefore = receiver.requests.length;

    const response = await retrigger(testApp, webhook.id, ids, key);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      name: 'ValidationFailed',
      error: 'Idempotency-Key must be 1 to 255 printable ASCII characters',
      status: 400,
    });
    expect(receiver.requests.length).toBe(sentBefore);
    expect(await attemptsOf(testApp.dataSource, ids[0])).toEqual([]);
    expect(await keyRows(testApp, key)).toEqual([]);
  });

  it('accepts a key of 255 printable characters', async () => {
    const { webhook, ids } = await seeded();
    const key = `${randomUUID()}~!`.padEnd(255, '-x');
    expect(key).toHaveLength(255);

    expect((await retrigger(testApp, webhook.id, ids, key)).status).toBe(200);
    expect(await keyRows(testApp, key)).toHaveLength(1);
  });

  it('counts a replay toward the rate limit', async () => {
    const apiKey = `idem-limited-${randomUUID()}`;
    const limited = await startTestApp({ adminApiKeys: [apiKey], rateLimit: 2 });
    try {
      const webhook = await seedWebhook(limited.dataSource, { url: receiver.url });
      const stored = await seedNotification(limited.dataSource, webhook, newSecret());
      const key = `limited-${randomUUID()}`;

      const first = await retrigger(limited, webhook.id, [stored.id], key, apiKey);
      const replay = await retrigger(limited, webhook.id, [stored.id], key, apiKey);
      const third = await retrigger(limited, webhook.id, [stored.id], key, apiKey);

      expect(first.status).toBe(200);
      expect(replay.body).toEqual(first.body);
      expect(third.status).toBe(400);
      expect(third.body.name).toBe('RETRIGGER_RATE_LIMITED');
      expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(await attemptsOf(limited.dataSource, stored.id)).toHaveLength(1);
    } finally {
      await limited.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
