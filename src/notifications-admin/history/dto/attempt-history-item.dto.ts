import { ApiProperty } from '@nestjs/swagger';
import { ApiClosedSchema } from '../../docs/api-closed-schema.decorator';
import { ATTEMPT_STATUSES, AttemptStatus } from '../../entities/webhook-notification-request.entity';

/** One row of `webhook_notification_requests`: a first send or a retrigger. */
@ApiClosedSchema({ name: 'NotificationAttempt' })
export class AttemptHistoryItemDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The attempt id (a retrigger answers it as retriggeredNotificationRequestId)',
  })
  id!: string;

  @ApiProperty({ description: 'Where the notification was sent' })
  url!: string;

  @ApiProperty({ enum: ATTEMPT_STATUSES })
  status!: AttemptStatus;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    nullable: true,
    description: "The receiver's HTTP status; null when it did not answer",
  })
  responseStatus!: number | null;

  @ApiProperty({ type: 'string', nullable: true, description: "The receiver's answer, at most 4096 bytes of it" })
  responseBody!: string | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why the attempt failed, in words; null unless failed' })
  error!: string | null;

  @ApiProperty({ type: 'integer', format: 'int32', nullable: true, description: 'Null when nothing was sent' })
  durationMs!: number | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: "The admin principal of a retrigger; null for the platform's own sends",
  })
  retriggeredBy!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'Null while the attempt is pending',
  })
  completedAt!: string | null;
}
