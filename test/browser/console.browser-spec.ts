import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { answer, Receiver } from '../support/receivers';
import { attemptsOf, newSecret, notificationStatus, seedNotification, seedWebhook } from '../support/seed';
import { openDatabase, ServiceProcess } from '../support/service-process';
import { testDatabaseUrl } from '../support/test-app';
import { launchChromium, PageWatch, watchPage } from './support/chromium';

jest.setTimeout(180_000);

const CONSOLE_PATH = '/api/notifications/v1/admin/console';
const KEY_STORAGE = 'notifications-admin.console.apiKey';
/** What a receiver might answer to get markup into an admin's page. */
const HOSTILE_BODY = `<img src=x onerror="window.__pwned=true;alert('pwned')"><script>window.__pwned=true</script>`;
const HOSTILE_EVENT_TYPE = `<img src=x onerror="alert('event')">`;
const EVENT_TYPES = ['invoice.paid', 'customer.updated', 'invoice.payment_failed'];

/**
 * The operators' console in Debian's Chromium against the built service
 * (`node dist/src/main.js`, as `npm start` runs it) on SQLite, or on
 * PostgreSQL and Redis when TEST_DATABASE_URL / REDIS_URL are set, with real
 * receivers on loopback. A person's view: elements are found by the
 * accessible names of CONTRACT §7.
 */
