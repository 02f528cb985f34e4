import request from 'supertest';
import { ForwardProxy } from './support/forward-proxy';
import { startHostApp } from './support/host-app/start-host-app';
import { assertMatchesSpec } from './support/openapi';
import { answer, closedPort, Receiver } from './support/receivers';
import { attemptsOf, newSecret, notificationStatus, seedNotification, seedWebhook } from './support/seed';
import { Certificate, selfSignedCertificate } from './support/self-signed-certificate';
import { retriggerPath, startTestApp, TestApp } from './support/test-app';
import type { DataSource } from 'typeorm';

jest.setTimeout(60_000);

async function retrigger(baseUrl: string, authorization: string, webhookId: string, ids: string[]) {
  const response = await request(baseUrl)
    .post(retriggerPath(webhookId))
    .set('Authorization', authorization)
    .send({ webhookNotificationIds: ids });
  assertMatchesSpec(response.status, response.body);
  return response;
}

async function seeded(dataSource: DataSource, url: string, count = 1) {
  const webhook = await seedWebhook(dataSource, { url });
  const secret = newSecret();
  const notifications = [];
  for (let i = 0; i < count; i++) {
    notifications.push(await seedNotification(dataSource, webhook, secret, { status: 'failed' }));
  }
  return { webhookId: webhook.id, notifications, ids: notifications.map((stored) => stored.id) };
}

/** The proxy wants these as Basic Proxy-Authorization; the module takes them from the proxy URL. */
const CREDENTIALS = 'egress:s3cret-proxy-password';

