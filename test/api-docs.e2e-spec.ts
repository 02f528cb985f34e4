import request from 'supertest';
import {
  buildNotificationsAdminDocument,
  setupNotificationsAdminDocs,
} from '../src/notifications-admin/docs/api-docs.setup';
import { OPENAPI_DOCUMENT } from './support/openapi';
import { documentShape } from './support/openapi-shape';
import { startTestApp, TestApp } from './support/test-app';

describe('OpenAPI document generated from the code', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ beforeListen: (app) => void setupNotificationsAdminDocs(app) });
  });

  afterAll(() => testApp.close());

  it('agrees with docs/openapi.yaml: paths, methods, parameters, schemas, error names and statuses, security', () => {
    const generated = buildNotificationsAdminDocument(testApp.app);

    expect(documentShape(generated)).toEqual(documentShape(OPENAPI_DOCUMENT));
  });

  it('serves the JSON document and Swagger UI without credentials', async () => {
    const json = await request(testApp.baseUrl).get('/api/docs-json');
    expect(json.status).toBe(200);
    expect(json.body).toEqual(JSON.parse(JSON.stringify(buildNotificationsAdminDocument(testApp.app))));

    const ui = await request(testApp.baseUrl).get('/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers['content-type']).toMatch(/^text\/html/);
    const script = /src="\.?\/?([^"]*swagger-ui-init\.js)"/.exec(ui.text)?.[1];
    expect(script).toBeDefined();
    expect((await request(testApp.baseUrl).get(`/api/docs/${script!.replace(/^api\/docs\//, '')}`)).status).toBe(200);
  });

  it('leaves the YAML document unserved', async () => {
    const response = await request(testApp.baseUrl).get('/api/docs-yaml');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ name: 'NotFound', error: 'No such route', status: 404 });
  });
});

describe('API_DOCS=false (main.ts then skips setupNotificationsAdminDocs)', () => {
  it('leaves both routes unknown: 404 NotFound envelope', async () => {
    const testApp = await startTestApp();
    try {
      for (const path of ['/api/docs', '/api/docs-json']) {
        const response = await request(testApp.baseUrl).get(path);
        expect(response.status).toBe(404);
        expect(response.body).toEqual({ name: 'NotFound', error: 'No such route', status: 404 });
      }
    } finally {
      await testApp.close();
    }
  });
});
