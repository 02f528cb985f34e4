import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { HeadersObject, SchemaObject } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorName } from '../errors/error-name.enum';
import { ErrorEnvelopeDto } from './error-envelope.dto';

export type ErrorStatus = 400 | 403 | 404 | 409 | 500;

export interface ErrorResponseDoc {
  description: string;
  /** The names a route can answer with this status; by default every name of the status (ERROR_STATUS). */
  names?: readonly ErrorName[];
}

/** The only machine-readable retry signal, so clients must find it in the document. */
const RATE_LIMIT_HEADERS: HeadersObject = {
  'Retry-After': {
    description: 'On RETRIGGER_RATE_LIMITED only: whole seconds until the rate-limit window ends, at least 1',
    required: false,
    schema: { type: 'integer', minimum: 1 },
  },
};

/**
 * Documents a route's error answers as the envelope narrowed to the allowed
 * names and status, typed so that generated clients can switch on `name`.
 * The names come from ERROR_STATUS, so the enum and the documentation cannot
 * drift apart; an answer that may be RETRIGGER_RATE_LIMITED declares
 * `Retry-After`.
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
        ...(names.includes(ErrorName.RetriggerRateLimited) ? { headers: RATE_LIMIT_HEADERS } : {}),
        schema: { allOf: [{ $ref: getSchemaPath(ErrorEnvelopeDto) }, narrowed(names, status)] },
      });
    }),
  );
}

/** OpenAPI 3.1's `const`, which @nestjs/swagger's 3.0-era typings lack. */
type SchemaWithConst = SchemaObject & { const?: string | number };

function narrowed(names: readonly ErrorName[], status: number): SchemaObject {
  const name: SchemaWithConst =
    names.length === 1 ? { type: 'string', const: names[0] } : { type: 'string', enum: [...names] };
  const statusSchema: SchemaWithConst = { type: 'integer', const: status };
  return { type: 'object', required: ['name', 'status'], properties: { name, status: statusSchema } };
}

function namesOfStatus(status: number): ErrorName[] {
  return Object.values(ErrorName).filter((name) => ERROR_STATUS[name] === status);
}
