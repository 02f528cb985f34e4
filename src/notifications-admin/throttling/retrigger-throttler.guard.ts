import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerStorage } from '@nestjs/throttler';
import type { Request } from 'express';
import { ApiException } from '../errors/api.exception';
import { ErrorName } from '../errors/error-name.enum';
import { getAdminPrincipal } from '../guards/admin-principal.decorator';
import { RetriggerMetrics } from '../metrics/retrigger-metrics.service';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';

export const RETRIGGER_THROTTLER_STORAGE = Symbol('RETRIGGER_THROTTLER_STORAGE');

/**
 * The retrigger rate limit: a fixed window per admin principal (not per IP).
 * It takes its limits and storage from this module, never from a host's
 * global ThrottlerModule, so mounting the module changes no other route.
 * Runs after AdminGuard, so every admin request counts, whatever its outcome.
 */
@Injectable()
export class RetriggerThrottlerGuard extends ThrottlerGuard {
  constructor(
    @Inject(NOTIFICATIONS_ADMIN_CONFIG) config: NotificationsAdminConfig,
    @Inject(RETRIGGER_THROTTLER_STORAGE) storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly metrics: RetriggerMetrics,
  ) {
    super(
      { throttlers: [{ name: 'retrigger', limit: config.rateLimit, ttl: config.rateWindowMs }], setHeaders: false },
      storage,
      reflector,
    );
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = getAdminPrincipal(request as unknown as Request);
    if (!principal) {
      throw new ApiException(ErrorName.AccessDenied, 'Admin credentials are required');
    }
    return Promise.resolve(principal);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    this.metrics.rateLimitExceeded();
    const seconds = detail.timeToBlockExpire;
    throw new ApiException(
      ErrorName.RetriggerRateLimited,
      `Retrigger rate limit of ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s exceeded; retry in ${seconds} s`,
      { 'Retry-After': String(seconds) },
    );
  }
}
