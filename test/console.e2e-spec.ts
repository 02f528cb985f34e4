import request from 'supertest';
import { CONSOLE_CONTENT_SECURITY_POLICY } from '../src/notifications-admin/console/console.controller';
import { ServiceProcess } from './support/service-process';
import { retriggerPath, startTestApp, TestApp, testDatabaseUrl } from './support/test-app';

jest.setTimeout(60_000);

const CONSOLE = '/api/notifications/v1/admin/console';
const NOT_FOUND = { name: 'NotFound', error: 'No such route', status: 404 };

/**
 * How the console is served (what a browser gets is in test/browser): on by
 * default in the standalone service, off unless a host asks, its own strict
 * policy, and no change to the API routes' headers.
 */
describe('admin console: serving', () => {
  describe('the standalone service (node dist/src/main.js)', () => {
    const services: ServiceProcess[] = [];
    let service: ServiceProcess;
    const start = async (env: Record<string, string>) => {
      const started = await ServiceProcess.start({
        DATABASE_URL: testDatabaseUrl(),
        ADMIN_API_KEYS: 'console-e2e-key',
        LOG_LEVEL: 'warn',
        ...env,
      });
      services.push(started);
      return started;
    };

    beforeAll(async () => {
      service = await start({});
    });

    afterAll(() => Promise.all(services.map((started) => started.stop())));

    it('serves the page and its files by default, without credentials, under the page’s own CSP', async () => {
      const page = await request(service.baseUrl).get(CONSOLE);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
      expect(page.text).toContain('<script src="console/console.js" defer></script>');
      // Nothing inline for the CSP to allow, and nothing from elsewhere.
      expect(page.text).not.toMatch(/<script>|<style|\son\w+=|https?:\/\//);

      for (const [file, type] of [
        ['console.js', 'text/javascript; charset=utf-8'],
        ['console.css', 'text/css; charset=utf-8'],
        ['favicon.svg', 'image/svg+xml'],
      ]) {
        const asset = await request(service.baseUrl).get(`${CONSOLE}/${file}`);
        expect({ file, status: asset.status, type: asset.headers['content-type'] }).toEqual({
          file,
          status: 200,
          type,
        });
        expect(asset.headers['x-content-type-options']).toBe('nosniff');
      }
    });

    it.each([`${CONSOLE}/console.html`, `${CONSOLE}/main.js`, `${CONSOLE}/..%2F..%2Fpackage.json`, `${CONSOLE}/x/y`])(
      'answers %s like an unknown route',
      async (path) => {
        const response = await request(service.baseUrl).get(path);
        expect({ status: response.status, body: response.body }).toEqual({ status: 404, body: NOT_FOUND });
      },
    );

    it('sends `.../console/` to `.../console`, where the page’s relative links resolve', async () => {
      const response = await request(service.baseUrl).get(`${CONSOLE}/`);
      expect(response.status).toBe(308);
      expect(new URL(response.headers.location, `${service.baseUrl}${CONSOLE}/`).pathname).toBe(CONSOLE);
    });

    it('keeps the service’s own CSP on the API routes', async () => {
      const api = await request(service.baseUrl).post(retriggerPath('not-a-uuid'));
      expect(api.status).toBe(403);
      expect(api.headers['content-security-policy']).toBeDefined();
      expect(api.headers['content-security-policy']).not.toBe(CONSOLE_CONTENT_SECURITY_POLICY);
    });

    it('answers 404 in the envelope everywhere under it with ADMIN_CONSOLE=false', async () => {
      const off = await start({ ADMIN_CONSOLE: 'false' });
      for (const path of [CONSOLE, `${CONSOLE}/console.js`]) {
        const response = await request(off.baseUrl).get(path);
        expect({ path, status: response.status, body: response.body }).toEqual({ path, status: 404, body: NOT_FOUND });
      }
    });

    it('refuses to start on a bad ADMIN_CONSOLE, naming it', async () => {
      await expect(start({ ADMIN_CONSOLE: 'maybe' })).rejects.toThrow(
        /Invalid environment: ADMIN_CONSOLE must be true or false/,
      );
    });
  });

  describe('mounted in a host', () => {
    let app: TestApp | undefined;

    afterEach(() => app?.close());

    it('is off unless the host sets the console option', async () => {
      app = await startTestApp();
      const response = await request(app.baseUrl).get(CONSOLE);
      expect({ status: response.status, body: response.body }).toEqual({ status: 404, body: NOT_FOUND });
    });

    it('is served with `console: true`', async () => {
      app = await startTestApp({ console: true });
      const page = await request(app.baseUrl).get(CONSOLE);
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
      const script = await request(app.baseUrl).get(`${CONSOLE}/console.js`);
      expect(script.status).toBe(200);
      expect(script.text).toContain("new URL('../webhooks/', script.src)");
    });
  });
});
