import { isUUID } from 'class-validator';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';

/** A path id must be a UUID (any version): IllegalArgument otherwise, before anything else is checked. */
export function requirePathUuid(name: string, value: string): string {
  if (!isUUID(value, 'all')) {
    throw new ApiException(ErrorName.IllegalArgument, `${name} must be a UUID`);
  }
  return value;
}
