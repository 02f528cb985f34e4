import { HttpModule } from '@nestjs/axios';
import { DynamicModule, MiddlewareConsumer, Module, NestModule, Provider } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditRecordWriter } from './audit/audit-record.writer';
import { RetriggerAuditController } from './audit/retrigger-audit.controller';
import { RetriggerAuditService } from './audit/retrigger-audit.service';
import { ConsoleAssets } from './console/console-assets.service';
import { ConsoleController } from './console/console.controller';
import { DeliveryAgents } from './delivery/delivery-agents';
import { deliveryClientConfig } from './delivery/delivery-client.config';
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
import { NotificationListController } from './listing/notification-list.controller';
import { NotificationListService } from './listing/notification-list.service';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig, resolveConfig } from './notifications-admin.config';
import {
  NOTIFICATIONS_ADMIN_ASYNC_OPTIONS_TYPE,
  NOTIFICATIONS_ADMIN_MODULE_OPTIONS,
  NOTIFICATIONS_ADMIN_OPTIONS_TYPE,
  NotificationsAdminConfigurableModule,
} from './notifications-admin.module-definition';
import type { NotificationsAdminModuleOptions } from './notifications-admin-options.interface';
import { NotificationsAdminSettingsModule } from './notifications-admin-settings.module';
import { AttemptLog } from './persistence/attempt-log';
import { InterruptedAttemptsSweeper } from './recovery/interrupted-attempts.sweeper';
import { RetriggerController } from './retrigger/retrigger.controller';
import { RetriggerDryRun } from './retrigger/retrigger-dry-run';
import { RetriggerService } from './retrigger/retrigger.service';
import { SignatureService } from './signatures/signature.service';
import { InMemoryFixedWindowStorage } from './throttling/fixed-window.storage';
import { RedisFixedWindowStorage } from './throttling/redis-fixed-window.storage';
import { RETRIGGER_THROTTLER_STORAGE, RetriggerThrottlerGuard } from './throttling/retrigger-throttler.guard';

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
    AdminGuard,
    RetriggerThrottlerGuard,
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

  static override forRoot(options: typeof NOTIFICATIONS_ADMIN_OPTIONS_TYPE): DynamicModule {
    return withDeliveryClient(super.forRoot(options));
  }

  static override forRootAsync(options: typeof NOTIFICATIONS_ADMIN_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withDeliveryClient(super.forRootAsync(options));
  }
}

const RESOLVED_CONFIG: Provider = {
  provide: NOTIFICATIONS_ADMIN_CONFIG,
  inject: [NOTIFICATIONS_ADMIN_MODULE_OPTIONS],
  useFactory: (options: NotificationsAdminModuleOptions) => resolveConfig(options),
};

/**
 * Moves the options (and what the host's forRootAsync imports to build them)
 * into the settings module, and registers the delivery client's HttpModule
 * configured from them: one axios instance per mounted module.
 */
function withDeliveryClient(definition: DynamicModule): DynamicModule {
  // The routes' prefix stays with the module; what the host's factory needs moves to the settings module.
  const imports = definition.imports ?? [];
  const routes = imports.filter(isRouterModule);
  const settings: DynamicModule = {
    module: NotificationsAdminSettingsModule,
    imports: imports.filter((imported) => !isRouterModule(imported)),
    providers: [...(definition.providers ?? []), RESOLVED_CONFIG, DestinationPolicy, DeliveryAgents],
    exports: [NOTIFICATIONS_ADMIN_CONFIG, DestinationPolicy, DeliveryAgents],
  };
  return {
    ...definition,
    imports: [
      ...routes,
      settings,
      HttpModule.registerAsync({ imports: [settings], inject: [DeliveryAgents], useFactory: deliveryClientConfig }),
    ],
    providers: [],
  };
}

function isRouterModule(imported: unknown): boolean {
  return typeof imported === 'object' && imported !== null && (imported as DynamicModule).module === RouterModule;
}
