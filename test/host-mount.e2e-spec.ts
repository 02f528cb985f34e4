import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { WebhookNotificationRequestEntity } from '../src';
import { HOST_DOCS_PATH, HostApp, startHostApp } from './support/host-app/start-host-app';
import { answer, Receiver } from './support/receivers';
import { attemptsOf, newSecret, notificationStatus, seedNotification, seedWebhook } from './support/seed';
import { historyPath, retriggerPath } from './support/test-app';

/** The host's ThrottlerModule limit and the module's retrigger limit, both from the host's config. */
const HOST_THROTTLE_LIMIT = 3;
const RETRIGGER_RATE_LIMIT = 2;

describe('NotificationsAdminModule mounted in a host app (forRootAsync, host auth, host TypeORM, host ThrottlerModule)', () => {
  let host: HostApp;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start(answer(200, 'ok'));
  });

  afterAll(() => receiver.close());

  beforeEach(async () => {
    // A new host per test: the host throttler counts per IP, and every request here comes from loopback.
    host = await startHostApp({ retriggerRateLimit: RETRIGGER_RATE_LIMIT, hostThrottleLimit: HOST_THROTTLE_LIMIT });
  });

  afterEach(() => host.close());

  const as = (token: string | undefined) => (token === undefined ? {} : { Authorization: `Bearer ${token}` });

  async function seed() {
    const webhook = await seedWebhook(host.dataSource, { url: receiver.url });
    const stored = await seedNotification(host.dataSource, webhook, newSecret(), { status: 'failed' });
    return { webhookId: webhook.id, notificationId: stored.id };
  }

  it("retriggers with the host's admin check, records user:<id>, and runs on the host's DataSource", async () => {
    const { webhookId, notificationId } = await seed();
    host.queries.reset();

    const response = await request(host.baseUrl)
      .post(retriggerPath(webhookId))
      .set(as(host.admin.token))
      .send({ webhookNotificationIds: [notificationId] });

    expect(response.status).toBe(200);
    expect(response.body.totalSuccess).toBe(1);
    const [attempt] = await attemptsOf(host.dataSource, notificationId);
    expect(attempt).toMatchObject({ status: 'succeeded', retriggeredBy: `user:${host.admin.id}` });
    expect(await notificationStatus(host.dataSource, notificationId)).toBe('delivered');
    expect(host.queries.statements.some((sql) => /INSERT INTO webhook_notification_requests/.test(sql))).toBe(true);
    expect(host.dataSource.hasMetadata(WebhookNotificationRequestEntity)).toBe(true);

    const history = await request(host.baseUrl).get(historyPath(webhookId, notificationId)).set(as(host.admin.token));
    expect(history.status).toBe(200);
    expect(history.body.items).toEqual([
      expect.objectContaining({ id: attempt.id, retriggeredBy: `user:${host.admin.id}` }),
    ]);
  });

  it.each([
    ['a host user without the admin role', () => host.member.token],
    ['an anonymous caller', () => undefined],
    ['a token the host does not know', () => `host-token-${randomUUID()}`],
  ])('answers %s with 403 AccessDenied on both routes, and sends nothing', async (_name, token) => {
    const { webhookId, notificationId } = await seed();
    const before = receiver.requests.length;

    const retriggered = await request(host.baseUrl)
      .post(retriggerPath(webhookId))
      .set(as(token()))
      .send({ webhookNotificationIds: [notificationId] });
    const history = await request(host.baseUrl).get(historyPath(webhookId, notificationId)).set(as(token()));

    for (const response of [retriggered, history]) {
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ name: 'AccessDenied', error: 'Admin credentials are required', status: 403 });
    }
    expect(receiver.requests.length).toBe(before);
  });

  it("leaves the host's routes with the host's behaviour: Nest's error shape, not our envelope", async () => {
    const ok = await request(host.baseUrl).get('/host/orders/7');
    const invalid = await request(host.baseUrl).get('/host/orders/seven');
    const unknown = await request(host.baseUrl).get('/host/nowhere');

    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ id: 7 });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Validation failed (numeric string is expected)',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /host/nowhere' });
  });

  it('keeps two rate limits apart: the host throttler on its routes, the retrigger limit (from forRootAsync) on ours', async () => {
    const { webhookId, notificationId } = await seed();
    const retrigger = () =>
      request(host.baseUrl)
        .post(retriggerPath(webhookId))
        .set(as(host.admin.token))
        .send({ webhookNotificationIds: [notificationId] });
    const history = () => request(host.baseUrl).get(historyPath(webhookId, notificationId)).set(as(host.admin.token));

    // More requests to our routes than the host allows per IP: the host's throttler skips them.
    const ours = [];
    for (let i = 0; i < HOST_THROTTLE_LIMIT + 1; i++) {
      ours.push(await history());
    }
    for (let i = 0; i < RETRIGGER_RATE_LIMIT; i++) {
      ours.push(await retrigger());
    }
    for (const response of ours) {
      expect(response.status).toBe(200);
      expect(response.headers['x-ratelimit-limit']).toBeUndefined();
    }
    const limited = await retrigger();
    expect(limited.status).toBe(400);
    expect(limited.body).toEqual({
      name: 'RETRIGGER_RATE_LIMITED',
      error: expect.stringContaining(`${RETRIGGER_RATE_LIMIT} requests`),
      status: 400,
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    // The host's own count is untouched by all of the above, and its 429 is its own.
    for (let i = 0; i < HOST_THROTTLE_LIMIT; i++) {
      const response = await request(host.baseUrl).get('/host/orders/1');
      expect(response.status).toBe(200);
      expect(response.headers['x-ratelimit-limit']).toBe(String(HOST_THROTTLE_LIMIT));
    }
    const throttled = await request(host.baseUrl).get('/host/orders/1');
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual({ statusCode: 429, message: 'ThrottlerException: Too Many Requests' });
    expect(throttled.headers['retry-after']).toBeDefined();

    // With the host's limit spent, ours still answer by their own rules.
    expect((await history()).status).toBe(200);
    expect((await retrigger()).body.name).toBe('RETRIGGER_RATE_LIMITED');
  });

  it("serves the module's OpenAPI document at the host's chosen path, with only the module's routes", async () => {
    const response = await request(host.baseUrl).get(`/${HOST_DOCS_PATH}-json`);

    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths).sort()).toEqual([
      '/api/notifications/v1/admin/webhooks/{webhookId}/notifications/retrigger',
      '/api/notifications/v1/admin/webhooks/{webhookId}/notifications/{notificationId}/requests',
      '/api/notifications/v1/admin/webhooks/{webhookId}/retriggers',
      '/api/notifications/v1/admin/webhooks/{webhookId}/retriggers/{retriggerId}',
    ]);
    expect(response.body.components.securitySchemes).toEqual({
      adminBearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
  });
});
