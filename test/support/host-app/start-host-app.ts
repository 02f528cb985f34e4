import { INestApplication, VersioningType } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { setupNotificationsAdminDocs } from '../../../src';
import type { DeliveryClientOptions } from '../../../src';
import { QueryCounter } from '../query-counter';
import { HostAppModule } from './host-app.module';
import { HostConfig, HostUser } from './host-config';

export const HOST_DOCS_PATH = 'admin/notifications/docs';

export interface HostApp {
  app: INestApplication;
  baseUrl: string;
  dataSource: DataSource;
  /** Every statement sent over the host's connection. */
  queries: QueryCounter;
  admin: HostUser & { token: string };
  machineApiKey: string;
  member: HostUser & { token: string };
  close(): Promise<void>;
}

/**
 * Boots the host as a host would (Nest's default body parser, no
 * configureHttp, a global `api` prefix, URI versioning) on a loopback port. User ids are new per app, so
 * rate-limit counters never meet across apps, even in Redis.
 */
export async function startHostApp(settings: {
  retriggerRateLimit: number;
  hostThrottleLimit: number;
  metricsRegistry?: Registry;
  deliveryClient?: DeliveryClientOptions;
}): Promise<HostApp> {
  const admin = { id: randomUUID(), roles: ['admin', 'support'], token: `host-token-${randomUUID()}` };
  const member = { id: randomUUID(), roles: ['support'], token: `host-token-${randomUUID()}` };
  const config = new HostConfig(
    new Map([admin, member].map((user) => [user.token, user])),
    settings.retriggerRateLimit,
    settings.hostThrottleLimit,
    process.env.REDIS_URL || undefined,
    `machine-key-${randomUUID()}`,
    settings.metricsRegistry,
    settings.deliveryClient,
  );
  const database = process.env.TEST_DATABASE_URL || join(tmpdir(), `notifications-admin-host-${randomUUID()}.sqlite`);
  const queries = new QueryCounter();
  const moduleRef = await Test.createTestingModule({
    imports: [HostAppModule.forRoot({ config, database, logger: queries })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  // The host's own routes are /api/v1/...; the module's stay where the spec puts them (routePrefix, version-neutral).
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  setupNotificationsAdminDocs(app, HOST_DOCS_PATH);
  await app.listen(0, '127.0.0.1');
  return {
    app,
    baseUrl: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
    dataSource: app.get<DataSource>(getDataSourceToken()),
    queries,
    admin,
    member,
    machineApiKey: config.machineApiKey,
    close: () => app.close(),
  };
}
