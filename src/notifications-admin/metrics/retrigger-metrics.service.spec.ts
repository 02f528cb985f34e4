import { Gauge, Histogram, register as defaultRegistry, Registry } from 'prom-client';
import { resolveConfig } from '../notifications-admin.config';
import { ReasonCode } from '../outcomes/reason-code.enum';
import { METRIC_NAMES, RetriggerMetrics } from './retrigger-metrics.service';

const itemsIn = async (registry: Registry) =>
  (await registry.getMetricsAsJSON())
    .find((metric) => metric.name === METRIC_NAMES.retriggerItems)!
    .values.filter((sample) => sample.value > 0)
    .map((sample) => ({ labels: sample.labels, value: sample.value }));

describe('RetriggerMetrics', () => {
  afterEach(() => defaultRegistry.clear());

  it('registers in the default registry unless a registry is given', () => {
    const hostRegistry = new Registry();

    new RetriggerMetrics(resolveConfig({}));
    new RetriggerMetrics(resolveConfig({ metricsRegistry: hostRegistry }));

    for (const name of Object.values(METRIC_NAMES)) {
      expect(defaultRegistry.getSingleMetric(name)).toBeDefined();
      expect(hostRegistry.getSingleMetric(name)).toBeDefined();
    }
  });

  it.each([
    ['the default registry', () => defaultRegistry],
    ['a host registry', () => new Registry()],
  ])('lets a second instance in one process reuse the metrics of %s', async (_name, registryOf) => {
    const registry = registryOf();
    const config = resolveConfig({ metricsRegistry: registry });
    const first = new RetriggerMetrics(config);
    const second = new RetriggerMetrics(config);

    first.itemsAnswered([{ reason: null }], false);
    second.itemsAnswered([{ reason: null }, { reason: ReasonCode.Timeout }], true);

    expect(await itemsIn(registry)).toEqual([
      { labels: { outcome: 'succeeded', reason: 'none', dry_run: 'false' }, value: 1 },
      { labels: { outcome: 'succeeded', reason: 'none', dry_run: 'true' }, value: 1 },
      { labels: { outcome: 'failed', reason: 'TIMEOUT', dry_run: 'true' }, value: 1 },
    ]);
  });

  it('refuses a registry where another kind of metric already has one of its names', () => {
    const registry = new Registry();
    new Gauge({ name: METRIC_NAMES.rateLimited, help: 'not ours', registers: [registry] });

    expect(() => new RetriggerMetrics(resolveConfig({ metricsRegistry: registry }))).toThrow(
      `Metric ${METRIC_NAMES.rateLimited} is already registered in this registry by something other than this module`,
    );
  });

  it('starts every item series at 0, so the first failure of a kind shows in increase()', async () => {
    const registry = new Registry();
    new RetriggerMetrics(resolveConfig({ metricsRegistry: registry }));

    const items = (await registry.getMetricsAsJSON()).find((metric) => metric.name === METRIC_NAMES.retriggerItems)!;
    // success (reason none) and each reason code, dry run or not
    expect(items.values).toHaveLength(2 * (1 + Object.values(ReasonCode).length));
    expect(items.values.every((sample) => sample.value === 0)).toBe(true);
  });

  it('observes a send only when something was sent', async () => {
    const registry = new Registry();
    const metrics = new RetriggerMetrics(resolveConfig({ metricsRegistry: registry }));

    metrics.sendCompleted({ succeeded: true, durationMs: 120 });
    metrics.sendCompleted({ succeeded: false, durationMs: null });

    const histogram = await (registry.getSingleMetric(METRIC_NAMES.deliveryDuration) as Histogram).get();
    const count = (outcome: string) =>
      histogram.values.find(
        (sample) => sample.metricName === `${METRIC_NAMES.deliveryDuration}_count` && sample.labels.outcome === outcome,
      )?.value;
    expect([count('succeeded'), count('failed')]).toEqual([1, 0]);
  });
});
