import type { Registry } from 'prom-client';

/** A user of the host platform, as its own auth knows them. */
export interface HostUser {
  id: string;
  roles: readonly string[];
}

/** The host's own configuration, which the module's options are built from (forRootAsync). */
export class HostConfig {
  constructor(
    /** Bearer token → user: the host's stand-in for its real identity provider. */
    readonly users: ReadonlyMap<string, HostUser>,
    readonly retriggerRateLimit: number,
    readonly hostThrottleLimit: number,
    readonly redisUrl: string | undefined,
    /** The host's own Prometheus registry, when it keeps one. */
    readonly metricsRegistry?: Registry,
  ) {}
}
