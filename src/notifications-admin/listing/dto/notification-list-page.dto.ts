import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { NotificationListItemDto } from './notification-list-item.dto';

/** A page of notifications, newest first. There is no total: a null nextCursor marks the last page. */
@ApiSchema({ name: 'NotificationListPage' })
export class NotificationListPageDto {
  @ApiProperty({ type: [NotificationListItemDto] })
  items!: NotificationListItemDto[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Pass it as `cursor`, with the same filters, for the next page; null on the last page',
  })
  nextCursor!: string | null;
}
