import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { setupNotificationsAdminDocs } from '../src/notifications-admin/docs/api-docs.setup';
import { ERROR_STATUS, ErrorName } from '../src/notifications-admin/errors/error-name.enum';
import { OPENAPI_DOCUMENT } from './support/openapi';
import { redoclyProblems, spectralProblems } from './support/openapi-linters';
import { documentShape } from './support/openapi-shape';
import { everySchema, jsonSchemaOf, operationsOf, reachableSchemas, resolveRef, Schema } from './support/openapi-walk';
import { startTestApp, TestApp } from './support/test-app';

let testApp: TestApp;
/** What GET /api/docs-json answers. */
let served: Schema;

beforeAll(async () => {
  testApp = await startTestApp({ beforeListen: (app) => void setupNotificationsAdminDocs(app) });
  const json = await request(testApp.baseUrl).get('/api/docs-json');
  expect(json.status).toBe(200);
  served = json.body as Schema;
});

afterAll(() => testApp.close());

describe('the OpenAPI document the service serves', () => {
  it('agrees with docs/openapi.yaml keyword by keyword: version, servers, tags, license, schema names, parameters, headers, schemas', () => {
    expect(documentShape(served)).toEqual(documentShape(OPENAPI_DOCUMENT));
  });

  it('is docs/openapi.yaml, prose included (`npm run openapi` writes it from the code)', () => {
    expect(served).toEqual(OPENAPI_DOCUMENT);
  });

  it('is OpenAPI 3.1 with a server, the tags its operations use, and the license of package.json', () => {
    const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { license: string };
    const tags = (served.tags as Schema[]).map((tag) => tag.name);

    expect(served.openapi).toBe('3.1.0');
    expect((served.info as Schema).license).toMatchObject({ name: packageJson.license });
    expect(served.servers).toEqual([expect.objectContaining({ url: expect.any(String) })]);
    for (const { operation } of operationsOf(served)) {
      expect(tags).toEqual(expect.arrayContaining(operation.tags as string[]));
    }
  });

  it('serves Swagger UI without credentials', async () => {
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

/**
 * What every route and schema of the document must say, checked by walking
 * all of them: a new route or DTO that forgets one fails here.
 */
describe('rules every route and schema of the document follows', () => {
  it('path ids are required UUIDs', () => {
    const pathParameters = operationsOf(served).flatMap(({ name, operation }) =>
      ((operation.parameters ?? []) as Schema[])
        .filter((parameter) => parameter.in === 'path')
        .map((parameter) => ({ where: `${name} ${String(parameter.name)}`, ...parameter })),
    );

    expect(pathParameters.length).toBeGreaterThan(0);
    for (const parameter of pathParameters) {
      expect(parameter).toMatchObject({
        where: parameter.where,
        required: true,
        schema: { type: 'string', format: 'uuid' },
      });
    }
  });

  it('every id property (`id`, `…Id`, the items of `…Ids`) is a UUID', () => {
    const ids = everySchema(served).flatMap(([where, schema]) =>
      Object.entries((schema.properties ?? {}) as Record<string, Schema>)
        .filter(([name]) => /^id$|Ids?$/.test(name))
        .map(([name, property]) => {
          const resolved = resolveRef(served, property);
          return {
            where: `${where}.${name}`,
            format: (/Ids$/.test(name) ? (resolved.items as Schema) : resolved).format,
          };
        }),
    );

    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => id.format !== 'uuid')).toEqual([]);
  });

  it('answers carry every key they document: each property of a 2xx schema is required (null, never absent)', () => {
    const optional = operationsOf(served).flatMap(({ name, operation }) =>
      Object.entries(operation.responses as Record<string, Schema>)
        .filter(([status]) => status.startsWith('2'))
        .flatMap(([status, response]) => reachableSchemas(served, jsonSchemaOf(response)!, `${name} ${status}`))
        .flatMap(([where, schema]) => {
          const required = (schema.required ?? []) as string[];
          return Object.keys((schema.properties ?? {}) as Schema)
            .filter((property) => !required.includes(property))
            .map((property) => `${where}.${property}`);
        }),
    );

    expect(optional).toEqual([]);
  });

  it('request bodies declare no `default`: openapi-typescript would make such a field required of clients', () => {
    const withDefault = operationsOf(served).flatMap(({ name, operation }) => {
      const body = operation.requestBody ? jsonSchemaOf(operation.requestBody as Schema) : undefined;
      return body
        ? reachableSchemas(served, body, `${name} request body`)
            .filter(([, schema]) => 'default' in schema)
            .map(([where]) => where)
        : [];
    });

    expect(withDefault).toEqual([]);
  });

  it('error names are one named, typed schema: the ErrorName enum of the code', () => {
    const schemas = (served.components as { schemas: Record<string, Schema> }).schemas;

    expect(schemas.ErrorName).toEqual({
      type: 'string',
      enum: Object.values(ErrorName),
      description: expect.any(String),
    });
    expect(schemas.ErrorEnvelope).toMatchObject({
      type: 'object',
      required: ['name', 'error', 'status'],
      additionalProperties: false,
      properties: { name: { allOf: [{ $ref: '#/components/schemas/ErrorName' }] } },
    });
  });

  it('every error answer is the envelope narrowed to typed names of its status and a const status', () => {
    const errorResponses = operationsOf(served).flatMap(({ name, operation }) =>
      Object.entries(operation.responses as Record<string, Schema>)
        .filter(([status]) => !status.startsWith('2'))
        .map(([status, response]) => ({ where: `${name} ${status}`, status: Number(status), response })),
    );

    expect(errorResponses.length).toBeGreaterThan(0);
    for (const { where, status, response } of errorResponses) {
      const [envelope, narrowed] = (jsonSchemaOf(response)?.allOf ?? []) as Schema[];
      const properties = (narrowed?.properties ?? {}) as Record<string, Schema>;
      const names = (properties.name?.enum ?? [properties.name?.const]) as ErrorName[];

      expect({ where, envelope }).toEqual({ where, envelope: { $ref: '#/components/schemas/ErrorEnvelope' } });
      expect({ where, narrowed }).toMatchObject({
        where,
        narrowed: {
          type: 'object',
          required: ['name', 'status'],
          properties: { name: { type: 'string' }, status: { type: 'integer', const: status } },
        },
      });
      expect({ where, statuses: names.map((errorName) => ERROR_STATUS[errorName]) }).toEqual({
        where,
        statuses: names.map(() => status),
      });
    }
  });

  it('an answer that may be RETRIGGER_RATE_LIMITED declares Retry-After in whole seconds', () => {
    const rateLimited = operationsOf(served).flatMap(({ name, operation }) =>
      Object.entries(operation.responses as Record<string, Schema>)
        .filter(([, response]) => JSON.stringify(jsonSchemaOf(response) ?? {}).includes(ErrorName.RetriggerRateLimited))
        .map(([status, response]) => ({ where: `${name} ${status}`, headers: response.headers })),
    );

    expect(rateLimited.map(({ where }) => where)).toContain(
      'POST /api/notifications/v1/admin/webhooks/{webhookId}/notifications/retrigger 400',
    );
    for (const answer of rateLimited) {
      expect(answer).toMatchObject({ headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 } } } });
    }
  });
});

