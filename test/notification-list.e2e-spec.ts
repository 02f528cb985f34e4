import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import type { NotificationStatus } from '../src/notifications-admin/entities/webhook-notification.entity';
import { assertMatchesSpec, SpecOperation } from './support/openapi';
import { seedAttempt, seedWebhook } from './support/seed';
import { listPath, onPostgres, retriggerPath, startTestApp, TestApp } from './support/test-app';

const LIST: SpecOperation = { path: '/api/notifications/v1/admin/webhooks/{webhookId}/notifications', method: 'get' };

interface ListedItem {
  id: string;
  eventType: string;
  status: NotificationStatus;
  createdAt: string;
  attemptCount: number;
  lastAttempt: null | Record<string, unknown>;
}

interface Row {
  id?: string;
  status?: NotificationStatus;
  eventType?: string;
  /** ISO 8601 UTC; on PostgreSQL it may carry microseconds. */
  createdAt: string;
  payload?: string;
  headers?: Record<string, string>;
}

/**
 * Writes notifications as the host does, with their created_at as given:
 * microseconds on PostgreSQL, SQLite's millisecond UTC text otherwise.
 */
async function insertNotifications(dataSource: DataSource, webhookId: string, rows: readonly Row[]): Promise<string[]> {
  const postgres = onPostgres();
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const createdAt = postgres ? row.createdAt : row.createdAt.replace('T', ' ').replace('Z', '').slice(0, 23);
    values.push(
      row.id ?? randomUUID(),
      webhookId,
      row.eventType ?? 'invoice.paid',
      row.payload ?? '{"type":"invoice.paid"}',
      JSON.stringify(row.headers ?? { 'content-type': 'application/json' }),
      row.status ?? 'failed',
      createdAt,
      createdAt,
    );
    const base = values.length - 8;
    const marks = Array.from({ length: 8 }, (_, i) => (postgres ? `$${base + i + 1}` : '?'));
    return `(${marks.join(', ')})`;
  });
  await dataSource.query(
    `INSERT INTO webhook_notifications (id, webhook_id, event_type, payload, headers, status, created_at, updated_at)
     VALUES ${tuples.join(', ')}`,
    values,
  );
  return rows.map((_row, index) => values[index * 8] as string);
}

/** `base` plus `ms` milliseconds, as ISO 8601 UTC. */
function at(base: string, ms: number): string {
  return new Date(Date.parse(base) + ms).toISOString();
}

