import { ApiProperty, ApiSchema } from '@nestjs/swagger';

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
