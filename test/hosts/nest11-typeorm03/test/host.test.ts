import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NOTIFICATIONS_ADMIN_MIGRATIONS } from 'notifications-admin';
import { MACHINE_API_KEY } from '../src/host.module';
import { startHost } from '../src/host-app';
import {
  ADMIN_PATH,
  DATABASE_URL,
  emptyDatabase,
  retrigger,
  seedNotification,
  sql,
  startReceiver,
  STORED_PAYLOAD,
  token,
} from './support';

/** The host's logger, as far as these tests need it: the warnings. */
function warningsLogger(): LoggerService & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    log: () => undefined,
    error: () => undefined,
    warn: (message: unknown) => warnings.push(String(message)),
  };
}

describe('Nest 11 + TypeORM 0.3 + PostgreSQL host: migrations at start, JWT route guards, global prefix, versioning', () => {
  let host: { app: INestApplication; url: string };
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const logger = warningsLogger();

  before(async () => {
    await emptyDatabase();
    receiver = await startReceiver();
    host = await startHost({ databaseUrl: DATABASE_URL }, logger);
  });

  after(async () => {
    await host?.app.close();
    await receiver?.close();
  });

  it("ran our migrations through the host's DataSource at start", async () => {
    const migrations = await sql<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    assert.deepEqual(
      migrations.map((row) => row.name),
      NOTIFICATIONS_ADMIN_MIGRATIONS.map((migration) => migration.name),
    );
    const [inFlight] = await sql(
      "SELECT 1 FROM pg_indexes WHERE indexname = 'uq_webhook_notification_requests_in_flight'",
    );
    assert.ok(inFlight);
  });

  it("retriggers for an admin of the host's JWT auth (guards via authGuards), records the user, sends the stored bytes", async () => {
    const { webhookId, notificationId } = await seedNotification(receiver.url);
    const before = receiver.received.length;

    const answer = await retrigger(host.url, webhookId, [notificationId], `Bearer ${token('u-42', ['admin'])}`);

    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.totalSuccess, 1);
    const [attempt] = await sql<{ retriggered_by: string }>(
      'SELECT retriggered_by FROM webhook_notification_requests WHERE id = $1',
      [answer.body.successfulNotifications[0].retriggeredNotificationRequestId],
    );
    assert.equal(attempt.retriggered_by, 'user:u-42');
    const delivered = receiver.received.slice(before);
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0].body.toString('utf8'), STORED_PAYLOAD);
    assert.equal(delivered[0].headers['webhook-id'], `msg_${notificationId}`);
  });

  for (const [who, authorization] of [
    ['a host user without the admin role', () => `Bearer ${token('u-7', ['support'])}`],
    ['a caller without a token', () => undefined],
    ['a token signed with another secret', () => `Bearer ${token('u-42', ['admin'], 'not-the-host-secret')}`],
  ] as const) {
    it(`answers ${who} 403 AccessDenied in the envelope and sends nothing`, async () => {
      const { webhookId, notificationId } = await seedNotification(receiver.url);
      const before = receiver.received.length;

      const answer = await retrigger(host.url, webhookId, [notificationId], authorization());

      assert.equal(answer.status, 403);
      assert.deepEqual(answer.body, { name: 'AccessDenied', error: 'Admin credentials are required', status: 403 });
      assert.equal(receiver.received.length, before);
    });
  }

  it('lets a machine client in with an API key, without a JWT', async () => {
    const { webhookId, notificationId } = await seedNotification(receiver.url);

    const answer = await retrigger(host.url, webhookId, [notificationId], `Bearer ${MACHINE_API_KEY}`);

    assert.equal(answer.status, 200);
    assert.equal(answer.body.totalSuccess, 1);
  });

  it("keeps the module's routes where the spec puts them, beside the host's versioned ones", async () => {
    const user = { authorization: `Bearer ${token('u-42', ['admin'])}` };
    const hostRoute = await fetch(`${host.url}/api/v1/orders/me`, { headers: user });
    assert.equal(hostRoute.status, 200);
    for (const misplaced of [`/api/v1/notifications/v1/admin/webhooks`, `/api/api/notifications/v1/admin/webhooks`]) {
      const response = await fetch(`${host.url}${misplaced}/${crypto.randomUUID()}/notifications/retrigger`, {
        method: 'POST',
        headers: user,
      });
      assert.equal(response.status, 404, misplaced);
    }
    const unknownWebhook = await retrigger(host.url, crypto.randomUUID(), [crypto.randomUUID()], user.authorization);
    assert.equal(unknownWebhook.status, 404);
    assert.equal(unknownWebhook.body.name, 'NotFound');
  });

  it('counts interrupted attempts right on TypeORM 0.3 too: no warning for none, the number for some', async () => {
    assert.deepEqual(
      logger.warnings.filter((line) => /interrupted/.test(line)),
      [],
    );
    const { notificationId } = await seedNotification(receiver.url);
    for (let i = 0; i < 2; i++) {
      const { notificationId: crashed } = await seedNotification(receiver.url);
      await sql(
        `INSERT INTO webhook_notification_requests (id, webhook_notification_id, url, status, created_at)
         VALUES (gen_random_uuid(), $1, $2, 'pending', now() - interval '1 hour')`,
        [crashed, receiver.url],
      );
    }
    await sql(
      `INSERT INTO webhook_notification_requests (id, webhook_notification_id, url, status) VALUES (gen_random_uuid(), $1, $2, 'pending')`,
      [notificationId, receiver.url],
    );
    await host.app.close();
    const restarted = warningsLogger();
    host = await startHost({ databaseUrl: DATABASE_URL }, restarted);

    assert.deepEqual(restarted.warnings, ['marked 2 interrupted delivery attempt(s) as failed']);
  });

  it('says which package to install when redisUrl is set and ioredis is not', async () => {
    await assert.rejects(
      startHost({ databaseUrl: DATABASE_URL, redisUrl: 'redis://127.0.0.1:6379/15' }, warningsLogger()),
      /NotificationsAdminModule option redisUrl needs the optional peer dependency ioredis: npm install ioredis/,
    );
  });
});
