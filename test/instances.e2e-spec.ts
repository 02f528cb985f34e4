import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { assertMatchesSpec } from './support/openapi';
import { closedPort, Receiver } from './support/receivers';
import { attemptsOf, HOUR_OLD_SIGNATURE, newSecret, seedNotification, seedWebhook } from './support/seed';
import { retriggerPath, startTestApp, TestApp, testDatabaseUrl } from './support/test-app';

async function retrigger(testApp: TestApp, apiKey: string, webhookId: string, ids: string[]) {
  const response = await request(testApp.baseUrl)
    .post(retriggerPath(webhookId))
    .set('Authorization', `Bearer ${apiKey}`)
    .send({ webhookNotificationIds: ids });
  assertMatchesSpec(response.status, response.body);
  return response;
}

interface Item {
  webhookNotificationId: string;
  retriggeredNotificationRequestId: string | null;
  error: string | null;
}

describe('two instances on one database', () => {
  const apiKey = `instances-${randomUUID()}`;
  /** Only the rate-limit test uses it, so its windows start empty. */
  const limitedKey = `instances-limited-${randomUUID()}`;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    const databaseUrl = testDatabaseUrl();
    // Sequential starts: both run the migrations on the same database.
    first = await startTestApp({ databaseUrl, adminApiKeys: [apiKey, limitedKey], rateLimit: 3 });
    second = await startTestApp({ databaseUrl, adminApiKeys: [apiKey, limitedKey], rateLimit: 3 });
  });

  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('sends each notification once when both retrigger the same ids at the same time', async () => {
    const holding = await Receiver.start((_request, response) => {
      setTimeout(() => response.writeHead(200).end('ok'), 500);
    });
    try {
      const webhook = await seedWebhook(first.dataSource, { url: holding.url });
      const secret = newSecret();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await seedNotification(first.dataSource, webhook, secret)).id);
      }

      const answers = await Promise.all([
        retrigger(first, apiKey, webhook.id, ids),
        retrigger(second, apiKey, webhook.id, ids),
      ]);

      const received = holding.requests.map((sent) => JSON.parse(sent.body.toString('utf8')).data.id);
      expect(received).toHaveLength(3);
      const items = answers.flatMap(
        (response) => [...response.body.successfulNotifications, ...response.body.failedNotifications] as Item[],
      );
      for (const id of ids) {
        const forId = items.filter((item) => item.webhookNotificationId === id);
        expect(forId).toHaveLength(2);
        expect(forId.filter((item) => item.error === null)).toHaveLength(1);
        expect(forId.filter((item) => item.error !== null)).toEqual([
          {
            webhookNotificationId: id,
            retriggeredNotificationRequestId: null,
            error: 'a retrigger of this notification is already in progress',
            reason: 'IN_FLIGHT',
            responseStatus: null,
            ...HOUR_OLD_SIGNATURE,
          },
        ]);
        const attempts = await attemptsOf(second.dataSource, id);
        expect(attempts).toHaveLength(1);
        expect(attempts[0].status).toBe('succeeded');
      }
    } finally {
      await holding.close();
    }
  });

  it(
    process.env.REDIS_URL
      ? 'shares one rate limit per admin across instances (Redis)'
      : 'counts the rate limit per instance without Redis (documented)',
    async () => {
      const webhookId = randomUUID();
      const statuses: number[] = [];
      for (const instance of [first, second, first, second, first, second, first]) {
        statuses.push((await retrigger(instance, limitedKey, webhookId, [randomUUID()])).status);
      }
      // 404: the webhook does not exist, which still counts; 400: rate limited.
      if (process.env.REDIS_URL) {
        expect(statuses).toEqual([404, 404, 404, 400, 400, 400, 400]);
      } else {
        expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 400]);
      }
    },
  );
});

describe('rate limit with Redis unreachable', () => {
  it('falls back to per-instance counters: requests still work and are limited', async () => {
    const apiKey = `redis-down-${randomUUID()}`;
    const testApp = await startTestApp({
      adminApiKeys: [apiKey],
      rateLimit: 2,
      redisUrl: `redis://127.0.0.1:${await closedPort()}`,
    });
    try {
      const webhookId = randomUUID();
      const answers = [];
      for (let i = 0; i < 3; i++) {
        answers.push(await retrigger(testApp, apiKey, webhookId, [randomUUID()]));
      }

      expect(answers.map((response) => response.status)).toEqual([404, 404, 400]);
      expect(answers[2].body.name).toBe('RETRIGGER_RATE_LIMITED');
      expect(Number(answers[2].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      await testApp.close();
    }
  });
});
