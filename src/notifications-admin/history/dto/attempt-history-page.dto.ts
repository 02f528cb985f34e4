import { ApiProperty } from '@nestjs/swagger';
import { ApiClosedSchema } from '../../docs/api-closed-schema.decorator';
import { AttemptHistoryItemDto } from './attempt-history-item.dto';

/** A page of attempts, newest first. There is no total: a short page is the last one. */
@ApiClosedSchema({ name: 'NotificationAttemptPage' })
export class AttemptHistoryPageDto {
  @ApiProperty({ type: [AttemptHistoryItemDto] })
  items!: AttemptHistoryItemDto[];

  @ApiProperty({ type: 'integer', format: 'int32' })
  limit!: number;

  @ApiProperty({ type: 'integer', format: 'int32' })
  offset!: number;
}
