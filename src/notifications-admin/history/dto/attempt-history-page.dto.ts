import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { AttemptHistoryItemDto } from './attempt-history-item.dto';

/** A page of attempts, newest first. There is no total: a short page is the last one. */
@ApiSchema({ name: 'NotificationAttemptPage' })
export class AttemptHistoryPageDto {
  @ApiProperty({ type: [AttemptHistoryItemDto] })
  items!: AttemptHistoryItemDto[];

  @ApiProperty({ type: 'integer', format: 'int32' })
  limit!: number;

  @ApiProperty({ type: 'integer', format: 'int32' })
  offset!: number;
}
