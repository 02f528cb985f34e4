import { ApiException } from '../errors/api.exception';
import { KeysetCursor, keysetPage } from './keyset-cursor';

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

describe('keysetPage', () => {
  type Row = { id: string | null; createdAt: string };
  const rows: Row[] = ['c', 'b', 'a'].map((letter, index) => ({
    id: `${letter}0000000-0000-4000-8000-000000000000`,
    createdAt: `2026-11-30T12:00:0${3 - index}.000Z`,
  }));
  const page = {
    position: (row: Row) => ({ createdAt: row.createdAt, id: row.id! }),
    item: (row: Row) => row.id!,
  };

  it('cuts the rows to the page and points the cursor after its last row when one more came back', () => {
    const answer = keysetPage(rows, { limit: 2, scope: 'scope' }, page);
    expect(answer.items).toEqual([rows[0].id, rows[1].id]);
    expect(KeysetCursor.decode(answer.nextCursor!, 'scope')).toEqual(page.position(rows[1]));
  });

  it('has no cursor on the last page, and drops the null row of an empty page', () => {
    expect(keysetPage(rows, { limit: 3, scope: 'scope' }, page)).toEqual({
      items: rows.map((row) => row.id),
      nextCursor: null,
    });
    expect(
      keysetPage([{ id: null, createdAt: '' }], { limit: 3, scope: 'scope' }, { ...page, item: () => 'never' }),
    ).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('puts the rows in the given order first', () => {
    const reversed = [...rows].reverse();
    const answer = keysetPage(
      reversed,
      { limit: 1, scope: 'scope' },
      { ...page, order: (a, b) => (a.id! < b.id! ? 1 : -1) },
    );
    expect(answer.items).toEqual([rows[0].id]);
  });
});
