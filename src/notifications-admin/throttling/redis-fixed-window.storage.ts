import { Logger, OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
import type { Redis, RedisOptions } from 'ioredis';
import { requireOptionalPeer } from '../compat/optional-peer';
import { fixedWindowRecord, InMemoryFixedWindowStorage } from './fixed-window.storage';

/** Counts a hit and opens the window on the first one, atomically: returns {hits, ms left}. */
const INCREMENT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {hits, left}
`;

const KEY_PREFIX = 'notifications-admin:throttle:';
const OUTAGE_LOG_INTERVAL_MS = 10_000;

/**
 * Fixed-window counters in Redis, shared by every instance. When Redis does
 * not answer, the limit falls back to this instance's own counters and the
 * outage is logged loudly, so admins can still retrigger during an incident.
 */
export class RedisFixedWindowStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('RetriggerRateLimit');
  private readonly fallback = new InMemoryFixedWindowStorage();
  private lastOutageLog = 0;

  constructor(private readonly redis: Redis) {}

  /** Loads ioredis only here: hosts that keep counters in memory need not install it. */
  static connect(url: string): RedisFixedWindowStorage {
    const { Redis: RedisClient } = requireOptionalPeer<{ Redis: new (url: string, options: RedisOptions) => Redis }>(
      'ioredis',
      'NotificationsAdminModule option redisUrl',
    );
    const redis = new RedisClient(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      connectTimeout: 2_000,
      retryStrategy: () => 1_000,
    });
    const storage = new RedisFixedWindowStorage(redis);
    redis.on('error', (error: Error) => storage.reportOutage(error));
    return storage;
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    try {
      const [hits, msLeft] = (await this.redis.eval(INCREMENT_SCRIPT, 1, KEY_PREFIX + key, ttl)) as [number, number];
      return fixedWindowRecord(hits, msLeft, limit);
    } catch (error) {
      this.reportOutage(error as Error);
      return this.fallback.increment(key, ttl, limit);
    }
  }

  /** Whether Redis answers now; for health checks. */
  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  private reportOutage(error: Error): void {
    const now = Date.now();
    if (now - this.lastOutageLog >= OUTAGE_LOG_INTERVAL_MS) {
      this.lastOutageLog = now;
      this.logger.error(
        `Redis is unavailable (${error.message}); retrigger rate limits are counted per instance until it is back`,
      );
    }
  }
}
