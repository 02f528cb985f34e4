import type { Request } from 'express';
import type { Registry } from 'prom-client';

/**
 * Decides whether a request comes from an admin. Returns the admin principal
 * (recorded as `retriggered_by`, e.g. `user:42`), or null when the request is
 * not an admin's.
 */
export type AdminCheck = (request: Request) => string | null | undefined | Promise<string | null | undefined>;

export interface NotificationsAdminModuleOptions {
  /** API keys accepted as `Authorization: Bearer <key>`. Ignored when `adminCheck` is given. */
  adminApiKeys?: readonly string[];
  /** The host's own admin check, replacing the API keys. */
  adminCheck?: AdminCheck;
  /** Retrigger requests allowed per admin principal and window. Default 10. */
  rateLimit?: number;
  /** The fixed rate-limit window in milliseconds. Default 60000. */
  rateWindowMs?: number;
  /** Total deadline of one outbound delivery in milliseconds. Default 10000. */
  webhookTimeoutMs?: number;
  /** Allow destinations on loopback, private and other non-public addresses. Default false. */
  allowPrivateNetworks?: boolean;
  /** Redis for rate-limit counters shared by every instance; in memory when unset. */
  redisUrl?: string;
  /** How often interrupted attempts are looked for, in milliseconds. Default 60000. */
  recoveryIntervalMs?: number;
  /**
   * Where the module's Prometheus metrics are registered: prom-client's
   * default registry unless the host passes its own. The module serves no
   * route for them; the host's own `/metrics` exposes that registry.
   */
  metricsRegistry?: Registry;
}
