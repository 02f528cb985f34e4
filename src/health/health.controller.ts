import { Controller, Get, UseFilters } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RateLimitStoreHealthIndicator } from '../notifications-admin/health/rate-limit-store.health';
import { HealthCheckFailureFilter } from './health-check-failure.filter';

/** Short, so a stalled database makes readiness fail fast instead of hanging the probe. */
export const DATABASE_PING_TIMEOUT_MS = 1_500;

/**
 * The standalone service's probes: unauthenticated and not rate limited.
 * Liveness asks only that the process answers; readiness that the database
 * and the rate-limit store do.
 */
@Controller('health')
@UseFilters(HealthCheckFailureFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly typeOrm: TypeOrmHealthIndicator,
    private readonly rateLimitStore: RateLimitStoreHealthIndicator,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.database(), () => this.rateLimitStore.isHealthy('rateLimitStore')]);
  }

  /**
   * The DataSource is passed in rather than looked up by Terminus, which would
   * import @nestjs/typeorm dynamically. The driver's error can name hosts and
   * users: the probe answer says only what happened.
   */
  private async database(): Promise<HealthIndicatorResult<'database'>> {
    const result = await this.typeOrm.pingCheck('database', {
      connection: this.dataSource,
      timeout: DATABASE_PING_TIMEOUT_MS,
    });
    if (result.database.status === 'up') {
      return result;
    }
    const timedOut = String(result.database.message ?? '').startsWith('timeout');
    return {
      database: {
        status: 'down',
        message: timedOut ? `no answer within ${DATABASE_PING_TIMEOUT_MS} ms` : 'the database ping failed',
      },
    };
  }
}
