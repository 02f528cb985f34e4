import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { In } from 'typeorm';
import { WebhookNotificationRequestEntity } from '../src/notifications-admin/entities/webhook-notification-request.entity';
import { WebhookNotificationEntity } from '../src/notifications-admin/entities/webhook-notification.entity';
import { IdempotencyRecordEntity } from '../src/notifications-admin/entities/idempotency-record.entity';
import { assertMatchesSpec } from './support/openapi';
import { answer, Receiver } from './support/receivers';
import {
  HOUR_OLD_SIGNATURE,
  newSecret,
  secondsAbout,
  seedNotification,
  seedPendingAttempt,
  seedWebhook,
} from './support/seed';
import { retriggerPath, startTestApp, TestApp } from './support/test-app';

async function dryRun(testApp: TestApp, webhookId: string, ids: string[], extra: Record<string, unknown> = {}) {
  const response = await request(testApp.baseUrl)
    .post(retriggerPath(webhookId))
    .set('Authorization', `Bearer ${testApp.apiKey}`)
    .send({ webhookNotificationIds: ids, dryRun: true, ...extra });
  assertMatchesSpec(response.status, response.body);
  return response;
}

/**
 * What a dry run must leave as it was: the webhooks' notifications (status
 * and updated_at), their attempt rows, and the idempotency keys. Scoped to
 * the test's webhooks: the recovery sweeper may complete other tests' rows.
 */
async function snapshot(testApp: TestApp, webhookIds: string[]) {
  const notificationsOf = { webhookId: In(webhookIds) };
  const [attempts, notifications, keys] = await Promise.all([
    testApp.dataSource
      .getRepository(WebhookNotificationRequestEntity)
      .createQueryBuilder('r')
      .innerJoin(WebhookNotificationEntity, 'n', 'n.id = r.webhook_notification_id')
      .where('n.webhook_id IN (:...webhookIds)', { webhookIds })
      .orderBy('r.id')
      .getMany(),
    testApp.dataSource.getRepository(WebhookNotificationEntity).find({ where: notificationsOf, order: { id: 'ASC' } }),
    testApp.dataSource.getRepository(IdempotencyRecordEntity).count(),
  ]);
  return {
    attempts,
    notifications: notifications.map(({ id, status, updatedAt }) => ({ id, status, updatedAt })),
    keys,
  };
}

/**
 * A dry-run item of a notification seeded (signed an hour ago) by seedNotification:
 * it reports the age and warning the send would carry, unless no notification was found.
 */
function item(id: string, reason: string | null, error: string | RegExp | null) {
  const signature = reason === 'NOT_FOUND' ? { signatureAgeSeconds: null, warning: null } : HOUR_OLD_SIGNATURE;
  return {
    webhookNotificationId: id,
    retriggeredNotificationRequestId: null,
    error: error instanceof RegExp ? expect.stringMatching(error) : error,
    reason,
    responseStatus: null,
    ...signature,
  };
}

