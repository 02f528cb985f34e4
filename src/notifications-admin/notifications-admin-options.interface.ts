import type { CanActivate, Type } from '@nestjs/common';
import type { Request } from 'express';
import type { Registry } from 'prom-client';
import type { AgentOptions } from 'node:https';

/**
 * Decides whether a request comes from an admin. Returns the admin principal
 * (recorded as `retriggered_by`, e.g. `user:42`), or null when the request is
 * not an admin's.
 */
export type AdminCheck = (request: Request) => string | null | undefined | Promise<string | null | undefined>;

/** A route guard of the host: its class (as in `@UseGuards(AuthGuard('jwt'))`) or an instance. */
export type HostAuthGuard = Type<CanActivate> | CanActivate;

/**
 * What `forRoot` takes and `forRootAsync`'s factory returns. `routePrefix`
 * is not here: it is given to `forRoot`/`forRootAsync` themselves (see
 * NotificationsAdminModuleExtras).
 */
export interface NotificationsAdminModuleOptions {
  /**
   * API keys accepted as `Authorization: Bearer <key>`, for machine clients.
   * A request carrying one is admin without `authGuards` and `adminCheck`.
   */
  adminApiKeys?: readonly string[];
  /** The host's own admin check, for every request that does not carry an API key. */
  adminCheck?: AdminCheck;
  /**
   * The host's route guards (e.g. `AuthGuard('jwt')` from @nestjs/passport),
   * run in order before `adminCheck` for requests without an API key, so
   * that `request.user` is set when the check reads it. A guard that refuses
   * (returns false or throws an HTTP error) is answered 403 AccessDenied.
   * Classes are taken from the host's providers when registered there, else
   * created in the module. Requires `adminCheck`.
   */
  authGuards?: readonly HostAuthGuard[];
  /** Retrigger requests allowed per admin principal and window. Default 10. */
  rateLimit?: number;
  /** The fixed rate-limit window in milliseconds. Default 60000. */
  rateWindowMs?: number;
  /** Total deadline of one outbound delivery in milliseconds. Default 10000. */
  webhookTimeoutMs?: number;
  /** Allow destinations on loopback, private and other non-public addresses. Default false. */
  allowPrivateNetworks?: boolean;
  /** Redis for rate-limit counters shared by every instance (needs the `ioredis` package); in memory when unset. */
  redisUrl?: string;
  /** How often interrupted attempts are looked for, in milliseconds. Default 60000. */
  recoveryIntervalMs?: number;
  /**
   * Where the module's Prometheus metrics are registered: prom-client's
   * default registry unless the host passes its own. The module serves no
   * route for them; the host's own `/metrics` exposes that registry.
   */
  metricsRegistry?: Registry;

  /**
   * Serve the operators' page at `.../admin/console`. Default false: a host
   * opts in. The page needs no credentials; its calls use the admin API.
   */
  console?: boolean;

  /** The delivery client (one axios instance, @nestjs/axios): egress proxy and agent options. */
  httpClient?: DeliveryClientOptions;
}

export interface DeliveryClientOptions {
  /**
   * An `http://host:port` forward proxy (credentials allowed, `http://user:pass@host:port`)
   * that every delivery goes through: `CONNECT` tunnels for https destinations,
   * absolute-form requests for http ones. Unset: direct.
   */
  proxy?: string;
  /**
   * Extra options of the delivery agents, such as TLS trust for receivers (`ca`,
   * `rejectUnauthorized`), a client certificate (`cert`, `key`) or socket limits
   * (`maxSockets`, default 64 per destination). Keep-alive and the DNS lookup
   * (the private-network guard) are the module's own and cannot be replaced.
   */
  agentOptions?: DeliveryAgentOptions;
}

export type DeliveryAgentOptions = Omit<AgentOptions, 'lookup' | 'keepAlive' | 'keepAliveMsecs'>;
