import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { IdempotencyRecordEntity } from '../src/notifications-admin/entities/idempotency-record.entity';
import { WebhookNotificationRequestEntity } from '../src/notifications-admin/entities/webhook-notification-request.entity';
import { assertMatchesSpec } from './support/openapi';
import { answer, Receiver } from './support/receivers';
import { newSecret, notificationStatus, seedNotification, seedWebhook } from './support/seed';
import { retriggerPath, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

const RUNS = Number(process.env.ABUSE_PROPERTY_RUNS ?? 3_000);
const MAX_BODY = 64 * 1024;

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One keep-alive connection, sequential requests: thousands of inputs in seconds. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(baseUrl: string, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const call = httpRequest(
      { host: url.hostname, port: url.port, method: sent.method, path: sent.path, headers: sent.headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(sent.body);
  });
}

const printable = (max: number) =>
  fc
    .array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: max })
    .map((codes) => String.fromCharCode(...codes).trim());
/** What Node lets a client put in a header value: printable ASCII and Latin-1, no DEL or C1 controls. */
const latin1 = (max: number) =>
  fc
    .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })), { maxLength: max })
    .map((codes) => String.fromCharCode(...codes).trim());

/** Checks every error answer and every header; returns the parsed body. */
function checkAnswer(sent: Sent, received: Answer, secrets: string[]): unknown {
  expect(received.status).toBeLessThan(500);
  expect(received.headers['x-powered-by']).toBeUndefined();
  expect(received.headers['x-content-type-options']).toBe('nosniff');
  for (const leak of [
    ...secrets,
    'SELECT',
    'INSERT',
    'node_modules',
    '/work/',
    '    at ',
    'QueryFailedError',
    'SqliteError',
  ]) {
    expect(received.text).not.toContain(leak);
  }
  if (sent.method === 'HEAD') {
    // No body to check: 404 for the route, or 400 for a path that cannot be decoded.
    expect([400, 404]).toContain(received.status);
    return undefined;
  }
  const body = JSON.parse(received.text);
  if (received.status !== 200) {
    expect(Object.keys(body).sort()).toEqual(['error', 'name', 'status']);
    expect(body.status).toBe(received.status);
    expect(typeof body.error).toBe('string');
  }
  assertMatchesSpec(received.status, body);
  return body;
}

