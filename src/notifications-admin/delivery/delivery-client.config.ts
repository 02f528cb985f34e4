import type { HttpModuleOptions } from '@nestjs/axios';
import type { AxiosInstance } from 'axios';
import type { DeliveryAgents } from './delivery-agents';

/** A receiver answering more than this is cut off (MALFORMED_RESPONSE): we only keep 4 KiB anyway. */
export const RESPONSE_READ_LIMIT = 1024 * 1024;

/**
 * Sent when the stored headers say nothing else. Only encodings the client
 * decodes are offered (axios's own default would add LZW `compress`).
 */
const DEFAULT_HEADERS = {
  'Content-Type': 'application/json',
  'User-Agent': 'notifications-admin-retrigger/1.0',
  Accept: 'application/json, text/plain, */*',
  'Accept-Encoding': 'gzip, deflate, br',
};

/**
 * Everything of the delivery client's configuration but its agents: what a
 * send needs from axios, and all the instance's defaults keep (see
 * trimDeliveryDefaults).
 */
const SEND_OPTIONS = {
  // Node's http(s).request, without the adapter lookup of each call.
  adapter: 'http',
  // The agents hold the egress path; HTTP(S)_PROXY in the environment must not add another.
  proxy: false,
  // A 3xx is answered as a failure; it also keeps axios on node's own request, not follow-redirects.
  maxRedirects: 0,
  // The stored bytes go as they are (axios's default would parse and trim a JSON string) ...
  transformRequest: [],
  // ... and the answer is read as bytes, decompressed (gzip, deflate raw or wrapped, br) by axios.
  transformResponse: [],
  responseType: 'stream',
  decompress: true,
  // RESPONSE_READ_LIMIT is counted by WebhookDelivery's reader: axios's maxContentLength
  // wraps each streamed answer in an async generator (about 1 CPU ms per 25-id retrigger in
  // the bench), and on a buffered answer drops the status and bytes that it read.
  maxContentLength: -1,
  // The stored payload is sent whatever its size: the platform accepted it once.
  maxBodyLength: -1,
  // Every status is an answer to record; WebhookDelivery decides what it means.
  validateStatus: null,
  headers: DEFAULT_HEADERS,
} satisfies HttpModuleOptions;

/**
 * The one axios instance of the delivery client (HttpModule.registerAsync),
 * configured once so that a send only names its URL, body, headers and
 * deadline.
 */
export function deliveryClientConfig(agents: DeliveryAgents): HttpModuleOptions {
  return { ...SEND_OPTIONS, httpAgent: agents.http, httpsAgent: agents.https };
}

/** The instance's defaults that trimDeliveryDefaults keeps: exactly what deliveryClientConfig sets. */
const KEPT_DEFAULTS = new Set<string>([...Object.keys(SEND_OPTIONS), 'httpAgent', 'httpsAgent']);

/**
 * Trims the instance HttpModule built from deliveryClientConfig to the
 * defaults a send uses. axios merges the whole of its defaults into every
 * request's config (deeply, for the headers and the objects), and
 * `axios.create()` adds what a POST of stored bytes through node's http
 * never reads: a header map per HTTP method (12 of them), the browser's
 * XSRF names, the FormData/Blob classes (`env`) and the transitional JSON
 * flags (the adapter has defaults of its own for them). Dropping them took
 * about a tenth off the CPU of a send (README "Performance").
 */
export function trimDeliveryDefaults(instance: AxiosInstance): void {
  const defaults = instance.defaults as unknown as Record<string, unknown>;
  for (const key of Object.keys(defaults)) {
    if (!KEPT_DEFAULTS.has(key)) {
      delete defaults[key];
    }
  }
  // The flat headers only: every request is a POST with exactly these defaults.
  instance.defaults.headers = { ...DEFAULT_HEADERS } as unknown as AxiosInstance['defaults']['headers'];
}
