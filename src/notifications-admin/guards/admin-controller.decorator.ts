import { applyDecorators, Controller, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ADMIN_BEARER_SCHEME, NOTIFICATIONS_ADMIN_TAG } from '../docs/api-docs.constants';
import { EnvelopeExceptionFilter } from '../errors/envelope-exception.filter';
import { AdminGuard } from './admin.guard';

export const ADMIN_WEBHOOKS_PATH = 'api/notifications/v1/admin/webhooks';

/**
 * What every admin controller of the module is: admins only, errors as the
 * envelope, documented under the bearer scheme. `SkipThrottle()` opts out of
 * a host's `default` ThrottlerModule throttler: these routes carry their own
 * per-principal limit where one is due, and a host's per-IP limit would answer
 * ahead of the admin check with a status the contract does not have.
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
