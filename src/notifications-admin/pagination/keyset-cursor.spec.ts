import { ApiException } from '../errors/api.exception';
import { KeysetCursor } from './keyset-cursor';

const position = { createdAt: '2026-11-30T12:00:00.123Z', id: '3f0e8d4c-9d7a-4c1e-8f5b-2a6d7e9c1b40' };

describe('KeysetCursor', () => {
  it('gives back the position it encoded, under the same scope', () => {
    const cursor = KeysetCursor.encode(position, 'notifications:webhook-a');
    expect(KeysetCursor.decode(cursor, 'notifications:webhook-a')).toEqual(position);
  });

  it('refuses a cursor made for another scope', () => {
    const cursor = KeysetCursor.encode(position, 'notifications:webhook-a');
    expect(() => KeysetCursor.decode(cursor, 'notifications:webhook-b')).toThrow(ApiException);
  });

  it('refuses a cursor altered in any one character', () => {
    const cursor = KeysetCursor.encode(position, 'scope');
    for (let index = 0; index < cursor.length; index += 1) {
      const replacement = cursor[index] === 'A' ? 'B' : 'A';
      const altered = cursor.slice(0, index) + replacement + cursor.slice(index + 1);
      expect(() => KeysetCursor.decode(altered, 'scope')).toThrow(
        expect.objectContaining({ errorName: 'ValidationFailed', message: expect.stringMatching(/^cursor /) }),
      );
    }
  });

  it.each(['', '.', 'abc', 'abc.def.ghi', '%%%.%%%'])('refuses %p', (cursor) => {
    expect(() => KeysetCursor.decode(cursor, 'scope')).toThrow(ApiException);
  });
});