describe('"dryRun": true', () => {
  let open: TestApp;
  let guarded: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    open = await startTestApp({ allowPrivateNetworks: true });
    guarded = await startTestApp({ allowPrivateNetworks: false });
    receiver = await Receiver.start(answer(200, 'thanks'));
  });

  afterAll(async () => {
    await open.close();
    await guarded.close();
    await receiver.close();
  });

  it('answers each eligibility outcome in request order, sending and writing nothing', async () => {
    const webhook = await seedWebhook(open.dataSource, { url: receiver.url });
    const other = await seedWebhook(open.dataSource, { url: receiver.url });
    const secret = newSecret();
    const ready = await seedNotification(open.dataSource, webhook, secret, { status: 'failed' });
    const delivered = await seedNotification(open.dataSource, webhook, secret, { status: 'delivered' });
    const inFlight = await seedNotification(open.dataSource, webhook, secret, { status: 'pending' });
    await seedPendingAttempt(open.dataSource, inFlight.id, receiver.url);
    const foreign = await seedNotification(open.dataSource, other, secret);
    const unknown = randomUUID();
    const before = await snapshot(open, [webhook.id, other.id]);
    const received = receiver.requests.length;

    const response = await dryRun(open, webhook.id, [unknown, ready.id, inFlight.id, foreign.id, delivered.id], {
      reason: 'receiver was down 09:00-09:40',
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      retriggerId: null,
      signature: 'original',
      dryRun: true,
      totalRequested: 5,
      totalSuccess: 2,
      totalFailed: 3,
      successfulNotifications: [item(ready.id, null, null), item(delivered.id, null, null)],
      failedNotifications: [
        item(unknown, 'NOT_FOUND', 'notification not found for this webhook'),
        item(inFlight.id, 'IN_FLIGHT', 'a retrigger of this notification is already in progress'),
        item(foreign.id, 'NOT_FOUND', 'notification not found for this webhook'),
      ],
    });
    expect(receiver.requests.length).toBe(received);
    expect(await snapshot(open, [webhook.id, other.id])).toEqual(before);
  });

  it('with "signature": "resign": SIGNATURE_UNSUPPORTED before IN_FLIGHT, a fresh age for the rest, nothing sent', async () => {
    const webhook = await seedWebhook(open.dataSource, { url: receiver.url });
    const secret = newSecret();
    const signed = await seedNotification(open.dataSource, webhook, secret, { status: 'failed' });
    const unsigned = await seedNotification(open.dataSource, webhook, secret, { scheme: 'none' });
    await seedPendingAttempt(open.dataSource, unsigned.id, receiver.url);
    const before = await snapshot(open, [webhook.id]);
    const received = receiver.requests.length;

    const response = await dryRun(open, webhook.id, [unsigned.id, signed.id], { signature: 'resign' });

    expect(response.body).toMatchObject({ signature: 'resign', dryRun: true, retriggerId: null });
    expect(response.body.failedNotifications).toEqual([
      {
        ...item(unsigned.id, 'SIGNATURE_UNSUPPORTED', /Standard Webhooks/),
        signatureAgeSeconds: null,
        warning: null,
      },
    ]);
    expect(response.body.successfulNotifications).toEqual([
      { ...item(signed.id, null, null), signatureAgeSeconds: secondsAbout(0), warning: null },
    ]);
    expect(receiver.requests.length).toBe(received);
    expect(await snapshot(open, [webhook.id])).toEqual(before);
  });

  it('is one statement on either database: the read the retrigger starts with', async () => {
    const webhook = await seedWebhook(open.dataSource, { url: receiver.url });
    const stored = await seedNotification(open.dataSource, webhook, newSecret());
    open.queries.reset();

    const response = await dryRun(open, webhook.id, [stored.id]);

    expect(response.body.totalSuccess).toBe(1);
    expect(open.queries.count).toBe(1);
  });

  describe('destination, resolved and checked as a send would be', () => {
    const blocked: Array<[string, string, RegExp]> = [
      ['a name resolving to loopback', 'http://localhost:9/hooks', /^destination blocked: localhost resolves to /],
      ['a private address', 'http://10.0.0.1/hooks', /^destination blocked: 10\.0\.0\.1, a private address/],
      [
        'the metadata address',
        'http://169.254.169.254/latest/meta-data/',
        /^destination blocked: 169\.254\.169\.254, a linkLocal address/,
      ],
      ['an IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hooks', /^destination blocked: ::ffff:7f00:1/],
    ];

    it.each(blocked)('guard on, %s → BLOCKED_DESTINATION, nothing sent or written', async (_what, url, error) => {
      const webhook = await seedWebhook(guarded.dataSource, { url });
      const stored = await seedNotification(guarded.dataSource, webhook, newSecret());
      const before = await snapshot(guarded, [webhook.id]);

      const response = await dryRun(guarded, webhook.id, [stored.id]);

      expect(response.body.failedNotifications).toEqual([item(stored.id, 'BLOCKED_DESTINATION', error)]);
      expect(await snapshot(guarded, [webhook.id])).toEqual(before);
    });

    it.each([
      ['ftp://127.0.0.1/hooks', 'webhook URL scheme ftp is not allowed; use http or https'],
      ['not a url', 'webhook URL is not a valid URL'],
    ])('a stored URL %p → BLOCKED_DESTINATION, whatever the guard', async (url, error) => {
      const webhook = await seedWebhook(open.dataSource, { url });
      const stored = await seedNotification(open.dataSource, webhook, newSecret());

      const response = await dryRun(open, webhook.id, [stored.id]);

      expect(response.body.failedNotifications).toEqual([item(stored.id, 'BLOCKED_DESTINATION', error)]);
    });

    it("a host name that does not resolve is not the guard's to refuse: eligible, as the contract lists", async () => {
      const webhook = await seedWebhook(open.dataSource, { url: 'http://no-such-receiver.invalid/hooks' });
      const stored = await seedNotification(open.dataSource, webhook, newSecret());

      const response = await dryRun(open, webhook.id, [stored.id]);

      expect(response.body.failedNotifications).toEqual([]);
      expect(response.body.successfulNotifications).toEqual([
        expect.objectContaining({
          webhookNotificationId: stored.id,
          reason: null,
          retriggeredNotificationRequestId: null,
        }),
      ]);
    });

    it('guard lifted, loopback is eligible', async () => {
      const webhook = await seedWebhook(open.dataSource, { url: receiver.url.replace('127.0.0.1', 'localhost') });
      const stored = await seedNotification(open.dataSource, webhook, newSecret());

      const response = await dryRun(open, webhook.id, [stored.id]);

      expect(response.body.successfulNotifications).toEqual([item(stored.id, null, null)]);
    });

    it('NOT_FOUND and IN_FLIGHT answer before the destination', async () => {
      const webhook = await seedWebhook(guarded.dataSource, { url: 'http://10.0.0.1/hooks' });
      const inFlight = await seedNotification(guarded.dataSource, webhook, newSecret());
      await seedPendingAttempt(guarded.dataSource, inFlight.id, webhook.url);
      const unknown = randomUUID();

      const response = await dryRun(guarded, webhook.id, [unknown, inFlight.id]);

      expect(response.body.failedNotifications.map((failed: { reason: string }) => failed.reason)).toEqual([
        'NOT_FOUND',
        'IN_FLIGHT',
      ]);
    });
  });

  it('predicts the retrigger that follows it', async () => {
    const webhook = await seedWebhook(open.dataSource, { url: receiver.url });
    const stored = await seedNotification(open.dataSource, webhook, newSecret());
    const unknown = randomUUID();

    const dry = await dryRun(open, webhook.id, [stored.id, unknown]);
    const real = await request(open.baseUrl)
      .post(retriggerPath(webhook.id))
      .set('Authorization', `Bearer ${open.apiKey}`)
      .send({ webhookNotificationIds: [stored.id, unknown] });

    const outcome = (body: { successfulNotifications: unknown[]; failedNotifications: Array<{ reason: string }> }) => ({
      succeeded: body.successfulNotifications.length,
      reasons: body.failedNotifications.map((failed) => failed.reason),
    });
    expect(outcome(real.body)).toEqual(outcome(dry.body));
    expect(real.body).toMatchObject({ dryRun: false, totalSuccess: 1 });
  });

  describe('the checks before the items', () => {
    it('unknown webhook → 404, disabled webhook → 409, as a retrigger', async () => {
      expect((await dryRun(open, randomUUID(), [randomUUID()])).status).toBe(404);
      const disabled = await seedWebhook(open.dataSource, { enabled: false });
      expect((await dryRun(open, disabled.id, [randomUUID()])).body).toMatchObject({ name: 'Conflict', status: 409 });
    });

    it('with an Idempotency-Key → 400 ValidationFailed, nothing stored', async () => {
      const webhook = await seedWebhook(open.dataSource, { url: receiver.url });
      const stored = await seedNotification(open.dataSource, webhook, newSecret());
      const keys = await open.dataSource.getRepository(IdempotencyRecordEntity).count();

      const response = await request(open.baseUrl)
        .post(retriggerPath(webhook.id))
        .set('Authorization', `Bearer ${open.apiKey}`)
        .set('Idempotency-Key', 'dry-1')
        .send({ webhookNotificationIds: [stored.id], dryRun: true });

      assertMatchesSpec(response.status, response.body);
      expect(response.body).toEqual({
        name: 'ValidationFailed',
        error: expect.stringMatching(/^dryRun cannot be combined with an Idempotency-Key/),
        status: 400,
      });
      expect(await open.dataSource.getRepository(IdempotencyRecordEntity).count()).toBe(keys);
    });

    it.each([
      ['a string', 'yes'],
      ['a number', 1],
      ['null', null],
    ])('dryRun as %s → 400 ValidationFailed naming it', async (_what, value) => {
      const response = await request(open.baseUrl)
        .post(retriggerPath(randomUUID()))
        .set('Authorization', `Bearer ${open.apiKey}`)
        .send({ webhookNotificationIds: [randomUUID()], dryRun: value });
      assertMatchesSpec(response.status, response.body);
      expect(response.body).toEqual({ name: 'ValidationFailed', error: 'dryRun must be a boolean', status: 400 });
    });

    describe('rate limit', () => {
      let limited: TestApp;
      beforeAll(async () => {
        limited = await startTestApp({ rateLimit: 2, rateWindowMs: 60_000 });
      });
      afterAll(() => limited.close());

      it('counts dry runs like any retrigger', async () => {
        const webhook = await seedWebhook(limited.dataSource, { url: receiver.url });
        const stored = await seedNotification(limited.dataSource, webhook, newSecret());

        expect((await dryRun(limited, webhook.id, [stored.id])).status).toBe(200);
        expect((await dryRun(limited, webhook.id, [stored.id])).status).toBe(200);
        const third = await dryRun(limited, webhook.id, [stored.id]);

        expect(third.status).toBe(400);
        expect(third.body.name).toBe('RETRIGGER_RATE_LIMITED');
      });
    });
  });
});
