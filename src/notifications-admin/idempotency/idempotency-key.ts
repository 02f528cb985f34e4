/**
 * What an `Idempotency-Key` may be: 1 to 255 printable ASCII characters.
 * The request pipe checks it and the API document declares it from this one
 * schema, so the two cannot disagree.
 */
export const IDEMPOTENCY_KEY_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^[\\x20-\\x7E]+$',
} as const;

const PATTERN = new RegExp(IDEMPOTENCY_KEY_SCHEMA.pattern);

export function isValidIdempotencyKey(value: string): boolean {
  return (
    value.length >= IDEMPOTENCY_KEY_SCHEMA.minLength &&
    value.length <= IDEMPOTENCY_KEY_SCHEMA.maxLength &&
    PATTERN.test(value)
  );
}
