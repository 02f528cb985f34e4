import { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/config/data-source-options';
import { configureHttp } from '../../src/http-setup';
import { NotificationsAdminModule } from '../../src/notifications-admin/notifications-admin.module';
import type { NotificationsAdminModuleOptions } from '../../src/notifications-admin/notifications-admin-options.interface';
import { QueryCounter } from './query-counter';

export interface TestApp {
  app: INestApplication;
  baseUrl: string;
  dataSource: DataSource;
  apiKey: string;
  queries: QueryCounter;
  databaseUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions extends NotificationsAdminModuleOptions {
  /** Share a database with another app (two instances); a new one otherwise. */
  databaseUrl?: string;
  /** More setup of the standalone kind (main.ts), run before the app listens. */
  beforeListen?: (app: NestExpressApplication) => void;
}

/** PostgreSQL when TEST_DATABASE_URL is set, else a fresh SQLite file. */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL || `sqlite:${join(tmpdir(), `notifications-admin-test-${randomUUID()}.sqlite`)}`;
}

export const onPostgres = (): boolean => Boolean(process.env.TEST_DATABASE_URL);

/**
 * Boots the module as the standalone service does (same HTTP setup, real
 * database, real migrations) on a loopback port. Each app gets its own admin
 * key, so rate-limit counters of different tests never meet, even in Redis.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { databaseUrl = testDatabaseUrl(), beforeListen, ...moduleOptions } = options;
  const apiKey = `test-key-${randomUUID()}`;
  const queries = new QueryCounter();
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        ...buildDataSourceOptions(databaseUrl),
        migrationsRun: true,
        logger: queries,
        retryAttempts: 1,
      }),
      NotificationsAdminModule.forRoot({
        adminApiKeys: [apiKey],
        allowPrivateNetworks: true,
        rateLimit: 10_000,
        redisUrl: process.env.REDIS_URL || undefined,
        ...moduleOptions,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error', 'warn'] });
  configureHttp(app);
  beforeListen?.(app);
  await app.listen(0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  const dataSource = app.get<DataSource>(getDataSourceToken());
  return {
    app,
    baseUrl: baseUrl.replace('[::1]', '127.0.0.1'),
    dataSource,
    apiKey,
    queries,
    databaseUrl,
    close: () => app.close(),
  };
}

export function retriggerPath(webhookId: string): string {
  return `/api/notifications/v1/admin/webhooks/${webhookId}/notifications/retrigger`;
}

export function historyPath(webhookId: string, notificationId: string): string {
  return `/api/notifications/v1/admin/webhooks/${webhookId}/notifications/${notificationId}/requests`;
}

export function listPath(webhookId: string): string {
  return `/api/notifications/v1/admin/webhooks/${webhookId}/notifications`;
}

/** The retrigger audit list of a webhook, or one of its records. */
export function auditPath(webhookId: string, retriggerId?: string): string {
  const list = `/api/notifications/v1/admin/webhooks/${webhookId}/retriggers`;
  return retriggerId === undefined ? list : `${list}/${retriggerId}`;
}

/** The principal the service records for a request made with `apiKey`. */
export function principalOf(apiKey: string): string {
  return `apikey:${createHash('sha256').update(apiKey).digest('hex').slice(0, 12)}`;
}
