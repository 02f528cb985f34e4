import { ApiProperty } from '@nestjs/swagger';
import { ErrorName } from '../errors/error-name.enum';
import { ApiClosedSchema } from './api-closed-schema.decorator';

/**
 * The documented shape of every error answer; `ApiException.toEnvelope()`
 * builds it. `name` refers to the named `ErrorName` schema, so generated
 * clients get one importable union of every name.
 */
@ApiClosedSchema({ name: 'ErrorEnvelope' })
export class ErrorEnvelopeDto {
  @ApiProperty({ enum: ErrorName, enumName: 'ErrorName', description: 'Error code' })
  name!: ErrorName;

  @ApiProperty({ description: 'Human-readable error message' })
  error!: string;

  @ApiProperty({ type: 'integer', format: 'int32', description: 'HTTP status code' })
  status!: number;
}
