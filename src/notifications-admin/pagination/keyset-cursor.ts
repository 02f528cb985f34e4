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
