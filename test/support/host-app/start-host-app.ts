import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { setupNotificationsAdminDocs } from '../../../src';
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
  member: HostUser & { token: string };
  close(): Promise<void>;
}

/**
 * Boots the host as a host would (Nest's default body parser, no
 * configureHttp) on a loopback port. User ids are new per app, so
 * rate-limit counters never meet across apps, even in Redis.
 */
export async function startHostApp(limits: {
  retriggerRateLimit: number;
  hostThrottleLimit: number;
  metricsRegistry?: Registry;
}): Promise<HostApp> {
  const admin = { id: randomUUID(), roles: ['admin', 'support'], token: `host-token-${randomUUID()}` };
  const member = { id: randomUUID(), roles: ['support'], token: `host-token-${randomUUID()}` };
  const config = new HostConfig(
    new Map([admin, member].map((user) => [user.token, user])),
    limits.retriggerRateLimit,
    limits.hostThrottleLimit,
    process.env.REDIS_URL || undefined,
    limits.metricsRegistry,
  );
  const database = process.env.TEST_DATABASE_URL || join(tmpdir(), `notifications-admin-host-${randomUUID()}.sqlite`);
  const queries = new QueryCounter();
  const moduleRef = await Test.createTestingModule({
    imports: [HostAppModule.forRoot({ config, database, logger: queries })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  setupNotificationsAdminDocs(app, HOST_DOCS_PATH);
  await app.listen(0, '127.0.0.1');
  return {
    app,
    baseUrl: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
    dataSource: app.get<DataSource>(getDataSourceToken()),
    queries,
    admin,
    member,
    close: () => app.close(),
  };
}