describe('GET .../webhooks/{webhookId}/notifications', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(() => testApp.close());

  async function list(webhookId: string, query: Record<string, string> = {}, app: TestApp = testApp) {
    const response = await request(app.baseUrl)
      .get(listPath(webhookId))
      .query(query)
      .set('Authorization', `Bearer ${app.apiKey}`);
    assertMatchesSpec(response.status, response.body, LIST);
    return response;
  }

  /** The ids of `query`'s pages, following nextCursor to the last page or until `maxItems` ids are in. */
  async function walkIds(webhookId: string, query: Record<string, string>, maxItems = Infinity): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await list(webhookId, { ...query, ...(cursor ? { cursor } : {}) });
      ids.push(...(response.body.items as ListedItem[]).map((item) => item.id));
      cursor = response.body.nextCursor as string | null;
    } while (cursor !== null && ids.length < maxItems);
    return ids;
  }

  async function expectInvalid(webhookId: string, query: Record<string, string> | string, error: RegExp) {
    const response = await request(testApp.baseUrl)
      .get(`${listPath(webhookId)}?${typeof query === 'string' ? query : new URLSearchParams(query).toString()}`)
      .set('Authorization', `Bearer ${testApp.apiKey}`);
    assertMatchesSpec(response.status, response.body, LIST);
    expect(response.body).toEqual({ name: 'ValidationFailed', error: expect.stringMatching(error), status: 400 });
  }

  describe('paging', () => {
    it('walks 120 notifications in pages of 50, newest first, each once, while 30 more are written', async () => {
      const webhook = await seedWebhook(testApp.dataSource);
      const base = '2026-11-01T00:00:00.000Z';
      // Pairs share a millisecond, so the id decides their order.
      const original = await insertNotifications(
        testApp.dataSource,
        webhook.id,
        Array.from({ length: 120 }, (_, i) => ({ createdAt: at(base, Math.floor(i / 2) * 1000) })),
      );

      const walked: ListedItem[] = [];
      const writtenBelowCursor: string[] = [];
      const writtenAbove: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const response = await list(webhook.id, cursor ? { cursor } : {});
        expect(response.status).toBe(200);
        const items = response.body.items as ListedItem[];
        pageSizes.push(items.length);
        walked.push(...items);
        cursor = response.body.nextCursor as string | null;
        if (cursor !== null && pageSizes.length <= 2) {
          // After each of the first two pages: 8 newer than everything, 7 older than where the walk stands.
          const oldest = items[items.length - 1].createdAt;
          writtenAbove.push(
            ...(await insertNotifications(
              testApp.dataSource,
              webhook.id,
              Array.from({ length: 8 }, () => ({ createdAt: new Date().toISOString() })),
            )),
          );
          writtenBelowCursor.push(
            ...(await insertNotifications(
              testApp.dataSource,
              webhook.id,
              Array.from({ length: 7 }, (_, i) => ({ createdAt: at(oldest, -1 - i * 1700) })),
            )),
          );
        }
      } while (cursor !== null);

      const ids = walked.map((item) => item.id);
      expect(writtenAbove.length + writtenBelowCursor.length).toBe(30);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual([...original, ...writtenBelowCursor].sort());
      expect(ids.some((id) => writtenAbove.includes(id))).toBe(false);
      expect(pageSizes).toEqual([50, 50, 34]);
      for (let i = 1; i < walked.length; i++) {
        const [newer, older] = [walked[i - 1], walked[i]];
        const ordered =
          newer.createdAt > older.createdAt || (newer.createdAt === older.createdAt && newer.id > older.id);
        expect(ordered).toBe(true);
      }
    });

    it('pages through notifications written within the same millisecond, microseconds apart', async () => {
      const webhook = await seedWebhook(testApp.dataSource);
      const times = ['2026-11-02T10:00:00.123001Z', '2026-11-02T10:00:00.123002Z', '2026-11-02T10:00:00.123003Z'];
      const ids = await insertNotifications(
        testApp.dataSource,
        webhook.id,
        times.map((createdAt) => ({ createdAt })),
      );

      const walked = await walkIds(webhook.id, { limit: '1' }, 10);

      expect([...walked].sort()).toEqual([...ids].sort());
      if (onPostgres()) {
        expect(walked).toEqual([...ids].reverse());
      }
    });

    it('pages and filters rows stored to the second (TypeORM’s CreateDateColumn on SQLite) beside rows to the millisecond', async () => {
      const webhook = await seedWebhook(testApp.dataSource);
      const second = '2026-11-02T11:00:00Z';
      const ids = await insertNotifications(testApp.dataSource, webhook.id, [
        { createdAt: second },
        { createdAt: second },
        { createdAt: second },
        { createdAt: '2026-11-02T11:00:00.000Z' },
        { createdAt: '2026-11-02T11:00:00.500Z' },
      ]);

      const walked = await walkIds(webhook.id, { limit: '1' }, 10);
      expect([...walked].sort()).toEqual([...ids].sort());
      expect(walked[0]).toBe(ids[4]);

      const count = async (query: Record<string, string>) => ((await list(webhook.id, query)).body.items as []).length;
      expect(await count({ createdAfter: second })).toBe(5);
      expect(await count({ createdAfter: '2026-11-02T11:00:00.001Z' })).toBe(1);
      expect(await count({ createdBefore: '2026-11-02T11:00:00.500Z' })).toBe(4);
      expect(await count({ createdBefore: second })).toBe(0);
      const [newest, ...rest] = (await list(webhook.id)).body.items as ListedItem[];
      expect(newest.createdAt).toBe('2026-11-02T11:00:00.500Z');
      expect(rest.map((item) => item.createdAt)).toEqual(Array(4).fill('2026-11-02T11:00:00.000Z'));
    });

    it('answers an empty page with a null cursor, and a last page with a null cursor', async () => {
      const webhook = await seedWebhook(testApp.dataSource);
      expect((await list(webhook.id)).body).toEqual({ items: [], nextCursor: null });

      await insertNotifications(testApp.dataSource, webhook.id, [{ createdAt: '2026-11-03T00:00:00.000Z' }]);
      const response = await list(webhook.id, { limit: '1' });
      expect(response.body.items).toHaveLength(1);
      expect(response.body.nextCursor).toBeNull();
    });

    it('takes a cursor with another page size, but not on another webhook, other filters or altered', async () => {
      const webhook = await seedWebhook(testApp.dataSource);
      const other = await seedWebhook(testApp.dataSource);
      const base = '2026-11-04T00:00:00.000Z';
      const rows = Array.from({ length: 5 }, (_, i) => ({ createdAt: at(base, i * 1000) }));
      await insertNotifications(testApp.dataSource, webhook.id, rows);
      await insertNotifications(testApp.dataSource, other.id, rows);
      const first = await list(webhook.id, { limit: '2', status: 'failed' });
      const cursor = first.body.nextCursor as string;

      const next = await list(webhook.id, { limit: '3', status: 'failed', cursor });
      expect(next.status).toBe(200);
      expect(next.body.items).toHaveLength(3);

      await expectInvalid(other.id, { status: 'failed', cursor }, /^cursor is not valid for this list/);
      await expectInvalid(webhook.id, { cursor }, /^cursor is not valid for this list/);
      await expectInvalid(webhook.id, { status: 'failed,pending', cursor }, /^cursor is not valid for this list/);
      for (const index of [0, Math.floor(cursor.length / 2), cursor.length - 1]) {
        const altered = cursor.slice(0, index) + (cursor[index] === 'A' ? 'B' : 'A') + cursor.slice(index + 1);
        await expectInvalid(webhook.id, { status: 'failed', cursor: altered }, /^cursor is not valid for this list/);
      }
    });
  });

  describe('filters', () => {
    let webhookId: string;
    const base = '2026-11-05T00:00:00.000Z';
    const statuses: NotificationStatus[] = ['pending', 'delivered', 'failed'];
    const eventTypes = ['invoice.paid', 'invoice.voided'];
    const seeded: Array<{ id: string; status: NotificationStatus; eventType: string; createdAt: string }> = [];

    beforeAll(async () => {
      webhookId = (await seedWebhook(testApp.dataSource)).id;
      const rows = Array.from({ length: 24 }, (_, i) => ({
        status: statuses[i % 3],
        eventType: eventTypes[Math.floor(i / 3) % 2],
        createdAt: at(base, i * 60_000),
      }));
      const ids = await insertNotifications(testApp.dataSource, webhookId, rows);
      rows.forEach((row, i) => seeded.push({ id: ids[i], ...row }));
    });

    /** The seeded notifications that match, newest first, as the list should answer them. */
    function expected(match: (row: (typeof seeded)[number]) => boolean): string[] {
      return seeded
        .filter(match)
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
        .map((row) => row.id);
    }

    const minute = (i: number) => at(base, i * 60_000);
    const cases: Array<[string, Record<string, string>, (row: (typeof seeded)[number]) => boolean]> = [
      ['no filter', {}, () => true],
      ['status=failed', { status: 'failed' }, (row) => row.status === 'failed'],
      ['status=failed,pending', { status: 'failed,pending' }, (row) => row.status !== 'delivered'],
      ['status repeated in the list', { status: 'delivered,delivered' }, (row) => row.status === 'delivered'],
      ['eventType', { eventType: 'invoice.voided' }, (row) => row.eventType === 'invoice.voided'],
      ['eventType matching nothing', { eventType: 'invoice' }, () => false],
      ['createdAfter is inclusive', { createdAfter: minute(20) }, (row) => row.createdAt >= minute(20)],
      ['createdBefore is exclusive', { createdBefore: minute(3) }, (row) => row.createdAt < minute(3)],
      [
        'createdAfter with an offset',
        { createdAfter: '2026-11-05T01:20:00+01:00' },
        (row) => row.createdAt >= minute(20),
      ],
      [
        'every filter at once',
        { status: 'failed,delivered', eventType: 'invoice.paid', createdAfter: minute(4), createdBefore: minute(19) },
        (row) =>
          row.status !== 'pending' &&
          row.eventType === 'invoice.paid' &&
          row.createdAt >= minute(4) &&
          row.createdAt < minute(19),
      ],
    ];

    it.each(cases)('%s', async (_name, query, match) => {
      const response = await list(webhookId, query);

      expect(response.status).toBe(200);
      expect((response.body.items as ListedItem[]).map((item) => item.id)).toEqual(expected(match));
    });

    it('pages a filtered list without leaving the filter', async () => {
      const ids = await walkIds(webhookId, { status: 'failed', limit: '3' });

      expect(ids).toEqual(expected((row) => row.status === 'failed'));
    });
  });

  describe('items', () => {
    it('carry the attempt count and the newest attempt, and never the payload, headers or secret', async () => {
      const secret = 'whsec_c2VjcmV0LW5ldmVyLWxpc3RlZA==';
      const webhook = await seedWebhook(testApp.dataSource, { secret });
      const [tried, untried] = await insertNotifications(testApp.dataSource, webhook.id, [
        {
          createdAt: '2026-11-06T00:00:00.000Z',
          eventType: 'order.shipped',
          payload: '{"card":"payload-never-listed"}',
          headers: { 'webhook-signature': 'v1,header-never-listed' },
        },
        { createdAt: '2026-11-06T00:00:01.000Z', status: 'pending' },
      ]);
      await seedAttempt(testApp.dataSource, tried, { createdAt: new Date('2026-11-06T00:00:00.100Z') });
      await seedAttempt(testApp.dataSource, tried, {
        createdAt: new Date('2026-11-06T00:05:00.000Z'),
        status: 'failed',
        responseStatus: 503,
        responseBody: 'response-body-never-listed',
        error: 'receiver answered 503',
        retriggeredBy: 'apikey:0123456789ab',
      });
      const newest = await seedAttempt(testApp.dataSource, tried, {
        createdAt: new Date('2026-11-06T00:09:00.000Z'),
        status: 'pending',
        responseStatus: null,
        responseBody: null,
        durationMs: null,
        completedAt: null,
        retriggeredBy: 'apikey:0123456789ab',
      });

      const response = await list(webhook.id);

      expect(response.body.items).toEqual([
        {
          id: untried,
          eventType: 'invoice.paid',
          status: 'pending',
          createdAt: '2026-11-06T00:00:01.000Z',
          attemptCount: 0,
          lastAttempt: null,
        },
        {
          id: tried,
          eventType: 'order.shipped',
          status: 'failed',
          createdAt: '2026-11-06T00:00:00.000Z',
          attemptCount: 3,
          lastAttempt: {
            id: newest.id,
            status: 'pending',
            responseStatus: null,
            error: null,
            retriggeredBy: 'apikey:0123456789ab',
            createdAt: '2026-11-06T00:09:00.000Z',
            completedAt: null,
          },
        },
      ]);
      for (const secretPart of [secret, 'payload-never-listed', 'header-never-listed', 'response-body-never-listed']) {
        expect(response.text).not.toContain(secretPart);
      }
    });

    it('show the newest attempt with its outcome', async () => {
      const webhook = await seedWebhook(testApp.dataSource);
      const [id] = await insertNotifications(testApp.dataSource, webhook.id, [{ createdAt: '2026-11-07T00:00:00Z' }]);
      const attempt = await seedAttempt(testApp.dataSource, id, {
        createdAt: new Date('2026-11-07T00:01:00.000Z'),
        status: 'failed',
        responseStatus: 500,
        error: 'receiver answered 500',
      });

      const [item] = (await list(webhook.id)).body.items as ListedItem[];

      expect(item.lastAttempt).toEqual({
        id: attempt.id,
        status: 'failed',
        responseStatus: 500,
        error: 'receiver answered 500',
        retriggeredBy: null,
        createdAt: '2026-11-07T00:01:00.000Z',
        completedAt: '2026-11-07T00:01:00.012Z',
      });
    });
  });

  describe('checks, in the retrigger’s order', () => {
    it('403 AccessDenied before anything else', async () => {
      const response = await request(testApp.baseUrl)
        .get(`${listPath('not-a-uuid')}?status=bogus`)
        .set('Authorization', 'Bearer wrong');
      assertMatchesSpec(response.status, response.body, LIST);
      expect(response.body).toEqual({ name: 'AccessDenied', error: expect.any(String), status: 403 });
    });

    it('400 IllegalArgument for a webhookId that is not a UUID, even with a bad query value', async () => {
      const response = await list('not-a-uuid', { status: 'bogus', limit: '0' });
      expect(response.body).toEqual({ name: 'IllegalArgument', error: 'webhookId must be a UUID', status: 400 });
    });

    const bad: Array<[string, string, RegExp]> = [
      ['an unknown status', 'status=sent', /^status has an unknown value "sent"/],
      ['an empty status', 'status=', /^status has an unknown value ""/],
      ['one bad status among good ones', 'status=failed,Delivered', /^status has an unknown value "Delivered"/],
      ['status given twice', 'status=failed&status=pending', /^status must be given once/],
      ['an empty eventType', 'eventType=', /^eventType must be 1 to 255 characters$/],
      ['a date without a time or zone', 'createdAfter=2026-11-30', /^createdAfter "2026-11-30" is not an ISO 8601/],
      [
        'a date-time without a zone',
        'createdBefore=2026-11-30T10:00:00',
        /^createdBefore "2026-11-30T10:00:00" is not an ISO 8601 date-time with a zone/,
      ],
      ['an impossible date', 'createdAfter=2026-02-30T00:00:00Z', /^createdAfter "2026-02-30T00:00:00Z" is not/],
      ['words', 'createdAfter=yesterday', /^createdAfter "yesterday" is not/],
      [
        'createdAfter later than createdBefore',
        'createdAfter=2026-11-30T10:00:00Z&createdBefore=2026-11-30T09:00:00Z',
        /^createdAfter "2026-11-30T10:00:00Z" is later than createdBefore "2026-11-30T09:00:00Z"$/,
      ],
      ['limit 0', 'limit=0', /^limit "0" must be an integer from 1 to 200$/],
      ['limit 201', 'limit=201', /^limit "201" must be an integer from 1 to 200$/],
      ['limit not a number', 'limit=ten', /^limit "ten" must be an integer/],
      ['limit with an exponent', 'limit=1e2', /^limit "1e2" must be an integer/],
      ['limit negative', 'limit=-5', /^limit "-5" must be an integer/],
      ['a cursor that is not ours', 'cursor=abc.def', /^cursor is not valid for this list/],
      ['an unknown parameter', 'stauts=failed', /^unknown query parameter "stauts"/],
    ];

    it.each(bad)('400 ValidationFailed naming %s', async (_name, query, error) => {
      await expectInvalid(randomUUID(), query, error);
    });

    it('404 NotFound for an unknown webhook, after the query checks', async () => {
      const response = await list(randomUUID(), { status: 'failed' });
      expect(response.body).toEqual({ name: 'NotFound', error: expect.stringMatching(/not found$/), status: 404 });
    });

    it('lists a disabled webhook’s notifications', async () => {
      const webhook = await seedWebhook(testApp.dataSource, { enabled: false });
      await insertNotifications(testApp.dataSource, webhook.id, [{ createdAt: '2026-11-08T00:00:00Z' }]);
      const response = await list(webhook.id);
      expect(response.status).toBe(200);
      expect(response.body.items).toHaveLength(1);
    });

    it('matches the webhook id whatever its case', async () => {
      const webhook = await seedWebhook(testApp.dataSource);
      await insertNotifications(testApp.dataSource, webhook.id, [{ createdAt: '2026-11-09T00:00:00Z' }]);
      const response = await list(webhook.id.toUpperCase());
      expect(response.body.items).toHaveLength(1);
    });
  });

  describe('rate limit', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startTestApp({ rateLimit: 1, rateWindowMs: 60_000 });
    });
    afterAll(() => limited.close());

    it('is neither applied to the list nor counted by it', async () => {
      const webhook = await seedWebhook(limited.dataSource);
      for (let i = 0; i < 5; i++) {
        expect((await list(webhook.id, {}, limited)).status).toBe(200);
      }
      const retrigger = await request(limited.baseUrl)
        .post(retriggerPath(webhook.id))
        .set('Authorization', `Bearer ${limited.apiKey}`)
        .send({ webhookNotificationIds: [randomUUID()] });
      expect(retrigger.status).toBe(200);
    });
  });

  describe('SQL', () => {
    it('is one statement per page, whatever the filters, cursor or page size', async () => {
      const webhook = await seedWebhook(testApp.dataSource);
      const ids = await insertNotifications(
        testApp.dataSource,
        webhook.id,
        Array.from({ length: 30 }, (_, i) => ({ createdAt: at('2026-11-10T00:00:00Z', i * 1000) })),
      );
      for (const id of ids.slice(0, 10)) {
        await seedAttempt(testApp.dataSource, id, { createdAt: new Date('2026-11-10T01:00:00Z') });
      }
      const query = { status: 'failed,pending', eventType: 'invoice.paid', createdAfter: '2026-11-01T00:00:00Z' };
      let cursor: string | null = null;
      let pages = 0;
      do {
        testApp.queries.reset();
        const response = await list(webhook.id, { ...query, limit: '7', ...(cursor ? { cursor } : {}) });
        expect(testApp.queries.count).toBe(1);
        cursor = response.body.nextCursor as string | null;
        pages += 1;
      } while (cursor !== null);
      expect(pages).toBe(5);
    });

    /**
     * 40,000 notifications over 40 webhooks (written in one statement) and
     * fresh statistics, so the planner's choice is the one it makes on a real
     * table: no enable_seqscan games. PostgreSQL's EXPLAIN and SQLite's
     * EXPLAIN QUERY PLAN of the very statement a page ran, with its parameters.
     */
    it('walks the (webhook_id, created_at, id) index: no sequential scan, no sort', async () => {
      const webhooks = await Promise.all(Array.from({ length: 40 }, () => seedWebhook(testApp.dataSource)));
      const webhookIds = webhooks.map((webhook) => webhook.id);
      await bulkInsertNotifications(testApp.dataSource, webhookIds, 40_000);
      try {
        await testApp.dataSource.query(onPostgres() ? 'ANALYZE webhook_notifications' : 'ANALYZE');
        const first = await list(webhookIds[7], { status: 'failed' });
        const cursor = first.body.nextCursor as string;
        expect(first.body.items).toHaveLength(50);

        const queries: Array<Record<string, string>> = [
          { status: 'failed' },
          { status: 'failed', cursor },
          { createdAfter: '2026-01-01T00:00:00Z', createdBefore: '2099-01-01T00:00:00Z', limit: '200' },
        ];
        for (const query of queries) {
          testApp.queries.reset();
          expect((await list(webhookIds[7], query)).status).toBe(200);
          const [statement, parameters] = [testApp.queries.statements[0], testApp.queries.parameters[0]];
          if (onPostgres()) {
            const [plan] = await testApp.dataSource.query<Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>>(
              `EXPLAIN (FORMAT JSON) ${statement}`,
              parameters,
            );
            const nodes = flatten(plan['QUERY PLAN'][0].Plan);
            const readsNotifications = (node: PlanNode) =>
              flatten(node).some((inner) => inner['Relation Name'] === 'webhook_notifications');
            const scans = nodes.filter((node) => node['Relation Name'] === 'webhook_notifications');
            expect(scans.map((node) => [node['Node Type'], node['Index Name']])).toEqual([
              ['Index Scan', 'idx_webhook_notifications_webhook_created'],
            ]);
            // A sort of one notification's attempts (for the newest) is fine; a sort of notifications is not.
            expect(nodes.filter((node) => /Sort/.test(node['Node Type']) && readsNotifications(node))).toEqual([]);
          } else {
            const plan = await testApp.dataSource.query<SqlitePlanStep[]>(
              `EXPLAIN QUERY PLAN ${statement}`,
              parameters,
            );
            const details = plan.map((step) => step.detail);
            expect(details).toContainEqual(
              expect.stringMatching(/^SEARCH n USING (COVERING )?INDEX idx_webhook_notifications_webhook_created /),
            );
            expect(details.filter((detail) => /^SCAN n\b/.test(detail))).toEqual([]);
            // The only sort allowed is inside the correlated subquery that picks one notification's newest attempt.
            const sorts = plan.filter((step) => step.detail.includes('TEMP B-TREE'));
            const parents = sorts.map((sort) => plan.find((step) => step.id === sort.parent)?.detail);
            expect(parents.filter((parent) => !/^CORRELATED SCALAR SUBQUERY/.test(parent ?? ''))).toEqual([]);
          }
        }
      } finally {
        await testApp.dataSource.query(
          `DELETE FROM webhooks WHERE id IN (${webhookIds.map((_id, i) => (onPostgres() ? `$${i + 1}` : '?')).join(', ')})`,
          webhookIds,
        );
      }
    }, 120_000);
  });
});

