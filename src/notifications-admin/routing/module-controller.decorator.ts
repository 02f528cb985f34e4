import { applyDecorators, Controller, UseFilters, VERSION_NEUTRAL } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { EnvelopeExceptionFilter } from '../errors/envelope-exception.filter';

/**
 * Declares a controller of the module at `path`, relative to the module's
 * `routePrefix` (which Nest's RouterModule adds, see the module definition):
 * `ModuleController('console')` serves `{routePrefix}/console`. Every
 * controller of the module is declared with this or `@AdminController()` and
 * listed in NotificationsAdminModule, so none carries prefix code of its own.
 *
 * Version-neutral: a host that enables URI versioning with a default version
 * would otherwise move these routes under `/v1/...`, away from where the
 * spec puts them. Errors are the envelope. `SkipThrottle()` opts out of a
 * host's `default` ThrottlerModule throttler: these routes carry their own
 * per-principal limit where one is due, and a host's per-IP limit would run
 * ahead of the admin check and answer a 429 that the envelope has no name for.
 * A host's throttlers with other names still apply: that is the host's choice.
 */
export function ModuleController(path: string): ClassDecorator {
  return applyDecorators(
    Controller({ path, version: VERSION_NEUTRAL }),
    UseFilters(EnvelopeExceptionFilter),
    SkipThrottle(),
  );
}
