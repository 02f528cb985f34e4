import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';

/**
 * The position after the last row of a page, in the list's order: the row's
 * `created_at` (ISO 8601 UTC) and `id`.
 */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

/**
 * The MAC key is fixed, so every instance reads every other's cursors. A
 * cursor is not a secret; the MAC makes it tamper-evident: one altered
 * character, or a cursor replayed on another list (another webhook, other
 * filters), fails verification and is answered 400 instead of reaching SQL.
 */
const CURSOR_KEY = 'notifications-admin/keyset-cursor/v1';
const MAC_BYTES = 16;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Opaque keyset cursors shared by every list of the module. `scope` names the
 * list the cursor belongs to (for example the route, the webhook id and the
 * filters): a cursor only verifies under the scope it was made for.
 */
export const KeysetCursor = {
  encode(position: KeysetPosition, scope: string): string {
    const body = Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
    return `${body}.${mac(body, scope).toString('base64url')}`;
  },

  /** The position a cursor carries; 400 ValidationFailed when it was not made by us for this scope. */
  decode(cursor: string, scope: string): KeysetPosition {
    const [body, signature, ...rest] = cursor.split('.');
    if (!body || !signature || rest.length > 0 || !verified(body, signature, scope)) {
      throw invalidCursor();
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length !== 2 ||
      typeof parsed[0] !== 'string' ||
      typeof parsed[1] !== 'string' ||
      !ISO_UTC.test(parsed[0]) ||
      !UUID.test(parsed[1])
    ) {
      throw invalidCursor();
    }
    return { createdAt: parsed[0], id: parsed[1] };
  },
};

/** A page of a keyset-paged list, as every list of the module answers it. */
export interface KeysetPage<Item> {
  items: Item[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

/** How a list turns its rows into a page. */
export interface KeysetPageRows<Row, Item> {
  /** The row's place in the list's order: the cursor after the page's last row carries it. */
  position: (row: Row) => KeysetPosition;
  item: (row: Row) => Item;
  /** Applied to the listed rows first, when the statement's order cannot be relied on. */
  order?: (a: Row, b: Row) => number;
}

/**
 * The end of a keyset page. The statement read up to `limit + 1` rows, left
 * joined beside their parent, so an empty page is one row with a null id:
 * such rows are dropped, the rest cut to `limit`, and the cursor after the
 * last row of the page is made only when the one more row came back.
 */
export function keysetPage<Row extends { id: string | null }, Item>(
  rows: readonly Row[],
  list: { limit: number; scope: string },
  page: KeysetPageRows<Row, Item>,
): KeysetPage<Item> {
  const listed = rows.filter((row) => row.id !== null);
  if (page.order) {
    listed.sort(page.order);
  }
  const shown = listed.slice(0, list.limit);
  return {
    items: shown.map((row) => page.item(row)),
    nextCursor:
      listed.length > list.limit ? KeysetCursor.encode(page.position(shown[shown.length - 1]), list.scope) : null,
  };
}

function mac(body: string, scope: string): Buffer {
  return createHmac('sha256', CURSOR_KEY).update(scope).update('\n').update(body).digest().subarray(0, MAC_BYTES);
}

function verified(body: string, signature: string, scope: string): boolean {
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(body, scope);
  // base64url decoding ignores stray characters: compare the canonical form too.
  return (
    given.length === expected.length && given.toString('base64url') === signature && timingSafeEqual(given, expected)
  );
}

function invalidCursor(): ApiException {
  return new ApiException(
    ErrorName.ValidationFailed,
    'cursor is not valid for this list: pass the nextCursor of the previous page unchanged, with the same filters',
  );
}
