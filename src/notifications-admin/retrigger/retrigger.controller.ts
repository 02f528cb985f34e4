import { Controller, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { EnvelopeExceptionFilter } from '../errors/envelope-exception.filter';
import { AdminPrincipal } from '../guards/admin-principal.decorator';
import { AdminGuard } from '../guards/admin.guard';
import { RetriggerThrottlerGuard } from '../throttling/retrigger-throttler.guard';
import { RetriggerResponseDto } from './dto/retrigger-response.dto';
import { RetriggerRequest, RetriggerRequestPipe, ValidRetriggerRequest } from './retrigger-request.pipe';
import { RetriggerService } from './retrigger.service';

/**
 * Admin routes of webhook notifications. Guards run in order: admin check
 * (403), then the rate limit (400), then validation (path, then body).
 */
@Controller('api/notifications/v1/admin/webhooks')
@UseGuards(AdminGuard)
@UseFilters(EnvelopeExceptionFilter)
export class RetriggerController {
  constructor(private readonly retriggerService: RetriggerService) {}

  @Post(':webhookId/notifications/retrigger')
  @HttpCode(200)
  @UseGuards(RetriggerThrottlerGuard)
  retrigger(
    @RetriggerRequest(RetriggerRequestPipe) request: ValidRetriggerRequest,
    @AdminPrincipal() principal: string,
  ): Promise<RetriggerResponseDto> {
    return this.retriggerService.retrigger({ ...request, principal });
  }
}
