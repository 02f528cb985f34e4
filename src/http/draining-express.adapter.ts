import { Logger } from '@nestjs/common';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Express adapter that shuts down gracefully. Nest's shutdown runs
 * `beforeClose()` before any module's destroy hook, so this is where the
 * service stops taking work and lets the work it took finish while the
 * database, Redis and the delivery agents are still open:
 * - the listening socket closes at once (new connections are refused) and
 *   idle keep-alive connections are closed;
 * - a request that still arrives on an open connection is answered 503;
 * - in-flight requests run to their answer, sent with `Connection: close`,
 *   for at most `drainTimeoutMs`; connections left after that are cut.
 * Node's `server.close()` alone would wait for every keep-alive connection.
 */
export class DrainingExpressAdapter extends ExpressAdapter {
  private readonly shutdownLogger = new Logger('Shutdown');
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;
  private drained?: () => void;

  constructor(private readonly drainTimeoutMs: number) {
    super();
  }

  override initHttpServer(options: NestApplicationOptions): void {
    super.initHttpServer(options);
    this.use(this.refuseWhileDraining);
    this.getHttpServer().on('request', (_request: unknown, response: ServerResponse) => {
      this.inFlight.add(response);
      response.on('close', () => {
        this.inFlight.delete(response);
        if (this.inFlight.size === 0) {
          this.drained?.();
        }
      });
    });
  }

  // Typed void by the adapter, but Nest awaits it (NestApplication.prepareClose) before any destroy hook.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  override async beforeClose(): Promise<void> {
    super.beforeClose();
    this.draining = true;
    const server: Server = this.getHttpServer();
    server.close();
    server.closeIdleConnections();
    for (const response of this.inFlight) {
      if (!response.headersSent) {
        response.setHeader('Connection', 'close');
      }
    }
    if (this.inFlight.size === 0) {
      this.shutdownLogger.log('stopped accepting connections; nothing in flight');
      return;
    }
    this.shutdownLogger.log(
      `stopped accepting connections; waiting up to ${this.drainTimeoutMs} ms for ${this.inFlight.size} request(s) in flight`,
    );
    const deadline = new AbortController();
    const finished = new Promise<boolean>((resolve) => (this.drained = () => resolve(true)));
    const timedOut = sleep(this.drainTimeoutMs, false, { signal: deadline.signal }).catch(() => false);
    const allAnswered = await Promise.race([finished, timedOut]);
    deadline.abort();
    if (!allAnswered) {
      this.shutdownLogger.warn(
        `${this.inFlight.size} request(s) still in flight after ${this.drainTimeoutMs} ms; closing their connections`,
      );
    }
  }

  override close(): ReturnType<ExpressAdapter['close']> {
    this.getHttpServer().closeAllConnections();
    return super.close();
  }

  /** A request that reaches a draining instance over a kept-alive connection is told to go elsewhere. */
  private readonly refuseWhileDraining = (_request: Request, response: Response, next: NextFunction): void => {
    if (!this.draining) {
      next();
      return;
    }
    response.set({ Connection: 'close', 'Retry-After': '1' });
    response
      .status(503)
      .json({ name: 'ServiceUnavailable', error: 'The service is shutting down; retry the request', status: 503 });
  };
}
