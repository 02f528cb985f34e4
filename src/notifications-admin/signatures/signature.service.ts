import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { ReasonCode } from '../outcomes/reason-code.enum';
import type { SignatureMode } from '../retrigger/dto/retrigger-request.dto';

/** The Standard Webhooks libraries reject a timestamp further than this from their clock, either way. */
const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';
/** Svix's own header names carry the same scheme as Standard Webhooks'. */
const HEADER_PREFIXES = ['webhook-', 'svix-'] as const;

/** What a stored notification is sent with, and what its signature will meet at the receiver. */
export interface PreparedSignature {
  /** The headers to send: the stored ones, with a fresh signature in `resign` mode. */
  headers: Readonly<Record<string, unknown>>;
  /** Seconds between the `webhook-timestamp` the send carries and now; null without a complete header set. */
  signatureAgeSeconds: number | null;
  /** Why receivers may reject the signature; null when nothing suggests they will. */
  warning: string | null;
}

/** What an answered item says about the signature its notification is (or would be) sent with. */
export type SignatureReport = Omit<PreparedSignature, 'headers'>;

/** The report of a notification without a complete signature header set, or of none sent. */
export const NO_SIGNATURE: SignatureReport = { signatureAgeSeconds: null, warning: null };

/** `resign` asked for a notification that was not signed the Standard Webhooks way. */
export interface UnsupportedSignature {
  reason: ReasonCode.SignatureUnsupported;
  error: string;
}

/** The stored names of one complete set of signature headers (any case). */
interface HeaderSet {
  id: string;
  timestamp: string;
  signature: string;
}

const UNSUPPORTED: UnsupportedSignature = {
  reason: ReasonCode.SignatureUnsupported,
  error:
    'the stored headers carry no Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature) to re-sign',
};

/**
 * Standard Webhooks signing for retriggers. `original` sends the stored
 * headers untouched and only reports how old their timestamp is; `resign`
 * keeps the body and the message id and signs them again, now, with the
 * webhook's current secret, which is what a receiver verifying at its
 * default tolerance accepts however old the notification is.
 *
 * Written with node:crypto rather than the `standardwebhooks` package: the
 * scheme is one HMAC, and the tests then verify against that package as an
 * independent implementation. The secret only ever becomes an HMAC key; it is
 * never part of a returned value or an error.
 */
@Injectable()
export class SignatureService {
  prepare(
    mode: SignatureMode,
    stored: Readonly<Record<string, unknown>>,
    payload: string,
    secret: string,
    now: Date,
  ): PreparedSignature | UnsupportedSignature {
    const sets = completeHeaderSets(stored);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (mode === 'original') {
      const [first] = sets;
      const age = first ? originalAge(String(stored[first.timestamp]), nowSeconds) : NO_SIGNATURE;
      return { headers: stored, ...age };
    }
    if (sets.length === 0) {
      return UNSUPPORTED;
    }
    const key = signingKey(secret);
    const headers: Record<string, unknown> = { ...stored };
    for (const set of sets) {
      const messageId = String(stored[set.id]);
      headers[set.timestamp] = String(nowSeconds);
      headers[set.signature] =
        `v1,${createHmac('sha256', key).update(`${messageId}.${nowSeconds}.${payload}`, 'utf8').digest('base64')}`;
    }
    return { headers, signatureAgeSeconds: 0, warning: null };
  }
}

export function isUnsupported(prepared: PreparedSignature | UnsupportedSignature): prepared is UnsupportedSignature {
  return 'reason' in prepared;
}

/** As the Standard Webhooks libraries read a secret: base64 after an optional `whsec_` prefix. */
function signingKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

/**
 * The header sets present in full, `webhook-` first. A name stored twice in
 * different cases is ambiguous, so its set does not count as complete.
 */
function completeHeaderSets(stored: Readonly<Record<string, unknown>>): HeaderSet[] {
  const byLowerName = new Map<string, string[]>();
  for (const [name, value] of Object.entries(stored)) {
    if (typeof value === 'string' && value !== '') {
      const lower = name.toLowerCase();
      byLowerName.set(lower, [...(byLowerName.get(lower) ?? []), name]);
    }
  }
  const single = (lower: string): string | undefined => {
    const names = byLowerName.get(lower);
    return names?.length === 1 ? names[0] : undefined;
  };
  const sets: HeaderSet[] = [];
  for (const prefix of HEADER_PREFIXES) {
    const id = single(`${prefix}id`);
    const timestamp = single(`${prefix}timestamp`);
    const signature = single(`${prefix}signature`);
    if (id && timestamp && signature) {
      sets.push({ id, timestamp, signature });
    }
  }
  return sets;
}

function originalAge(timestamp: string, nowSeconds: number): SignatureReport {
  if (!/^\d{1,15}$/.test(timestamp)) {
    return {
      signatureAgeSeconds: null,
      warning:
        'the stored webhook-timestamp is not a Unix time in seconds: receivers verifying Standard Webhooks signatures ' +
        'will reject it; "signature": "resign" sends a fresh one',
    };
  }
  const age = nowSeconds - Number(timestamp);
  return { signatureAgeSeconds: age, warning: ageWarning(age) };
}

function ageWarning(age: number): string | null {
  const remedy = '"signature": "resign" sends a fresh one';
  if (age > SIGNATURE_TOLERANCE_SECONDS) {
    return (
      `the signature's webhook-timestamp is ${age} s old: receivers enforcing the Standard Webhooks ` +
      `${SIGNATURE_TOLERANCE_SECONDS / 60}-minute tolerance will reject it; ${remedy}`
    );
  }
  if (age < -SIGNATURE_TOLERANCE_SECONDS) {
    return (
      `the signature's webhook-timestamp is ${-age} s in the future: receivers enforcing the Standard Webhooks ` +
      `${SIGNATURE_TOLERANCE_SECONDS / 60}-minute tolerance will reject it; ${remedy}`
    );
  }
  return null;
}
