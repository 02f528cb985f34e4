import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { assertMatchesSpec } from './support/openapi';
import { answer, Receiver } from './support/receivers';
import {
  attemptsOf,
  HOUR_OLD_SIGNATURE,
  newSecret,
  notificationStatus,
  seedNotification,
  seedWebhook,
} from './support/seed';
import { retriggerPath, startTestApp, TestApp } from './support/test-app';

async function retrigger(testApp: TestApp, webhookId: string, ids: string[]) {
  const response = await request(testApp.baseUrl)
    .post(retriggerPath(webhookId))
    .set('Authorization', `Bearer ${testApp.apiKey}`)
    .send({ webhookNotificationIds: ids });
  assertMatchesSpec(response.status, response.body);
  return response;
}

/**
 * A receiver on every loopback form at once (dual-stack `::`), so a request
 * to 127.0.0.1, ::1, ::ffff:127.0.0.1 or 0.0.0.0 would reach it: a blocked
 * destination shows as zero hits, not as a refused connection.
 */
async function dualStackReceiver(): Promise<{ port: number; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_request, response) => {
    hits += 1;
    response.end('reached');
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '::', ipv6Only: false }, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hits: () => hits,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('private-network (SSRF) guard', () => {
  let guarded: TestApp;
  let loopback: Awaited<ReturnType<typeof dualStackReceiver>>;

  beforeAll(async () => {
    guarded = await startTestApp({ allowPrivateNetworks: false });
    loopback = await dualStackReceiver();
  });

  afterAll(async () => {
    await guarded.close();
    await loopback.close();
  });

  /** [what, url (PORT is the loopback receiver's), why] */
  const blocked: Array<[string, string, RegExp]> = [
    ['loopback IPv4', 'http://127.0.0.1:PORT/hooks', /127\.0\.0\.1, a loopback address/],
    ['loopback IPv6 literal', 'http://[::1]:PORT/hooks', /::1, a loopback address/],
    [
      'a name resolving to loopback',
      'http://localhost:PORT/hooks',
      /localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
    ],
    ['private 10/8', 'http://10.0.0.1:PORT/', /10\.0\.0\.1, a private address/],
    ['private 172.16/12', 'http://172.16.5.4:PORT/', /172\.16\.5\.4, a private address/],
    ['private 192.168/16', 'http://192.168.1.1:PORT/', /192\.168\.1\.1, a private address/],
    ['unique local fc00::/7', 'http://[fd12:3456::1]:PORT/', /fd12:3456::1, a uniqueLocal address/],
    [
      'link-local metadata 169.254.169.254',
      'http://169.254.169.254/latest/meta-data/',
      /169\.254\.169\.254, a linkLocal address/,
    ],
    ['link-local fe80::', 'http://[fe80::1]:PORT/', /fe80::1, a linkLocal address/],
    ['CGNAT 100.64/10', 'http://100.64.0.1:PORT/', /100\.64\.0\.1, a carrierGradeNat address/],
    [
      'unspecified 0.0.0.0 (reaches loopback on Linux)',
      'http://0.0.0.0:PORT/hooks',
      /0\.0\.0\.0, a unspecified address/,
    ],
    ['unspecified ::', 'http://[::]:PORT/hooks', /::, a unspecified address/],
    ['multicast IPv4', 'http://224.0.0.1:PORT/', /224\.0\.0\.1, a multicast address/],
    ['multicast IPv6', 'http://[ff02::1]:PORT/', /ff02::1, a multicast address/],
    ['broadcast', 'http://255.255.255.255:PORT/', /255\.255\.255\.255, a broadcast address/],
    ['documentation 192.0.2.1', 'http://192.0.2.1:PORT/', /192\.0\.2\.1, a reserved address/],
    ['documentation 2001:db8::1', 'http://[2001:db8::1]:PORT/', /2001:db8::1, a reserved address/],
    [
      'IPv4-mapped loopback ::ffff:127.0.0.1',
      'http://[::ffff:127.0.0.1]:PORT/hooks',
      /::ffff:7f00:1, a loopback address/,
    ],
    [
      'IPv4-mapped loopback in hex ::ffff:7f00:1',
      'http://[::ffff:7f00:1]:PORT/hooks',
      /::ffff:7f00:1, a loopback address/,
    ],
    ['IPv4-mapped private ::ffff:10.0.0.1', 'http://[::ffff:10.0.0.1]:PORT/', /::ffff:a00:1, a private address/],
    [
      'IPv4-compatible ::127.0.0.1 (deprecated, in ::/8)',
      'http://[::127.0.0.1]:PORT/hooks',
      /::7f00:1, a reserved address/,
    ],
    ['NAT64 of loopback 64:ff9b::7f00:1', 'http://[64:ff9b::7f00:1]:PORT/', /64:ff9b::7f00:1, a rfc6052 address/],
    ['decimal IPv4 2130706433', 'http://2130706433:PORT/hooks', /127\.0\.0\.1, a loopback address/],
    ['hex IPv4 0x7f.1', 'http://0x7f.1:PORT/hooks', /127\.0\.0\.1, a loopback address/],
    ['octal IPv4 0177.0.0.1', 'http://0177.0.0.1:PORT/hooks', /127\.0\.0\.1, a loopback address/],
    ['short IPv4 127.1', 'http://127.1:PORT/hooks', /127\.0\.0\.1, a loopback address/],
  ];

  it.each(blocked)(
    '%s → failed item with the reason, a failed attempt row with no duration, nothing sent',
    async (_what, template, why) => {
      const url = template.replace('PORT', String(loopback.port));
      const webhook = await seedWebhook(guarded.dataSource, { url });
      const stored = await seedNotification(guarded.dataSource, webhook, newSecret(), { status: 'failed' });
      const hitsBefore = loopback.hits();

      const response = await retrigger(guarded, webhook.id, [stored.id]);

      expect(response.status).toBe(200);
      expect(response.body.totalFailed).toBe(1);
      const [item] = response.body.failedNotifications;
      expect(item.error).toMatch(/^destination blocked: /);
      expect(item.error).toMatch(why);
      expect(item.error).toMatch(/private network destinations are not allowed$/);
      expect(item.reason).toBe('BLOCKED_DESTINATION');
      const [attempt] = await attemptsOf(guarded.dataSource, stored.id);
      expect(item.retriggeredNotificationRequestId).toBe(attempt.id);
      expect(attempt).toMatchObject({
        url,
        status: 'failed',
        error: item.error,
        durationMs: null,
        responseStatus: null,
        responseBody: null,
      });
      expect(attempt.completedAt).toBeInstanceOf(Date);
      expect(await notificationStatus(guarded.dataSource, stored.id)).toBe('failed');
      expect(loopback.hits()).toBe(hitsBefore);
    },
  );

  const badSchemes: Array<[string, string]> = [
    ['ftp://127.0.0.1/hooks', 'webhook URL scheme ftp is not allowed; use http or https'],
    ['file:///etc/passwd', 'webhook URL scheme file is not allowed; use http or https'],
    ['javascript:alert(1)', 'webhook URL scheme javascript is not allowed; use http or https'],
    ['not a url', 'webhook URL is not a valid URL'],
  ];

  describe.each([
    ['guard on', false],
    ['guard lifted', true],
  ])('stored URL with a scheme other than http(s), %s', (_label, allowPrivateNetworks) => {
    let testApp: TestApp;
    beforeAll(async () => {
      testApp = allowPrivateNetworks ? await startTestApp({ allowPrivateNetworks: true }) : guarded;
    });
    afterAll(async () => {
      if (testApp !== guarded) {
        await testApp.close();
      }
    });

    it.each(badSchemes)('%s → failed item, attempt row failed with no duration', async (url, error) => {
      const webhook = await seedWebhook(testApp.dataSource, { url });
      const stored = await seedNotification(testApp.dataSource, webhook, newSecret(), { status: 'pending' });

      const response = await retrigger(testApp, webhook.id, [stored.id]);

      const [attempt] = await attemptsOf(testApp.dataSource, stored.id);
      expect(response.body.failedNotifications).toEqual([
        {
          webhookNotificationId: stored.id,
          retriggeredNotificationRequestId: attempt.id,
          error,
          reason: 'BLOCKED_DESTINATION',
          responseStatus: null,
          ...HOUR_OLD_SIGNATURE,
        },
      ]);
      expect(attempt).toMatchObject({ status: 'failed', error, durationMs: null });
      expect(await notificationStatus(testApp.dataSource, stored.id)).toBe('pending');
    });
  });

  describe('guard lifted (allowPrivateNetworks: true)', () => {
    let open: TestApp;
    beforeAll(async () => {
      open = await startTestApp({ allowPrivateNetworks: true });
    });
    afterAll(() => open.close());

    it.each(['http://127.0.0.1:PORT/hooks', 'http://localhost:PORT/hooks', 'http://[::1]:PORT/hooks'])(
      'delivers to %s',
      async (template) => {
        const webhook = await seedWebhook(open.dataSource, { url: template.replace('PORT', String(loopback.port)) });
        const stored = await seedNotification(open.dataSource, webhook, newSecret());
        const hitsBefore = loopback.hits();

        const response = await retrigger(open, webhook.id, [stored.id]);

        expect(response.body.totalSuccess).toBe(1);
        expect(loopback.hits()).toBe(hitsBefore + 1);
        expect(await notificationStatus(open.dataSource, stored.id)).toBe('delivered');
      },
    );

    it('does not follow a redirect to a private address: the Location target receives nothing', async () => {
      const target = await Receiver.start(answer(200, 'should never be reached'));
      const redirector = await Receiver.start(answer(302, '', { location: `${target.url}/internal` }));
      try {
        const webhook = await seedWebhook(open.dataSource, { url: redirector.url });
        const stored = await seedNotification(open.dataSource, webhook, newSecret());

        const response = await retrigger(open, webhook.id, [stored.id]);

        expect(response.body.failedNotifications[0].error).toBe('receiver answered 302; redirects are not followed');
        expect(redirector.requests).toHaveLength(1);
        expect(target.requests).toHaveLength(0);
        const [attempt] = await attemptsOf(open.dataSource, stored.id);
        expect(attempt).toMatchObject({ status: 'failed', responseStatus: 302 });
        expect(attempt.durationMs).toEqual(expect.any(Number));
        expect(await notificationStatus(open.dataSource, stored.id)).toBe('failed');
      } finally {
        await redirector.close();
        await target.close();
      }
    });
  });
});
