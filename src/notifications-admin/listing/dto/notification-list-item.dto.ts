import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { NOTIFICATION_STATUSES, NotificationStatus } from '../../entities/webhook-notification.entity';
import { LastAttemptDto } from './last-attempt.dto';

/** A stored notification as the list shows it: never its payload, headers or the webhook's secret. */
@ApiSchema({ name: 'NotificationListItem' })
export class NotificationListItemDto {
  @ApiProperty({ format: 'uuid', description: 'The webhookNotificationId to retrigger' })
  id!: string;

  @ApiProperty()
  eventType!: string;

  @ApiProperty({ enum: NOTIFICATION_STATUSES })
  status!: NotificationStatus;

  @ApiProperty({ format: 'date-time', description: 'When the notification was created (UTC)' })
  createdAt!: string;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    description: 'Delivery attempts so far: first sends and retriggers',
  })
  attemptCount!: number;

  @ApiProperty({ type: LastAttemptDto, nullable: true, description: 'The newest attempt; null when there is none' })
  lastAttempt!: LastAttemptDto | null;
}
