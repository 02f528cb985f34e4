import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { SIGNATURE_MODES, SignatureMode } from '../../retrigger/dto/retrigger-request.dto';

/** One retrigger as the audit list shows it: who, why, how it was signed, how it went. */
@ApiSchema({ name: 'RetriggerAuditSummary' })
export class RetriggerAuditSummaryDto {
  @ApiProperty({ format: 'uuid', description: 'The retriggerId the retrigger answered' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  webhookId!: string;

  @ApiProperty({ description: 'The admin principal who retriggered, e.g. apikey:… or user:…' })
  principal!: string;

  @ApiProperty({ type: 'string', nullable: true, description: "The operator's reason; null when none was given" })
  reason!: string | null;

  @ApiProperty({ enum: SIGNATURE_MODES, description: 'The signature mode used' })
  signature!: SignatureMode;

  @ApiProperty({ type: 'integer', format: 'int32' })
  totalRequested!: number;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    nullable: true,
    description: 'Null when the retrigger never completed (interrupted by a crash)',
  })
  totalSuccess!: number | null;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    nullable: true,
    description: 'Null when the retrigger never completed (interrupted by a crash)',
  })
  totalFailed!: number | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'Null while running, and for good when the retrigger was interrupted by a crash',
  })
  completedAt!: string | null;
}
