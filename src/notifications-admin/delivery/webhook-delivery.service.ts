import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent as HttpAgent, ClientRequest, IncomingMessage, request as httpRequest, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline, Readable, Transform } from 'node:stream';
import { constants as zlibConstants, createBrotliDecompress, createUnzip } from 'node:zlib';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import { ReasonCode } from '../outcomes/reason-code.enum';
import { BlockedDestinationError, DestinationPolicy } from './destination-policy';

export interface Delivery {
  url: string;
  /** The stored body, sent byte for byte. */
  payload: string;
  /** The stored headers of the first send, signature included. */
  headers: Readonly<Record<string, unknown>>;
}

export interface DeliveryResult {
  succeeded: boolean;
  responseStatus: number | null;
  /** At most RESPONSE_BODY_LIMIT bytes of the receiver's answer. */
  responseBody: string | null;
  error: string | null;
  /** Why it failed, decided here; null on success. */
  reason: ReasonCode | null;
  /** Null when nothing was sent. */
  durationMs: number | null;
}

export const RESPONSE_BODY_LIMIT = 4096;
/** A receiver answering more than this is cut off: we only keep 4 KiB anyway. */
export const RESPONSE_DRAIN_LIMIT = 1024 * 1024;

/** Set by the HTTP client itself, or meaningful for one hop only. */
const NOT_FORWARDED = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

const USER_AGENT = 'notifications-admin-retrigger/1.0';
/** Sent when the stored headers say nothing else; only encodings the service can decode are offered. */
const DEFAULT_ACCEPT = 'application/json, text/plain, */*';
const DEFAULT_ACCEPT_ENCODING = 'gzip, deflate, br';

/** Sockets per destination: one retrigger's 25 sends never queue behind each other. */
const MAX_SOCKETS_PER_DESTINATION = 64;

/** Decompressors flush what they have, so a truncated answer still yields its first bytes. */
const ZLIB_OPTIONS = { flush: zlibConstants.Z_SYNC_FLUSH, finishFlush: zlibConstants.Z_SYNC_FLUSH };
const BROTLI_OPTIONS = {
  flush: zlibConstants.BROTLI_OPERATION_FLUSH,
  finishFlush: zlibConstants.BROTLI_OPERATION_FLUSH,
};
/** The two-byte zlib header of default compression. */
const ZLIB_HEADER = Buffer.from([0x78, 0x9c]);

/** The total deadline passed: the send is abandoned whatever state it is in. */
class DeadlineExceededError extends Error {}

interface Answer {
  status: number;
  body: CappedBody;
}

/**
 * Sends one stored notification over HTTP and reports what happened, in words.
 * It never throws and never touches the database.
 *
 * It speaks node:http directly: a send is one request with a ready body
 * buffer, and a general-purpose client's per-request config merging and
 * header normalisation was the largest cost of a retrigger (see the bench).
 */
@Injectable()
export class WebhookDelivery implements OnModuleDestroy {
  /** Keep-alive agents whose DNS lookup is the private-network guard. */
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(
    private readonly destinations: DestinationPolicy,
    @Inject(NOTIFICATIONS_ADMIN_CONFIG) private readonly config: NotificationsAdminConfig,
  ) {
    const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS_PER_DESTINATION, lookup: destinations.lookup };
    this.httpAgent = new HttpAgent(agentOptions);
    this.httpsAgent = new HttpsAgent(agentOptions);
  }

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  async deliver(delivery: Delivery): Promise<DeliveryResult> {
    let url: URL;
    try {
      url = this.destinations.checkUrl(delivery.url);
    } catch (error) {
      return notSent((error as Error).message);
    }
    const timeoutMs = this.config.webhookTimeoutMs;
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    try {
      const { status, body } = await this.post(url, delivery, timeoutMs);
      if (body.tooLarge) {
        return sent(status, body.text, elapsed(), {
          reason: ReasonCode.MalformedResponse,
          error: `receiver answered ${status} with a body over ${RESPONSE_DRAIN_LIMIT} bytes`,
        });
      }
      if (status >= 200 && status < 300) {
        return sent(status, body.text, elapsed(), null);
      }
      const failure =
        status >= 300 && status < 400
          ? {
              reason: ReasonCode.RedirectNotFollowed,
              error: `receiver answered ${status}; redirects are not followed`,
            }
          : { reason: ReasonCode.ReceiverRejected, error: `receiver answered ${status}` };
      return sent(status, body.text, elapsed(), failure);
    } catch (error) {
      if (error instanceof DeadlineExceededError) {
        return sent(null, null, elapsed(), { reason: ReasonCode.Timeout, error: `timed out after ${timeoutMs} ms` });
      }
      if (error instanceof BlockedDestinationError) {
        return notSent(error.message);
      }
      return sent(null, null, elapsed(), describeTransportError(error, url.host));
    }
  }

  /**
   * POSTs the stored bytes and reads the answer, within one total deadline:
   * when it passes, the promise rejects with DeadlineExceededError at once
   * and the request is torn down, however far it got.
   */
  private post(url: URL, delivery: Delivery, timeoutMs: number): Promise<Answer> {
    const body = Buffer.from(delivery.payload, 'utf8');
    const options: RequestOptions = {
      method: 'POST',
      headers: forwardedHeaders(delivery.headers, body.length),
      agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
    };
    return new Promise<Answer>((resolve, reject) => {
      let request: ClientRequest | undefined;
      const timer = setTimeout(() => {
        reject(new DeadlineExceededError());
        request?.destroy();
      }, timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      const onResponse = (response: IncomingMessage) => {
        readCapped(response).then((capped) => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: capped });
        }, fail);
      };
      try {
        request =
          url.protocol === 'https:' ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
      } catch (error) {
        // Invalid stored headers are refused before anything is sent.
        fail(error as Error);
        return;
      }
      request.on('error', fail);
      request.end(body);
    });
  }
}

