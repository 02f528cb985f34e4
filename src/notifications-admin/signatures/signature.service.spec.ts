import { Webhook } from 'standardwebhooks';
import { ReasonCode } from '../outcomes/reason-code.enum';
import { isUnsupported, PreparedSignature, SignatureService } from './signature.service';

const secret = `whsec_${Buffer.from('a 24-byte signing secret').toString('base64')}`;
const payload = '{"type":"invoice.paid","note":"café ✓"}';
const now = new Date('2026-11-30T12:00:00.700Z');
const nowSeconds = Math.floor(now.getTime() / 1000);

function storedHeaders(
  prefix: string,
  signedAt: Date,
  names = { id: 'id', timestamp: 'timestamp', signature: 'signature' },
) {
  const messageId = 'msg_2f1c';
  return {
    'content-type': 'application/json',
    [`${prefix}${names.id}`]: messageId,
    [`${prefix}${names.timestamp}`]: String(Math.floor(signedAt.getTime() / 1000)),
    [`${prefix}${names.signature}`]: new Webhook(secret).sign(messageId, signedAt, payload),
  };
}

function prepared(result: ReturnType<SignatureService['prepare']>): PreparedSignature {
  if (isUnsupported(result)) {
    throw new Error(`unexpected ${result.reason}`);
  }
  return result;
}

/** As a receiver using the reference library would check it, at `now`. */
function verifiesAt(headers: Readonly<Record<string, unknown>>, key: string): boolean {
  const lowered = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase().replace(/^svix-/, 'webhook-'), String(value)]),
  );
  jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate'] });
  try {
    new Webhook(key).verify(payload, lowered);
    return true;
  } catch {
    return false;
  } finally {
    jest.useRealTimers();
  }
}

describe('SignatureService', () => {
  const signatures = new SignatureService();
  const hourAgo = new Date(now.getTime() - 3_600_000);

  it('original: sends the stored headers untouched and warns about an hour-old timestamp', () => {
    const stored = storedHeaders('webhook-', hourAgo);

    const result = prepared(signatures.prepare('original', stored, payload, secret, now));

    expect(result.headers).toBe(stored);
    expect(result.signatureAgeSeconds).toBe(3600);
    expect(result.warning).toMatch(/3600 s old.*5-minute tolerance will reject it.*"signature": "resign"/);
    expect(verifiesAt(result.headers, secret)).toBe(false);
  });

  it.each([
    ['299 s old', -299, null],
    ['301 s old', -301, /301 s old/],
    ['299 s ahead', 299, null],
    ['301 s ahead', 301, /301 s in the future/],
  ])('original: a timestamp %s warns only past the tolerance', (_name, offsetSeconds, warning) => {
    const stored = storedHeaders('webhook-', new Date((nowSeconds + offsetSeconds) * 1000));

    const result = prepared(signatures.prepare('original', stored, payload, secret, now));

    expect(result.signatureAgeSeconds).toBe(-offsetSeconds);
    if (warning) {
      expect(result.warning).toMatch(warning);
    } else {
      expect(result.warning).toBeNull();
    }
  });

  it('original: no age and no warning without a complete header set', () => {
    const stored: Record<string, string> = storedHeaders('webhook-', hourAgo);
    delete stored['webhook-signature'];

    expect(signatures.prepare('original', stored, payload, secret, now)).toEqual({
      headers: stored,
      signatureAgeSeconds: null,
      warning: null,
    });
  });

  it('resign: same id and body, timestamp now, a signature the reference library accepts', () => {
    const stored = storedHeaders('webhook-', hourAgo);

    const result = prepared(signatures.prepare('resign', stored, payload, secret, now));

    expect(result.headers).toEqual({
      'content-type': 'application/json',
      'webhook-id': 'msg_2f1c',
      'webhook-timestamp': String(nowSeconds),
      'webhook-signature': new Webhook(secret).sign('msg_2f1c', now, payload),
    });
    expect(result).toMatchObject({ signatureAgeSeconds: 0, warning: null });
    expect(verifiesAt(result.headers, secret)).toBe(true);
    expect(stored['webhook-timestamp']).toBe(String(Math.floor(hourAgo.getTime() / 1000)));
  });

  it('resign: a secret without the whsec_ prefix is the same base64 key', () => {
    const stored = storedHeaders('webhook-', hourAgo);

    const result = prepared(signatures.prepare('resign', stored, payload, secret.slice('whsec_'.length), now));

    expect(verifiesAt(result.headers, secret)).toBe(true);
  });

  it('resign: keeps header names as stored, whatever their case, and re-signs svix- names under the same names', () => {
    const mixedCase = storedHeaders('Webhook-', hourAgo, { id: 'Id', timestamp: 'Timestamp', signature: 'Signature' });
    const svix = storedHeaders('svix-', hourAgo);

    const mixed = prepared(signatures.prepare('resign', mixedCase, payload, secret, now));
    const svixResult = prepared(signatures.prepare('resign', svix, payload, secret, now));

    expect(Object.keys(mixed.headers).sort()).toEqual(Object.keys(mixedCase).sort());
    expect(mixed.headers['Webhook-Timestamp']).toBe(String(nowSeconds));
    expect(verifiesAt(mixed.headers, secret)).toBe(true);
    expect(Object.keys(svixResult.headers).sort()).toEqual(Object.keys(svix).sort());
    expect(svixResult.headers['svix-timestamp']).toBe(String(nowSeconds));
    expect(verifiesAt(svixResult.headers, secret)).toBe(true);
  });

  it.each([
    ['no signature headers', { 'content-type': 'application/json' }],
    ['a set without its signature', { 'webhook-id': 'msg_1', 'webhook-timestamp': '1764500000' }],
    ['an empty webhook-id', { 'webhook-id': '', 'webhook-timestamp': '1764500000', 'webhook-signature': 'v1,x' }],
    [
      'a name stored twice in different cases',
      { 'webhook-id': 'a', 'Webhook-Id': 'b', 'webhook-timestamp': '1764500000', 'webhook-signature': 'v1,x' },
    ],
  ])('resign: %s is SIGNATURE_UNSUPPORTED, and the answer never carries the secret', (_name, stored) => {
    const result = signatures.prepare('resign', stored, payload, secret, now);

    expect(result).toEqual({ reason: ReasonCode.SignatureUnsupported, error: expect.any(String) });
    expect(JSON.stringify(result)).not.toContain(secret.slice('whsec_'.length));
  });
});
