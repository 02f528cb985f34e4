import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { NOTIFICATIONS_ADMIN_ENTITIES, NOTIFICATIONS_ADMIN_MIGRATIONS, NotificationsAdminModule } from '../../../src';
import type { NotificationsAdminModuleOptions } from '../../../src';
import { HostAuthMiddleware, HostRequest } from './host-auth.middleware';
import { HostConfig } from './host-config';
import { HostConfigModule } from './host-config.module';
import { HostController } from './host.controller';

export interface HostAppOptions {
  config: HostConfig;
  /** `postgres://…` or a SQLite file path. */
  database: string;
  logger: TypeOrmLogger;
}

/**
 * A minimal host platform, written the way a host team would mount the module
 * from its public API (src/index.ts): its own TypeORM connection with the
 * module's entities and migrations, its own auth, its own global throttler.
 */
@Module({})
export class HostAppModule implements NestModule {
  static forRoot({ config, database, logger }: HostAppOptions): DynamicModule {
    const hostConfig = HostConfigModule.forRoot(config);
    return {
      module: HostAppModule,
      imports: [
        hostConfig,
        TypeOrmModule.forRoot({
          ...connection(database),
          entities: NOTIFICATIONS_ADMIN_ENTITIES,
          migrations: NOTIFICATIONS_ADMIN_MIGRATIONS,
          migrationsRun: true,
          logger,
        }),
        ThrottlerModule.forRoot([{ ttl: 60_000, limit: config.hostThrottleLimit }]),
        NotificationsAdminModule.forRootAsync({
          imports: [hostConfig],
          inject: [HostConfig],
          useFactory: (host: HostConfig): NotificationsAdminModuleOptions => ({
            adminCheck: (request) => {
              const user = (request as HostRequest).user;
              return user?.roles.includes('admin') ? `user:${user.id}` : null;
            },
            rateLimit: host.retriggerRateLimit,
            redisUrl: host.redisUrl,
            allowPrivateNetworks: true,
            metricsRegistry: host.metricsRegistry,
          }),
        }),
      ],
      controllers: [HostController],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HostAuthMiddleware).forRoutes('*path');
  }
}

function connection(database: string): TypeOrmModuleOptions {
  return /^postgres(ql)?:\/\//.test(database)
    ? { type: 'postgres', url: database }
    : { type: 'better-sqlite3', database };
}
