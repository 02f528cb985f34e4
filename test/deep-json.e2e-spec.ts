import { randomUUID } from 'node:crypto';
import { WebhookNotificationRequestEntity } from '../src/notifications-admin/entities/webhook-notification-request.entity';
import { IdempotencyRecordEntity } from '../src/notifications-admin/entities/idempotency-record.entity';
import { HostApp, startHostApp } from './support/host-app/start-host-app';
import { assertMatchesSpec } from './support/openapi';
import { answer, Receiver } from './support/receivers';
import { newSecret, notificationStatus, seedNotification, seedWebhook } from './support/seed';
import { retriggerPath, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(60_000);

const MAX_BODY = 64 * 1024;
const NESTING = '\u0000';

/** Where the deep value goes: each position a body can carry one, the retrigger options included. */
const POSITIONS: Array<[string, (ids: string[]) => unknown]> = [
  ['the whole body', () => NESTING],
  ['webhookNotificationIds', () => ({ webhookNotificationIds: NESTING })],
  ['an element of webhookNotificationIds', (ids) => ({ webhookNotificationIds: [...ids, NESTING] })],
  ['signature', (ids) => ({ webhookNotificationIds: ids, signature: NESTING })],
  ['reason', (ids) => ({ webhookNotificationIds: ids, reason: NESTING })],
  ['dryRun', (ids) => ({ webhookNotificationIds: ids, dryRun: NESTING })],
  ['an unknown property', (ids) => ({ webhookNotificationIds: ids, extra: NESTING })],
];

const SHAPES: Array<[string, string, string, string]> = [
  // name, opening of one level, innermost value, closing of one level
  ['arrays', '[', '', ']'],
  ['objects', '{"a":', '1', '}'],
];

/** The body with the deepest nesting of `shape` at `position` that still fits in the 64 KiB limit. */
function deepestBody(position: (ids: string[]) => unknown, shape: (typeof SHAPES)[number], ids: string[]): Buffer {
  const [, open, inner, close] = shape;
  const template = JSON.stringify(position(ids)).replace(JSON.stringify(NESTING), '\u0001');
  const levels = Math.floor((MAX_BODY - Buffer.byteLength(template) + 1 - inner.length) / (open.length + close.length));
  const body = Buffer.from(template.replace('\u0001', open.repeat(levels) + inner + close.repeat(levels)));
  expect(body.length).toBeLessThanOrEqual(MAX_BODY);
  expect(body.length).toBeGreaterThan(MAX_BODY - open.length - close.length);
  return body;
}

async function post(baseUrl: string, path: string, authorization: string, body: Buffer, idempotencyKey?: string) {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: {
      authorization,
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const cases = POSITIONS.flatMap(([where, position]) =>
  SHAPES.map((shape) => [`${shape[0]} in ${where}`, position, shape] as const),
);

describe('deeply nested JSON bodies (as deep as 64 KiB allows) are refused, nothing written or sent', () => {
  describe('standalone service: refused while the body is read', () => {
    let testApp: TestApp;
    let receiver: Receiver;
    let webhookId: string;
    let ids: string[];

    beforeAll(async () => {
      testApp = await startTestApp();
      receiver = await Receiver.start(answer(200));
      const secret = newSecret();
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url, secret });
      webhookId = webhook.id;
      ids = [(await seedNotification(testApp.dataSource, webhook, secret, { status: 'failed' })).id];
    });

    afterAll(async () => {
      await testApp.close();
      await receiver.close();
    });

    it.each(cases)('%s → 400 BadRequest', async (_what, position, shape) => {
      const key = `deep-${randomUUID()}`;
      const response = await post(
        testApp.baseUrl,
        retriggerPath(webhookId),
        `Bearer ${testApp.apiKey}`,
        deepestBody(position, shape, ids),
        key,
      );

      expect(response).toEqual({
        status: 400,
        body: {
          name: 'BadRequest',
          error: 'Request body nests arrays or objects more than 32 levels deep',
          status: 400,
        },
      });
      assertMatchesSpec(response.status, response.body);
      expect(
        await testApp.dataSource
          .getRepository(WebhookNotificationRequestEntity)
          .countBy({ webhookNotificationId: ids[0] }),
      ).toBe(0);
      expect(await testApp.dataSource.getRepository(IdempotencyRecordEntity).countBy({ idempotencyKey: key })).toBe(0);
      expect(receiver.requests).toHaveLength(0);
      expect(await notificationStatus(testApp.dataSource, ids[0])).toBe('failed');
    });

    it('refuses it on every route, known or not, before anything else looks at it', async () => {
      const body = deepestBody(POSITIONS[1][1], SHAPES[0], ids);
      for (const path of [retriggerPath('not-a-uuid'), '/no/such/route', '/health/live']) {
        const response = await post(testApp.baseUrl, path, 'Bearer not-an-admin', body);
        expect(response.body).toMatchObject({ name: 'BadRequest', status: 400 });
      }
    });

    it('still takes a body nested as deep as the limit', async () => {
      const nested = JSON.stringify({
        webhookNotificationIds: ids,
        extra: JSON.parse('['.repeat(30) + ']'.repeat(30)),
      });
      const response = await post(
        testApp.baseUrl,
        retriggerPath(webhookId),
        `Bearer ${testApp.apiKey}`,
        Buffer.from(nested),
      );
      expect(response.status).toBe(200);
      expect(response.body.totalSuccess).toBe(1);
    });
  });

  describe("mounted in a host (the host's own body parser): refused by the module's validation", () => {
    let host: HostApp;
    let receiver: Receiver;
    let webhookId: string;
    let ids: string[];

    beforeAll(async () => {
      host = await startHostApp({ retriggerRateLimit: 1_000, hostThrottleLimit: 1_000 });
      receiver = await Receiver.start(answer(200));
      const secret = newSecret();
      const webhook = await seedWebhook(host.dataSource, { url: receiver.url, secret });
      webhookId = webhook.id;
      ids = [(await seedNotification(host.dataSource, webhook, secret, { status: 'failed' })).id];
    });

    afterAll(async () => {
      await host.close();
      await receiver.close();
    });

    it.each(cases)('%s → 400 ValidationFailed', async (_what, position, shape) => {
      const attemptsBefore = await host.dataSource
        .getRepository(WebhookNotificationRequestEntity)
        .countBy({ webhookNotificationId: ids[0] });
      const response = await post(
        host.baseUrl,
        retriggerPath(webhookId),
        `Bearer ${host.admin.token}`,
        deepestBody(position, shape, ids),
      );

      // A body that is not an object at all is refused for that first, with its own message.
      expect(response).toEqual({
        status: 400,
        body: expect.objectContaining({ name: 'ValidationFailed', status: 400 }),
      });
      assertMatchesSpec(response.status, response.body);
      expect(
        await host.dataSource
          .getRepository(WebhookNotificationRequestEntity)
          .countBy({ webhookNotificationId: ids[0] }),
      ).toBe(attemptsBefore);
      expect(receiver.requests).toHaveLength(0);
    });
  });
});
