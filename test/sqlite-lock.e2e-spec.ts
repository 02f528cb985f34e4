import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { answer, Receiver } from './support/receivers';
import { attemptsOf, newSecret, notificationStatus, seedNotification, seedWebhook } from './support/seed';
import { openDatabase, ServiceProcess } from './support/service-process';
import { retriggerPath } from './support/test-app';

jest.setTimeout(60_000);

const LOCK_HELD_MS = 2_000;

/**
 * SQLite whatever the leg: the embedded database is what a locked file
 * concerns. The service runs as its own process, so its event loop is not
 * the test's.
 */
describe('a SQLite file locked by another connection', () => {
  const apiKey = `admin-key-${randomUUID()}`;
  const path = join(tmpdir(), `notifications-admin-lock-${randomUUID()}.sqlite`);
  let service: ServiceProcess;
  let database: DataSource;
  let receiver: Receiver;
  let locker: Database.Database;

  beforeAll(async () => {
    receiver = await Receiver.start(answer(200, 'ok'));
    service = await ServiceProcess.start({
      ADMIN_API_KEYS: apiKey,
      DATABASE_URL: `sqlite:${path}`,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    database = await openDatabase(`sqlite:${path}`);
    locker = new Database(path);
  });

  afterAll(async () => {
    locker?.close();
    await service?.stop();
    await database?.destroy();
    await receiver?.close();
  });

  const post = (webhookId: string, ids: string[]) =>
    fetch(service.baseUrl + retriggerPath(webhookId), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ webhookNotificationIds: ids }),
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    }));

  it('never freezes the service: /health/live answers within 200 ms while a retrigger waits, which completes once released', async () => {
    const secret = newSecret();
    const webhook = await seedWebhook(database, { url: receiver.url, secret });
    const stored = await seedNotification(database, webhook, secret, { status: 'failed' });
    // A first retrigger warms the service up, so what is measured is the lock, not the first request's code loading.
    const warmUp = await seedNotification(database, webhook, secret, { status: 'failed' });
    expect((await post(webhook.id, [warmUp.id])).status).toBe(200);

    locker.exec('BEGIN IMMEDIATE');
    const lockedAt = Date.now();
    const retrigger = post(webhook.id, [stored.id]);
    const probes: number[] = [];
    while (Date.now() - lockedAt < LOCK_HELD_MS) {
      const startedAt = Date.now();
      const live = await fetch(`${service.baseUrl}/health/live`);
      probes.push(Date.now() - startedAt);
      expect(live.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Nothing could be written while locked: the retrigger is still waiting, not failed.
    expect(await Promise.race([retrigger.then(() => 'answered'), Promise.resolve('waiting')])).toBe('waiting');
    locker.exec('COMMIT');

    const answered = await retrigger;
    console.log(
      `sqlite lock held ${LOCK_HELD_MS} ms: ${probes.length} liveness probes (${probes.join(', ')} ms); retrigger answered ${Date.now() - lockedAt} ms after the lock was taken`,
    );
    expect(Math.max(...probes)).toBeLessThan(200);
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ totalRequested: 1, totalSuccess: 1, totalFailed: 0 });
    expect(receiver.requests).toHaveLength(2);
    expect(await attemptsOf(database, stored.id)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
    expect(await notificationStatus(database, stored.id)).toBe('delivered');
  });
});
