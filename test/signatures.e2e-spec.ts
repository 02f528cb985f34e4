import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { WebhookEntity } from '../src/notifications-admin/entities/webhook.entity';
import { WebhookNotificationEntity } from '../src/notifications-admin/entities/webhook-notification.entity';
import { assertMatchesSpec } from './support/openapi';
import { Receiver } from './support/receivers';
import {
  attemptsOf,
  HOUR_OLD_SIGNATURE,
  newSecret,
  secondsAbout,
  SeededNotification,
  seedNotification,
  seedPendingAttempt,
  seedWebhook,
} from './support/seed';
import { retriggerPath, startTestApp, TestApp } from './support/test-app';

type SignatureMode = 'original' | 'resign';

/** Sends a retrigger with the given options and checks the answer against the OpenAPI document. */
async function retrigger(testApp: TestApp, webhookId: string, ids: string[], signature?: SignatureMode) {
  const response = await request(testApp.baseUrl)
    .post(retriggerPath(webhookId))
    .set('Authorization', `Bearer ${testApp.apiKey}`)
    .send({ webhookNotificationIds: ids, ...(signature ? { signature } : {}) });
  assertMatchesSpec(response.status, response.body);
  return response;
}

/**
 * A receiver that verifies as the Standard Webhooks reference library does,
 * at its default 5-minute tolerance, with the secret it knows now. Svix's
 * header names are the same scheme under another prefix.
 */
async function verifyingReceiver(secret: () => string) {
  const verified: string[] = [];
  const server = await Receiver.start((received, response) => {
    const headers = Object.fromEntries(
      Object.entries(received.headers).map(([name, value]) => [name.replace(/^svix-/, 'webhook-'), String(value)]),
    );
    try {
      new Webhook(secret()).verify(received.body.toString('utf8'), headers);
      verified.push(received.body.toString('utf8'));
      response.writeHead(204).end();
    } catch (error) {
      response.writeHead(401, { 'content-type': 'text/plain' }).end((error as Error).message);
    }
  });
  return { server, verified };
}

async function storedRow(testApp: TestApp, id: string) {
  return testApp.dataSource.getRepository(WebhookNotificationEntity).findOneByOrFail({ id });
}

