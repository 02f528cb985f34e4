import { ApiParam } from '@nestjs/swagger';

/**
 * Documents a path id: every id of this API is a UUID, and the route's
 * request pipe answers 400 `IllegalArgument` (`requirePathUuid`) for
 * anything else. One decorator per `:param` of the route.
 */
export function ApiUuidParam(name: string, description: string): MethodDecorator & ClassDecorator {
  return ApiParam({ name, description, required: true, schema: { type: 'string', format: 'uuid' } });
}
