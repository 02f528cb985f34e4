import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { REASON_CODES, ReasonCode } from '../../outcomes/reason-code.enum';
import { SIGNATURE_MODES, SignatureMode } from './retrigger-request.dto';

/** Every item carries all three keys, so all three are required: generated clients read them as `string | null`. */
@ApiSchema({ name: 'RetriggerItem' })
export class RetriggerItemDto {
  @ApiProperty({ format: 'uuid' })
  webhookNotificationId!: string;

  @ApiProperty({
    type: 'string',
    format: 'uuid',
    nullable: true,
    description: 'The attempt row written for this retrigger; null when none was written',
  })
  retriggeredNotificationRequestId!: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Why the item failed, in words; null on success',
  })
  error!: string | null;

  @ApiProperty({
    enum: [...REASON_CODES, null],
    nullable: true,
    description: 'Why the item failed, as a stable code; null on success',
  })
  reason!: ReasonCode | null;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    nullable: true,
    description: "The receiver's HTTP status; null when no complete answer was received",
  })
  responseStatus!: number | null;

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    nullable: true,
    description:
      'Seconds between the webhook-timestamp the send carries and now; null without Standard Webhooks headers',
  })
  signatureAgeSeconds!: number | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Null, or why receivers may reject the signature (for example a timestamp over 5 minutes old)',
  })
  warning!: string | null;
}

@ApiSchema({ name: 'RetriggerResponse' })
export class RetriggerResponseDto {
  @ApiProperty({
    type: 'string',
    format: 'uuid',
    nullable: true,
    description: "The audit record's id; null for a dry run",
  })
  retriggerId!: string | null;

  @ApiProperty({ enum: SIGNATURE_MODES, description: 'The signature mode used' })
  signature!: SignatureMode;

  @ApiProperty({ type: 'boolean', description: 'True when nothing was sent or written' })
  dryRun!: boolean;

  @ApiProperty({ type: 'integer', format: 'int32' })
  totalRequested!: number;

  @ApiProperty({ type: 'integer', format: 'int32' })
  totalSuccess!: number;

  @ApiProperty({ type: 'integer', format: 'int32' })
  totalFailed!: number;

  @ApiProperty({ type: [RetriggerItemDto] })
  successfulNotifications!: RetriggerItemDto[];

  @ApiProperty({ type: [RetriggerItemDto] })
  failedNotifications!: RetriggerItemDto[];
}
