import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { MACHINE_API_KEY } from '../src/host.module';
import { startHost } from '../src/host-app';
import {
  ADMIN_PATH,
  DATABASE_URL,
  emptyDatabase,
  ourSchema,
  retrigger,
  seedNotification,
  sql,
  startReceiver,
  STORED_PAYLOAD,
  token,
} from './support';

/** The host's own TypeORM CLI on its own DataSource (src/data-source.ts), as its team runs it. */
function typeormCli(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(
    join('node_modules', '.bin', 'typeorm'),
    [...args, '-d', join('dist', 'src', 'data-source.js')],
    {
      env: { ...process.env, DATABASE_URL },
      encoding: 'utf8',
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const OUR_TABLES =
  /webhooks|webhook_notifications|webhook_notification_requests|retrigger_idempotency_keys|retrigger_audit_records|uq_webhook|idx_webhook|idx_retrigger/;

describe('Nest 12 + TypeORM 1.x host: schema tooling, JWT route guards, global prefix, versioning', () => {
  let host: { app: INestApplication; url: string };
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let slowReceiver: Awaited<ReturnType<typeof startReceiver>>;
  let migrated: unknown;

  before(async () => {
    await emptyDatabase();
    receiver = await startReceiver();
    slowReceiver = await startReceiver(500);
  });

  after(async () => {
    await host?.app.close();
    await receiver?.close();
    await slowReceiver?.close();
  });

  it("runs our migrations from the host's CLI DataSource; migration:generate plans only the host's table", () => {
    const run = typeormCli('migration:run');
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /CreateNotificationTables1764288000000 has been\s+executed successfully/);

    const plan = typeormCli('migration:generate', 'migrations/HostPending', '--dr');
    assert.match(plan.output, /CREATE TABLE "host_orders"/, plan.output);
    assert.doesNotMatch(plan.output, OUR_TABLES, plan.output);
  });

  it('starts with synchronize: true after our migrations, twice and with rows present, and changes nothing of ours', async () => {
    migrated = await ourSchema();
    const first = await startHost({ databaseUrl: DATABASE_URL, synchronize: true });
    await first.app.close();
    await seedNotification(receiver.url);

    host = await startHost({ databaseUrl: DATABASE_URL, synchronize: true });

    assert.deepEqual(await ourSchema(), migrated);
    const [inFlight] = await sql<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_webhook_notification_requests_in_flight'",
    );
    assert.match(
      inFlight.indexdef,
      /CREATE UNIQUE INDEX .* \(webhook_notification_id\) WHERE \(status = 'pending'::text\)/,
    );
    const constraints = await sql<{ contype: string }>(
      `SELECT contype FROM pg_constraint
        WHERE conrelid IN ('webhook_notifications'::regclass, 'webhook_notification_requests'::regclass) AND contype IN ('f', 'c')`,
    );
    assert.deepEqual(constraints.map((row) => row.contype).sort(), ['c', 'c', 'f', 'f']);
    const [headers] = await sql<{ data_type: string }>(
      "SELECT data_type FROM information_schema.columns WHERE table_name = 'webhook_notifications' AND column_name = 'headers'",
    );
    assert.equal(headers.data_type, 'jsonb');
    assert.equal((await sql("SELECT 1 FROM information_schema.tables WHERE table_name = 'host_orders'")).length, 1);
  });

  it('migration:generate after all that finds nothing to generate', () => {
    const plan = typeormCli('migration:generate', 'migrations/HostPending', '--dr');
    assert.match(plan.output, /No changes in database schema were found/, plan.output);
    assert.doesNotMatch(plan.output, OUR_TABLES);
  });

  it('two concurrent retriggers of one notification still send it once (the in-flight index held)', async () => {
    const { webhookId, notificationId } = await seedNotification(slowReceiver.url);
    const admin = `Bearer ${token('u-1', ['admin'])}`;

    const answers = await Promise.all([
      retrigger(host.url, webhookId, [notificationId], admin),
      retrigger(host.url, webhookId, [notificationId], admin),
    ]);

    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200],
    );
    assert.deepEqual(answers.map((answer) => answer.body.totalSuccess).sort(), [0, 1]);
    const loser = answers.find((answer) => answer.body.totalSuccess === 0);
    assert.match(loser?.body.failedNotifications[0].error, /already in progress/);
    assert.equal(slowReceiver.received.length, 1);
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
    const [attempt] = await sql<{ retriggered_by: string }>(
      'SELECT retriggered_by FROM webhook_notification_requests WHERE webhook_notification_id = $1',
      [notificationId],
    );
    assert.match(attempt.retriggered_by, /^apikey:[0-9a-f]{12}$/);
  });

  it("keeps the module's routes where the spec puts them, beside the host's versioned ones", async () => {
    const user = { authorization: `Bearer ${token('u-42', ['admin'])}` };
    const hostRoute = await fetch(`${host.url}/api/v1/orders/me`, { headers: user });
    assert.equal(hostRoute.status, 200);
    assert.deepEqual(await hostRoute.json(), { user: 'u-42' });
    for (const misplaced of [`/api/v1/notifications/v1/admin/webhooks`, `/api/api/notifications/v1/admin/webhooks`]) {
      const response = await fetch(`${host.url}${misplaced}/${crypto.randomUUID()}/notifications/retrigger`, {
        method: 'POST',
        headers: user,
      });
      assert.equal(response.status, 404, misplaced);
    }
    const listed = await fetch(
      `${host.url}${ADMIN_PATH}/${crypto.randomUUID()}/notifications/${crypto.randomUUID()}/requests`,
      {
        headers: user,
      },
    );
    assert.equal(listed.status, 404);
    assert.equal(((await listed.json()) as { name: string }).name, 'NotFound');
  });
});
