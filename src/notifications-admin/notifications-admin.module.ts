import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditRecordWriter } from './audit/audit-record.writer';
import { RetriggerAuditController } from './audit/retrigger-audit.controller';
import { RetriggerAuditService } from './audit/retrigger-audit.service';
import { ConsoleAssets } from './console/console-assets.service';
import { ConsoleController } from './console/console.controller';
import { WebhookDelivery } from './delivery/webhook-delivery.service';
import { NOTIFICATIONS_ADMIN_ENTITIES } from './entities';
import { AttemptHistoryController } from './history/attempt-history.controller';
import { RateLimitStoreHealthIndicator } from './health/rate-limit-store.health';
import { AttemptHistoryService } from './history/attempt-history.service';
import { IdempotencyService } from './idempotency/idempotency.service';
import { RetriggerMetrics } from './metrics/retrigger-metrics.service';
import { RetriggerRequestsMetricMiddleware } from './metrics/retrigger-requests-metric.middleware';
import { NotificationListController } from './listing/notification-list.controller';
import { NotificationListService } from './listing/notification-list.service';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from './notifications-admin.config';
import { NotificationsAdminConfigurableModule } from './notifications-admin.module-definition';
import { AttemptLog } from './persistence/attempt-log';
import { InterruptedAttemptsSweeper } from './recovery/interrupted-attempts.sweeper';
import { RetriggerController } from './retrigger/retrigger.controller';
import { RetriggerDryRun } from './retrigger/retrigger-dry-run';
import { RetriggerService } from './retrigger/retrigger.service';
import { SignatureService } from './signatures/signature.service';
import { InMemoryFixedWindowStorage } from './throttling/fixed-window.storage';
import { RedisFixedWindowStorage } from './throttling/redis-fixed-window.storage';
import { RETRIGGER_THROTTLER_STORAGE } from './throttling/retrigger-throttler.guard';

/**
 * The notifications admin module: `POST .../webhooks/{webhookId}/notifications/retrigger`
 * `GET .../webhooks/{webhookId}/notifications` and
 * `GET .../webhooks/{webhookId}/notifications/{notificationId}/requests`,
 * and the operators' page at `.../console` when the `console` option is set.
 * Uses the host's default TypeORM DataSource; mount with `forRoot` or `forRootAsync`.
 * Every controller of the module is listed here: that is what puts it under
 * `routePrefix` (see the module definition).
 */
@Module({
  imports: [TypeOrmModule.forFeature(NOTIFICATIONS_ADMIN_ENTITIES)],
  controllers: [
    RetriggerController,
    AttemptHistoryController,
    NotificationListController,
    RetriggerAuditController,
    ConsoleController,
  ],
  providers: [
    {
      provide: RETRIGGER_THROTTLER_STORAGE,
      inject: [NOTIFICATIONS_ADMIN_CONFIG],
      useFactory: (config: NotificationsAdminConfig) =>
        config.redisUrl ? RedisFixedWindowStorage.connect(config.redisUrl) : new InMemoryFixedWindowStorage(),
    },
    WebhookDelivery,
    AttemptLog,
    IdempotencyService,
    RetriggerService,
    RetriggerDryRun,
    SignatureService,
    AuditRecordWriter,
    RetriggerAuditService,
    AttemptHistoryService,
    NotificationListService,
    InterruptedAttemptsSweeper,
    RateLimitStoreHealthIndicator,
    RetriggerMetrics,
    ConsoleAssets,
  ],
  exports: [RetriggerService, RateLimitStoreHealthIndicator],
})
export class NotificationsAdminModule extends NotificationsAdminConfigurableModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RetriggerRequestsMetricMiddleware).forRoutes(RetriggerController);
  }
}
