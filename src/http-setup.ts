import { NotFoundException } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { ApiException } from './notifications-admin/errors/api.exception';
import { EnvelopeExceptionFilter } from './notifications-admin/errors/envelope-exception.filter';
import { ErrorName } from './notifications-admin/errors/error-name.enum';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './notifications-admin/validation/json-depth';

export const BODY_LIMIT = '64kb';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * The standalone service's HTTP surface: security headers, a bounded JSON
 * body, and the error envelope on every route, known or not. Call before
 * `app.init()`/`listen()` on an app created with `bodyParser: false`.
 */
export function configureHttp(app: NestExpressApplication): NestExpressApplication {
  app.disable('x-powered-by');
  // No upgrade-insecure-requests: behind plain HTTP it would break the Swagger UI at /api/docs.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(refuseOptions);
  app.use(requireJsonBody);
  // Not strict: a JSON body that is not an object (null, a string) is the validator's to refuse, after the admin check.
  app.useBodyParser('json', { limit: BODY_LIMIT, inflate: false, strict: false, type: JSON_TYPES });
  app.use(refuseDeepJson);
  app.useGlobalFilters(new EnvelopeExceptionFilter());
  return app;
}

/** No CORS here: OPTIONS is answered like any unknown route. */
function refuseOptions(request: Request, _response: Response, next: NextFunction): void {
  next(request.method === 'OPTIONS' ? new NotFoundException() : undefined);
}

/** A body in anything but JSON is refused rather than read as "no body". */
function requireJsonBody(request: Request, _response: Response, next: NextFunction): void {
  const hasBody =
    request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  if (hasBody && !request.is(JSON_TYPES)) {
    next(new ApiException(ErrorName.BadRequest, 'Request body must be JSON (Content-Type: application/json)'));
    return;
  }
  next();
}

/**
 * Refused as it is read, for every route: a body nested thousands of levels
 * deep is valid JSON, but any recursive walk of it (turning it into a DTO, a
 * validator, a logger) overflows the stack and would answer 500.
 */
function refuseDeepJson(request: Request, _response: Response, next: NextFunction): void {
  if (nestsDeeperThan(request.body, MAX_JSON_DEPTH)) {
    next(
      new ApiException(
        ErrorName.BadRequest,
        `Request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`,
      ),
    );
    return;
  }
  next();
}
