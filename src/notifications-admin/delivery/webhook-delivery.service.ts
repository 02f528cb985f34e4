import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AxiosError } from 'axios';
import { Agent as HttpAgent, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
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
  /** Null when nothing was sent. */
  durationMs: number | null;
}

export const RESPONSE_BODY_LIMIT = 4096;
/** A receiver answering more than this is cut off: we only keep 4 KiB anyway. */
export const RESPONSE_DRAIN_LIMIT = 1024 * 1024;

/** Set by the HTTP client itself, or meaningful for one hop only. */
const NOT_FORWARDED = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

const USER_AGENT = 'notifications-admin-retrigger/1.0';

/** Sockets per destination: one retrigger's 25 sends never queue behind each other. */
const MAX_SOCKETS_PER_DESTINATION = 64;

/**
 * Sends one stored notification over HTTP and reports what happened, in words.
 * It never throws and never touches the database.
 */
@Injectable()
export class WebhookDelivery implements OnModuleDestroy {
  /** Keep-alive agents whose DNS lookup is the private-network guard. */
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(
    private readonly http: HttpService,
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
    try {
      this.destinations.checkUrl(delivery.url);
    } catch (error) {
      return notSent((error as Error).message);
    }
    const timeoutMs = this.config.webhookTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    try {
      const response = await this.http.axiosRef.request<IncomingMessage>({
        method: 'POST',
        url: delivery.url,
        data: Buffer.from(delivery.payload, 'utf8'),
        headers: forwardedHeaders(delivery.headers),
        transformRequest: [(data: Buffer) => data],
        responseType: 'stream',
        maxRedirects: 0,
        validateStatus: () => true,
        decompress: true,
        signal: deadline,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        proxy: false,
      });
      const body = await readCapped(response.data, deadline);
      const status = response.status;
      if (body.tooLarge) {
        return sent(false, status, body.text, elapsed(), `receiver answered ${status} with a body over ${RESPONSE_DRAIN_LIMIT} bytes`);
      }
      if (status >= 200 && status < 300) {
        return sent(true, status, body.text, elapsed(), null);
      }
      const reason = status >= 300 && status < 400 ? `receiver answered ${status}; redirects are not followed` : `receiver answered ${status}`;
      return sent(false, status, body.text, elapsed(), reason);
    } catch (error) {
      if (deadline.aborted) {
        return sent(false, null, null, elapsed(), `timed out after ${timeoutMs} ms`);
      }
      const blocked = findBlocked(error);
      if (blocked) {
        return notSent(blocked.message);
      }
      return sent(false, null, null, elapsed(), describeTransportError(error, delivery.url));
    }
  }
}

function forwardedHeaders(stored: Readonly<Record<string, unknown>>): Record<string, string> {
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
  return headers;
}

interface CappedBody {
  text: string;
  tooLarge: boolean;
}

/** Reads the answer completely but keeps only its first RESPONSE_BODY_LIMIT bytes. */
function readCapped(stream: IncomingMessage, deadline: AbortSignal): Promise<CappedBody> {
  return new Promise((resolve, reject) => {
    const onDeadline = () => {
      stream.destroy();
      reject(new Error('the delivery deadline passed while reading the answer'));
    };
    if (deadline.aborted) {
      onDeadline();
      return;
    }
    deadline.addEventListener('abort', onDeadline, { once: true });
    stream.on('close', () => deadline.removeEventListener('abort', onDeadline));
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
    stream.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
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

function sent(succeeded: boolean, responseStatus: number | null, responseBody: string | null, durationMs: number, error: string | null): DeliveryResult {
  return { succeeded, responseStatus, responseBody, error, durationMs };
}

function notSent(error: string): DeliveryResult {
  return { succeeded: false, responseStatus: null, responseBody: null, error, durationMs: null };
}

function findBlocked(error: unknown): BlockedDestinationError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current instanceof BlockedDestinationError) {
      return current;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeTransportError(error: unknown, url: string): string {
  const code = (error as AxiosError).code ?? (error as NodeJS.ErrnoException).code ?? '';
  const host = safeHost(url);
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${host}`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection reset by ${host}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not resolve host ${host}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host} is unreachable`;
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
      return 'the stored headers are not valid HTTP headers';
    case 'ERR_BAD_RESPONSE':
      return `malformed HTTP response from ${host}`;
    default:
      if (code.startsWith('HPE_')) {
        return `malformed HTTP response from ${host}`;
      }
      if (code.startsWith('ERR_TLS') || code.includes('CERT')) {
        return `TLS handshake with ${host} failed (${code})`;
      }
      return `delivery to ${host} failed${code ? ` (${code})` : ''}`;
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the receiver';
  }
}
