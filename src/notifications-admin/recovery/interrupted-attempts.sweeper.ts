import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { describeCause } from '../errors/describe-cause';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import { AttemptLog } from '../persistence/attempt-log';

/** How long past the delivery timeout an attempt may stay pending before it is presumed dead. */
export const INTERRUPTED_MARGIN_MS = 60_000;

/**
 * Marks attempts that a crashed instance left `pending` as failed
 * ("interrupted"), at start and then periodically. Only attempts older than
 * any live send can be are touched, so other instances' sends are safe. The
 * notification itself is not re-sent.
 */
@Injectable()
export class InterruptedAttemptsSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RetriggerRecovery');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly attempts: AttemptLog,
    @Inject(NOTIFICATIONS_ADMIN_CONFIG) private readonly config: NotificationsAdminConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.recoveryIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Returns how many attempts were marked interrupted. */
  async sweep(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.webhookTimeoutMs - INTERRUPTED_MARGIN_MS);
    try {
      const marked = await this.attempts.failInterrupted(cutoff, now);
      if (marked > 0) {
        this.logger.warn(`marked ${marked} interrupted delivery attempt(s) as failed`);
      }
      return marked;
    } catch (error) {
      this.logger.error(
        `could not look for interrupted attempts: ${describeCause((error as Error).cause ?? error)?.text}`,
      );
      return 0;
    }
  }
}
