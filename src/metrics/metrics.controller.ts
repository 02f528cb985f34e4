import { Controller, Get, Header, OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, register, Registry } from 'prom-client';

/** One of the default metrics: its presence says they are already collected into a registry. */
const DEFAULT_METRICS_MARKER = 'process_cpu_user_seconds_total';

/**
 * The standalone service's Prometheus scrape endpoint: the module's metrics
 * and Node's default process metrics, from prom-client's default registry, in
 * the text exposition format. Like the probes, it asks for no credentials
 * (it is for the scraper on the service's network) and is not rate limited;
 * `METRICS=false` leaves it out, and `/metrics` is then an unknown route.
 */
@Controller('metrics')
export class MetricsController implements OnModuleInit {
  onModuleInit(): void {
    collectDefaultMetricsOnce(register);
  }

  @Get()
  @Header('Content-Type', register.contentType)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return register.metrics();
  }
}

/** A second service instance in one process (as tests run) finds them registered: doing it again would throw. */
function collectDefaultMetricsOnce(registry: Registry): void {
  if (registry.getSingleMetric(DEFAULT_METRICS_MARKER) === undefined) {
    collectDefaultMetrics({ register: registry });
  }
}
