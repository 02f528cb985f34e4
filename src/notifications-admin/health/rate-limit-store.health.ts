import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RedisFixedWindowStorage } from '../throttling/redis-fixed-window.storage';
import { RETRIGGER_THROTTLER_STORAGE } from '../throttling/retrigger-throttler.guard';

/**
 * Terminus indicator of the retrigger rate-limit store, for the standalone
 * readiness check and for hosts to add to their own. Redis is pinged on the
 * connection the rate limiter already holds; the in-memory store is always up.
 * A down result says only that Redis did not answer: never its URL.
 */
@Injectable()
export class RateLimitStoreHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(RETRIGGER_THROTTLER_STORAGE) private readonly storage: ThrottlerStorage,
  ) {}

  async isHealthy<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const check = this.indicators.check(key);
    if (!(this.storage instanceof RedisFixedWindowStorage)) {
      return check.up({ store: 'memory' });
    }
    return (await this.storage.ping())
      ? check.up({ store: 'redis' })
      : check.down({ store: 'redis', message: 'Redis did not answer' });
  }
}