/** `count` notifications spread over the webhooks, a second apart, a third of each status, in one statement. */
async function bulkInsertNotifications(dataSource: DataSource, webhookIds: string[], count: number): Promise<void> {
  if (onPostgres()) {
    await dataSource.query(
      `INSERT INTO webhook_notifications (id, webhook_id, event_type, payload, headers, status, created_at, updated_at)
       SELECT gen_random_uuid(), ($1::uuid[])[1 + i % $3], 'invoice.paid', '{}', '{}'::jsonb,
              (ARRAY['pending', 'delivered', 'failed'])[1 + i % 3], now() - i * interval '1 second', now()
         FROM generate_series(1, $2::integer) AS i`,
      [webhookIds, count, webhookIds.length],
    );
    return;
  }
  await dataSource.query(
    `WITH RECURSIVE i (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?)
     INSERT INTO webhook_notifications (id, webhook_id, event_type, payload, headers, status, created_at, updated_at)
     SELECT printf('%08x-0000-4000-8000-%012x', n, abs(random()) % 281474976710655),
            (SELECT value FROM json_each(?) WHERE key = n % ?), 'invoice.paid', '{}', '{}',
            CASE n % 3 WHEN 0 THEN 'pending' WHEN 1 THEN 'delivered' ELSE 'failed' END,
            strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || n || ' seconds'), strftime('%Y-%m-%d %H:%M:%f', 'now')
       FROM i`,
    [count, JSON.stringify(webhookIds), webhookIds.length],
  );
}

interface SqlitePlanStep {
  id: number;
  parent: number;
  detail: string;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}
