import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Seconds until `msLeft` has passed, rounded up, at least 1: what Retry-After says. */
export function secondsLeft(msLeft: number): number {
  return Math.max(1, Math.ceil(msLeft / 1000));
}

export function fixedWindowRecord(totalHits: number, msLeft: number, limit: number): ThrottlerStorageRecord {
  const seconds = secondsLeft(msLeft);
  return { totalHits, timeToExpire: seconds, isBlocked: totalHits > limit, timeToBlockExpire: seconds };
}

interface Window {
  hits: number;
  endsAt: number;
}

/**
 * In-process fixed-window counters: a window opens at a principal's first
 * request and every request in it counts, blocked ones included.
 */
@Injectable()
export class InMemoryFixedWindowStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();

  increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      this.dropExpired(now);
      window = { hits: 0, endsAt: now + ttl };
      this.windows.set(key, window);
    }
    window.hits += 1;
    return Promise.resolve(fixedWindowRecord(window.hits, window.endsAt - now, limit));
  }

  private dropExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.endsAt <= now) {
        this.windows.delete(key);
      }
    }
  }
}
