import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsString,
  IsUUID,
  Length,
  ValidateIf,
} from 'class-validator';

export const MAX_NOTIFICATIONS_PER_RETRIGGER = 25;
export const MAX_REASON_LENGTH = 500;

/** `original`: the stored headers as first sent (the seed's rule); `resign`: a fresh Standard Webhooks signature. */
export const SIGNATURE_MODES = ['original', 'resign'] as const;
export type SignatureMode = (typeof SIGNATURE_MODES)[number];

/**
 * class-validator checks a property's rules bottom-up, and the request pipe
 * reports the first one broken: so the most basic rule is written last.
 */
@ApiSchema({ name: 'RetriggerRequest', description: 'List of webhook notification IDs to retrigger (max 25)' })
export class RetriggerRequestDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    minItems: 1,
    maxItems: MAX_NOTIFICATIONS_PER_RETRIGGER,
    uniqueItems: true,
  })
  @ArrayUnique((id: unknown) => (typeof id === 'string' ? id.toLowerCase() : id), {
    message: 'webhookNotificationIds must not contain duplicates',
  })
  @IsUUID('all', { each: true, message: 'each value in webhookNotificationIds must be a UUID' })
  @ArrayMaxSize(MAX_NOTIFICATIONS_PER_RETRIGGER, {
    message: `webhookNotificationIds must contain at most ${MAX_NOTIFICATIONS_PER_RETRIGGER} ids`,
  })
  @ArrayNotEmpty({ message: 'webhookNotificationIds must not be empty' })
  @IsArray({ message: 'webhookNotificationIds must be an array' })
  @IsDefined({ message: 'webhookNotificationIds is required' })
  webhookNotificationIds!: string[];

  @ApiProperty({
    enum: SIGNATURE_MODES,
    required: false,
    // Defaults are said in words: openapi-typescript makes a field with `default` required, even in a request.
    description:
      '`original` (the default) replays the stored signature headers; `resign` signs again with the current secret',
  })
  @IsIn(SIGNATURE_MODES, { message: 'signature must be one of: original, resign' })
  @ValidateIf(isGiven)
  signature?: SignatureMode;

  @ApiProperty({
    type: 'string',
    required: false,
    minLength: 1,
    maxLength: MAX_REASON_LENGTH,
    description: 'Why the operator retriggers, kept in the audit record',
  })
  @Length(1, MAX_REASON_LENGTH, { message: `reason must be 1 to ${MAX_REASON_LENGTH} characters` })
  @IsString({ message: 'reason must be a string' })
  @ValidateIf(isGiven)
  reason?: string;

  @ApiProperty({
    type: 'boolean',
    required: false,
    description: 'Run the checks a send would meet, send nothing and write nothing (default false)',
  })
  @IsBoolean({ message: 'dryRun must be a boolean' })
  @ValidateIf(isGiven)
  dryRun?: boolean;
}

/** Absent means the default; null is a value of the wrong type (class-validator's IsOptional would let it pass). */
function isGiven(_dto: object, value: unknown): boolean {
  return value !== undefined;
}
