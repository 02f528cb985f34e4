import { InMemoryFixedWindowStorage, secondsLeft } from './fixed-window.storage';

describe('InMemoryFixedWindowStorage', () => {
  it('blocks past the limit until the window ends, counting blocked hits', async () => {
    const storage = new InMemoryFixedWindowStorage();
    const results = [];
    for (let i = 0; i < 4; i++) {
      results.push(await storage.increment('retrigger:apikey:abc', 60_000, 2));
    }
    expect(results.map((result) => [result.totalHits, result.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, true],
    ]);
    expect(results[3].timeToBlockExpire).toBe(60);
  });

  it('keeps principals apart', async () => {
    const storage = new InMemoryFixedWindowStorage();
    await storage.increment('a', 60_000, 1);
    expect((await storage.increment('b', 60_000, 1)).isBlocked).toBe(false);
  });
});

describe('secondsLeft (Retry-After)', () => {
  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [59_999, 60],
    [0, 1],
  ])('%i ms → %i s', (ms, seconds) => {
    expect(secondsLeft(ms)).toBe(seconds);
  });
});
