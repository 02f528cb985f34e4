import { createServer, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Webhook receivers on loopback ports: each reads the whole body, waits
 * `delayMs` (a slow customer endpoint) and answers 200. They keep connections
 * alive well past the service's reuse of them, so a socket closed by the
 * receiver's idle timer never shows up as a failed send.
 */
export class LoopbackReceivers {
  /** Requests answered since start, over all receivers. */
  received = 0;
  delayMs = 0;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  static async start(count: number): Promise<LoopbackReceivers> {
    const receivers = new LoopbackReceivers();
    for (let i = 0; i < count; i++) {
      await receivers.listen();
    }
    return receivers;
  }

  get urls(): string[] {
    return this.servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  private async listen(): Promise<void> {
    const server = createServer({ keepAliveTimeout: 120_000 }, (request, response) => {
      request.resume();
      request.on('end', () => {
        const answer = () => {
          this.received += 1;
          response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
          response.end('ok');
        };
        if (this.delayMs > 0) {
          setTimeout(answer, this.delayMs);
        } else {
          answer();
        }
      });
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.servers.push(server);
  }
}

/**
 * Run as a script (`node -r ts-node/register/transpile-only
 * scripts/bench/loopback.receivers.ts`): one receiver answering at once in a
 * process of its own; it prints its port on a line and serves until killed.
 */
if (require.main === module) {
  void LoopbackReceivers.start(1).then((receivers) => process.stdout.write(`${new URL(receivers.urls[0]).port}\n`));
}
