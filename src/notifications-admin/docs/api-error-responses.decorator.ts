import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorName } from '../errors/error-name.enum';
import { ErrorEnvelopeDto } from './error-envelope.dto';

export type ErrorStatus = 400 | 403 | 404 | 409 | 500;

export interface ErrorResponseDoc {
  description: string;
  /** The names a route can answer with this status; by default every name of the status (ERROR_STATUS). */
  names?: readonly ErrorName[];
}

/**
 * Documents a route's error answers as the envelope narrowed to the allowed
 * names and status, the way the spec writes them. The names come from
 * ERROR_STATUS, so the enum and the documentation cannot drift apart.
 */
export function ApiErrorResponses(
  responses: Partial<Record<ErrorStatus, ErrorResponseDoc>>,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ...Object.entries(responses).map(([key, doc]) => {
      const status = Number(key);
      const names = doc.names ?? namesOfStatus(status);
      return ApiResponse({
        status,
        description: doc.description,
        schema: {
          allOf: [
            { $ref: getSchemaPath(ErrorEnvelopeDto) },
            // OpenAPI 3.0, which @nestjs/swagger writes, has no `const`: a one-value enum says the same.
            { properties: { name: { enum: [...names] }, status: { enum: [status] } } },
          ],
        },
      });
    }),
  );
}

function namesOfStatus(status: number): ErrorName[] {
  return Object.values(ErrorName).filter((name) => ERROR_STATUS[name] === status);
}
