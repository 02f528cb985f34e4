import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable, tap } from 'rxjs';
import { ApiException } from '../errors/api.exception';
import { getAdminPrincipal } from '../guards/admin-principal.decorator';
import type { RetriggerResponseDto } from './dto/retrigger-response.dto';

/**
 * One audit line per retrigger that passed the admin and rate-limit guards:
 * who, which webhook, how many notifications and how it went. It goes
 * through Nest's logger, so a host's logger (and its request id) gets it too.
 * Ids and counts only: never payloads, headers or credentials.
 */
@Injectable()
export class RetriggerLogInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Retrigger');

  intercept(context: ExecutionContext, next: CallHandler<RetriggerResponseDto>): Observable<RetriggerResponseDto> {
    const request = context.switchToHttp().getRequest<Request>();
    const startedAt = performance.now();
    const line = () => ({
      principal: getAdminPrincipal(request),
      webhookId: String(request.params.webhookId),
      durationMs: Math.round(performance.now() - startedAt),
    });
    return next.handle().pipe(
      tap({
        next: (answer) =>
          this.logger.log({
            msg: 'retrigger completed',
            ...line(),
            retriggerId: answer.retriggerId,
            signature: answer.signature,
            totalRequested: answer.totalRequested,
            totalSuccess: answer.totalSuccess,
            totalFailed: answer.totalFailed,
          }),
        error: (error: unknown) =>
          this.logger.log({
            msg: 'retrigger refused',
            ...line(),
            error: error instanceof ApiException ? error.errorName : 'UnexpectedError',
          }),
      }),
    );
  }
}
