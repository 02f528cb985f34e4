import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { WebhookNotificationRequestEntity } from '../src/notifications-admin/entities/webhook-notification-request.entity';
import { assertMatchesSpec, SpecOperation } from './support/openapi';
import { answer, Receiver } from './support/receivers';
import { newSecret, seedAttempt, seedNotification, seedWebhook } from './support/seed';
import { historyPath, retriggerPath, startTestApp, TestApp } from './support/test-app';

const HISTORY: SpecOperation = {
  path: '/api/notifications/v1/admin/webhooks/{webhookId}/notifications/{notificationId}/requests',
  method: 'get',
};

/** Reads a page of history and checks the answer against the OpenAPI document. */
async function history(testApp: TestApp, path: string, authorization: string | null = `Bearer ${testApp.apiKey}`) {
  const call = request(testApp.baseUrl).get(path);
  const response = await (authorization === null ? call : call.set('Authorization', authorization));
  assertMatchesSpec(response.status, response.body, HISTORY);
  return response;
}

function asItem(row: WebhookNotificationRequestEntity) {
  return {
    id: row.id,
    url: row.url,
    status: row.status,
    responseStatus: row.responseStatus,
    responseBody: row.responseBody,
    error: row.error,
    durationMs: row.durationMs,
    retriggeredBy: row.retriggeredBy,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

describe('GET .../webhooks/{webhookId}/notifications/{notificationId}/requests', () => {
  let testApp: TestApp;
  let webhookId: string;
  let notificationId: string;
  let foreignNotificationId: string;
  /** The seeded attempts in the order the route must answer them: newest first, ties by id. */
  let newestFirst: ReturnType<typeof asItem>[];

  beforeAll(async () => {
    testApp = await startTestApp();
    const webhook = await seedWebhook(testApp.dataSource);
    const other = await seedWebhook(testApp.dataSource);
    webhookId = webhook.id;
    notificationId = (await seedNotification(testApp.dataSource, webhook, newSecret())).id;
    foreignNotificationId = (await seedNotification(testApp.dataSource, other, newSecret())).id;
    await seedAttempt(testApp.dataSource, foreignNotificationId, { createdAt: new Date('2030-01-01T00:00:00.000Z') });

    const at = (second: number) => new Date(Date.UTC(2025, 0, 2, 3, 4, second, 567));
    const rows = [
      await seedAttempt(testApp.dataSource, notificationId, {
        createdAt: at(0),
        status: 'failed',
        responseStatus: 500,
        responseBody: 'boom',
        error: 'receiver answered 500',
      }),
      await seedAttempt(testApp.dataSource, notificationId, {
        createdAt: at(1),
        status: 'failed',
        responseStatus: null,
        responseBody: null,
        durationMs: null,
        error: 'destination blocked',
        retriggeredBy: 'user:7',
      }),
      // Two attempts of the same millisecond: the id orders them, so pages never overlap.
      await seedAttempt(testApp.dataSource, notificationId, { createdAt: at(2), retriggeredBy: 'user:7' }),
      await seedAttempt(testApp.dataSource, notificationId, { createdAt: at(2), retriggeredBy: 'user:8' }),
      await seedAttempt(testApp.dataSource, notificationId, {
        createdAt: at(3),
        status: 'failed',
        error: 'interrupted',
        responseStatus: null,
        responseBody: null,
      }),
      await seedAttempt(testApp.dataSource, notificationId, { createdAt: at(4), responseBody: 'é'.repeat(2048) }),
      await seedAttempt(testApp.dataSource, notificationId, {
        createdAt: at(5),
        status: 'pending',
        responseStatus: null,
        responseBody: null,
        durationMs: null,
        completedAt: null,
        retriggeredBy: 'user:9',
      }),
    ];
    newestFirst = rows
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map(asItem);
  });

  afterAll(() => testApp.close());

  it('answers every attempt of the notification, newest first, with all its fields', async () => {
    const response = await history(testApp, historyPath(webhookId, notificationId));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: newestFirst, limit: 50, offset: 0 });
    expect(response.body.items[0]).toMatchObject({ status: 'pending', completedAt: null, retriggeredBy: 'user:9' });
  });

  it.each([
    ['limit=2', 2, 0, [0, 1]],
    ['limit=2&offset=2', 2, 2, [2, 3]],
    ['limit=2&offset=4', 2, 4, [4, 5]],
    ['limit=2&offset=6', 2, 6, [6]],
    ['offset=5', 50, 5, [5, 6]],
    ['limit=200&offset=7', 200, 7, []],
    ['limit=1&offset=1000000', 1, 1_000_000, []],
  ])('pages with ?%s', async (query, limit, offset, indexes) => {
    const response = await history(testApp, `${historyPath(webhookId, notificationId)}?${query}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: indexes.map((index) => newestFirst[index]), limit, offset });
  });

  it('matches ids whatever their case', async () => {
    const response = await history(testApp, historyPath(webhookId.toUpperCase(), notificationId.toUpperCase()));

    expect(response.body.items).toEqual(newestFirst);
  });

  it('reads a page in two SQL statements', async () => {
    testApp.queries.reset();

    await history(testApp, `${historyPath(webhookId, notificationId)}?limit=3`);

    expect(testApp.queries.count).toBe(2);
  });

  /** [case, status, name, path, Authorization header (`admin`: the app's key, null: none), error text]. */
  type ErrorCase = [string, number, string, () => string, string | null, RegExp];
  const bearer = () => `Bearer ${testApp.apiKey}`;
  const mine = (query = '') => `${historyPath(webhookId, notificationId)}${query}`;
  const errorCases: ErrorCase[] = [
    ['no credentials', 403, 'AccessDenied', () => mine(), null, /admin credentials/i],
    ['an unknown API key', 403, 'AccessDenied', () => mine(), 'Bearer not-a-key', /admin credentials/i],
    [
      'no credentials and a bad id: the admin check first',
      403,
      'AccessDenied',
      () => historyPath('nope', 'nope'),
      null,
      /admin credentials/i,
    ],
    [
      'webhookId not a UUID',
      400,
      'IllegalArgument',
      () => historyPath('nope', notificationId),
      'admin',
      /webhookId must be a UUID/,
    ],
    [
      'notificationId not a UUID',
      400,
      'IllegalArgument',
      () => historyPath(webhookId, 'nope'),
      'admin',
      /notificationId must be a UUID/,
    ],
    [
      'a bad id and a bad limit: the path first',
      400,
      'IllegalArgument',
      () => `${historyPath(webhookId, 'nope')}?limit=0`,
      'admin',
      /notificationId/,
    ],
    ['limit 0', 400, 'ValidationFailed', () => mine('?limit=0'), 'admin', /^limit must be an integer from 1 to 200$/],
    [
      'limit 201',
      400,
      'ValidationFailed',
      () => mine('?limit=201'),
      'admin',
      /^limit must be an integer from 1 to 200$/,
    ],
    ['limit -1', 400, 'ValidationFailed', () => mine('?limit=-1'), 'admin', /^limit /],
    ['limit not a number', 400, 'ValidationFailed', () => mine('?limit=ten'), 'admin', /^limit /],
    ['limit a fraction', 400, 'ValidationFailed', () => mine('?limit=1.5'), 'admin', /^limit /],
    ['limit in exponent form', 400, 'ValidationFailed', () => mine('?limit=1e2'), 'admin', /^limit /],
    ['limit empty', 400, 'ValidationFailed', () => mine('?limit='), 'admin', /^limit /],
    ['limit given twice', 400, 'ValidationFailed', () => mine('?limit=1&limit=2'), 'admin', /^limit /],
    [
      'offset -1',
      400,
      'ValidationFailed',
      () => mine('?offset=-1'),
      'admin',
      /^offset must be an integer of 0 or more$/,
    ],
    ['offset not a number', 400, 'ValidationFailed', () => mine('?offset=first'), 'admin', /^offset /],
    [
      'offset beyond a safe integer',
      400,
      'ValidationFailed',
      () => mine('?offset=99999999999999999'),
      'admin',
      /^offset /,
    ],
    [
      'an unknown webhook',
      404,
      'NotFound',
      () => historyPath(randomUUID(), notificationId),
      'admin',
      /^Webhook .+ not found$/,
    ],
    [
      'an unknown notification',
      404,
      'NotFound',
      () => historyPath(webhookId, randomUUID()),
      'admin',
      /not found for webhook/,
    ],
    [
      "another webhook's notification",
      404,
      'NotFound',
      () => historyPath(webhookId, foreignNotificationId),
      'admin',
      /not found for webhook/,
    ],
  ];

  it.each(errorCases)('%s → %i %s', async (_case, status, name, path, authorization, error) => {
    const response = await history(testApp, path(), authorization === 'admin' ? bearer() : authorization);

    expect(response.status).toBe(status);
    expect(response.body).toEqual({ name, error: expect.stringMatching(error), status });
  });

  it("lists a retrigger's attempt first, with its principal, and is not counted by the retrigger limit", async () => {
    const limited = await startTestApp({ databaseUrl: testApp.databaseUrl, rateLimit: 1 });
    const receiver = await Receiver.start(answer(200, 'thanks'));
    try {
      const webhook = await seedWebhook(limited.dataSource, { url: receiver.url });
      const stored = await seedNotification(limited.dataSource, webhook, newSecret());
      const retrigger = () =>
        request(limited.baseUrl)
          .post(retriggerPath(webhook.id))
          .set('Authorization', `Bearer ${limited.apiKey}`)
          .send({ webhookNotificationIds: [stored.id] });

      for (let i = 0; i < 3; i++) {
        expect((await history(limited, historyPath(webhook.id, stored.id))).body.items).toEqual([]);
      }
      const retriggered = await retrigger();
      expect(retriggered.status).toBe(200);
      const page = await history(limited, historyPath(webhook.id, stored.id));
      expect((await retrigger()).body.name).toBe('RETRIGGER_RATE_LIMITED');
      expect((await history(limited, historyPath(webhook.id, stored.id))).status).toBe(200);

      expect(page.body.items).toEqual([
        expect.objectContaining({
          id: retriggered.body.successfulNotifications[0].retriggeredNotificationRequestId,
          url: receiver.url,
          status: 'succeeded',
          responseStatus: 200,
          responseBody: 'thanks',
          error: null,
          retriggeredBy: expect.stringMatching(/^apikey:[0-9a-f]{12}$/),
        }),
      ]);
    } finally {
      await receiver.close();
      await limited.close();
    }
  });
});
