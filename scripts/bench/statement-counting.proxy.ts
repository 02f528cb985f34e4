import { createConnection, createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Untyped startup-phase requests: their first int32 after the length is a code, not a protocol version. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * A loopback TCP proxy between the service and PostgreSQL that counts the SQL
 * statements the service sends, by reading the frontend side of the wire
 * protocol: each simple-protocol Query ('Q', which is how pg sends BEGIN and
 * COMMIT) and each extended-protocol Execute ('E', one per parameterised
 * query) is one statement.
 *
 * Counting on the wire, outside the service, measures the build that ships:
 * no debug hook or logger in production code, and nothing else on the
 * database (pg_stat_statements is not installed by default; pg_stat_database
 * counts transactions, not statements). The server's answers are piped
 * through untouched.
 */
export class StatementCountingProxy {
  private statementCount = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    target: { host: string; port: number },
  ) {
    server.on('connection', (client: Socket) => this.relay(client, target));
  }

  static async start(target: { host: string; port: number }): Promise<StatementCountingProxy> {
    const proxy = new StatementCountingProxy(createServer(), target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Statements sent since the proxy started. */
  get statements(): number {
    return this.statementCount;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    const reader = new FrontendMessageReader((type) => {
      if (type === 'Q' || type === 'E') {
        this.statementCount += 1;
      }
    });
    client.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      upstream.write(chunk);
    });
    client.on('end', () => upstream.end());
  }
}

/**
 * Splits the frontend byte stream into messages. The startup phase sends
 * untyped messages (length, then a code); every message after the
 * StartupMessage is a type byte followed by an int32 length that counts
 * itself but not the type byte.
 */
class FrontendMessageReader {
  private pending: Buffer = Buffer.alloc(0);
  private started = false;

  constructor(private readonly onMessage: (type: string) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    for (;;) {
      const available = this.pending.length - offset;
      if (!this.started) {
        if (available < 8 || available < this.pending.readInt32BE(offset)) {
          break;
        }
        const code = this.pending.readInt32BE(offset + 4);
        this.started = code !== SSL_REQUEST && code !== GSSENC_REQUEST;
        offset += this.pending.readInt32BE(offset);
        continue;
      }
      if (available < 5 || available < 1 + this.pending.readInt32BE(offset + 1)) {
        break;
      }
      this.onMessage(String.fromCharCode(this.pending[offset]));
      offset += 1 + this.pending.readInt32BE(offset + 1);
    }
    this.pending = this.pending.subarray(offset);
  }
}
