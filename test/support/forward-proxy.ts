import type { IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { createProxy, ProxyServer } from 'proxy';

export interface Forwarded {
  /** `CONNECT` for a tunnel, else the method of an absolute-form request. */
  method: string;
  /** `host:port` of a tunnel, or the absolute URL of a request. */
  target: string;
  /** What it sent as `Proxy-Authorization`, if anything. */
  proxyAuthorization?: string;
}

/**
 * A real HTTP forward proxy on loopback (the `proxy` package: CONNECT
 * tunnels and absolute-form requests) that records every request it was
 * asked to forward and counts the TCP connections made to it. With
 * `credentials`, it forwards only requests that carry them as Basic
 * `Proxy-Authorization` and answers the others 407.
 */
export class ForwardProxy {
  readonly forwarded: Forwarded[] = [];
  /** TCP connections accepted so far. */
  connections = 0;

  private constructor(private readonly server: ProxyServer) {}

  static async start(credentials?: string): Promise<ForwardProxy> {
    const server = createProxy();
    const proxy = new ForwardProxy(server);
    const record = (request: IncomingMessage) =>
      proxy.forwarded.push({
        method: request.method ?? '',
        target: request.url ?? '',
        proxyAuthorization: request.headers['proxy-authorization'],
      });
    // Ahead of the proxy's own listeners, so a request is recorded before it is forwarded.
    server.prependListener('request', record);
    server.prependListener('connect', record);
    server.on('connection', () => (proxy.connections += 1));
    if (credentials !== undefined) {
      const expected = `Basic ${Buffer.from(credentials).toString('base64')}`;
      server.authenticate = (request) => request.headers['proxy-authorization'] === expected;
    }
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `http://127.0.0.1:port`, with `user:password@` when given. */
  url(credentials?: string): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://${credentials ? `${credentials}@` : ''}127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
