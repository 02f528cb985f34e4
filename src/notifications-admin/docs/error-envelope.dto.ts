import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** The documented shape of every error answer; `ApiException.toEnvelope()` builds it. */
@ApiSchema({ name: 'ErrorEnvelope' })
export class ErrorEnvelopeDto {
  @ApiProperty({ description: 'Error code' })
  name!: string;

  @ApiProperty({ description: 'Human-readable error message' })
  error!: string;

  @ApiProperty({ type: 'integer', format: 'int32', description: 'HTTP status code' })
  status!: number;
}