describe('what client authors lint with', () => {
  // Each linter run starts a CLI: seconds on a busy machine.
  jest.setTimeout(60_000);

  let dir: string;
  const documents = () => [
    ['served', join(dir, 'served.json')],
    ['docs/openapi.yaml', join(process.cwd(), 'docs', 'openapi.yaml')],
  ];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
    await writeFile(join(dir, 'served.json'), JSON.stringify(served));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['served', 'docs/openapi.yaml'])(
    'Redocly (recommended) finds no error and no warning in the %s document',
    async (which) => {
      const [, file] = documents().find(([name]) => name === which)!;

      expect(await redoclyProblems(file)).toEqual([]);
    },
  );

  it.each(['served', 'docs/openapi.yaml'])(
    'Spectral (spectral:oas) finds nothing in the %s document',
    async (which) => {
      const [, file] = documents().find(([name]) => name === which)!;

      expect(await spectralProblems(file)).toEqual([]);
    },
  );
});

describe('API_DOCS=false (main.ts then skips setupNotificationsAdminDocs)', () => {
  it('leaves both routes unknown: 404 NotFound envelope', async () => {
    const withoutDocs = await startTestApp();
    try {
      for (const path of ['/api/docs', '/api/docs-json']) {
        const response = await request(withoutDocs.baseUrl).get(path);
        expect(response.status).toBe(404);
        expect(response.body).toEqual({ name: 'NotFound', error: 'No such route', status: 404 });
      }
    } finally {
      await withoutDocs.close();
    }
  });
});
