import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';

/**
 * An integer query parameter in [min, max], `fallback` when absent; 400
 * ValidationFailed naming it otherwise. Only plain decimal digits: `Number()`
 * would also take "1e2", "0x10" or " 5", and a repeated parameter arrives as
 * an array.
 */
export function queryInteger(name: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined) {
    return fallback;
  }
  const value = typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`;
    throw new ApiException(ErrorName.ValidationFailed, `${name} must be an integer ${range}`);
  }
  return value;
}