describe('deliveries through an egress proxy (httpClient.proxy, WEBHOOK_PROXY_URL)', () => {
  let certificate: Certificate;
  let proxy: ForwardProxy;
  let plain: Receiver;
  let tls: Receiver;
  let testApp: TestApp;
  const as = (app: TestApp) => `Bearer ${app.apiKey}`;

  beforeAll(async () => {
    certificate = selfSignedCertificate();
    proxy = await ForwardProxy.start(CREDENTIALS);
    plain = await Receiver.start(answer(200, 'plain ok'));
    tls = await Receiver.start(answer(200, 'tls ok'), certificate);
    testApp = await startTestApp({
      httpClient: { proxy: proxy.url(CREDENTIALS), agentOptions: { ca: certificate.cert } },
    });
  });

  afterAll(async () => {
    await testApp.close();
    await plain.close();
    await tls.close();
    await proxy.close();
  });

  it('sends to an http receiver as absolute-form requests through the proxy, the stored bytes intact, over kept-alive proxy connections', async () => {
    const { webhookId, notifications, ids } = await seeded(testApp.dataSource, plain.url, 3);
    const forwardedBefore = proxy.forwarded.length;
    const receivedBefore = plain.requests.length;

    const first = await retrigger(testApp.baseUrl, as(testApp), webhookId, ids);
    const connectionsAfterFirst = proxy.connections;
    const second = await retrigger(testApp.baseUrl, as(testApp), webhookId, ids);

    for (const response of [first, second]) {
      expect(response.body).toMatchObject({ totalSuccess: 3, totalFailed: 0 });
    }
    const forwarded = proxy.forwarded.slice(forwardedBefore);
    expect(forwarded).toHaveLength(6);
    for (const entry of forwarded) {
      expect(entry).toEqual({
        method: 'POST',
        target: plain.url,
        proxyAuthorization: `Basic ${Buffer.from(CREDENTIALS).toString('base64')}`,
      });
    }
    const received = plain.requests.slice(receivedBefore);
    expect(received.map((sent) => sent.body.toString('utf8')).sort()).toEqual(
      [...notifications, ...notifications].map((stored) => stored.payload).sort(),
    );
    for (const sent of received) {
      expect(sent.headers['proxy-authorization']).toBeUndefined();
      expect(sent.headers.host).toBe(new URL(plain.url).host);
    }
    expect(proxy.connections).toBe(connectionsAfterFirst);
    for (const id of ids) {
      expect((await attemptsOf(testApp.dataSource, id)).map((attempt) => attempt.status)).toEqual([
        'succeeded',
        'succeeded',
      ]);
      expect(await notificationStatus(testApp.dataSource, id)).toBe('delivered');
    }
  });

  it('tunnels to an https receiver with CONNECT: TLS end to end to a certificate trusted through agentOptions.ca, tunnels kept alive', async () => {
    const { webhookId, notifications, ids } = await seeded(testApp.dataSource, tls.url, 3);
    const forwardedBefore = proxy.forwarded.length;
    const receivedBefore = tls.requests.length;

    const first = await retrigger(testApp.baseUrl, as(testApp), webhookId, ids);
    const connectionsAfterFirst = proxy.connections;
    const second = await retrigger(testApp.baseUrl, as(testApp), webhookId, ids);

    for (const response of [first, second]) {
      expect(response.body).toMatchObject({ totalSuccess: 3, totalFailed: 0 });
    }
    // The proxy saw tunnels only, never a request: the POSTs went inside TLS.
    const forwarded = proxy.forwarded.slice(forwardedBefore);
    expect(forwarded.length).toBeGreaterThanOrEqual(1);
    expect(forwarded.length).toBeLessThanOrEqual(3);
    for (const entry of forwarded) {
      expect(entry).toMatchObject({ method: 'CONNECT', target: new URL(tls.url).host });
    }
    const received = tls.requests.slice(receivedBefore);
    expect(received.map((sent) => sent.body.toString('utf8')).sort()).toEqual(
      [...notifications, ...notifications].map((stored) => stored.payload).sort(),
    );
    expect(proxy.connections).toBe(connectionsAfterFirst);
    const [attempt] = await attemptsOf(testApp.dataSource, ids[0]);
    expect(attempt).toMatchObject({ status: 'succeeded', responseStatus: 200, responseBody: 'tls ok' });
  });

  describe('failures', () => {
    const apps: TestApp[] = [];
    async function appWith(options: Parameters<typeof startTestApp>[0]) {
      const app = await startTestApp(options);
      apps.push(app);
      return app;
    }
    afterAll(async () => {
      for (const app of apps) {
        await app.close();
      }
    });

    it.each([
      ['http', () => plain],
      ['https', () => tls],
    ])(
      'a proxy that is down fails the %s item with CONNECTION_FAILED, in words naming the proxy, not the receiver',
      async (_scheme, receiver) => {
        const downPort = await closedPort();
        const app = await appWith({
          httpClient: { proxy: `http://127.0.0.1:${downPort}`, agentOptions: { ca: certificate.cert } },
        });
        const { webhookId, ids } = await seeded(app.dataSource, receiver().url);
        const receivedBefore = receiver().requests.length;

        const response = await retrigger(app.baseUrl, as(app), webhookId, ids);

        expect(response.body.failedNotifications).toEqual([
          expect.objectContaining({
            error: `connection refused by proxy 127.0.0.1:${downPort}`,
            reason: 'CONNECTION_FAILED',
            responseStatus: null,
          }),
        ]);
        expect(receiver().requests.length).toBe(receivedBefore);
        const [attempt] = await attemptsOf(app.dataSource, ids[0]);
        expect(attempt).toMatchObject({ status: 'failed', responseStatus: null, responseBody: null });
      },
    );

    it.each([
      ['http', () => plain],
      ['https', () => tls],
    ])(
      'a proxy that refuses (407 without its credentials) fails the %s item with CONNECTION_FAILED naming the proxy',
      async (_scheme, receiver) => {
        const app = await appWith({ httpClient: { proxy: proxy.url(), agentOptions: { ca: certificate.cert } } });
        const { webhookId, ids } = await seeded(app.dataSource, receiver().url);
        const receivedBefore = receiver().requests.length;

        const response = await retrigger(app.baseUrl, as(app), webhookId, ids);

        const proxyAddress = new URL(proxy.url()).host;
        const [item] = response.body.failedNotifications;
        expect(item).toMatchObject({
          error: `proxy ${proxyAddress} refused to carry the delivery to ${new URL(receiver().url).host} (it answered 407)`,
          reason: 'CONNECTION_FAILED',
          responseStatus: null,
        });
        expect(JSON.stringify(response.body)).not.toContain('s3cret');
        expect(receiver().requests.length).toBe(receivedBefore);
        expect(await attemptsOf(app.dataSource, ids[0])).toEqual([
          expect.objectContaining({ status: 'failed', error: item.error, responseStatus: null }),
        ]);
      },
    );

    it("fails an https item whose certificate the host's agent options do not trust", async () => {
      const app = await appWith({ httpClient: { proxy: proxy.url(CREDENTIALS) } });
      const { webhookId, ids } = await seeded(app.dataSource, tls.url);
      const receivedBefore = tls.requests.length;

      const response = await retrigger(app.baseUrl, as(app), webhookId, ids);

      expect(response.body.failedNotifications).toEqual([
        expect.objectContaining({
          error: expect.stringMatching(/^TLS handshake with 127\.0\.0\.1:\d+ failed \(\w+\)$/),
          reason: 'CONNECTION_FAILED',
        }),
      ]);
      expect(tls.requests.length).toBe(receivedBefore);
    });

    it.each([
      ['http', () => plain],
      ['https', () => tls],
    ])(
      'resolves and checks the %s destination with the private-network guard before anything reaches the proxy',
      async (_scheme, receiver) => {
        const app = await appWith({
          allowPrivateNetworks: false,
          httpClient: { proxy: proxy.url(CREDENTIALS), agentOptions: { ca: certificate.cert } },
        });
        const url = receiver().url.replace('127.0.0.1', 'localhost');
        const { webhookId, ids } = await seeded(app.dataSource, url);
        const forwardedBefore = proxy.forwarded.length;

        const response = await retrigger(app.baseUrl, as(app), webhookId, ids);

        const [item] = response.body.failedNotifications;
        expect(item.reason).toBe('BLOCKED_DESTINATION');
        expect(item.error).toMatch(
          /^destination blocked: localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
        );
        expect(proxy.forwarded.length).toBe(forwardedBefore);
        expect(await attemptsOf(app.dataSource, ids[0])).toEqual([
          expect.objectContaining({ status: 'failed', error: item.error, durationMs: null }),
        ]);
      },
    );
  });

  it("goes through the proxy a host names in its own forRootAsync options, with the host's CA", async () => {
    const host = await startHostApp({
      retriggerRateLimit: 100,
      hostThrottleLimit: 100,
      deliveryClient: { proxy: proxy.url(CREDENTIALS), agentOptions: { ca: certificate.cert } },
    });
    try {
      const { webhookId, ids } = await seeded(host.dataSource, tls.url);
      const forwardedBefore = proxy.forwarded.length;

      const response = await retrigger(host.baseUrl, `Bearer ${host.admin.token}`, webhookId, ids);

      expect(response.body).toMatchObject({ totalSuccess: 1, totalFailed: 0 });
      expect(proxy.forwarded.slice(forwardedBefore)).toEqual([
        expect.objectContaining({ method: 'CONNECT', target: new URL(tls.url).host }),
      ]);
      const [attempt] = await attemptsOf(host.dataSource, ids[0]);
      expect(attempt).toMatchObject({ status: 'succeeded', retriggeredBy: `user:${host.admin.id}` });
    } finally {
      await host.close();
    }
  });
});
