import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { RetriggerAuditRecordEntity } from '../src/notifications-admin/entities/retrigger-audit-record.entity';
import { WebhookEntity } from '../src/notifications-admin/entities/webhook.entity';
import { assertMatchesSpec, SpecOperation } from './support/openapi';
import { Receiver } from './support/receivers';
import { attemptsOf, newSecret, seedNotification, seedPendingAttempt, seedWebhook } from './support/seed';
import { openDatabase, ServiceProcess } from './support/service-process';
import { auditPath, principalOf, retriggerPath, startTestApp, TestApp, testDatabaseUrl } from './support/test-app';

const LIST: SpecOperation = { path: '/api/notifications/v1/admin/webhooks/{webhookId}/retriggers', method: 'get' };
const RECORD: SpecOperation = {
  path: '/api/notifications/v1/admin/webhooks/{webhookId}/retriggers/{retriggerId}',
  method: 'get',
};

interface Item {
  webhookNotificationId: string;
}

/** The answer's items in request order: how the audit record keeps them. */
function inRequestOrder(ids: string[], body: { successfulNotifications: Item[]; failedNotifications: Item[] }) {
  const items = [...body.successfulNotifications, ...body.failedNotifications];
  return ids.map((id) => items.find((item) => item.webhookNotificationId === id));
}

