import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { WebhookNotificationRequestEntity } from '../src/notifications-admin/entities/webhook-notification-request.entity';
import { InterruptedAttemptsSweeper } from '../src/notifications-admin/recovery/interrupted-attempts.sweeper';
import { answer, Receiver } from './support/receivers';
import { attemptsOf, newSecret, notificationStatus, seedNotification, seedWebhook } from './support/seed';
import { startTestApp, TestApp, testDatabaseUrl } from './support/test-app';

const TIMEOUT_MS = 1_000;
/** WEBHOOK_TIMEOUT_MS + 60 s: older pending attempts are presumed dead. */
const CUTOFF_MS = TIMEOUT_MS + 60_000;

async function pendingAttempt(testApp: TestApp, notificationId: string, url: string, ageMs: number): Promise<string> {
  const id = randomUUID();
  const repository = testApp.dataSource.getRepository(WebhookNotificationRequestEntity);
  await repository.insert({
    id,
    webhookNotificationId: notificationId,
    url,
    status: 'pending',
    retriggeredBy: 'apikey:crashed',
  });
  await repository
    .createQueryBuilder()
    .update()
    .set({ createdAt: new Date(Date.now() - ageMs) })
    .where('id = :id', { id })
    .execute();
  return id;
}

async function attempt(testApp: TestApp, id: string) {
  return testApp.dataSource.getRepository(WebhookNotificationRequestEntity).findOneByOrFail({ id });
}

describe('crash recovery: interrupted attempts', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start(answer(200));
  });

  afterAll(() => receiver.close());

  it('marks old pending attempts failed "interrupted" at start, leaves newer ones, re-sends nothing', async () => {
    const databaseUrl = testDatabaseUrl();
    const crashed = await startTestApp({ databaseUrl, webhookTimeoutMs: TIMEOUT_MS });
    const webhook = await seedWebhook(crashed.dataSource, { url: receiver.url });
    const secret = newSecret();
    const old = await seedNotification(crashed.dataSource, webhook, secret, { status: 'failed' });
    const oldPending = await seedNotification(crashed.dataSource, webhook, secret, { status: 'pending' });
    const recent = await seedNotification(crashed.dataSource, webhook, secret, { status: 'failed' });
    const oldId = await pendingAttempt(crashed, old.id, receiver.url, CUTOFF_MS + 5_000);
    const oldPendingId = await pendingAttempt(crashed, oldPending.id, receiver.url, 3_600_000);
    const recentId = await pendingAttempt(crashed, recent.id, receiver.url, CUTOFF_MS - 20_000);
    await crashed.close();

    const restarted = await startTestApp({ databaseUrl, webhookTimeoutMs: TIMEOUT_MS });
    try {
      for (const id of [oldId, oldPendingId]) {
        const swept = await attempt(restarted, id);
        expect(swept).toMatchObject({ status: 'failed', error: 'interrupted', durationMs: null, responseStatus: null });
        expect(swept.completedAt).toBeInstanceOf(Date);
      }
      expect(await attempt(restarted, recentId)).toMatchObject({ status: 'pending', error: null, completedAt: null });
      expect(await notificationStatus(restarted.dataSource, old.id)).toBe('failed');
      expect(await notificationStatus(restarted.dataSource, oldPending.id)).toBe('pending');
      expect(await attemptsOf(restarted.dataSource, old.id)).toHaveLength(1);
      expect(receiver.requests).toHaveLength(0);

      // The periodic sweep, run as it would be 30 s later: now the recent one is old enough too.
      const sweeper = restarted.app.get(InterruptedAttemptsSweeper);
      expect(await sweeper.sweep(new Date(Date.now() + 30_000))).toBeGreaterThanOrEqual(1);
      expect(await attempt(restarted, recentId)).toMatchObject({ status: 'failed', error: 'interrupted' });
      expect(await notificationStatus(restarted.dataSource, recent.id)).toBe('failed');
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await restarted.close();
    }
  });

  it('sweeps periodically while running', async () => {
    const testApp = await startTestApp({ webhookTimeoutMs: TIMEOUT_MS, recoveryIntervalMs: 100 });
    try {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const stored = await seedNotification(testApp.dataSource, webhook, newSecret());
      const id = await pendingAttempt(testApp, stored.id, receiver.url, CUTOFF_MS + 1_000);

      const until = Date.now() + 5_000;
      while ((await attempt(testApp, id)).status === 'pending' && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      expect(await attempt(testApp, id)).toMatchObject({ status: 'failed', error: 'interrupted' });
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await testApp.close();
    }
  });
  it('says how many attempts it marked: nothing when none was interrupted, the exact number when some were', async () => {
    const warnings: string[] = [];
    const capture: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => warnings.push(String(message)),
    };
    const testApp = await startTestApp({ webhookTimeoutMs: TIMEOUT_MS, beforeListen: (app) => app.useLogger(capture) });
    try {
      const webhook = await seedWebhook(testApp.dataSource, { url: receiver.url });
      const secret = newSecret();
      const live = await seedNotification(testApp.dataSource, webhook, secret);
      await pendingAttempt(testApp, live.id, receiver.url, 1_000);
      // One fixed "now": the database is shared with other suites on PostgreSQL, so leftovers are swept first.
      const sweeper = testApp.app.get(InterruptedAttemptsSweeper);
      const now = new Date();
      await sweeper.sweep(now);
      warnings.length = 0;

      expect(await sweeper.sweep(now)).toBe(0);
      expect(warnings).toEqual([]);

      const crashed = [];
      for (let i = 0; i < 3; i++) {
        const stored = await seedNotification(testApp.dataSource, webhook, secret);
        crashed.push(await pendingAttempt(testApp, stored.id, receiver.url, CUTOFF_MS + 5_000));
      }
      expect(await sweeper.sweep(now)).toBe(3);
      expect(warnings).toEqual(['marked 3 interrupted delivery attempt(s) as failed']);
      for (const id of crashed) {
        expect(await attempt(testApp, id)).toMatchObject({ status: 'failed', error: 'interrupted' });
      }
      expect(await sweeper.sweep(now)).toBe(0);
      expect(warnings).toHaveLength(1);
    } finally {
      await testApp.close();
    }
  });
});
