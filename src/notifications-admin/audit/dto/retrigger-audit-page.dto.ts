import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { RetriggerAuditSummaryDto } from './retrigger-audit-summary.dto';

/** A page of a webhook's retriggers, newest first. */
@ApiSchema({ name: 'RetriggerAuditPage' })
export class RetriggerAuditPageDto {
  @ApiProperty({ type: [RetriggerAuditSummaryDto] })
  items!: RetriggerAuditSummaryDto[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor!: string | null;
}
