import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'RetriggerItem' })
export class RetriggerItemDto {
  @ApiProperty({ format: 'uuid' })
  webhookNotificationId!: string;

  /** Null when no attempt row was written. Always present, though the spec does not require it. */
  @ApiProperty({
    type: 'string',
    nullable: true,
    required: false,
    description: 'The attempt row written for this retrigger; null when none was written',
  })
  retriggeredNotificationRequestId!: string | null;

  /** Null on success. */
  @ApiProperty({
    type: 'string',
    nullable: true,
    required: false,
    description: 'Why the item failed, in words; null on success',
  })
  error!: string | null;
}

@ApiSchema({ name: 'RetriggerResponse' })
export class RetriggerResponseDto {
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
