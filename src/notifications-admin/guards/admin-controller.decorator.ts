import { applyDecorators, Controller, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ADMIN_BEARER_SCHEME, NOTIFICATIONS_ADMIN_TAG } from '../docs/api-docs.constants';
import { EnvelopeExceptionFilter } from '../errors/envelope-exception.filter';
import { AdminGuard } from './admin.guard';

const ADMIN_WEBHOOKS_PATH = 'api/notifications/v1/admin/webhooks';
/** The operators' page (CONTRACT §7), beside the webhooks routes whose API it calls: the page finds them at `../webhooks`. */
export const ADMIN_CONSOLE_PATH = 'api/notifications/v1/admin/console';

/**
 * What every admin controller of the module is: admins only, errors as the
 * envelope, documented under the bearer scheme. `SkipThrottle()` opts out of
 * a host's `default` ThrottlerModule throttler: these routes carry their own
 * per-principal limit where one is due, and a host's per-IP limit would run
 * ahead of the admin check and answer a 429 that the envelope has no name for.
 * A host's throttlers with other names still apply: that is the host's choice.
 */
export function AdminController(): ClassDecorator {
  return applyDecorators(
    Controller(ADMIN_WEBHOOKS_PATH),
    UseGuards(AdminGuard),
    UseFilters(EnvelopeExceptionFilter),
    SkipThrottle(),
    ApiTags(NOTIFICATIONS_ADMIN_TAG),
    ApiBearerAuth(ADMIN_BEARER_SCHEME),
  );
}
