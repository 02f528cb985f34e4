/** What a forward proxy URL must look like, said the same way by the environment and the module options. */
export const PROXY_URL_FORM = 'an http://host:port URL (credentials allowed: http://user:password@host:port)';

/**
 * `http://`, a host, an explicit port, and nothing after it but an optional
 * `/`. The port is checked on the text because URL drops a default `:80`.
 */
const PROXY_URL_SHAPE = /^http:\/\/(?:[^@/?#\s]*@)?(?:\[[0-9a-f:.]+\]|[^:/?#@[\]\s]+):(\d{1,5})\/?$/i;

/**
 * The forward proxy of every delivery (CONTRACT section 6), or null when
 * `raw` is not an http proxy URL. Only plain http proxies are supported:
 * https destinations are tunnelled through them with CONNECT.
 */
export function parseProxyUrl(raw: string): URL | null {
  const shape = PROXY_URL_SHAPE.exec(raw);
  if (!shape || Number(shape[1]) < 1 || Number(shape[1]) > 65_535) {
    return null;
  }
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/** The proxy as error words and logs may name it: host and port, never its credentials. */
export function proxyAddress(proxy: URL): string {
  return `${proxy.hostname}:${proxy.port || '80'}`;
}
