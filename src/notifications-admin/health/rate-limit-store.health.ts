import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RedisFixedWindowStorage } from '../throttling/redis-fixed-window.storage';
import { RETRIGGER_THROTTLER_STORAGE } from '../throttling/retrigger-throttler.guard';

/** Terminus' `HealthIndicatorResult` shape, written out so the module does not need @nestjs/terminus. */
export type RateLimitStoreHealth<Key extends string> = {
  [K in Key]: { status: 'up' | 'down'; store: 'memory' | 'redis'; message?: string };
};

/**
 * Terminus indicator of the retrigger rate-limit store, for the standalone
 * readiness check and for hosts to add to their own. Redis is pinged on the
 * connection the rate limiter already holds; the in-memory store is always up.
 * A down result says only that Redis did not answer: never its URL. It
 * answers Terminus' plain result objects (a `down` status fails the check),
 * so a host without Terminus installs nothing for it.
 */
@Injectable()
export class RateLimitStoreHealthIndicator {
  constructor(@Inject(RETRIGGER_THROTTLER_STORAGE) private readonly storage: ThrottlerStorage) {}

  async isHealthy<const Key extends string>(key: Key): Promise<RateLimitStoreHealth<Key>> {
    if (!(this.storage instanceof RedisFixedWindowStorage)) {
      return result(key, { status: 'up', store: 'memory' });
    }
    return (await this.storage.ping())
      ? result(key, { status: 'up', store: 'redis' })
      : result(key, { status: 'down', store: 'redis', message: 'Redis did not answer' });
  }
}

function result<Key extends string>(key: Key, detail: RateLimitStoreHealth<Key>[Key]): RateLimitStoreHealth<Key> {
  return { [key]: detail } as RateLimitStoreHealth<Key>;
}
