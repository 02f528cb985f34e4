import { Module } from '@nestjs/common';

/**
 * Holds the module's resolved options, and the delivery parts built from them
 * alone, for NotificationsAdminModule and for the delivery client's
 * HttpModule, which Nest builds in a scope of its own and so could not see
 * them otherwise. The module definition fills it (withDeliveryClient).
 */
@Module({})
export class NotificationsAdminSettingsModule {}
