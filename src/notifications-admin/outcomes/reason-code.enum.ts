/**
 * Why a retrigger item failed: one stable code per failed item (CONTRACT
 * section 5). Each is decided where the outcome happens and carried as data,
 * never parsed back out of the error words.
 */
export enum ReasonCode {
  /** Unknown id, or another webhook's. */
  NotFound = 'NOT_FOUND',
  /** `resign` asked, and the stored headers are not Standard Webhooks. */
  SignatureUnsupported = 'SIGNATURE_UNSUPPORTED',
  /** An attempt of this notification is `pending`. */
  InFlight = 'IN_FLIGHT',
  /** The private-network guard refused the URL, or it is not an http(s) URL. */
  BlockedDestination = 'BLOCKED_DESTINATION',
  /** A complete answer outside 2xx and 3xx. */
  ReceiverRejected = 'RECEIVER_REJECTED',
  /** A 3xx answer: redirects are not followed. */
  RedirectNotFollowed = 'REDIRECT_NOT_FOLLOWED',
  /** The total deadline passed. */
  Timeout = 'TIMEOUT',
  /** Refused, reset, unreachable, DNS or TLS failure. */
  ConnectionFailed = 'CONNECTION_FAILED',
  /** Not parseable as HTTP, or a body over the 1 MiB cap. */
  MalformedResponse = 'MALFORMED_RESPONSE',
  /** The stored headers are not valid HTTP headers. */
  InvalidStoredHeaders = 'INVALID_STORED_HEADERS',
}

export const REASON_CODES: readonly ReasonCode[] = Object.values(ReasonCode);
