import { Client } from 'pg';

/** The error pg answers a query with when `query_timeout` passes. */
const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * pg's client-side `query_timeout` answers the caller, but the connection
 * still waits for the server's answer to that query: back in the pool, it
 * holds every later query behind one that may never be answered (a stalled
 * network, a server that never saw it). This client ends its connection as
 * soon as one of its queries times out; `end()` marks it ending at once, so
 * the pool discards it on release instead of handing it out again.
 */
export class TimedOutConnectionEndingClient extends Client {
  override query(...args: unknown[]): never {
    const result = (super.query as (...queryArgs: unknown[]) => unknown).apply(this, args);
    if (!(result instanceof Promise)) {
      return result as never;
    }
    return result.catch((error: unknown) => {
      if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) {
        this.end().catch(() => undefined);
      }
      throw error;
    }) as never;
  }
}
