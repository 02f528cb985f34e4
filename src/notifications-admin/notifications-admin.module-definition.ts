import { HttpModule } from '@nestjs/axios';
import { ConfigurableModuleBuilder, DynamicModule, Provider } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { DeliveryAgents } from './delivery/delivery-agents';
import { deliveryClientConfig } from './delivery/delivery-client.config';
import { DestinationPolicy } from './delivery/destination-policy';
import { NOTIFICATIONS_ADMIN_CONFIG, resolveConfig } from './notifications-admin.config';
import type { NotificationsAdminModuleOptions } from './notifications-admin-options.interface';
import { NotificationsAdminSettingsModule } from './notifications-admin-settings.module';

export const DEFAULT_ROUTE_PREFIX = 'api/notifications/v1/admin';

/**
 * Options that shape the module's declaration rather than its providers:
 * given beside `useFactory` in `forRootAsync`, never returned by it, because
 * routes are laid out before any factory runs.
 */
export interface NotificationsAdminModuleExtras {
  /**
   * Where every route of the module is mounted: `{routePrefix}/webhooks/...`
   * (and `{routePrefix}/console`), below the host's global prefix, if any.
   * Default `api/notifications/v1/admin`; a host with `setGlobalPrefix('api')`
   * passes `notifications/v1/admin`.
   */
  routePrefix: string;
}

/**
 * The prefix is the module's path in Nest's RouterModule, so every
 * controller declared in NotificationsAdminModule gets it without knowing
 * it: controllers declare paths relative to it (`@AdminController()`,
 * `@ModuleController('console')`). Nest keeps module paths per
 * application, so apps in one process may mount the module at different prefixes.
 */
export const {
  ConfigurableModuleClass: NotificationsAdminConfigurableModule,
  MODULE_OPTIONS_TOKEN: NOTIFICATIONS_ADMIN_MODULE_OPTIONS,
  OPTIONS_TYPE: NOTIFICATIONS_ADMIN_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: NOTIFICATIONS_ADMIN_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<NotificationsAdminModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<NotificationsAdminModuleExtras>({ routePrefix: DEFAULT_ROUTE_PREFIX }, composeDefinition)
  .build();

const RESOLVED_CONFIG: Provider = {
  provide: NOTIFICATIONS_ADMIN_CONFIG,
  inject: [NOTIFICATIONS_ADMIN_MODULE_OPTIONS],
  useFactory: (options: NotificationsAdminModuleOptions) => resolveConfig(options),
};

/**
 * Moves the options (and what the host's forRootAsync imports to build them)
 * into the settings module, registers the delivery client's HttpModule
 * configured from them (one axios instance per mounted module), and mounts
 * the module at the route prefix.
 */
function composeDefinition(definition: DynamicModule, extras: NotificationsAdminModuleExtras): DynamicModule {
  const settings: DynamicModule = {
    module: NotificationsAdminSettingsModule,
    imports: definition.imports ?? [],
    providers: [...(definition.providers ?? []), RESOLVED_CONFIG, DestinationPolicy, DeliveryAgents],
    exports: [NOTIFICATIONS_ADMIN_CONFIG, DestinationPolicy, DeliveryAgents],
  };
  return {
    ...definition,
    imports: [
      settings,
      HttpModule.registerAsync({ imports: [settings], inject: [DeliveryAgents], useFactory: deliveryClientConfig }),
      RouterModule.register([{ path: normalizeRoutePrefix(extras.routePrefix), module: definition.module }]),
    ],
    providers: [],
  };
}

/** `/a/b/` and `a/b` are the same prefix; anything but path segments is a mistake to stop at start. */
function normalizeRoutePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9._~\-/]*$/.test(prefix)) {
    throw new Error('NotificationsAdminModule option routePrefix must be a path such as "api/notifications/v1/admin"');
  }
  return prefix.replace(/^\/+|\/+$/g, '');
}