describe('abuse: generated requests always get the envelope, never a 5xx, and write nothing', () => {
  let testApp: TestApp;
  let receiver: Receiver;
  let enabledId: string;
  let disabledId: string;
  let untouchedId: string;
  let secret: string;

  beforeAll(async () => {
    testApp = await startTestApp({ allowPrivateNetworks: false, rateLimit: 1_000_000 });
    receiver = await Receiver.start(answer(200));
    secret = newSecret();
    const enabled = await seedWebhook(testApp.dataSource, { url: receiver.url, secret });
    const disabled = await seedWebhook(testApp.dataSource, { url: receiver.url, enabled: false });
    enabledId = enabled.id;
    disabledId = disabled.id;
    untouchedId = (await seedNotification(testApp.dataSource, enabled, secret, { status: 'failed' })).id;
  });

  afterAll(async () => {
    agent.destroy();
    await testApp.close();
    await receiver.close();
  });

  const count = (entity: typeof WebhookNotificationRequestEntity | typeof IdempotencyRecordEntity) =>
    testApp.dataSource.getRepository(entity).count();

  it(`${RUNS} generated requests (bodies, headers, paths, methods, content types)`, async () => {
    const attemptsBefore = await count(WebhookNotificationRequestEntity);
    const keysBefore = await count(IdempotencyRecordEntity);
    const storedKeys = new Set<string>();
    let ran = 0;
    const statuses = new Map<number, number>();

    const webhookSegment = fc.oneof(
      fc.constant('ENABLED'),
      fc.constant('DISABLED'),
      fc.uuid().map((id) => id),
      fc.uuid().map((id) => id.toUpperCase()),
      fc.string({ maxLength: 40 }).map((text) => encodeURIComponent(text)),
      fc.constantFrom('%', '%E0%A4%A', '..', '%2e%2e', '%00', 'a%2Fb', '%ZZ'),
    );
    const path = fc.oneof(
      { weight: 6, arbitrary: webhookSegment.map((segment) => ({ kind: 'retrigger', segment })) },
      {
        weight: 1,
        arbitrary: fc
          .array(fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent), { maxLength: 6 })
          .map((parts) => ({ kind: 'unknown', segment: `/${parts.join('/')}` })),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(
            '/api/notifications/v1/admin/webhooks',
            // One segment short of the attempt history (the list is `.../notifications` itself).
            '/api/notifications/v1/admin/webhooks/x/notifications/x',
            '/',
            '/api',
          )
          .map((segment) => ({ kind: 'unknown', segment })),
      },
    );
    const idsBody = fc.record(
      {
        webhookNotificationIds: fc.oneof(
          { weight: 3, arbitrary: fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 25 }) },
          fc.array(
            fc.oneof(
              { weight: 5, arbitrary: fc.uuid() },
              fc.string(),
              fc.integer(),
              fc.constant(null),
              fc.constant(untouchedId.toUpperCase() + 'x'),
            ),
            { maxLength: 30 },
          ),
          fc.jsonValue(),
        ),
        extra: fc.jsonValue(),
      },
      { requiredKeys: ['webhookNotificationIds'] },
    );
    /** Valid JSON nested past any recursive walk's stack, anywhere in the body, up to the 64 KiB limit. */
    const deepBody = fc
      .record({
        depth: fc.integer({ min: 2, max: 10_900 }),
        level: fc.constantFrom(
          { open: '[', close: ']' },
          { open: '{"a":', close: '}' },
          { open: '[1,', close: ']' },
          { open: '{"x":null,"a":', close: '}' },
        ),
        position: fc.constantFrom(
          'body',
          'webhookNotificationIds',
          'element',
          'signature',
          'reason',
          'dryRun',
          'extra',
        ),
        ids: fc.uniqueArray(fc.uuid(), { maxLength: 3 }),
      })
      .map(({ depth, level: { open, close }, position, ids }) => {
        const deep = open.repeat(depth) + (open.endsWith(':') ? '0' : '') + close.repeat(depth);
        if (position === 'body') {
          return Buffer.from(deep);
        }
        const value =
          position === 'element' ? { webhookNotificationIds: [...ids, 0] } : { webhookNotificationIds: ids };
        const template = position === 'element' ? JSON.stringify(value) : JSON.stringify({ ...value, [position]: 0 });
        const at = position === 'element' ? template.lastIndexOf('0]') : template.lastIndexOf(':0}') + 1;
        return Buffer.from(template.slice(0, at) + deep + template.slice(at + 1));
      });
    const body = fc.oneof(
      { weight: 8, arbitrary: idsBody.map((value) => Buffer.from(JSON.stringify(value))) },
      { weight: 2, arbitrary: fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null')) },
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((text) => Buffer.from(text, 'utf8')) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: MAX_BODY - 16, max: MAX_BODY + 4096 }).map((size) => Buffer.alloc(size, 0x20)),
      },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: deepBody },
    );
    const authorization = fc.oneof(
      { weight: 5, arbitrary: fc.constant('VALID') },
      fc.constant(undefined),
      fc.constantFrom('VALID', 'valid-lower', 'valid-spaces', 'valid-prefix', 'valid-extended'),
      fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Token abc', 'Bearer null'),
      latin1(80),
      printable(80).map((token) => `Bearer ${token}`),
    );
    const contentType = fc.oneof(
      { weight: 5, arbitrary: fc.constant('application/json') },
      fc.constant(undefined),
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'application/vnd.api+json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
      ),
      printable(40),
    );
    const contentEncoding = fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress'),
      printable(20),
    );
    const idempotencyKey = fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      printable(300),
      latin1(40),
      fc.uuid(),
    );
    const method = fc.oneof(
      { weight: 8, arbitrary: fc.constant('POST') },
      fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE'),
    );

    const input = fc.record({
      method,
      path,
      body,
      authorization,
      contentType,
      contentEncoding,
      idempotencyKey,
      keyExtra: fc.string({ maxLength: 3 }),
    });

    await fc.assert(
      fc.asyncProperty(input, async (generated) => {
        const headers: Record<string, string> = {};
        const token = testApp.apiKey;
        const auth: Record<string, string> = {
          VALID: `Bearer ${token}`,
          'valid-lower': `bearer ${token}`,
          'valid-spaces': `BEARER   ${token}  `,
          'valid-prefix': `Bearer ${token.slice(0, -1)}`,
          'valid-extended': `Bearer ${token}${generated.keyExtra || 'x'}`,
        };
        if (generated.authorization !== undefined) {
          headers.authorization = auth[generated.authorization] ?? generated.authorization;
        }
        if (generated.contentType !== undefined) {
          headers['content-type'] = generated.contentType;
        }
        if (generated.contentEncoding !== undefined) {
          headers['content-encoding'] = generated.contentEncoding;
        }
        if (generated.idempotencyKey !== undefined) {
          headers['idempotency-key'] = generated.idempotencyKey;
        }
        const segment = generated.path.segment.replace('ENABLED', enabledId).replace('DISABLED', disabledId);
        const sent: Sent = {
          method: generated.method,
          path: generated.path.kind === 'retrigger' ? retriggerPath(segment) : segment,
          headers,
          body: generated.method === 'GET' || generated.method === 'HEAD' ? undefined : generated.body,
        };
        if (sent.body) {
          headers['content-length'] = String(sent.body.length);
        }

        const received = await send(testApp.baseUrl, sent);
        ran += 1;
        statuses.set(received.status, (statuses.get(received.status) ?? 0) + 1);
        const parsed = checkAnswer(sent, received, [token, secret]) as { totalSuccess?: number } | undefined;
        if (received.status === 200) {
          expect(parsed?.totalSuccess).toBe(0);
          if (generated.idempotencyKey !== undefined) {
            storedKeys.add(generated.idempotencyKey);
          }
        }
      }),
      { numRuns: RUNS, seed: process.env.ABUSE_PROPERTY_SEED ? Number(process.env.ABUSE_PROPERTY_SEED) : undefined },
    );

    console.log(
      `abuse property: ${ran} generated requests, answers by status ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    expect(ran).toBe(RUNS);
    expect(await count(WebhookNotificationRequestEntity)).toBe(attemptsBefore);
    expect(await count(IdempotencyRecordEntity)).toBe(keysBefore + storedKeys.size);
    expect(receiver.requests).toHaveLength(0);
    expect(await notificationStatus(testApp.dataSource, untouchedId)).toBe('failed');
  });

  describe('documented limits', () => {
    const valid = () => JSON.stringify({ webhookNotificationIds: [randomUUID()] });
    const cases: Array<[string, Partial<Sent> & { body?: Buffer }, string]> = [
      [
        'a body over 64 KiB',
        { body: Buffer.from(JSON.stringify({ webhookNotificationIds: [randomUUID()], pad: 'x'.repeat(MAX_BODY) })) },
        'Request body exceeds the size limit',
      ],
      [
        'charset latin1',
        { headers: { 'content-type': 'application/json; charset=latin1' } },
        'Request body charset is not supported; send UTF-8',
      ],
      [
        'content encoding gzip',
        { headers: { 'content-encoding': 'gzip' } },
        'Request body content encoding is not supported',
      ],
      [
        'a body that is not JSON',
        { body: Buffer.from('{"webhookNotificationIds": [') },
        'Request body is not valid JSON',
      ],
      [
        'text/plain',
        { headers: { 'content-type': 'text/plain' } },
        'Request body must be JSON (Content-Type: application/json)',
      ],
    ];

    it.each(cases)('%s → 400 BadRequest envelope, nothing written', async (_what, overrides, error) => {
      const attemptsBefore = await count(WebhookNotificationRequestEntity);
      const body = overrides.body ?? Buffer.from(valid());
      const received = await send(testApp.baseUrl, {
        method: 'POST',
        path: retriggerPath(enabledId),
        headers: {
          authorization: `Bearer ${testApp.apiKey}`,
          'content-type': 'application/json',
          'content-length': String(body.length),
          ...overrides.headers,
        },
        body,
      });

      expect(received.status).toBe(400);
      expect(JSON.parse(received.text)).toEqual({ name: 'BadRequest', error, status: 400 });
      expect(await count(WebhookNotificationRequestEntity)).toBe(attemptsBefore);
    });

    it.each(['OPTIONS', 'GET', 'PUT', 'PATCH', 'DELETE'])(
      '%s on the retrigger path → 404 NotFound envelope, even for an admin',
      async (method) => {
        const received = await send(testApp.baseUrl, {
          method,
          path: retriggerPath(enabledId),
          headers: { authorization: `Bearer ${testApp.apiKey}`, origin: 'https://evil.example' },
        });

        expect(received.status).toBe(404);
        expect(JSON.parse(received.text)).toEqual({ name: 'NotFound', error: 'No such route', status: 404 });
        expect(received.headers['access-control-allow-origin']).toBeUndefined();
      },
    );

    it('an unknown path → 404 NotFound envelope with security headers and no x-powered-by', async () => {
      const received = await send(testApp.baseUrl, { method: 'POST', path: '/admin/../etc/passwd', headers: {} });

      expect(received.status).toBe(404);
      expect(JSON.parse(received.text)).toEqual({ name: 'NotFound', error: 'No such route', status: 404 });
      expect(received.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringContaining('max-age='),
        'content-security-policy': expect.stringContaining("default-src 'self'"),
      });
      expect(received.headers['x-powered-by']).toBeUndefined();
    });
  });
});
