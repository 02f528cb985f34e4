import { randomUUID } from 'node:crypto';
import { register as defaultRegistry, Registry } from 'prom-client';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { METRIC_NAMES } from '../src/notifications-admin/metrics/retrigger-metrics.service';
import { REASON_CODES } from '../src/notifications-admin/outcomes/reason-code.enum';
import { HostApp, startHostApp } from './support/host-app/start-host-app';
import { Exposition, PROMETHEUS_TEXT_CONTENT_TYPE, scrape } from './support/prometheus';
import { answer, Receiver } from './support/receivers';
import { newSecret, SeededNotification, seedNotification, seedWebhook } from './support/seed';
import { openDatabase, ServiceProcess } from './support/service-process';
import { retriggerPath, startTestApp, TestApp, testDatabaseUrl } from './support/test-app';

jest.setTimeout(60_000);

const { retriggerRequests, retriggerItems, deliveryDuration, rateLimited } = METRIC_NAMES;
const MODULE_FAMILIES = [retriggerRequests, retriggerItems, deliveryDuration, rateLimited];

/** Every series of these families, keyed by its labels, with its value (histograms: observation count). */
function seriesOf(exposition: Exposition, names: readonly string[]): Map<string, number> {
  const series = new Map<string, number>();
  for (const name of names) {
    for (const sample of exposition.series(name)) {
      series.set(`${name}${JSON.stringify(sample.labels)}`, sample.value);
    }
  }
  return series;
}

/** How each series moved between two scrapes; series that did not move are left out. */
function movement(before: Exposition, after: Exposition, names: readonly string[] = MODULE_FAMILIES) {
  const earlier = seriesOf(before, names);
  const moved: Record<string, number> = {};
  for (const [key, value] of seriesOf(after, names)) {
    const delta = value - (earlier.get(key) ?? 0);
    if (delta !== 0) {
      moved[key] = delta;
    }
  }
  return moved;
}

const requests = (status: number) => `${retriggerRequests}${JSON.stringify({ status: String(status) })}`;
const items = (outcome: string, reason: string, dryRun: boolean) =>
  `${retriggerItems}${JSON.stringify({ outcome, reason, dry_run: String(dryRun) })}`;
const sends = (outcome: string) => `${deliveryDuration}${JSON.stringify({ outcome })}`;

