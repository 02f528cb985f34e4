import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { RetriggerItemDto } from '../../retrigger/dto/retrigger-response.dto';
import { RetriggerAuditSummaryDto } from './retrigger-audit-summary.dto';

/** One retrigger with its per-item outcomes. */
@ApiSchema({ name: 'RetriggerAuditRecord' })
export class RetriggerAuditRecordDto extends RetriggerAuditSummaryDto {
  @ApiProperty({
    type: [RetriggerItemDto],
    description: 'The items exactly as answered, in request order; empty when the retrigger never completed',
  })
  items!: RetriggerItemDto[];
}