describe('admin console in a browser', () => {
  const apiKey = `console-key-${randomUUID()}`;
  let database: DataSource;
  let service: ServiceProcess;
  let browser: Browser;
  let receiver: Receiver;
  let hostile: Receiver;
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;

  beforeAll(async () => {
    const databaseUrl = testDatabaseUrl();
    database = await openDatabase(databaseUrl);
    receiver = await Receiver.start(answer(200, '{"received":true}', { 'content-type': 'application/json' }));
    hostile = await Receiver.start(answer(500, HOSTILE_BODY, { 'content-type': 'text/html' }));
    service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL,
      ADMIN_API_KEYS: apiKey,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      LOG_LEVEL: 'warn',
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await receiver?.close();
    await hostile?.close();
    await database?.destroy();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    watch = watchPage(page);
    await page.goto(`${service.baseUrl}${CONSOLE_PATH}`);
  });

  afterEach(() => context.close());

  const table = (name: string) => page.getByRole('table', { name });
  const bodyRows = (name: string) => table(name).locator('tbody tr');
  const cellsOf = (row: Locator) => row.getByRole('cell').allTextContents();

  async function open(webhookId: string, key = apiKey): Promise<void> {
    await page.getByLabel('Admin API key').fill(key);
    await page.getByLabel('Webhook ID').fill(webhookId);
    await page.getByRole('button', { name: 'Load' }).click();
  }

  /** The page asked for nothing but the service's own files and API, and never with the key in a URL. */
  function expectOnlyOwnRequests(): void {
    expect(watch.requests.length).toBeGreaterThan(0);
    for (const url of watch.requests) {
      expect(url.startsWith(`${service.baseUrl}/`)).toBe(true);
      expect(url).not.toContain(apiKey);
    }
  }

  it('lists failed notifications, retriggers 25 picked ones re-signed, and shows results, history and audit', async () => {
    const secret = newSecret();
    const webhook = await seedWebhook(database, { url: receiver.url, secret });
    const failed: string[] = [];
    for (let index = 0; index < 30; index++) {
      const eventType = EVENT_TYPES[index % EVENT_TYPES.length];
      failed.push((await seedNotification(database, webhook, secret, { status: 'failed', eventType })).id);
    }
    const delivered = (await seedNotification(database, webhook, secret, { status: 'delivered' })).id;
    const received = receiver.requests.length;

    expect(await page.title()).toBe('Notifications admin console');
    await page.getByLabel('Admin API key').fill(apiKey);
    // Kept for this tab across a reload, in sessionStorage only.
    await page.reload();
    expect(await page.getByLabel('Admin API key').inputValue()).toBe(apiKey);
    await page.getByLabel('Webhook ID').fill(webhook.id);
    await page.getByRole('button', { name: 'Load' }).click();

    // Failed ones by default, a page of 25, newest first.
    await page.getByText('25 failed notifications, newest first.', { exact: true }).waitFor();
    const listed = await page
      .getByRole('checkbox')
      .evaluateAll((boxes) => boxes.map((box) => (box as HTMLInputElement).value));
    expect(listed).toHaveLength(25);
    expect(failed).toEqual(expect.arrayContaining(listed));
    expect(listed).not.toContain(delivered);
    for (const id of listed) {
      await page.getByRole('checkbox', { name: id, exact: true }).check();
    }
    await page.getByText('25 selected').waitFor();

    // The next page holds the other 5; with 25 picked, none of them can be.
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('5 failed notifications, newest first (a later page).', { exact: true }).waitFor();
    const rest = failed.filter((id) => !listed.includes(id));
    for (const id of rest) {
      expect(await page.getByRole('checkbox', { name: id, exact: true }).isDisabled()).toBe(true);
    }

    // A dry run: every item would be sent; nothing is.
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page
      .getByText(/^Dry run: 25 requested, 25 succeeded, 0 failed, signature original\. Nothing was sent/)
      .waitFor();
    expect(await bodyRows('Results').count()).toBe(25);
    const firstDryRow = await cellsOf(bodyRows('Results').first());
    expect(firstDryRow.slice(0, 4)).toEqual([listed[0], 'succeeded', '—', '—']);
    expect(receiver.requests).toHaveLength(received);
    expect(await attemptsOf(database, listed[0])).toHaveLength(0);

    // The real thing, re-signed, with a reason.
    await page.getByLabel('Signature').selectOption('resign');
    await page.getByLabel('Reason').fill('Receiver outage on 30 Nov, replaying');
    await page.getByRole('button', { name: 'Retrigger selected' }).click();
    await page
      .getByText(/^Retrigger [0-9a-f-]{36}: 25 requested, 25 succeeded, 0 failed, signature resign\.$/)
      .waitFor();

    const rows = bodyRows('Results');
    expect(await rows.count()).toBe(25);
    for (const [index, id] of listed.entries()) {
      const [shownId, outcome, reason, status, , warning, error] = await cellsOf(rows.nth(index));
      expect({ shownId, outcome, reason, status, warning, error }).toEqual({
        shownId: id,
        outcome: 'succeeded',
        reason: '—',
        status: '200',
        warning: '—',
        error: '—',
      });
    }

    // The receiver got each once, with a signature that verifies with the webhook's secret, fresh.
    const deliveries = receiver.requests.slice(received);
    expect(deliveries).toHaveLength(25);
    const verifier = new Webhook(secret);
    for (const delivery of deliveries) {
      expect(() =>
        verifier.verify(delivery.body.toString('utf8'), delivery.headers as Record<string, string>),
      ).not.toThrow();
    }
    const messageIds = deliveries.map((delivery) => delivery.headers['webhook-id']).sort();
    expect(messageIds).toEqual(listed.map((id) => `msg_${id}`).sort());
    for (const id of listed) {
      expect(await notificationStatus(database, id)).toBe('delivered');
    }
    for (const id of rest) {
      expect(await notificationStatus(database, id)).toBe('failed');
    }

    // The list reloads: only the 5 still failed are left.
    await page.getByText('5 failed notifications, newest first.', { exact: true }).waitFor();
    expect(await page.getByText('0 selected').count()).toBe(1);

    // The audit record of this retrigger.
    const audit = await cellsOf(bodyRows('Recent retriggers').first());
    expect(audit.slice(1, 7)).toEqual([
      expect.stringMatching(/^apikey:[0-9a-f]{12}$/),
      'Receiver outage on 30 Nov, replaying',
      'resign',
      '25',
      '25',
      '0',
    ]);

    // A notification's attempts, the receiver's answer included.
    await page.getByRole('checkbox', { name: rest[0], exact: true }).waitFor();
    await page.getByLabel('Status').selectOption('delivered');
    await page.getByRole('button', { name: 'Load' }).click();
    await page.getByRole('button', { name: `History of ${listed[0]}` }).click();
    await page.getByText(`1 attempt of ${listed[0]}, newest first.`).waitFor();
    const [, attemptStatus, responseStatus, responseBody, , , by] = await cellsOf(bodyRows('Attempt history').first());
    expect({ attemptStatus, responseStatus, responseBody, by }).toEqual({
      attemptStatus: 'succeeded',
      responseStatus: '200',
      responseBody: '{"received":true}',
      by: audit[1],
    });

    await page.screenshot({
      path: process.env.CONSOLE_SCREENSHOT || join(tmpdir(), 'notifications-admin-console.png'),
      fullPage: true,
    });

    expect(watch.errors).toEqual([]);
    expect(watch.dialogs).toEqual([]);
    expectOnlyOwnRequests();
    expect(page.url()).toBe(`${service.baseUrl}${CONSOLE_PATH}`);
    const storage = await page.evaluate(
      (name) => ({
        local: Object.keys(localStorage).map((key) => `${key}=${localStorage.getItem(key)}`),
        session: sessionStorage.getItem(name),
      }),
      KEY_STORAGE,
    );
    expect(storage).toEqual({ local: [], session: apiKey });
  });

  it('shows AccessDenied, name and words, for a wrong key', async () => {
    const webhook = await seedWebhook(database, { url: receiver.url });
    await seedNotification(database, webhook, newSecret(), { status: 'failed' });

    await open(webhook.id, 'not-the-admin-key');

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^AccessDenied: .+ \(HTTP 403\)$/);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    // Chromium logs each refused call; nothing else may be logged.
    expect(watch.errors.length).toBeGreaterThan(0);
    for (const error of watch.errors) {
      expect(error.text).toMatch(/status of 403/);
      expect(error.url.startsWith(`${service.baseUrl}/api/notifications/v1/admin/webhooks/${webhook.id}/`)).toBe(true);
    }
    expectOnlyOwnRequests();
  });

  it('shows what a hostile receiver answered as text, and runs none of it', async () => {
    const secret = newSecret();
    const webhook = await seedWebhook(database, { url: hostile.url, secret });
    const { id } = await seedNotification(database, webhook, secret, {
      status: 'failed',
      eventType: HOSTILE_EVENT_TYPE,
    });

    await open(webhook.id);
    await page.getByRole('checkbox', { name: id, exact: true }).check();
    await page.getByRole('button', { name: 'Retrigger selected' }).click();
    await page.getByText(/: 1 requested, 0 succeeded, 1 failed/).waitFor();

    // Sent with its original, hour-old signature: the warning says so and names the remedy.
    const [, outcome, reason, status, age, warning] = await cellsOf(bodyRows('Results').first());
    expect({ outcome, reason, status }).toEqual({ outcome: 'failed', reason: 'RECEIVER_REJECTED', status: '500' });
    expect(Number(age)).toBeGreaterThanOrEqual(3600);
    expect(warning).toMatch(/resign/);
    expect(hostile.requests).toHaveLength(1);

    // Still failed, so still listed, its event type as typed.
    await page.getByRole('cell', { name: HOSTILE_EVENT_TYPE, exact: true }).waitFor();
    await page.getByRole('button', { name: `History of ${id}` }).click();
    await page.getByText(`1 attempt of ${id}, newest first.`, { exact: true }).waitFor();
    const [, , , responseBody] = await cellsOf(bodyRows('Attempt history').first());
    expect(responseBody).toBe(HOSTILE_BODY);

    const dom = await page.evaluate(() => ({
      images: document.querySelectorAll('img').length,
      scripts: [...document.scripts].map((script) => script.getAttribute('src')),
      pwned: (window as unknown as { __pwned?: boolean }).__pwned ?? false,
    }));
    expect(dom).toEqual({ images: 0, scripts: ['console/console.js'], pwned: false });
    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    expectOnlyOwnRequests();
  });
});
