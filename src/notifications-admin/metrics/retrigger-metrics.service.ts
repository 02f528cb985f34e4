import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, Metric, Registry } from 'prom-client';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import { REASON_CODES, ReasonCode } from '../outcomes/reason-code.enum';

export const METRIC_NAMES = {
  retriggerRequests: 'notifications_admin_retrigger_requests_total',
  retriggerItems: 'notifications_admin_retrigger_items_total',
  deliveryDuration: 'notifications_admin_delivery_duration_seconds',
  rateLimited: 'notifications_admin_rate_limited_total',
} as const;

/** The `reason` label of a successful item. */
const NO_REASON = 'none';

type Outcome = 'succeeded' | 'failed';
type ItemLabel = 'outcome' | 'reason' | 'dry_run';

/** What the items counter needs of an answered item: its reason is null exactly when it succeeded. */
export interface AnsweredItem {
  reason: ReasonCode | null;
}

/** What the duration histogram needs of a delivery's result. */
export interface SendResult {
  succeeded: boolean;
  /** Null when nothing was sent. */
  durationMs: number | null;
}

/**
 * The module's Prometheus metrics (CONTRACT section 8), in prom-client's
 * default registry or the one the host passed as `metricsRegistry`. Each is
 * recorded where its outcome is decided: the answered status by
 * RetriggerRequestsMetricMiddleware, items and send durations by
 * RetriggerService, refusals by RetriggerThrottlerGuard. Label values come
 * from closed sets (HTTP statuses, reason codes, booleans): never ids, URLs,
 * principals or error words, so the number of series stays bounded.
 */
@Injectable()
export class RetriggerMetrics {
  private readonly requests: Counter<'status'>;
  private readonly items: Counter<ItemLabel>;
  private readonly deliveryDuration: Histogram<'outcome'>;
  private readonly rateLimited: Counter;

  constructor(@Inject(NOTIFICATIONS_ADMIN_CONFIG) config: NotificationsAdminConfig) {
    const registry = config.metricsRegistry;
    this.requests = registered(
      registry,
      METRIC_NAMES.retriggerRequests,
      Counter,
      (name) =>
        new Counter({
          name,
          help: 'Retrigger requests by the HTTP status answered, errors included.',
          labelNames: ['status'],
          registers: [registry],
        }),
    );
    this.items = registered(
      registry,
      METRIC_NAMES.retriggerItems,
      Counter,
      (name) =>
        new Counter({
          name,
          help: 'Retrigger items answered, by outcome, reason code (none on success) and dry run.',
          labelNames: ['outcome', 'reason', 'dry_run'],
          registers: [registry],
        }),
    );
    this.deliveryDuration = registered(
      registry,
      METRIC_NAMES.deliveryDuration,
      Histogram,
      (name) =>
        new Histogram({
          name,
          help: 'Time from sending a retriggered notification to its outcome, per send.',
          labelNames: ['outcome'],
          // prom-client's defaults (5 ms to 10 s) end at the default delivery timeout; slower sends land in +Inf.
          registers: [registry],
        }),
    );
    this.rateLimited = registered(
      registry,
      METRIC_NAMES.rateLimited,
      Counter,
      (name) =>
        new Counter({
          name,
          help: 'Retrigger requests refused by the rate limit.',
          registers: [registry],
        }),
    );
    this.initialiseSeries();
  }

  /** The status answered to one retrigger request. */
  requestAnswered(status: number): void {
    this.requests.inc({ status: String(status) });
  }

  /** The items of one retrigger answer. */
  itemsAnswered(items: readonly AnsweredItem[], dryRun: boolean): void {
    for (const item of items) {
      this.items.inc(itemLabels(item.reason, dryRun));
    }
  }

  /** One delivery's result: observed only when something was sent. */
  sendCompleted(result: SendResult): void {
    if (result.durationMs !== null) {
      this.deliveryDuration.observe({ outcome: outcome(result.succeeded) }, result.durationMs / 1000);
    }
  }

  rateLimitExceeded(): void {
    this.rateLimited.inc();
  }

  /**
   * Every series of the closed label sets exists from the start at 0, so
   * `increase()` and `rate()` see the first failure of a kind rather than
   * treating its series' appearance as the starting point.
   */
  private initialiseSeries(): void {
    for (const dryRun of [false, true]) {
      for (const reason of [null, ...REASON_CODES]) {
        this.items.inc(itemLabels(reason, dryRun), 0);
      }
    }
    for (const succeeded of [true, false]) {
      this.deliveryDuration.zero({ outcome: outcome(succeeded) });
    }
  }
}

function itemLabels(reason: ReasonCode | null, dryRun: boolean): Record<ItemLabel, string> {
  return { outcome: outcome(reason === null), reason: reason ?? NO_REASON, dry_run: String(dryRun) };
}

function outcome(succeeded: boolean): Outcome {
  return succeeded ? 'succeeded' : 'failed';
}

/**
 * The metric already in the registry under this name, or a new one. A second
 * app instance in one process (tests, or two mounts of the module) finds the
 * first one's metrics there: reusing them keeps one series per label set,
 * where registering again would throw.
 */
function registered<T extends Metric>(
  registry: Registry,
  name: string,
  kind: abstract new (...args: never[]) => T,
  create: (name: string) => T,
): T {
  const existing = registry.getSingleMetric(name);
  if (existing === undefined) {
    return create(name);
  }
  if (existing instanceof kind) {
    return existing;
  }
  throw new Error(`Metric ${name} is already registered in this registry by something other than this module`);
}
