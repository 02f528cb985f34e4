import { createServer, IncomingHttpHeaders, IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type ReceiverHandler = (
  request: ReceivedRequest,
  response: ServerResponse,
  raw: IncomingMessage,
) => void | Promise<void>;

/** A real HTTP (or, given a certificate, HTTPS) server on a loopback port that records what it receives. */
export class Receiver {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** Every request received so far, in order of arrival. */
    readonly requests: ReceivedRequest[],
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(
    handler: ReceiverHandler = answer(200, 'ok'),
    tls?: { key: string; cert: string },
  ): Promise<Receiver> {
    const received: ReceivedRequest[] = [];
    const listener: RequestListener = (raw, response) => {
      const chunks: Buffer[] = [];
      raw.on('data', (chunk: Buffer) => chunks.push(chunk));
      raw.on('end', () => {
        const request = {
          method: raw.method ?? '',
          url: raw.url ?? '',
          headers: raw.headers,
          body: Buffer.concat(chunks),
        };
        received.push(request);
        void Promise.resolve(handler(request, response, raw)).catch(() => response.destroy());
      });
    };
    const server: Server = tls ? createHttpsServer(tls, listener) : createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new Receiver(server, `${tls ? 'https' : 'http'}://127.0.0.1:${port}/hooks`, received);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function answer(status: number, body = '', headers: Record<string, string> = {}): ReceiverHandler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'text/plain', ...headers });
    response.end(body);
  };
}

/** A port on loopback with nothing listening: connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
