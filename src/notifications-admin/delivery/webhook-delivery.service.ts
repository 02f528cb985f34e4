import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import { AxiosError, AxiosResponse } from 'axios';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { Readable } from 'node:stream';
import { firstValueFrom } from 'rxjs';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import { ReasonCode } from '../outcomes/reason-code.enum';
import { DeliveryAgents } from './delivery-agents';
import { RESPONSE_READ_LIMIT, trimDeliveryDefaults } from './delivery-client.config';
import { BlockedDestinationError, DestinationPolicy } from './destination-policy';
import { proxyAddress } from './proxy-url';

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

/** Set by the HTTP client itself, or meaningful for one hop only (and every `proxy-*`). */
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

/** 407 is by definition the proxy's own answer, never the receiver's. */
const PROXY_AUTHENTICATION_REQUIRED = 407;

/** The stored headers cannot be sent as HTTP headers: nothing goes out. */
class InvalidStoredHeadersError extends Error {}

/**
 * Sends one stored notification over HTTP through the module's one axios
 * instance (HttpService, configured in delivery-client.config.ts) and
 * reports what happened: a reason code and words. It never throws and never
 * touches the database.
 *
 * Written here rather than left to axios: the forwarded-header rule and a
 * check of the stored headers first (axios would quietly strip control
 * characters from a value and parse an invalid name as raw header lines);
 * one total deadline, an AbortSignal, since axios's `timeout` is an idle
 * timeout; reading the answer, keeping its first 4 KiB and stopping past
 * 1 MiB (see delivery-client.config.ts for why not axios's
 * `maxContentLength`); and the outcome words and codes. Decompression,
 * redirects (none), the agents and the defaults are axios's configuration.
 */
@Injectable()
export class WebhookDelivery {
  constructor(
    private readonly http: HttpService,
    private readonly destinations: DestinationPolicy,
    private readonly agents: DeliveryAgents,
    @Inject(NOTIFICATIONS_ADMIN_CONFIG) private readonly config: NotificationsAdminConfig,
  ) {
    trimDeliveryDefaults(http.axiosRef);
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
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      const headers = forwardedHeaders(delivery.headers);
      const unresolved = await this.checkedBeforeProxy(url, deadline.signal);
      if (unresolved) {
        return sent(null, null, elapsed(), unresolved);
      }
      const response = await firstValueFrom(
        // One config (post() would merge one more time to add the method, URL and body).
        this.http.request<Readable>({
          method: 'POST',
          url: url.href,
          data: Buffer.from(delivery.payload, 'utf8'),
          headers,
          signal: deadline.signal,
          // Also per request: HttpService cancels a finished request on unsubscribe unless it streams.
          responseType: 'stream',
        }),
      );
      const status = response.status;
      const refusal = this.proxyRefusal(response, url.host);
      if (refusal) {
        response.data.destroy();
        return sent(null, null, elapsed(), refusal);
      }
      const body = await readCapped(response.data);
      if (body.tooLarge) {
        return sent(status, body.text, elapsed(), {
          reason: ReasonCode.MalformedResponse,
          error: `receiver answered ${status} with a body over ${RESPONSE_READ_LIMIT} bytes`,
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
    } catch (thrown) {
      // axios wraps what the agent or socket raised (the guard's refusal included) and keeps it as the cause.
      const error: unknown = thrown instanceof AxiosError && thrown.cause ? thrown.cause : thrown;
      if (deadline.signal.aborted) {
        return sent(null, null, elapsed(), { reason: ReasonCode.Timeout, error: `timed out after ${timeoutMs} ms` });
      }
      if (error instanceof BlockedDestinationError) {
        return notSent(error.message);
      }
      if (error instanceof InvalidStoredHeadersError) {
        return sent(null, null, elapsed(), {
          reason: ReasonCode.InvalidStoredHeaders,
          error: 'the stored headers are not valid HTTP headers',
        });
      }
      return sent(null, null, elapsed(), describeTransportError(error, url.host, this.agents.proxy));
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Through a proxy nothing of ours resolves the destination, so the guard
   * does it here first. A name that does not resolve fails the send, as it
   * would have direct; blocked destinations and the deadline throw.
   */
  private async checkedBeforeProxy(url: URL, signal: AbortSignal): Promise<Failure | null> {
    if (this.agents.proxy === null) {
      return null;
    }
    try {
      await this.destinations.checkResolved(url, signal);
      return null;
    } catch (error) {
      if (error instanceof BlockedDestinationError || signal.aborted) {
        throw error;
      }
      return describeTransportError(error, url.host, null);
    }
  }

  /**
   * The proxy's own refusal (a CONNECT it did not accept, or 407 Proxy
   * Authentication Required) reaches axios as if the receiver had answered:
   * the receiver was never reached.
   */
  private proxyRefusal(response: AxiosResponse, host: string): Failure | null {
    const proxy = this.agents.proxy;
    if (proxy === null) {
      return null;
    }
    const status =
      this.agents.tunnelRefusal(response.request) ??
      (response.status === PROXY_AUTHENTICATION_REQUIRED ? response.status : undefined);
    if (status === undefined) {
      return null;
    }
    return {
      reason: ReasonCode.ConnectionFailed,
      error: `proxy ${proxyAddress(proxy)} refused to carry the delivery to ${host} (it answered ${status})`,
    };
  }
}

/** The stored headers to send, checked as node checks them, or InvalidStoredHeadersError. */
function forwardedHeaders(stored: Readonly<Record<string, unknown>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(stored)) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string' || NOT_FORWARDED.has(lower) || lower.startsWith('proxy-')) {
      continue;
    }
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      throw new InvalidStoredHeadersError();
    }
    headers[lower] = value;
  }
  return headers;
}

