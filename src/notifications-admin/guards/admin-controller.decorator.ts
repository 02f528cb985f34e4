import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ADMIN_BEARER_SCHEME, NOTIFICATIONS_ADMIN_TAG } from '../docs/api-docs.constants';
import { ModuleController } from '../routing/module-controller.decorator';
import { AdminGuard } from './admin.guard';

/**
 * What every admin controller of the module is: served at
 * `{routePrefix}/webhooks` (route paths relative to it, e.g.
 * `:webhookId/notifications`), admins only, errors as the envelope,
 * documented under the bearer scheme. See ModuleController for the rest.
 */
export function AdminController(): ClassDecorator {
  return applyDecorators(
    ModuleController('webhooks'),
    UseGuards(AdminGuard),
    ApiTags(NOTIFICATIONS_ADMIN_TAG),
    ApiBearerAuth(ADMIN_BEARER_SCHEME),
  );
}
