import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { NotificationsAdminModuleOptions } from './notifications-admin-options.interface';

export const {
  ConfigurableModuleClass: NotificationsAdminConfigurableModule,
  MODULE_OPTIONS_TOKEN: NOTIFICATIONS_ADMIN_MODULE_OPTIONS,
  OPTIONS_TYPE: NOTIFICATIONS_ADMIN_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: NOTIFICATIONS_ADMIN_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<NotificationsAdminModuleOptions>().setClassMethodName('forRoot').build();