describe('retrigger signatures', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(() => testApp.close());

  describe('a notification first signed an hour ago, to a receiver verifying at the default tolerance', () => {
    let secret: string;
    let receiver: Awaited<ReturnType<typeof verifyingReceiver>>;
    let webhook: WebhookEntity;
    let stored: SeededNotification;

    beforeEach(async () => {
      secret = newSecret();
      receiver = await verifyingReceiver(() => secret);
      webhook = await seedWebhook(testApp.dataSource, { url: receiver.server.url, secret });
      stored = await seedNotification(testApp.dataSource, webhook, secret);
    });

    afterEach(() => receiver.server.close());

    it('original: rejected by the receiver, with the age and a warning that says what to do', async () => {
      const response = await retrigger(testApp, webhook.id, [stored.id], 'original');

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ signature: 'original', totalSuccess: 0, totalFailed: 1 });
      expect(response.body.failedNotifications).toEqual([
        {
          webhookNotificationId: stored.id,
          retriggeredNotificationRequestId: expect.any(String),
          error: 'receiver answered 401',
          reason: 'RECEIVER_REJECTED',
          responseStatus: 401,
          ...HOUR_OLD_SIGNATURE,
        },
      ]);
      expect(receiver.verified).toEqual([]);
      expect(receiver.server.requests[0].headers['webhook-timestamp']).toBe(stored.headers['webhook-timestamp']);
    });

    it('resign: accepted; the receiver gets the stored body bytes and webhook-id, and the stored row is unchanged', async () => {
      const before = await storedRow(testApp, stored.id);

      const response = await retrigger(testApp, webhook.id, [stored.id], 'resign');

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ signature: 'resign', totalSuccess: 1, totalFailed: 0 });
      expect(response.body.successfulNotifications).toEqual([
        {
          webhookNotificationId: stored.id,
          retriggeredNotificationRequestId: expect.any(String),
          error: null,
          reason: null,
          responseStatus: 204,
          signatureAgeSeconds: secondsAbout(0, 2),
          warning: null,
        },
      ]);
      expect(receiver.verified).toEqual([stored.payload]);
      const [received] = receiver.server.requests;
      expect(received.body.equals(Buffer.from(stored.payload, 'utf8'))).toBe(true);
      expect(received.headers['webhook-id']).toBe(stored.headers['webhook-id']);
      expect(received.headers['content-type']).toBe(stored.headers['content-type']);
      expect(Number(received.headers['webhook-timestamp'])).toEqual(secondsAbout(Math.floor(Date.now() / 1000), 5));
      expect(received.headers['webhook-signature']).not.toBe(stored.headers['webhook-signature']);

      const after = await storedRow(testApp, stored.id);
      expect(after.payload).toBe(before.payload);
      expect(after.headers).toEqual(before.headers);
      expect(after.status).toBe('delivered');
      const [attempt] = await attemptsOf(testApp.dataSource, stored.id);
      expect(attempt).toMatchObject({ status: 'succeeded', responseStatus: 204 });
    });

    it('resign after the secret was rotated: signed with the current secret, accepted', async () => {
      const rotated = newSecret();
      await testApp.dataSource
        .getRepository(WebhookEntity)
        .update(webhook.id, { secret: rotated, secretRotatedAt: new Date() });
      secret = rotated;

      const original = await retrigger(testApp, webhook.id, [stored.id], 'original');
      const resigned = await retrigger(testApp, webhook.id, [stored.id], 'resign');

      expect(original.body.failedNotifications[0]).toMatchObject({ reason: 'RECEIVER_REJECTED', responseStatus: 401 });
      expect(resigned.body.successfulNotifications[0]).toMatchObject({ responseStatus: 204, warning: null });
      expect(receiver.verified).toEqual([stored.payload]);
    });

    it('the secret appears in no answer, audit record or attempt row', async () => {
      const key = secret.slice('whsec_'.length);
      const unsigned = await seedNotification(testApp.dataSource, webhook, secret, { scheme: 'none' });

      const response = await retrigger(testApp, webhook.id, [stored.id, unsigned.id, randomUUID()], 'resign');

      expect(response.text).not.toContain(key);
      const records: unknown[] = await testApp.dataSource.query('SELECT * FROM retrigger_audit_records');
      expect(JSON.stringify(records)).not.toContain(key);
      expect(JSON.stringify(await attemptsOf(testApp.dataSource, stored.id))).not.toContain(key);
    });
  });

  it('resign: svix- headers are re-signed under the same names', async () => {
    const secret = newSecret();
    const { server, verified } = await verifyingReceiver(() => secret);
    try {
      const webhook = await seedWebhook(testApp.dataSource, { url: server.url, secret });
      const stored = await seedNotification(testApp.dataSource, webhook, secret, { scheme: 'svix' });

      const response = await retrigger(testApp, webhook.id, [stored.id], 'resign');

      expect(response.body.totalSuccess).toBe(1);
      expect(verified).toEqual([stored.payload]);
      const [received] = server.requests;
      expect(received.headers['svix-id']).toBe(stored.headers['svix-id']);
      expect(received.headers['svix-timestamp']).not.toBe(stored.headers['svix-timestamp']);
      expect(Object.keys(received.headers).filter((name) => name.startsWith('webhook-'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('resign: header names in another case are found, and sent re-signed', async () => {
    const secret = newSecret();
    const { server, verified } = await verifyingReceiver(() => secret);
    try {
      const webhook = await seedWebhook(testApp.dataSource, { url: server.url, secret });
      const signed = await seedNotification(testApp.dataSource, webhook, secret);
      const upperCased = Object.fromEntries(
        Object.entries(signed.headers).map(([name, value]) => [name.replace(/^webhook-/, 'Webhook-'), value]),
      );
      await testApp.dataSource.getRepository(WebhookNotificationEntity).update(signed.id, { headers: upperCased });

      const response = await retrigger(testApp, webhook.id, [signed.id], 'resign');

      expect(response.body.totalSuccess).toBe(1);
      expect(verified).toEqual([signed.payload]);
    } finally {
      await server.close();
    }
  });

  describe('a notification without signature headers', () => {
    let receiver: Receiver;
    let webhook: WebhookEntity;
    let unsigned: SeededNotification;

    beforeEach(async () => {
      receiver = await Receiver.start();
      webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      unsigned = await seedNotification(testApp.dataSource, webhook, newSecret(), { scheme: 'none' });
    });

    afterEach(() => receiver.close());

    it('resign: SIGNATURE_UNSUPPORTED, nothing sent, no attempt row', async () => {
      const response = await retrigger(testApp, webhook.id, [unsigned.id], 'resign');

      expect(response.status).toBe(200);
      expect(response.body.failedNotifications).toEqual([
        {
          webhookNotificationId: unsigned.id,
          retriggeredNotificationRequestId: null,
          error: expect.stringContaining('no Standard Webhooks signature'),
          reason: 'SIGNATURE_UNSUPPORTED',
          responseStatus: null,
          signatureAgeSeconds: null,
          warning: null,
        },
      ]);
      expect(receiver.requests).toEqual([]);
      expect(await attemptsOf(testApp.dataSource, unsigned.id)).toEqual([]);
    });

    it('original: sent as stored, with no age and no warning', async () => {
      const response = await retrigger(testApp, webhook.id, [unsigned.id]);

      expect(response.body.successfulNotifications).toEqual([
        expect.objectContaining({ webhookNotificationId: unsigned.id, signatureAgeSeconds: null, warning: null }),
      ]);
      expect(receiver.requests).toHaveLength(1);
    });

    it('resign: SIGNATURE_UNSUPPORTED comes before IN_FLIGHT, and NOT_FOUND before both', async () => {
      await seedPendingAttempt(testApp.dataSource, unsigned.id, receiver.url);
      const other = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const foreign = await seedNotification(testApp.dataSource, other, newSecret(), { scheme: 'none' });

      const response = await retrigger(testApp, webhook.id, [foreign.id, unsigned.id], 'resign');

      expect(response.body.failedNotifications.map((item: { reason: string }) => item.reason)).toEqual([
        'NOT_FOUND',
        'SIGNATURE_UNSUPPORTED',
      ]);
      expect(receiver.requests).toEqual([]);
    });
  });
});
