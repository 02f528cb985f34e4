import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { RetriggerMetrics } from './retrigger-metrics.service';

/**
 * Counts each retrigger request by the status it was answered with. Bound to
 * the retrigger route only, and ahead of the guards, so refusals by the admin
 * check and the rate limit count too; the status is read when the answer has
 * been sent, whichever filter (ours or a host's) wrote it.
 */
@Injectable()
export class RetriggerRequestsMetricMiddleware implements NestMiddleware {
  constructor(private readonly metrics: RetriggerMetrics) {}

  use(_request: Request, response: Response, next: NextFunction): void {
    response.once('finish', () => this.metrics.requestAnswered(response.statusCode));
    next();
  }
}
