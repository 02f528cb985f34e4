import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsDefined, IsUUID } from 'class-validator';

export const MAX_NOTIFICATIONS_PER_RETRIGGER = 25;

export class RetriggerRequestDto {
  @IsDefined({ message: 'webhookNotificationIds is required' })
  @IsArray({ message: 'webhookNotificationIds must be an array' })
  @ArrayNotEmpty({ message: 'webhookNotificationIds must not be empty' })
  @ArrayMaxSize(MAX_NOTIFICATIONS_PER_RETRIGGER, {
    message: `webhookNotificationIds must contain at most ${MAX_NOTIFICATIONS_PER_RETRIGGER} ids`,
  })
  @IsUUID('all', { each: true, message: 'each value in webhookNotificationIds must be a UUID' })
  @ArrayUnique((id: unknown) => (typeof id === 'string' ? id.toLowerCase() : id), {
    message: 'webhookNotificationIds must not contain duplicates',
  })
  webhookNotificationIds!: string[];
}
