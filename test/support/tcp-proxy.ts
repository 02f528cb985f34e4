import { createServer, connect, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';

type Mode = 'forward' | 'stall' | 'cut';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes held back while stalled, per direction, in order. */
  held: Array<{ to: Socket; chunk: Buffer }>;
}

/**
 * A loopback TCP proxy in front of a real server (PostgreSQL in the fault
 * tests), so a database fault can be injected for real without touching the
 * shared server: `stall()` keeps every connection open but forwards nothing
 * (new connections are accepted and held too), `cut()` resets every
 * connection and every new one, `forward()` heals both, delivering or
 * losing what was held.
 */
export class TcpProxy {
  private mode: Mode = 'forward';
  private readonly pairs = new Set<Pair>();
  /** Connections accepted while cut are reset at once; counted for the report. */
  refused = 0;

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `databaseUrl` with its host and port replaced by this proxy's. */
  rewrite(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  get connections(): number {
    return this.pairs.size;
  }

  stall(): void {
    this.mode = 'stall';
  }

  cut(): void {
    this.mode = 'cut';
    for (const pair of this.pairs) {
      this.drop(pair);
    }
  }

  /**
   * Heals: new bytes flow again. What was held while stalled is delivered,
   * unless `lost`: then it never arrives, as packets a broken network
   * dropped, and a connection that sent a query while stalled waits for an
   * answer that will never come.
   */
  forward(options: { lost?: boolean } = {}): void {
    this.mode = 'forward';
    for (const pair of this.pairs) {
      for (const { to, chunk } of pair.held.splice(0)) {
        if (!options.lost) {
          to.write(chunk);
        }
      }
    }
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) {
      this.drop(pair);
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'cut') {
      this.refused += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    const pair: Pair = { client, upstream, held: [] };
    this.pairs.add(pair);
    const relay = (to: Socket) => (chunk: Buffer) => {
      if (this.mode === 'forward') {
        to.write(chunk);
      } else {
        pair.held.push({ to, chunk });
      }
    };
    client.on('data', relay(upstream));
    upstream.on('data', relay(client));
    const end = () => this.drop(pair);
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) {
      return;
    }
    pair.held.length = 0;
    if (!pair.client.destroyed) {
      pair.client.resetAndDestroy();
    }
    pair.upstream.destroy();
  }
}
