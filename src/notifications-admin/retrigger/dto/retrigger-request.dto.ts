import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsDefined, IsUUID } from 'class-validator';

export const MAX_NOTIFICATIONS_PER_RETRIGGER = 25;

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
}