describe('the retrigger audit trail', () => {
  let testApp: TestApp;
  let receiver: Receiver;

  /** Reads an audit route and checks the answer against the OpenAPI document. */
  async function read(path: string, authorization: string | null = `Bearer ${testApp.apiKey}`, app = testApp) {
    const call = request(app.baseUrl).get(path);
    const response = await (authorization === null ? call : call.set('Authorization', authorization));
    assertMatchesSpec(response.status, response.body, path.split('/').length > 8 ? RECORD : LIST);
    return response;
  }

  async function retrigger(webhookId: string, body: object, headers: Record<string, string> = {}, app = testApp) {
    const response = await request(app.baseUrl)
      .post(retriggerPath(webhookId))
      .set('Authorization', `Bearer ${app.apiKey}`)
      .set(headers)
      .send(body);
    assertMatchesSpec(response.status, response.body);
    return response;
  }

  async function recordsOf(webhookId: string): Promise<RetriggerAuditRecordEntity[]> {
    return testApp.dataSource.getRepository(RetriggerAuditRecordEntity).findBy({ webhookId });
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    // Rejects the payloads that ask for it, so one batch can carry every kind of outcome.
    receiver = await Receiver.start((received, response) => {
      const rejected = received.body.toString('utf8').includes('"reject"');
      response.writeHead(rejected ? 500 : 200, { 'content-type': 'text/plain' }).end(rejected ? 'no' : 'ok');
    });
  });

  afterAll(async () => {
    await testApp.close();
    await receiver.close();
  });

  it('keeps a mixed batch exactly as answered, in request order, with who, why and how it was signed', async () => {
    const secret = newSecret();
    const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url, secret });
    const delivered = await seedNotification(testApp.dataSource, webhook, secret);
    const unsigned = await seedNotification(testApp.dataSource, webhook, secret, { scheme: 'none' });
    const inFlight = await seedNotification(testApp.dataSource, webhook, secret);
    const rejected = await seedNotification(testApp.dataSource, webhook, secret, { payload: '{"type":"reject"}' });
    await seedPendingAttempt(testApp.dataSource, inFlight.id, receiver.url);
    const ids = [rejected.id, randomUUID(), delivered.id, inFlight.id, unsigned.id];
    const reason = 'INC-4211: the receiver was down from 02:10 to 02:55';

    const answered = await retrigger(webhook.id, { webhookNotificationIds: ids, signature: 'resign', reason });
    testApp.queries.reset();
    const record = await read(auditPath(webhook.id, answered.body.retriggerId));
    const recordStatements = testApp.queries.count;
    const list = await read(auditPath(webhook.id));

    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ totalSuccess: 1, totalFailed: 4 });
    expect(record.status).toBe(200);
    const summary = {
      id: answered.body.retriggerId,
      webhookId: webhook.id,
      principal: principalOf(testApp.apiKey),
      reason,
      signature: 'resign',
      totalRequested: 5,
      totalSuccess: 1,
      totalFailed: 4,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    };
    expect(record.body).toEqual({ ...summary, items: inRequestOrder(ids, answered.body) });
    expect(record.body.items.map((item: { reason: string | null }) => item.reason)).toEqual([
      'RECEIVER_REJECTED',
      'NOT_FOUND',
      null,
      'IN_FLIGHT',
      'SIGNATURE_UNSUPPORTED',
    ]);
    expect(Date.parse(record.body.completedAt)).toBeGreaterThanOrEqual(Date.parse(record.body.createdAt));
    expect(list.body).toEqual({ items: [record.body].map(({ items: _items, ...rest }) => rest), nextCursor: null });
    expect(recordStatements).toBe(1);
  });

  it('pages newest first by cursor, each record exactly once, even while new retriggers are recorded', async () => {
    const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
    const other = await seedWebhook(testApp.dataSource, { url: receiver.url });
    const written: string[] = [];
    for (let i = 0; i < 5; i++) {
      written.push((await retrigger(webhook.id, { webhookNotificationIds: [randomUUID()] })).body.retriggerId);
    }
    await retrigger(other.id, { webhookNotificationIds: [randomUUID()] });
    const whole = (await read(auditPath(webhook.id))).body;

    const walked: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    let statements = 0;
    do {
      const query: string = `?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      testApp.queries.reset();
      const page = await read(auditPath(webhook.id) + query);
      statements = Math.max(statements, testApp.queries.count);
      expect(page.status).toBe(200);
      walked.push(...page.body.items.map((item: { id: string }) => item.id));
      pageSizes.push(page.body.items.length);
      cursor = page.body.nextCursor;
      if (walked.length === 2) {
        await retrigger(webhook.id, { webhookNotificationIds: [randomUUID()] });
      }
    } while (cursor !== null);

    expect(whole.nextCursor).toBeNull();
    expect(whole.items.map((item: { id: string }) => item.id)).toEqual(walked);
    expect([...walked].sort()).toEqual([...written].sort());
    expect(pageSizes).toEqual([2, 2, 1]);
    const createdAt = whole.items.map((item: { createdAt: string }) => Date.parse(item.createdAt));
    expect(createdAt).toEqual([...createdAt].sort((a, b) => b - a));
    expect(statements).toBe(1);
  });

  describe('cursors', () => {
    let webhook: WebhookEntity;
    let cursor: string;

    beforeAll(async () => {
      webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      for (let i = 0; i < 2; i++) {
        await retrigger(webhook.id, { webhookNotificationIds: [randomUUID()] });
      }
      cursor = (await read(`${auditPath(webhook.id)}?limit=1`)).body.nextCursor;
    });

    it.each([
      ["another webhook's list", () => `${auditPath(randomUUID())}?cursor=${encodeURIComponent(cursor)}`],
      ['an altered cursor', () => `${auditPath(webhook.id)}?cursor=${encodeURIComponent(`A${cursor.slice(1)}`)}`],
      ['a cursor given twice', () => `${auditPath(webhook.id)}?cursor=${cursor}&cursor=${cursor}`],
    ])('%s → 400 ValidationFailed, before the webhook is looked up', async (_case, path) => {
      const response = await read(path());

      expect(response.body).toEqual({
        name: 'ValidationFailed',
        error: expect.stringMatching(/^cursor /),
        status: 400,
      });
    });
  });

  describe('errors, in the history route’s order', () => {
    let webhookId: string;
    let retriggerId: string;
    let foreignRetriggerId: string;

    beforeAll(async () => {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const other = await seedWebhook(testApp.dataSource, { url: receiver.url });
      webhookId = webhook.id;
      retriggerId = (await retrigger(webhook.id, { webhookNotificationIds: [randomUUID()] })).body.retriggerId;
      foreignRetriggerId = (await retrigger(other.id, { webhookNotificationIds: [randomUUID()] })).body.retriggerId;
    });

    type Case = [string, number, string, () => string, string | null, RegExp];
    const cases: Case[] = [
      ['no credentials, bad ids', 403, 'AccessDenied', () => auditPath('x', 'y'), null, /./],
      ['an unknown key', 403, 'AccessDenied', () => auditPath('x'), 'Bearer nope', /./],
      ['webhookId not a UUID', 400, 'IllegalArgument', () => auditPath('x'), 'admin', /^webhookId must be a UUID$/],
      [
        'webhookId not a UUID and limit out of range',
        400,
        'IllegalArgument',
        () => `${auditPath('x')}?limit=0`,
        'admin',
        /^webhookId /,
      ],
      [
        'retriggerId not a UUID',
        400,
        'IllegalArgument',
        () => auditPath(webhookId, 'latest'),
        'admin',
        /^retriggerId must be a UUID$/,
      ],
      [
        'limit 201, unknown webhook',
        400,
        'ValidationFailed',
        () => `${auditPath(randomUUID())}?limit=201`,
        'admin',
        /^limit must be an integer from 1 to 200$/,
      ],
      ['limit not a number', 400, 'ValidationFailed', () => `${auditPath(webhookId)}?limit=ten`, 'admin', /^limit /],
      ['an unknown webhook (list)', 404, 'NotFound', () => auditPath(randomUUID()), 'admin', /^Webhook .+ not found$/],
      [
        'an unknown webhook (record)',
        404,
        'NotFound',
        () => auditPath(randomUUID(), retriggerId),
        'admin',
        /^Webhook .+ not found$/,
      ],
      [
        'an unknown record',
        404,
        'NotFound',
        () => auditPath(webhookId, randomUUID()),
        'admin',
        /not found for webhook/,
      ],
      [
        "another webhook's record",
        404,
        'NotFound',
        () => auditPath(webhookId, foreignRetriggerId),
        'admin',
        /not found for webhook/,
      ],
    ];

    it.each(cases)('%s → %i %s', async (_case, status, name, path, authorization, error) => {
      const response = await read(path(), authorization === 'admin' ? `Bearer ${testApp.apiKey}` : authorization);

      expect(response.status).toBe(status);
      expect(response.body).toEqual({ name, error: expect.stringMatching(error), status });
    });

    it('matches ids whatever their case', async () => {
      const response = await read(auditPath(webhookId.toUpperCase(), retriggerId.toUpperCase()));

      expect(response.status).toBe(200);
      expect(response.body.id).toBe(retriggerId);
    });
  });

  it('an idempotent replay answers the first retriggerId and writes no second record', async () => {
    const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
    const stored = await seedNotification(testApp.dataSource, webhook, newSecret());
    const key = `audit-${randomUUID()}`;
    const body = { webhookNotificationIds: [stored.id], reason: 'replayed' };

    const first = await retrigger(webhook.id, body, { 'Idempotency-Key': key });
    const replay = await retrigger(webhook.id, body, { 'Idempotency-Key': key });

    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(first.body.retriggerId).toEqual(expect.any(String));
    expect(await recordsOf(webhook.id)).toHaveLength(1);
    expect(await attemptsOf(testApp.dataSource, stored.id)).toHaveLength(1);
  });

  it('a dry run answers retriggerId null and writes no record', async () => {
    const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
    const stored = await seedNotification(testApp.dataSource, webhook, newSecret());

    const response = await retrigger(webhook.id, { webhookNotificationIds: [stored.id], dryRun: true });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ retriggerId: null, dryRun: true });
    expect(await recordsOf(webhook.id)).toEqual([]);
    expect((await read(auditPath(webhook.id))).body).toEqual({ items: [], nextCursor: null });
  });

  it('a reason of 501 characters is 400 ValidationFailed and writes nothing; 500 are kept', async () => {
    const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
    const stored = await seedNotification(testApp.dataSource, webhook, newSecret());

    const tooLong = await retrigger(webhook.id, { webhookNotificationIds: [stored.id], reason: 'r'.repeat(501) });
    expect(await recordsOf(webhook.id)).toEqual([]);
    const longest = await retrigger(webhook.id, { webhookNotificationIds: [stored.id], reason: 'é'.repeat(500) });

    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toEqual({
      name: 'ValidationFailed',
      error: 'reason must be 1 to 500 characters',
      status: 400,
    });
    expect(longest.status).toBe(200);
    expect((await read(auditPath(webhook.id, longest.body.retriggerId))).body.reason).toBe('é'.repeat(500));
    expect(await attemptsOf(testApp.dataSource, stored.id)).toHaveLength(1);
  });

  it('a disabled webhook’s trail stays readable; the refused retrigger adds nothing to it', async () => {
    const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
    const retriggerId = (await retrigger(webhook.id, { webhookNotificationIds: [randomUUID()] })).body.retriggerId;
    await testApp.dataSource.getRepository(WebhookEntity).update(webhook.id, { enabled: false });

    const refused = await retrigger(webhook.id, { webhookNotificationIds: [randomUUID()] });
    const list = await read(auditPath(webhook.id));
    const record = await read(auditPath(webhook.id, retriggerId));

    expect(refused.status).toBe(409);
    expect(list.status).toBe(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([retriggerId]);
    expect(record.status).toBe(200);
  });

  it('shows a retrigger still running with completedAt and the outcome totals null, and completes it after', async () => {
    let release: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding: Array<() => void> = [];
    const slow = await Receiver.start((_request, response) => {
      holding.push(() => response.writeHead(200).end('ok'));
      release();
    });
    try {
      const webhook = await seedWebhook(testApp.dataSource, { url: slow.url });
      const stored = await seedNotification(testApp.dataSource, webhook, newSecret());

      const running = retrigger(webhook.id, { webhookNotificationIds: [stored.id] });
      await arrived;
      const during = (await read(auditPath(webhook.id))).body.items;
      holding.forEach((answer) => answer());
      const answered = await running;
      const after = await read(auditPath(webhook.id, answered.body.retriggerId));

      expect(during).toEqual([
        expect.objectContaining({
          id: answered.body.retriggerId,
          totalRequested: 1,
          totalSuccess: null,
          totalFailed: null,
          completedAt: null,
        }),
      ]);
      expect(after.body).toMatchObject({ totalSuccess: 1, totalFailed: 0, completedAt: expect.any(String) });
      expect(after.body.items).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('is not counted by the retrigger rate limit', async () => {
    const limited = await startTestApp({ databaseUrl: testApp.databaseUrl, rateLimit: 1 });
    try {
      const webhook = await seedWebhook(limited.dataSource, { url: receiver.url });
      const first = await retrigger(webhook.id, { webhookNotificationIds: [randomUUID()] }, {}, limited);

      for (let i = 0; i < 3; i++) {
        expect((await read(auditPath(webhook.id), `Bearer ${limited.apiKey}`, limited)).status).toBe(200);
        expect(
          (await read(auditPath(webhook.id, first.body.retriggerId), `Bearer ${limited.apiKey}`, limited)).status,
        ).toBe(200);
      }
      const second = await retrigger(webhook.id, { webhookNotificationIds: [randomUUID()] }, {}, limited);

      expect(first.status).toBe(200);
      expect(second.body.name).toBe('RETRIGGER_RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });

  it('records a retrigger with nothing to send too: read, record opened, record completed', async () => {
    const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
    const unknownOnly = { webhookNotificationIds: [randomUUID(), randomUUID()] };
    testApp.queries.reset();

    const response = await retrigger(webhook.id, unknownOnly);

    // Nothing to send: the read, then the record opened alone and completed alone.
    expect(response.body.totalFailed).toBe(2);
    expect(testApp.queries.count).toBe(3);
    expect(await recordsOf(webhook.id)).toEqual([
      expect.objectContaining({ totalRequested: 2, totalSuccess: 0, totalFailed: 2, completedAt: expect.any(Date) }),
    ]);
  });

  it('keeps the record of a retrigger cut off by a crash, with completedAt null', async () => {
    const databaseUrl = testDatabaseUrl();
    const apiKey = `crash-${randomUUID()}`;
    let arrived: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    // Takes the delivery and never answers: the service dies mid-send.
    const silent = await Receiver.start(() => arrived());
    const service = await ServiceProcess.start({
      ADMIN_API_KEYS: apiKey,
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    const database = await openDatabase(databaseUrl);
    let revived: TestApp | undefined;
    try {
      const webhook = await seedWebhook(database, { url: silent.url });
      const stored = await seedNotification(database, webhook, newSecret());
      const cutOff = fetch(service.baseUrl + retriggerPath(webhook.id), {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ webhookNotificationIds: [stored.id], reason: 'before the crash' }),
      }).then(
        () => 'answered',
        () => 'cut off',
      );
      await reached;
      service.signal('SIGKILL');
      await service.exited;
      expect(await cutOff).toBe('cut off');

      revived = await startTestApp({ databaseUrl });
      const list = await read(auditPath(webhook.id), `Bearer ${revived.apiKey}`, revived);
      const [summary] = list.body.items;
      const record = await read(auditPath(webhook.id, summary.id), `Bearer ${revived.apiKey}`, revived);

      expect(list.body.items).toHaveLength(1);
      expect(record.body).toEqual({
        id: summary.id,
        webhookId: webhook.id,
        principal: principalOf(apiKey),
        reason: 'before the crash',
        signature: 'original',
        totalRequested: 1,
        totalSuccess: null,
        totalFailed: null,
        createdAt: expect.any(String),
        completedAt: null,
        items: [],
      });
      expect(await attemptsOf(database, stored.id)).toEqual([expect.objectContaining({ status: 'pending' })]);
    } finally {
      await revived?.close();
      await service.stop();
      await database.destroy();
      await silent.close();
    }
  }, 60_000);
});
