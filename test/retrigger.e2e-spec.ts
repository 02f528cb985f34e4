import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { RetriggerAuditRecordEntity } from '../src/notifications-admin/entities/retrigger-audit-record.entity';
import { WebhookEntity } from '../src/notifications-admin/entities/webhook.entity';
import { WebhookNotificationRequestEntity } from '../src/notifications-admin/entities/webhook-notification-request.entity';
import { assertMatchesSpec } from './support/openapi';
import { answer, closedPort, Receiver } from './support/receivers';
import {
  attemptsOf,
  HOUR_OLD_SIGNATURE,
  newSecret,
  notificationStatus,
  secondsAbout,
  seedNotification,
  seedPendingAttempt,
  seedWebhook,
} from './support/seed';
import { onPostgres, principalOf, retriggerPath, startTestApp, TestApp } from './support/test-app';

/** Sends a retrigger and checks the answer against the OpenAPI document. */
async function retrigger(testApp: TestApp, webhookId: string, ids: unknown, headers: Record<string, string> = {}) {
  const response = await request(testApp.baseUrl)
    .post(retriggerPath(webhookId))
    .set('Authorization', `Bearer ${testApp.apiKey}`)
    .set(headers)
    .send(ids === undefined ? {} : { webhookNotificationIds: ids });
  assertMatchesSpec(response.status, response.body);
  return response;
}

/** What a successful item carries beside its ids: seeded notifications were signed an hour ago. */
const SUCCESS_DETAILS = { reason: null, responseStatus: 200, ...HOUR_OLD_SIGNATURE };
/** What an item whose notification was not found carries beside its ids and reason. */
const NOT_SENT_DETAILS = { responseStatus: null, signatureAgeSeconds: null, warning: null };
/** A signature made a second before the retrigger: no receiver tolerance is near. */
const FRESH_SIGNATURE = { signatureAgeSeconds: secondsAbout(1), warning: null };

