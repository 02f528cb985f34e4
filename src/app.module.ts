import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildDataSourceOptions } from './config/data-source-options';
import type { Environment } from './config/environment';
import { NotificationsAdminModule } from './notifications-admin/notifications-admin.module';

/** The standalone service: the module on its own database, migrated at start. */
@Module({})
export class AppModule {
  static forEnvironment(env: Environment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({ ...buildDataSourceOptions(env.databaseUrl), migrationsRun: true, retryAttempts: 3 }),
        NotificationsAdminModule.forRoot({
          adminApiKeys: env.adminApiKeys,
          rateLimit: env.rateLimit,
          rateWindowMs: env.rateWindowMs,
          webhookTimeoutMs: env.webhookTimeoutMs,
          allowPrivateNetworks: env.allowPrivateNetworks,
          redisUrl: env.redisUrl,
        }),
      ],
    };
  }
}