function forwardedHeaders(stored: Readonly<Record<string, unknown>>, contentLength: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(stored)) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string' || NOT_FORWARDED.has(lower) || lower.startsWith('proxy-')) {
      continue;
    }
    headers[lower] = value;
  }
  headers['content-type'] ??= 'application/json';
  headers['user-agent'] ??= USER_AGENT;
  headers.accept ??= DEFAULT_ACCEPT;
  headers['accept-encoding'] ??= DEFAULT_ACCEPT_ENCODING;
  headers['content-length'] = String(contentLength);
  return headers;
}

interface CappedBody {
  text: string;
  tooLarge: boolean;
}

/** Reads the answer, decompressed, completely but keeps only its first RESPONSE_BODY_LIMIT bytes. */
function readCapped(response: IncomingMessage): Promise<CappedBody> {
  return new Promise((resolve, reject) => {
    const stream = decoded(response);
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let totalBytes = 0;
    stream.on('data', (chunk: Buffer) => {
      totalBytes += chunk.length;
      if (keptBytes < RESPONSE_BODY_LIMIT) {
        const slice = chunk.subarray(0, RESPONSE_BODY_LIMIT - keptBytes);
        kept.push(slice);
        keptBytes += slice.length;
      }
      if (totalBytes > RESPONSE_DRAIN_LIMIT) {
        // Settle first: destroying the stream reports 'aborted' synchronously,
        // which would turn an oversized answer into a "connection reset".
        resolve({ text: toStoredText(Buffer.concat(kept)), tooLarge: true });
        stream.destroy();
      }
    });
    stream.on('end', () => resolve({ text: toStoredText(Buffer.concat(kept)), tooLarge: false }));
    stream.on('error', reject);
    response.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
  });
}

/** The answer's body with its Content-Encoding undone, as stored attempts have always held it. */
function decoded(response: IncomingMessage): Readable {
  if (response.statusCode === 204) {
    return response;
  }
  switch ((response.headers['content-encoding'] ?? '').toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return pipeline(response, createUnzip(ZLIB_OPTIONS), ignoreError);
    case 'deflate':
      return pipeline(response, withZlibHeader(), createUnzip(ZLIB_OPTIONS), ignoreError);
    case 'br':
      return pipeline(response, createBrotliDecompress(BROTLI_OPTIONS), ignoreError);
    default:
      return response;
  }
}

/**
 * HTTP "deflate" should be zlib-wrapped, but some servers send it raw: a
 * stream that does not start with a zlib header (0x78) gets one.
 */
function withZlibHeader(): Transform {
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (first && chunk.length > 0) {
        first = false;
        if (chunk[0] !== 0x78) {
          this.push(ZLIB_HEADER);
        }
      }
      callback(null, chunk);
    },
  });
}

/** Errors reach the reader through the last stream of the pipeline. */
function ignoreError(): void {}

/** UTF-8 text of at most RESPONSE_BODY_LIMIT bytes that every database can store. */
function toStoredText(bytes: Buffer): string {
  let text = bytes.toString('utf8').replaceAll('\0', '');
  while (Buffer.byteLength(text, 'utf8') > RESPONSE_BODY_LIMIT) {
    text = text.slice(0, -1);
  }
  return text;
}

/** A failure as decided where it happened: the stable code and the words. */
interface Failure {
  reason: ReasonCode;
  error: string;
}

function sent(
  responseStatus: number | null,
  responseBody: string | null,
  durationMs: number,
  failure: Failure | null,
): DeliveryResult {
  return {
    succeeded: failure === null,
    responseStatus,
    responseBody,
    error: failure?.error ?? null,
    reason: failure?.reason ?? null,
    durationMs,
  };
}

/** The destination was refused before anything was sent. */
function notSent(error: string): DeliveryResult {
  return {
    succeeded: false,
    responseStatus: null,
    responseBody: null,
    error,
    reason: ReasonCode.BlockedDestination,
    durationMs: null,
  };
}

function describeTransportError(error: unknown, host: string): Failure {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const connection = (words: string): Failure => ({ reason: ReasonCode.ConnectionFailed, error: words });
  switch (code) {
    case 'ECONNREFUSED':
      return connection(`connection refused by ${host}`);
    case 'ECONNRESET':
    case 'EPIPE':
      return connection(`connection reset by ${host}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return connection(`could not resolve host ${host}`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return connection(`${host} is unreachable`);
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
      return { reason: ReasonCode.InvalidStoredHeaders, error: 'the stored headers are not valid HTTP headers' };
    default:
      if (code.startsWith('HPE_')) {
        return { reason: ReasonCode.MalformedResponse, error: `malformed HTTP response from ${host}` };
      }
      if (code.startsWith('ERR_TLS') || code.includes('CERT')) {
        return connection(`TLS handshake with ${host} failed (${code})`);
      }
      return connection(`delivery to ${host} failed${code ? ` (${code})` : ''}`);
  }
}
