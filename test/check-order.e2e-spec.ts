import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { assertMatchesSpec } from './support/openapi';
import { answer, Receiver } from './support/receivers';
import { newSecret, seedNotification, seedWebhook } from './support/seed';
import { retriggerPath, startTestApp, TestApp } from './support/test-app';

const VALID_ID = '3f0e8d4c-9d7a-4c1e-8f5b-2a6d7e9c1b40';

describe('checks, in the contract’s order', () => {
  let testApp: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    testApp = await startTestApp();
    receiver = await Receiver.start(answer(200));
  });

  afterAll(async () => {
    await testApp.close();
    await receiver.close();
  });

  /** `authorization` null sends no Authorization header. */
  function post(path: string, body: unknown, authorization: string | null = `Bearer ${testApp.apiKey}`) {
    const call = request(testApp.baseUrl).post(path);
    if (authorization !== null) {
      call.set('Authorization', authorization);
    }
    return body === undefined ? call : call.set('Content-Type', 'application/json').send(JSON.stringify(body));
  }

  function expectEnvelope(response: request.Response, status: number, name: string, error?: RegExp) {
    expect({ status: response.status, name: response.body.name }).toEqual({ status, name });
    expect(Object.keys(response.body).sort()).toEqual(['error', 'name', 'status']);
    expect(response.body.status).toBe(status);
    if (error) {
      expect(response.body.error).toMatch(error);
    }
    assertMatchesSpec(status, response.body);
  }

  describe('1. admin check → 403 AccessDenied', () => {
    it.each<[string, string | null]>([
      ['no Authorization header', null],
      ['an unknown key', 'Bearer not-a-key'],
      ['a Basic credential', 'Basic dXNlcjpwYXNz'],
      ['Bearer without a token', 'Bearer '],
      ['the key without the Bearer scheme', 'KEY'],
    ])('%s', async (_case, authorization) => {
      const header = authorization === 'KEY' ? testApp.apiKey : authorization;
      expectEnvelope(
        await post(retriggerPath('not-a-uuid'), { webhookNotificationIds: 'nope' }, header),
        403,
        'AccessDenied',
      );
    });

    it('matches Bearer without regard to case', async () => {
      const response = await post(
        retriggerPath(randomUUID()),
        { webhookNotificationIds: [VALID_ID] },
        `bEaReR ${testApp.apiKey}`,
      );
      expectEnvelope(response, 404, 'NotFound');
    });
  });

  describe('2. rate limit → 400 RETRIGGER_RATE_LIMITED', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startTestApp({ rateLimit: 3, rateWindowMs: 60_000 });
    });
    afterAll(() => limited.close());

    it('counts every admin request whatever its outcome, and no other', async () => {
      const path = retriggerPath('not-a-uuid');
      for (let i = 0; i < 5; i++) {
        expectEnvelope(
          await request(limited.baseUrl).post(path).set('Authorization', 'Bearer wrong'),
          403,
          'AccessDenied',
        );
      }
      for (let i = 0; i < 3; i++) {
        const response = await request(limited.baseUrl)
          .post(path)
          .set('Authorization', `Bearer ${limited.apiKey}`)
          .send({});
        expectEnvelope(response, 400, 'IllegalArgument');
      }

      const response = await request(limited.baseUrl)
        .post(path)
        .set('Authorization', `Bearer ${limited.apiKey}`)
        .send({});

      expectEnvelope(response, 400, 'RETRIGGER_RATE_LIMITED', /rate limit/i);
      const retryAfter = Number(response.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Still refused, even for a request that would otherwise be valid.
      const valid = await request(limited.baseUrl)
        .post(retriggerPath(randomUUID()))
        .set('Authorization', `Bearer ${limited.apiKey}`)
        .send({ webhookNotificationIds: [VALID_ID] });
      expectEnvelope(valid, 400, 'RETRIGGER_RATE_LIMITED');
    });

    it('opens a new window when the old one ends', async () => {
      const short = await startTestApp({ rateLimit: 1, rateWindowMs: 1_000 });
      try {
        const call = () =>
          request(short.baseUrl).post(retriggerPath('x')).set('Authorization', `Bearer ${short.apiKey}`).send({});
        expectEnvelope(await call(), 400, 'IllegalArgument');
        const limitedResponse = await call();
        expectEnvelope(limitedResponse, 400, 'RETRIGGER_RATE_LIMITED');
        expect(limitedResponse.headers['retry-after']).toBe('1');
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        expectEnvelope(await call(), 400, 'IllegalArgument');
      } finally {
        await short.close();
      }
    });
  });

  describe('3. webhookId → 400 IllegalArgument, before the body is looked at', () => {
    it.each(['not-a-uuid', '123', '3f0e8d4c-9d7a-4c1e-8f5b-2a6d7e9c1b4', '3f0e8d4c9d7a4c1e8f5b2a6d7e9c1b40x'])(
      '%s',
      async (webhookId) => {
        expectEnvelope(
          await post(retriggerPath(webhookId), { webhookNotificationIds: 'not an array' }),
          400,
          'IllegalArgument',
          /webhookId/,
        );
      },
    );
  });

  describe('4. body → 400 ValidationFailed naming the field and the rule', () => {
    it.each<[string, unknown, RegExp]>([
      ['missing', {}, /webhookNotificationIds is required/],
      ['null', { webhookNotificationIds: null }, /webhookNotificationIds is required/],
      ['not an array', { webhookNotificationIds: VALID_ID }, /webhookNotificationIds must be an array/],
      ['an object', { webhookNotificationIds: { 0: VALID_ID } }, /webhookNotificationIds must be an array/],
      ['empty', { webhookNotificationIds: [] }, /webhookNotificationIds must not be empty/],
      [
        '26 ids',
        { webhookNotificationIds: Array.from({ length: 26 }, () => randomUUID()) },
        /webhookNotificationIds must contain at most 25 ids/,
      ],
      [
        'an element not a UUID',
        { webhookNotificationIds: [VALID_ID, 'nope'] },
        /each value in webhookNotificationIds must be a UUID/,
      ],
      [
        'an element not a string',
        { webhookNotificationIds: [42] },
        /each value in webhookNotificationIds must be a UUID/,
      ],
      [
        'duplicates',
        { webhookNotificationIds: [VALID_ID, VALID_ID] },
        /webhookNotificationIds must not contain duplicates/,
      ],
      [
        'duplicates in another case',
        { webhookNotificationIds: [VALID_ID, VALID_ID.toUpperCase()] },
        /webhookNotificationIds must not contain duplicates/,
      ],
      ['a JSON array body', [VALID_ID], /request body must be a JSON object/],
      ['a JSON null body', null, /request body must be a JSON object/],
      ['a JSON string body', 'webhookNotificationIds', /request body must be a JSON object/],
      ['a JSON number body', 42, /request body must be a JSON object/],
    ])('%s', async (_case, body, error) => {
      expectEnvelope(await post(retriggerPath(randomUUID()), body), 400, 'ValidationFailed', error);
    });

    it('accepts exactly 25 ids', async () => {
      const response = await post(retriggerPath(randomUUID()), {
        webhookNotificationIds: Array.from({ length: 25 }, () => randomUUID()),
      });
      expectEnvelope(response, 404, 'NotFound');
    });

    it.each(['', 'x'.repeat(256), 'tab\there', 'ünïcode'])('refuses Idempotency-Key %j', async (key) => {
      const response = await post(retriggerPath(randomUUID()), { webhookNotificationIds: [VALID_ID] }).set(
        'Idempotency-Key',
        key,
      );
      expectEnvelope(response, 400, 'ValidationFailed', /Idempotency-Key/);
    });
  });

  describe('5. webhook state', () => {
    it('unknown webhook → 404 NotFound', async () => {
      expectEnvelope(
        await post(retriggerPath(randomUUID()), { webhookNotificationIds: [VALID_ID] }),
        404,
        'NotFound',
        /Webhook .* not found/,
      );
    });

    it('disabled webhook → 409 Conflict, and nothing is sent', async () => {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url, enabled: false });
      const stored = await seedNotification(testApp.dataSource, webhook, newSecret());
      const before = receiver.requests.length;

      expectEnvelope(
        await post(retriggerPath(webhook.id), { webhookNotificationIds: [stored.id] }),
        409,
        'Conflict',
        /disabled/,
      );

      expect(receiver.requests.length).toBe(before);
    });
  });

  describe('every error, from any route, is the envelope', () => {
    it.each<[string, () => request.Test, number, string]>([
      ['an unknown path', () => request(testApp.baseUrl).get('/nope'), 404, 'NotFound'],
      ['GET on the retrigger path', () => request(testApp.baseUrl).get(retriggerPath(VALID_ID)), 404, 'NotFound'],
      ['PUT on the retrigger path', () => request(testApp.baseUrl).put(retriggerPath(VALID_ID)), 404, 'NotFound'],
      [
        'OPTIONS on the retrigger path',
        () => request(testApp.baseUrl).options(retriggerPath(VALID_ID)),
        404,
        'NotFound',
      ],
      [
        'a body that is not JSON',
        () =>
          post(retriggerPath(VALID_ID), undefined)
            .set('Content-Type', 'application/json')
            .send('{"webhookNotificationIds": ['),
        400,
        'BadRequest',
      ],
      [
        'a body over 64 KiB',
        () => post(retriggerPath(VALID_ID), { webhookNotificationIds: [VALID_ID], padding: 'x'.repeat(70 * 1024) }),
        400,
        'BadRequest',
      ],
      [
        'a latin1 charset',
        () =>
          post(retriggerPath(VALID_ID), undefined).set('Content-Type', 'application/json; charset=latin1').send('{}'),
        400,
        'BadRequest',
      ],
      [
        'a gzip content encoding',
        () =>
          post(retriggerPath(VALID_ID), undefined)
            .set('Content-Type', 'application/json')
            .set('Content-Encoding', 'gzip')
            .send('{}'),
        400,
        'BadRequest',
      ],
      [
        'a text/plain body',
        () => post(retriggerPath(VALID_ID), undefined).set('Content-Type', 'text/plain').send('hello'),
        400,
        'BadRequest',
      ],
    ])('%s', async (_case, call, status, name) => {
      const response = await call();
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expectEnvelope(response, status, name);
    });

    it('sends security headers and no x-powered-by', async () => {
      const response = await request(testApp.baseUrl).get('/nope');
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    });
  });
});
