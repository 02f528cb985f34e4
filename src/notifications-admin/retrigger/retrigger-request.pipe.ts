import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request } from 'express';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { requireShallowJson } from '../validation/json-depth';
import { isValidIdempotencyKey } from '../idempotency/idempotency-key';
import { requirePathUuid } from '../validation/path-uuid';
import { RetriggerRequestDto } from './dto/retrigger-request.dto';
import type { RetriggerCommand } from './retrigger.service';

/** What a retrigger request carries, before validation. */
export interface RawRetriggerRequest {
  webhookId: string;
  body: unknown;
  idempotencyKey: string | string[] | undefined;
}

/** A validated request: the retrigger command but for who asked, which the guard's principal supplies. */
export type ValidRetriggerRequest = Omit<RetriggerCommand, 'principal'>;

/**
 * Extracts path, body and `Idempotency-Key` together, so that one pipe can
 * check them in the contract's order: Nest would run separate parameter
 * pipes concurrently.
 */
export const RetriggerRequest = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RawRetriggerRequest => {
    const request = context.switchToHttp().getRequest<Request>();
    return {
      webhookId: String(request.params.webhookId),
      body: request.body,
      idempotencyKey: request.headers['idempotency-key'],
    };
  },
);

/**
 * Validates a retrigger request: a bad webhookId is IllegalArgument, then a
 * bad body or Idempotency-Key is ValidationFailed with the first rule broken,
 * naming the field.
 */
@Injectable()
export class RetriggerRequestPipe implements PipeTransform<RawRetriggerRequest, Promise<ValidRetriggerRequest>> {
  async transform(raw: RawRetriggerRequest): Promise<ValidRetriggerRequest> {
    const webhookId = requirePathUuid('webhookId', raw.webhookId);
    const body = await validateBody(raw.body);
    const idempotencyKey = validateIdempotencyKey(raw.idempotencyKey);
    const dryRun = body.dryRun ?? false;
    if (dryRun && idempotencyKey !== undefined) {
      throw new ApiException(
        ErrorName.ValidationFailed,
        'dryRun cannot be combined with an Idempotency-Key: a dry run stores nothing to replay',
      );
    }
    return {
      webhookId,
      webhookNotificationIds: body.webhookNotificationIds,
      idempotencyKey,
      signature: body.signature ?? 'original',
      reason: body.reason,
      dryRun,
    };
  }
}

async function validateBody(body: unknown): Promise<RetriggerRequestDto> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiException(
      ErrorName.ValidationFailed,
      'request body must be a JSON object with webhookNotificationIds',
    );
  }
  requireShallowJson(body);
  const dto = plainToInstance(RetriggerRequestDto, body);
  const errors = await validate(dto, { stopAtFirstError: true, forbidUnknownValues: false });
  const firstBroken = errors[0]?.constraints;
  if (firstBroken) {
    throw new ApiException(ErrorName.ValidationFailed, Object.values(firstBroken)[0]);
  }
  return dto;
}

function validateIdempotencyKey(value: string | string[] | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || !isValidIdempotencyKey(value)) {
    throw new ApiException(ErrorName.ValidationFailed, 'Idempotency-Key must be 1 to 255 printable ASCII characters');
  }
  return value;
}