interface CappedBody {
  text: string;
  tooLarge: boolean;
}

/**
 * Reads the (decompressed) answer completely but keeps only its first
 * RESPONSE_BODY_LIMIT bytes; past RESPONSE_READ_LIMIT it stops reading.
 */
function readCapped(stream: Readable): Promise<CappedBody> {
  return new Promise((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let readBytes = 0;
    const text = () => toStoredText(kept.length === 1 ? kept[0] : Buffer.concat(kept));
    stream.on('data', (chunk: Buffer) => {
      readBytes += chunk.length;
      if (keptBytes < RESPONSE_BODY_LIMIT) {
        const slice =
          chunk.length <= RESPONSE_BODY_LIMIT - keptBytes ? chunk : chunk.subarray(0, RESPONSE_BODY_LIMIT - keptBytes);
        kept.push(slice);
        keptBytes += slice.length;
      }
      if (readBytes > RESPONSE_READ_LIMIT) {
        // Settle first: the destroyed stream then reports an error of its own.
        resolve({ text: text(), tooLarge: true });
        stream.destroy();
      }
    });
    stream.on('end', () => resolve({ text: text(), tooLarge: false }));
    stream.on('error', reject);
    // Closed without an end or an error: the connection went away mid-answer.
    stream.on('close', () => {
      if (!stream.readableEnded && !stream.errored) {
        reject(Object.assign(new Error('answer cut short'), { code: 'ECONNRESET' }));
      }
    });
  });
}

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

/**
 * A transport failure in words. Through a proxy, failing to connect,
 * resolve or route can only concern the proxy: it is the one host this
 * process connects to.
 */
function describeTransportError(error: unknown, host: string, proxy: URL | null): Failure {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const connection = (words: string): Failure => ({ reason: ReasonCode.ConnectionFailed, error: words });
  const peer = proxy ? `proxy ${proxyAddress(proxy)}` : host;
  switch (code) {
    case 'ECONNREFUSED':
      return connection(`connection refused by ${peer}`);
    case 'ECONNRESET':
    case 'EPIPE':
      return connection(`connection reset by ${host}${proxy ? ` (through proxy ${proxyAddress(proxy)})` : ''}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return connection(`could not resolve ${proxy ? 'proxy ' : ''}host ${proxy ? proxy.hostname : host}`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return connection(`${peer} is unreachable`);
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
