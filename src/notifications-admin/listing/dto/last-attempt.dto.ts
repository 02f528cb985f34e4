import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ATTEMPT_STATUSES, AttemptStatus } from '../../entities/webhook-notification-request.entity';

/** The newest delivery attempt of a listed notification: enough to tell why it failed, without the bodies. */
@ApiSchema({ name: 'LastNotificationAttempt' })
export class LastAttemptDto {
  @ApiProperty({ format: 'uuid', description: 'The attempt id' })
  id!: string;

  @ApiProperty({ enum: ATTEMPT_STATUSES })
  status!: AttemptStatus;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    nullable: true,
    description: "The receiver's HTTP status; null when it did not answer",
  })
  responseStatus!: number | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why the attempt failed, in words; null unless failed' })
  error!: string | null;

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
