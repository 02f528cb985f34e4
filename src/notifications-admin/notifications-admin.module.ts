import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditRecordWriter } from './audit/audit-record.writer';
import { RetriggerAuditController } from './audit/retrigger-audit.controller';
import { RetriggerAuditService } from './audit/retrigger-audit.service';
import { DestinationPolicy } from './delivery/destination-policy';
import { WebhookDelivery } from './delivery/webhook-delivery.service';
import { NOTIFICATIONS_ADMIN_ENTITIES } from './entities';
import { AdminGuard } from './guards/admin.guard';
import { AttemptHistoryController } from './history/attempt-history.controller';
import { RateLimitStoreHealthIndicator } from './health/rate-limit-store.health';
import { AttemptHistoryService } from './history/attempt-history.service';
import { IdempotencyService } from './idempotency/idempotency.service';
import { RetriggerMetrics } from './metrics/retrigger-metrics.service';
import { RetriggerRequestsMetricMiddleware } from './metrics/retrigger-requests-metric.middleware';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig, resolveConfig } from './notifications-admin.config';
import {
  NOTIFICATIONS_ADMIN_MODULE_OPTIONS,
  NotificationsAdminConfigurableModule,
} from './notifications-admin.module-definition';
import type { NotificationsAdminModuleOptions } from './notifications-admin-options.interface';
import { AttemptLog } from './persistence/attempt-log';
import { InterruptedAttemptsSweeper } from './recovery/interrupted-attempts.sweeper';
import { RetriggerController } from './retrigger/retrigger.controller';
import { RetriggerService } from './retrigger/retrigger.service';
import { SignatureService } from './signatures/signature.service';
import { InMemoryFixedWindowStorage } from './throttling/fixed-window.storage';
import { RedisFixedWindowStorage } from './throttling/redis-fixed-window.storage';
import { RETRIGGER_THROTTLER_STORAGE, RetriggerThrottlerGuard } from './throttling/retrigger-throttler.guard';

/**
 * The notifications admin module: `POST .../webhooks/{webhookId}/notifications/retrigger`
 * and `GET .../webhooks/{webhookId}/notifications/{notificationId}/requests`.
 * Uses the host's default TypeORM DataSource; mount with `forRoot` or `forRootAsync`.
 */
@Module({
  imports: [TypeOrmModule.forFeature(NOTIFICATIONS_ADMIN_ENTITIES), TerminusModule],
  controllers: [RetriggerController, AttemptHistoryController, RetriggerAuditController],
  providers: [
    {
      provide: NOTIFICATIONS_ADMIN_CONFIG,
      inject: [NOTIFICATIONS_ADMIN_MODULE_OPTIONS],
      useFactory: (options: NotificationsAdminModuleOptions) => resolveConfig(options),
    },
    {
      provide: RETRIGGER_THROTTLER_STORAGE,
      inject: [NOTIFICATIONS_ADMIN_CONFIG],
      useFactory: (config: NotificationsAdminConfig) =>
        config.redisUrl ? RedisFixedWindowStorage.connect(config.redisUrl) : new InMemoryFixedWindowStorage(),
    },
    DestinationPolicy,
    WebhookDelivery,
    AttemptLog,
    IdempotencyService,
    RetriggerService,
    SignatureService,
    AuditRecordWriter,
    RetriggerAuditService,
    AttemptHistoryService,
    AdminGuard,
    RetriggerThrottlerGuard,
    InterruptedAttemptsSweeper,
    RateLimitStoreHealthIndicator,
    RetriggerMetrics,
  ],
  exports: [RetriggerService, RateLimitStoreHealthIndicator],
})
export class NotificationsAdminModule extends NotificationsAdminConfigurableModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RetriggerRequestsMetricMiddleware).forRoutes(RetriggerController);
  }
}