describe('Prometheus metrics of the standalone service (GET /metrics)', () => {
  const apiKey = `admin-key-${randomUUID()}`;
  const limitedKey = `limited-key-${randomUUID()}`;
  const failMarker = `fail-${randomUUID()}`;
  const rateLimit = 5;
  let service: ServiceProcess;
  let database: DataSource;
  let receiver: Receiver;
  let webhookId: string;
  let delivered: SeededNotification[];
  let rejected: SeededNotification;

  beforeAll(async () => {
    const databaseUrl = testDatabaseUrl();
    // One webhook, one receiver: it answers 500 to the notification carrying the marker, 200 to the others.
    receiver = await Receiver.start((received, response) => {
      const failing = received.body.toString('utf8').includes(failMarker);
      response.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' }).end(failing ? 'boom' : 'ok');
    });
    service = await ServiceProcess.start({
      ADMIN_API_KEYS: `${apiKey},${limitedKey}`,
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      RETRIGGER_RATE_LIMIT: String(rateLimit),
    });
    database = await openDatabase(databaseUrl);
    const secret = newSecret();
    const webhook = await seedWebhook(database, { url: receiver.url, secret });
    webhookId = webhook.id;
    delivered = [await seedNotification(database, webhook, secret), await seedNotification(database, webhook, secret)];
    rejected = await seedNotification(database, webhook, secret, {
      payload: JSON.stringify({ type: 'invoice.paid', note: failMarker }),
    });
  });

  afterAll(async () => {
    await service?.stop();
    await database?.destroy();
    await receiver?.close();
  });

  const post = (key: string | undefined, body: unknown, webhook = webhookId) =>
    request(service.baseUrl)
      .post(retriggerPath(webhook))
      .set(key === undefined ? {} : { Authorization: `Bearer ${key}` })
      .send(body as object);

  it('moves each metric by exactly what a retrigger with successes, a not-found id and a receiver 500 did', async () => {
    const missing = randomUUID();
    const before = await scrape(service.baseUrl);

    const response = await post(apiKey, {
      webhookNotificationIds: [delivered[0].id, missing, rejected.id, delivered[1].id],
    });
    const after = await scrape(service.baseUrl);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalSuccess: 2, totalFailed: 2 });
    expect(movement(before, after)).toEqual({
      [requests(200)]: 1,
      [items('succeeded', 'none', false)]: 2,
      [items('failed', 'NOT_FOUND', false)]: 1,
      [items('failed', 'RECEIVER_REJECTED', false)]: 1,
      // One observation per send: the not-found id was never sent.
      [sends('succeeded')]: 2,
      [sends('failed')]: 1,
    });
    for (const outcome of ['succeeded', 'failed']) {
      expect(after.sum(deliveryDuration, { outcome })).toBeGreaterThan(before.sum(deliveryDuration, { outcome }));
    }
  });

  it('counts refused requests by the status answered, and no items for them', async () => {
    const before = await scrape(service.baseUrl);

    const statuses = [
      (await post(`not-${apiKey}`, { webhookNotificationIds: [delivered[0].id] })).status,
      (await post(apiKey, { webhookNotificationIds: [] })).status,
      (await post(apiKey, { webhookNotificationIds: [delivered[0].id] }, randomUUID())).status,
    ];
    const after = await scrape(service.baseUrl);

    expect(statuses).toEqual([403, 400, 404]);
    expect(movement(before, after)).toEqual({ [requests(403)]: 1, [requests(400)]: 1, [requests(404)]: 1 });
  });

  it('counts the items of a dry run under dry_run="true"', async () => {
    const before = await scrape(service.baseUrl);

    const response = await post(apiKey, { webhookNotificationIds: [delivered[0].id, randomUUID()], dryRun: true });
    const after = await scrape(service.baseUrl);

    expect(response.status).toBe(200);
    expect(response.body.dryRun).toBe(true);
    const moved = movement(before, after, [retriggerRequests, retriggerItems]);
    expect(moved).toEqual({
      [requests(200)]: 1,
      [items('succeeded', 'none', true)]: 1,
      [items('failed', 'NOT_FOUND', true)]: 1,
    });
  });

  it('counts every request refused by the rate limit', async () => {
    const before = await scrape(service.baseUrl);

    const statuses: number[] = [];
    for (let i = 0; i < rateLimit + 2; i++) {
      statuses.push((await post(limitedKey, { webhookNotificationIds: [randomUUID()] }, randomUUID())).status);
    }
    const after = await scrape(service.baseUrl);

    expect(statuses).toEqual([...Array<number>(rateLimit).fill(404), 400, 400]);
    expect(movement(before, after)).toEqual({
      [requests(404)]: rateLimit,
      [requests(400)]: 2,
      [`${rateLimited}{}`]: 2,
    });
  });

  it("serves the text format without credentials, with Node's process metrics and only bounded label values", async () => {
    const response = await fetch(`${service.baseUrl}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(PROMETHEUS_TEXT_CONTENT_TYPE);
    const exposition = Exposition.parse(text);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(exposition.series(name).length).toBeGreaterThan(0);
    }
    expect(MODULE_FAMILIES.map((name) => [name, exposition.family(name).type])).toEqual([
      [retriggerRequests, 'counter'],
      [retriggerItems, 'counter'],
      [deliveryDuration, 'histogram'],
      [rateLimited, 'counter'],
    ]);

    const allowed: Record<string, (value: string) => boolean> = {
      status: (value) => /^[1-5]\d\d$/.test(value),
      le: (value) => value === '+Inf' || Number.isFinite(Number(value)),
      outcome: (value) => value === 'succeeded' || value === 'failed',
      reason: (value) => value === 'none' || (REASON_CODES as readonly string[]).includes(value),
      dry_run: (value) => value === 'true' || value === 'false',
    };
    for (const name of MODULE_FAMILIES) {
      for (const sample of exposition.family(name).samples) {
        for (const [label, value] of Object.entries(sample.labels)) {
          expect([label, allowed[label]?.(value)]).toEqual([label, true]);
        }
      }
    }
    for (const secretOrId of [webhookId, delivered[0].id, rejected.id, String(receiver.port), 'apikey:', apiKey]) {
      expect(text).not.toContain(secretOrId);
    }
    // Scrapes every few seconds would drown the request log.
    const requestLines = service.logLines().filter((line) => line.msg === 'request completed');
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.filter((line) => JSON.stringify(line).includes('/metrics'))).toEqual([]);
  });
});

describe('METRICS=false', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await ServiceProcess.start({
      ADMIN_API_KEYS: `admin-key-${randomUUID()}`,
      DATABASE_URL: testDatabaseUrl(),
      METRICS: 'false',
    });
  });

  afterAll(() => service?.stop());

  it('answers GET /metrics with 404 NotFound in the envelope', async () => {
    const response = await fetch(`${service.baseUrl}/metrics`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ name: 'NotFound', error: 'No such route', status: 404 });
    expect((await fetch(`${service.baseUrl}/health/live`)).status).toBe(200);
  });
});

describe('metrics of the module mounted in a host app with its own registry', () => {
  const hostRegistry = new Registry();
  let host: HostApp;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start(answer(200, 'ok'));
    host = await startHostApp({ retriggerRateLimit: 10, hostThrottleLimit: 100, metricsRegistry: hostRegistry });
  });

  afterAll(async () => {
    await host?.close();
    await receiver?.close();
  });

  it("records in the host's registry, not the default one, and adds no /metrics route", async () => {
    const webhook = await seedWebhook(host.dataSource, { url: receiver.url });
    const stored = await seedNotification(host.dataSource, webhook, newSecret());
    const before = Exposition.parse(await hostRegistry.metrics());

    const response = await request(host.baseUrl)
      .post(retriggerPath(webhook.id))
      .set('Authorization', `Bearer ${host.admin.token}`)
      .send({ webhookNotificationIds: [stored.id] });
    const after = Exposition.parse(await hostRegistry.metrics());

    expect(response.status).toBe(200);
    expect(movement(before, after)).toEqual({
      [requests(200)]: 1,
      [items('succeeded', 'none', false)]: 1,
      [sends('succeeded')]: 1,
    });
    for (const name of MODULE_FAMILIES) {
      expect(defaultRegistry.getSingleMetric(name)).toBeUndefined();
    }
    const scrapeAttempt = await request(host.baseUrl).get('/metrics');
    expect(scrapeAttempt.status).toBe(404);
    expect(scrapeAttempt.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /metrics' });
  });
});

describe('two app instances in one process', () => {
  const registry = new Registry();
  const apps: TestApp[] = [];
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start(answer(200, 'ok'));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await receiver?.close();
  });

  it('share one set of metrics in the registry, each counting its own requests', async () => {
    const databaseUrl = testDatabaseUrl();
    apps.push(await startTestApp({ databaseUrl, metricsRegistry: registry }));
    apps.push(await startTestApp({ databaseUrl, metricsRegistry: registry }));
    const webhook = await seedWebhook(apps[0].dataSource, { url: receiver.url });
    const secret = newSecret();
    const notifications = [
      await seedNotification(apps[0].dataSource, webhook, secret),
      await seedNotification(apps[0].dataSource, webhook, secret),
    ];
    const before = Exposition.parse(await registry.metrics());

    for (const [index, app] of apps.entries()) {
      const response = await request(app.baseUrl)
        .post(retriggerPath(webhook.id))
        .set('Authorization', `Bearer ${app.apiKey}`)
        .send({ webhookNotificationIds: [notifications[index].id] });
      expect(response.status).toBe(200);
    }
    const after = Exposition.parse(await registry.metrics());

    expect(movement(before, after)).toEqual({
      [requests(200)]: 2,
      [items('succeeded', 'none', false)]: 2,
      [sends('succeeded')]: 2,
    });
  });
});
