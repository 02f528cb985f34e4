/**
 * When recording something fails after the sends happened, it is retried in
 * the background for this long: the sends' real outcome (and their answer,
 * for an Idempotency-Key) is worth more than losing it. Past it the sweeper
 * takes over.
 */
const BACKGROUND_RETRY_WINDOW_MS = 60_000;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5_000;

interface BackgroundRetryHandlers {
  landed(): void;
  gaveUp(): void;
}

/**
 * Writes retried after growing pauses until they land or the window passes.
 * Timers do not keep the process alive; `cancelAll()` on module destroy.
 */
export class BackgroundRetries {
  private readonly timers = new Set<NodeJS.Timeout>();

  schedule(write: () => Promise<unknown>, handlers: BackgroundRetryHandlers): void {
    this.retry(write, handlers, Date.now() + BACKGROUND_RETRY_WINDOW_MS, FIRST_DELAY_MS);
  }

  cancelAll(): void {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
  }

  private retry(write: () => Promise<unknown>, handlers: BackgroundRetryHandlers, giveUpAt: number, delayMs: number) {
    if (Date.now() + delayMs > giveUpAt) {
      handlers.gaveUp();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      write().then(
        () => handlers.landed(),
        () => this.retry(write, handlers, giveUpAt, Math.min(delayMs * 2, MAX_DELAY_MS)),
      );
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }
}
