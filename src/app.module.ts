import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { HttpLogger } from 'pino-http';
import { LoggerModule } from 'nestjs-pino';
import { buildDataSourceOptions } from './config/data-source-options';
import type { Environment } from './config/environment';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { NotificationsAdminModule } from './notifications-admin/notifications-admin.module';

/** The standalone service: the module on its own database, migrated at start, with probes and JSON logs. */
@Module({})
export class AppModule {
  /** `httpLogger` is mounted by main.ts ahead of every other middleware; LoggerModule only binds it to each request. */
  static forEnvironment(env: Environment, httpLogger: HttpLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: { logger: httpLogger.logger }, useExisting: true }),
        TypeOrmModule.forRoot({ ...buildDataSourceOptions(env.databaseUrl), migrationsRun: true, retryAttempts: 3 }),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        NotificationsAdminModule.forRoot({
          adminApiKeys: env.adminApiKeys,
          rateLimit: env.rateLimit,
          rateWindowMs: env.rateWindowMs,
          webhookTimeoutMs: env.webhookTimeoutMs,
          allowPrivateNetworks: env.allowPrivateNetworks,
          redisUrl: env.redisUrl,
        }),
      ],
      controllers: env.metrics ? [HealthController, MetricsController] : [HealthController],
    };
  }
}