describe('POST .../webhooks/{webhookId}/notifications/retrigger', () => {
  let testApp: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    testApp = await startTestApp();
    receiver = await Receiver.start(answer(200, 'thanks'));
  });

  afterAll(async () => {
    await testApp.close();
    await receiver.close();
  });

  describe('signatures', () => {
    /** A receiver that verifies Standard Webhooks signatures with the secret it currently knows. */
    async function verifyingReceiver(secret: () => string) {
      const verified: string[] = [];
      const server = await Receiver.start((received, response) => {
        try {
          new Webhook(secret()).verify(received.body.toString('utf8'), received.headers as Record<string, string>);
          verified.push(received.body.toString('utf8'));
          response.writeHead(204).end();
        } catch {
          response.writeHead(401, { 'content-type': 'text/plain' }).end('invalid signature');
        }
      });
      return { server, verified };
    }

    it('re-sends the stored bytes and original signature, which the receiver verifies', async () => {
      const secret = newSecret();
      const { server, verified } = await verifyingReceiver(() => secret);
      try {
        const webhook = await seedWebhook(testApp.dataSource, { url: server.url, secret });
        const stored = await seedNotification(testApp.dataSource, webhook, secret, { freshSignature: true });

        const response = await retrigger(testApp, webhook.id, [stored.id]);

        expect(response.status).toBe(200);
        expect(response.body.successfulNotifications).toEqual([
          {
            webhookNotificationId: stored.id,
            retriggeredNotificationRequestId: expect.any(String),
            error: null,
            ...SUCCESS_DETAILS,
            ...FRESH_SIGNATURE,
            responseStatus: 204,
          },
        ]);
        expect(verified).toEqual([stored.payload]);
        expect(server.requests[0].body.equals(Buffer.from(stored.payload, 'utf8'))).toBe(true);
        for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type']) {
          expect(server.requests[0].headers[name]).toBe(stored.headers[name]);
        }
      } finally {
        await server.close();
      }
    });

    it('fails the item in original mode when the secret was rotated since the first send', async () => {
      const original = newSecret();
      const rotated = newSecret();
      const { server, verified } = await verifyingReceiver(() => rotated);
      try {
        const webhook = await seedWebhook(testApp.dataSource, { url: server.url, secret: original });
        const stored = await seedNotification(testApp.dataSource, webhook, original, { freshSignature: true });
        await testApp.dataSource
          .getRepository(WebhookEntity)
          .update(webhook.id, { secret: rotated, secretRotatedAt: new Date() });

        const response = await retrigger(testApp, webhook.id, [stored.id]);

        expect(response.body.failedNotifications).toEqual([
          {
            webhookNotificationId: stored.id,
            retriggeredNotificationRequestId: expect.any(String),
            error: 'receiver answered 401',
            reason: 'RECEIVER_REJECTED',
            responseStatus: 401,
            ...FRESH_SIGNATURE,
          },
        ]);
        expect(verified).toEqual([]);
        const [attempt] = await attemptsOf(testApp.dataSource, stored.id);
        expect(attempt).toMatchObject({ status: 'failed', responseStatus: 401, responseBody: 'invalid signature' });
        expect(await notificationStatus(testApp.dataSource, stored.id)).toBe('failed');
      } finally {
        await server.close();
      }
    });
  });

  describe('a successful retrigger', () => {
    it('answers totals and items in request order, and records each attempt', async () => {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const secret = newSecret();
      const first = await seedNotification(testApp.dataSource, webhook, secret);
      const second = await seedNotification(testApp.dataSource, webhook, secret, { status: 'pending' });
      const unknown = randomUUID();

      const response = await retrigger(testApp, webhook.id, [second.id, unknown, first.id]);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        retriggerId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        signature: 'original',
        dryRun: false,
        totalRequested: 3,
        totalSuccess: 2,
        totalFailed: 1,
        successfulNotifications: [
          {
            webhookNotificationId: second.id,
            retriggeredNotificationRequestId: expect.any(String),
            error: null,
            ...SUCCESS_DETAILS,
          },
          {
            webhookNotificationId: first.id,
            retriggeredNotificationRequestId: expect.any(String),
            error: null,
            ...SUCCESS_DETAILS,
          },
        ],
        failedNotifications: [
          {
            webhookNotificationId: unknown,
            retriggeredNotificationRequestId: null,
            error: 'notification not found for this webhook',
            ...NOT_SENT_DETAILS,
            reason: 'NOT_FOUND',
          },
        ],
      });
      const [attempt] = await attemptsOf(testApp.dataSource, first.id);
      expect(attempt).toMatchObject({
        id: response.body.successfulNotifications[1].retriggeredNotificationRequestId,
        url: receiver.url,
        status: 'succeeded',
        responseStatus: 200,
        responseBody: 'thanks',
        error: null,
        retriggeredBy: principalOf(testApp.apiKey),
      });
      expect(attempt.durationMs).toEqual(expect.any(Number));
      expect(attempt.completedAt).toBeInstanceOf(Date);
      expect(await notificationStatus(testApp.dataSource, first.id)).toBe('delivered');
      expect(await notificationStatus(testApp.dataSource, second.id)).toBe('delivered');
    });

    it('records the attempt as pending before the receiver gets the request', async () => {
      let seenByReceiver: WebhookNotificationRequestEntity[] = [];
      let notificationId = '';
      const observing = await Receiver.start(async (_request, response) => {
        seenByReceiver = await attemptsOf(testApp.dataSource, notificationId);
        response.writeHead(200).end();
      });
      try {
        const webhook = await seedWebhook(testApp.dataSource, { url: observing.url });
        notificationId = (await seedNotification(testApp.dataSource, webhook, newSecret())).id;

        const response = await retrigger(testApp, webhook.id, [notificationId]);

        expect(seenByReceiver).toEqual([
          expect.objectContaining({
            id: response.body.successfulNotifications[0].retriggeredNotificationRequestId,
            status: 'pending',
            durationMs: null,
            completedAt: null,
          }),
        ]);
        expect((await attemptsOf(testApp.dataSource, notificationId))[0].status).toBe('succeeded');
      } finally {
        await observing.close();
      }
    });

    it('matches ids whatever their case, and answers them as sent', async () => {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const stored = await seedNotification(testApp.dataSource, webhook, newSecret());

      const response = await retrigger(testApp, webhook.id.toUpperCase(), [stored.id.toUpperCase()]);

      expect(response.body.successfulNotifications).toEqual([
        {
          webhookNotificationId: stored.id.toUpperCase(),
          retriggeredNotificationRequestId: expect.any(String),
          error: null,
          ...SUCCESS_DETAILS,
        },
      ]);
      expect(await attemptsOf(testApp.dataSource, stored.id)).toHaveLength(1);
    });

    it('sends to the webhook’s current URL', async () => {
      const moved = await Receiver.start(answer(202));
      try {
        const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
        const stored = await seedNotification(testApp.dataSource, webhook, newSecret());
        await testApp.dataSource.getRepository(WebhookEntity).update(webhook.id, { url: moved.url });

        const response = await retrigger(testApp, webhook.id, [stored.id]);

        expect(response.body.totalSuccess).toBe(1);
        expect(moved.requests).toHaveLength(1);
        expect((await attemptsOf(testApp.dataSource, stored.id))[0].url).toBe(moved.url);
      } finally {
        await moved.close();
      }
    });

    it('forwards stored headers except hop-by-hop and transport ones', async () => {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const stored = await seedNotification(testApp.dataSource, webhook, newSecret(), {
        extraHeaders: {
          'x-tenant': 'acme',
          host: 'evil.example',
          'content-length': '1',
          connection: 'close',
          'proxy-authorization': 'x',
          te: 'trailers',
        },
      });
      const before = receiver.requests.length;

      await retrigger(testApp, webhook.id, [stored.id]);

      const received = receiver.requests[before];
      expect(received.headers['x-tenant']).toBe('acme');
      expect(received.headers.host).toBe(new URL(receiver.url).host);
      expect(received.headers['content-length']).toBe(String(Buffer.byteLength(stored.payload)));
      expect(received.headers['proxy-authorization']).toBeUndefined();
      expect(received.headers.te).toBeUndefined();
      // Besides the stored headers, only the client's own: nothing axios's per-method or browser defaults add.
      const forwarded = Object.keys(stored.headers).filter(
        (name) => !['host', 'content-length', 'connection', 'proxy-authorization', 'te'].includes(name),
      );
      expect(Object.keys(received.headers).sort()).toEqual(
        [...forwarded, 'host', 'content-length', 'connection', 'user-agent', 'accept', 'accept-encoding'].sort(),
      );
      expect(received.headers['user-agent']).toBe('notifications-admin-retrigger/1.0');
      expect(received.headers.accept).toBe('application/json, text/plain, */*');
      expect(received.headers['content-type']).toBe('application/json');
    });
  });

  describe('per-item failures', () => {
    let timeoutApp: TestApp;
    beforeAll(async () => {
      timeoutApp = await startTestApp({ webhookTimeoutMs: 300 });
    });
    afterAll(() => timeoutApp.close());

    type Case = [string, () => Promise<{ url: string; close(): Promise<void> }>, RegExp, number | null, RegExp];
    const cases: Case[] = [
      [
        'receiver 500',
        () => Receiver.start(answer(500, 'boom')),
        /^receiver answered 500$/,
        500,
        /^RECEIVER_REJECTED$/,
      ],
      [
        'receiver 302',
        () => Receiver.start(answer(302, '', { location: 'http://127.0.0.1:1/' })),
        /^receiver answered 302; redirects are not followed$/,
        302,
        /^REDIRECT_NOT_FOLLOWED$/,
      ],
      ['receiver 404', () => Receiver.start(answer(404)), /^receiver answered 404$/, 404, /^RECEIVER_REJECTED$/],
      [
        'refused connection',
        async () => ({ url: `http://127.0.0.1:${await closedPort()}/hooks`, close: () => Promise.resolve() }),
        /^connection refused by 127\.0\.0\.1:\d+$/,
        null,
        /^CONNECTION_FAILED$/,
      ],
      [
        'connection reset',
        () => Receiver.start((_request, response) => void response.socket?.destroy()),
        /^connection reset by /,
        null,
        /^CONNECTION_FAILED$/,
      ],
      [
        // Written, not ended: the parser's error is then the only way the exchange ends.
        'an answer that is not HTTP',
        () => Receiver.start((_request, response) => void response.socket?.write('NOT HTTP AT ALL\r\n\r\n')),
        /^malformed HTTP response from 127\.0\.0\.1:\d+$/,
        null,
        /^MALFORMED_RESPONSE$/,
      ],
      [
        'a status line with a broken header',
        () =>
          Receiver.start(
            (_request, response) => void response.socket?.write('HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n'),
          ),
        /^malformed HTTP response from 127\.0\.0\.1:\d+$/,
        null,
        /^MALFORMED_RESPONSE$/,
      ],
    ];

    it.each(cases)(
      '%s → failed item with the attempt id, a reason code and an error in words',
      async (_name, start, error, responseStatus, reason) => {
        const target = await start();
        try {
          const webhook = await seedWebhook(testApp.dataSource, { url: target.url });
          const stored = await seedNotification(testApp.dataSource, webhook, newSecret(), { status: 'failed' });

          const response = await retrigger(testApp, webhook.id, [stored.id]);

          expect(response.body.totalFailed).toBe(1);
          const [item] = response.body.failedNotifications;
          expect(item.error).toMatch(error);
          expect(item.reason).toMatch(reason);
          expect(item.responseStatus).toBe(responseStatus);
          const [attempt] = await attemptsOf(testApp.dataSource, stored.id);
          expect(item.retriggeredNotificationRequestId).toBe(attempt.id);
          expect(attempt).toMatchObject({ status: 'failed', responseStatus, error: item.error });
          expect(attempt.durationMs).toEqual(expect.any(Number));
          expect(await notificationStatus(testApp.dataSource, stored.id)).toBe('failed');
        } finally {
          await target.close();
        }
      },
    );

    it('times out on a total deadline, even when the receiver trickles its answer', async () => {
      const trickling = await Receiver.start((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => response.write('.'), 50);
        response.on('close', () => clearInterval(timer));
      });
      const silent = await Receiver.start(() => undefined);
      try {
        for (const target of [trickling, silent]) {
          const webhook = await seedWebhook(timeoutApp.dataSource, { url: target.url });
          const stored = await seedNotification(timeoutApp.dataSource, webhook, newSecret(), { status: 'pending' });

          const response = await retrigger(timeoutApp, webhook.id, [stored.id]);

          expect(response.body.failedNotifications[0]).toMatchObject({
            error: 'timed out after 300 ms',
            reason: 'TIMEOUT',
            responseStatus: null,
          });
          const [attempt] = await attemptsOf(timeoutApp.dataSource, stored.id);
          expect(attempt).toMatchObject({ status: 'failed', error: 'timed out after 300 ms' });
          expect(await notificationStatus(timeoutApp.dataSource, stored.id)).toBe('pending');
        }
      } finally {
        await trickling.close();
        await silent.close();
      }
    });

    it('stored headers that are not valid HTTP headers → INVALID_STORED_HEADERS, nothing reaches the receiver', async () => {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const stored = await seedNotification(testApp.dataSource, webhook, newSecret(), {
        extraHeaders: { 'x-injected': 'a\r\nx-evil: 1' },
      });
      const before = receiver.requests.length;

      const response = await retrigger(testApp, webhook.id, [stored.id]);

      const [attempt] = await attemptsOf(testApp.dataSource, stored.id);
      expect(response.body.failedNotifications).toEqual([
        {
          webhookNotificationId: stored.id,
          retriggeredNotificationRequestId: attempt.id,
          error: 'the stored headers are not valid HTTP headers',
          reason: 'INVALID_STORED_HEADERS',
          responseStatus: null,
          ...HOUR_OLD_SIGNATURE,
        },
      ]);
      expect(attempt).toMatchObject({ status: 'failed', error: 'the stored headers are not valid HTTP headers' });
      expect(receiver.requests.length).toBe(before);
    });

    it('fails a notification that belongs to another webhook, without sending it', async () => {
      const mine = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const other = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const foreign = await seedNotification(testApp.dataSource, other, newSecret());
      const before = receiver.requests.length;

      const response = await retrigger(testApp, mine.id, [foreign.id]);

      expect(response.body.failedNotifications).toEqual([
        {
          webhookNotificationId: foreign.id,
          retriggeredNotificationRequestId: null,
          error: 'notification not found for this webhook',
          ...NOT_SENT_DETAILS,
          reason: 'NOT_FOUND',
        },
      ]);
      expect(receiver.requests.length).toBe(before);
      expect(await attemptsOf(testApp.dataSource, foreign.id)).toEqual([]);
    });

    it.each([
      ['a value with a line break', { 'x-note': 'first\r\nx-injected: yes' }],
      ['a name that is not a token', { 'x tenant': 'acme' }],
    ])('fails an item whose stored headers hold %s, sending nothing', async (_what, extraHeaders) => {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const stored = await seedNotification(testApp.dataSource, webhook, newSecret(), { extraHeaders });
      const before = receiver.requests.length;

      const response = await retrigger(testApp, webhook.id, [stored.id]);

      expect(response.body.failedNotifications).toEqual([
        expect.objectContaining({
          error: 'the stored headers are not valid HTTP headers',
          reason: 'INVALID_STORED_HEADERS',
          responseStatus: null,
        }),
      ]);
      expect(receiver.requests.length).toBe(before);
    });

    it('keeps only the first 4096 bytes of a large answer', async () => {
      const big = await Receiver.start(answer(200, 'é'.repeat(100_000)));
      try {
        const webhook = await seedWebhook(testApp.dataSource, { url: big.url });
        const stored = await seedNotification(testApp.dataSource, webhook, newSecret());

        const response = await retrigger(testApp, webhook.id, [stored.id]);

        expect(response.body.totalSuccess).toBe(1);
        const [attempt] = await attemptsOf(testApp.dataSource, stored.id);
        expect(Buffer.byteLength(attempt.responseBody ?? '')).toBe(4096);
      } finally {
        await big.close();
      }
    });
  });

  describe('delivery', () => {
    const ACK = 'thanks, got it';
    it.each([
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['deflate (raw, as some servers send it)', deflateRawSync],
      ['br', brotliCompressSync],
    ])('stores a %s-encoded answer decoded', async (name, encode) => {
      const encoding = name.split(' ')[0];
      const encoded = await Receiver.start((_request, response) => {
        response
          .writeHead(200, { 'content-encoding': encoding, 'content-type': 'text/plain' })
          .end(encode(Buffer.from(ACK)));
      });
      try {
        const webhook = await seedWebhook(testApp.dataSource, { url: encoded.url });
        const stored = await seedNotification(testApp.dataSource, webhook, newSecret());

        const response = await retrigger(testApp, webhook.id, [stored.id]);

        expect(response.body.totalSuccess).toBe(1);
        expect((await attemptsOf(testApp.dataSource, stored.id))[0].responseBody).toBe(ACK);
        expect(encoded.requests[0].headers['accept-encoding']).toBe('gzip, deflate, br');
      } finally {
        await encoded.close();
      }
    });

    it('re-uses keep-alive connections: a second retrigger opens no new socket', async () => {
      const sockets = new Set<Socket>();
      const counting = await Receiver.start((_request, response, raw) => {
        sockets.add(raw.socket);
        response.writeHead(200).end('ok');
      });
      try {
        const webhook = await seedWebhook(testApp.dataSource, { url: counting.url });
        const secret = newSecret();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push((await seedNotification(testApp.dataSource, webhook, secret)).id);
        }

        await retrigger(testApp, webhook.id, ids);
        const afterFirst = sockets.size;
        await retrigger(testApp, webhook.id, ids);

        expect(counting.requests).toHaveLength(10);
        expect(afterFirst).toBeLessThanOrEqual(5);
        expect(sockets.size).toBe(afterFirst);
      } finally {
        await counting.close();
      }
    });
  });

  describe('in flight', () => {
    it('fails an item whose notification already has a pending attempt, writing no row', async () => {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const stored = await seedNotification(testApp.dataSource, webhook, newSecret());
      await seedPendingAttempt(testApp.dataSource, stored.id, receiver.url);
      const before = receiver.requests.length;

      const response = await retrigger(testApp, webhook.id, [stored.id]);

      expect(response.body.failedNotifications).toEqual([
        {
          webhookNotificationId: stored.id,
          retriggeredNotificationRequestId: null,
          error: 'a retrigger of this notification is already in progress',
          ...NOT_SENT_DETAILS,
          ...HOUR_OLD_SIGNATURE,
          reason: 'IN_FLIGHT',
        },
      ]);
      expect(receiver.requests.length).toBe(before);
      expect(await attemptsOf(testApp.dataSource, stored.id)).toHaveLength(1);
    });
  });

  describe('concurrency', () => {
    it('sends the 25 notifications of one request at the same time', async () => {
      const expected = 25;
      let open = 0;
      let maxOpen = 0;
      const waiting: Array<() => void> = [];
      // Holds each request until all have arrived, or lets it go after a few seconds.
      const gate = await Receiver.start((_request, response) => {
        open += 1;
        maxOpen = Math.max(maxOpen, open);
        const release = () => {
          clearTimeout(giveUp);
          open -= 1;
          response.writeHead(200).end('ok');
        };
        const giveUp = setTimeout(() => {
          waiting.splice(waiting.indexOf(release), 1);
          release();
        }, 5_000);
        waiting.push(release);
        if (waiting.length === expected) {
          waiting.splice(0).forEach((done) => done());
        }
      });
      try {
        const webhook = await seedWebhook(testApp.dataSource, { url: gate.url });
        const secret = newSecret();
        const ids: string[] = [];
        for (let i = 0; i < expected; i++) {
          ids.push((await seedNotification(testApp.dataSource, webhook, secret)).id);
        }

        const response = await retrigger(testApp, webhook.id, ids);

        expect(response.body.totalSuccess).toBe(expected);
        expect(
          response.body.successfulNotifications.map(
            (item: { webhookNotificationId: string }) => item.webhookNotificationId,
          ),
        ).toEqual(ids);
        expect(maxOpen).toBe(expected);
      } finally {
        await gate.close();
      }
    });
  });

  describe('SQL statements per request', () => {
    it.each([1, 25])('is constant for %i id(s), and at most 4 on PostgreSQL', async (count) => {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const secret = newSecret();
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        ids.push((await seedNotification(testApp.dataSource, webhook, secret)).id);
      }
      testApp.queries.reset();

      const response = await retrigger(testApp, webhook.id, ids);

      expect(response.body.totalSuccess).toBe(count);
      // PostgreSQL: read; insert of the attempts, opening the audit record; one completion statement, completing
      // it. SQLite has no data-modifying CTE: a local transaction around each of the two writes.
      expect(testApp.queries.count).toBe(onPostgres() ? 3 : 10);
      const record = await testApp.dataSource
        .getRepository(RetriggerAuditRecordEntity)
        .findOneByOrFail({ id: response.body.retriggerId });
      expect(record).toMatchObject({ totalRequested: count, totalSuccess: count, totalFailed: 0 });
      expect(record.completedAt).toBeInstanceOf(Date);
    });
  });
});
