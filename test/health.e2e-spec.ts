import { Controller, Get, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { buildDataSourceOptions } from '../src/config/data-source-options';
import { HealthController } from '../src/health/health.controller';
import { RateLimitStoreHealthIndicator } from '../src/index';
import { NotificationsAdminModule } from '../src/notifications-admin/notifications-admin.module';
import { closedPort } from './support/receivers';
import { ServiceProcess } from './support/service-process';
import { testDatabaseUrl } from './support/test-app';

jest.setTimeout(60_000);

describe('health probes of the standalone service', () => {
  const services: ServiceProcess[] = [];

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
  });

  async function startService(env: Record<string, string | undefined>): Promise<ServiceProcess> {
    const service = await ServiceProcess.start({
      ADMIN_API_KEYS: `key-${randomUUID()}`,
      DATABASE_URL: testDatabaseUrl(),
      ...env,
    });
    services.push(service);
    return service;
  }

  it('answers live and ready without credentials while the database and Redis answer', async () => {
    const service = await startService({ REDIS_URL: process.env.REDIS_URL });

    const live = await fetch(`${service.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });

    const ready = await fetch(`${service.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      details: {
        database: { status: 'up' },
        rateLimitStore: { status: 'up', store: process.env.REDIS_URL ? 'redis' : 'memory' },
      },
    });
  });

  it('answers ready 503 when Redis is down, without its URL or password, and stays live', async () => {
    const password = `redis-password-${randomUUID()}`;
    const port = await closedPort();
    const service = await startService({ REDIS_URL: `redis://:${password}@127.0.0.1:${port}` });

    const ready = await fetch(`${service.baseUrl}/health/ready`);
    const text = await ready.text();
    expect(ready.status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({
      status: 'error',
      error: { rateLimitStore: { status: 'down', message: 'Redis did not answer' } },
      details: { database: { status: 'up' } },
    });
    expect(text).not.toContain(password);
    expect(text).not.toContain(String(port));
    expect(service.stdout.join('\n')).not.toContain(password);

    expect((await fetch(`${service.baseUrl}/health/live`)).status).toBe(200);
  });
});

/** A host's own probe, as the README tells hosts to write it. */
@Controller('host-health')
class HostHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly rateLimitStore: RateLimitStoreHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.rateLimitStore.isHealthy('notificationsRateLimit')]);
  }
}

describe('health indicator exported to hosts', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function startHost(redisUrl: string | undefined): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ ...buildDataSourceOptions(testDatabaseUrl()), migrationsRun: true }),
        TerminusModule.forRoot({ logger: false }),
        NotificationsAdminModule.forRoot({ adminApiKeys: ['host-key'], redisUrl }),
      ],
      controllers: [HostHealthController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  }

  it('lets a host add the rate-limit store to its own check, with no route forced on it', async () => {
    const host = await startHost(process.env.REDIS_URL || undefined);
    const server = host.getHttpServer();

    await request(server)
      .get('/host-health')
      .expect(200)
      .expect(({ body }) => expect(body.details.notificationsRateLimit.status).toBe('up'));
    await request(server).get('/health/ready').expect(404);
  });

  it('reports the store down when the configured Redis does not answer', async () => {
    const host = await startHost(`redis://127.0.0.1:${await closedPort()}`);

    await request(host.getHttpServer())
      .get('/host-health')
      .expect(503)
      .expect(({ body }) =>
        expect(body.error.notificationsRateLimit).toEqual({
          status: 'down',
          store: 'redis',
          message: 'Redis did not answer',
        }),
      );
  });
});

describe('readiness when the database is gone', () => {
  it('answers 503 naming the database down, with no driver detail', async () => {
    const databaseUrl = testDatabaseUrl();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ ...buildDataSourceOptions(databaseUrl), migrationsRun: true }),
        TerminusModule.forRoot({ logger: false }),
        NotificationsAdminModule.forRoot({ adminApiKeys: ['key'] }),
      ],
      controllers: [HealthController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      await request(app.getHttpServer()).get('/health/ready').expect(200);
      await app.get(getDataSourceToken()).destroy();

      const { body } = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(body.error).toEqual({ database: { status: 'down', message: 'the database ping failed' } });
      expect(JSON.stringify(body)).not.toContain(databaseUrl);
    } finally {
      await app.close();
    }
  });
});
