import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { IDEMPOTENCY_KEY_SCHEMA, isValidIdempotencyKey } from './idempotency-key';

/** What a client that validates with the documented schema accepts. */
const documented = new Ajv2020({ strict: true }).compile(IDEMPOTENCY_KEY_SCHEMA);

describe('Idempotency-Key: the documented schema and the service agree', () => {
  it.each([
    { what: 'one character', key: 'a', valid: true },
    { what: 'spaces and punctuation', key: 'order-2026-11-30 #17 ~', valid: true },
    { what: '255 characters', key: 'x'.repeat(255), valid: true },
    { what: 'empty', key: '', valid: false },
    { what: '256 characters', key: 'x'.repeat(256), valid: false },
    { what: 'a tab', key: 'tab\there', valid: false },
    { what: 'DEL', key: 'del\x7f', valid: false },
    { what: 'non-ASCII', key: 'é', valid: false },
  ])('$what: valid $valid', ({ key, valid }) => {
    expect(isValidIdempotencyKey(key)).toBe(valid);
    expect(documented(key)).toBe(valid);
  });

  it('on any string, printable or not, short or long', () => {
    const key = fc.oneof(
      fc.string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
        maxLength: 300,
      }),
      fc.string({ unit: 'binary', maxLength: 300 }),
    );
    fc.assert(fc.property(key, (value) => isValidIdempotencyKey(value) === documented(value)));
  });
});
