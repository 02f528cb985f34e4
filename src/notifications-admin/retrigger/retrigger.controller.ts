import { HttpCode, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrorResponses } from '../docs/api-error-responses.decorator';
import { ApiUuidParam } from '../docs/api-uuid-param.decorator';
import { AdminPrincipal } from '../guards/admin-principal.decorator';
import { AdminController } from '../guards/admin-controller.decorator';
import { IDEMPOTENCY_KEY_SCHEMA } from '../idempotency/idempotency-key';
import { RetriggerThrottlerGuard } from '../throttling/retrigger-throttler.guard';
import { RetriggerRequestDto } from './dto/retrigger-request.dto';
import { RetriggerResponseDto } from './dto/retrigger-response.dto';
import { RetriggerLogInterceptor } from './retrigger-log.interceptor';
import { RetriggerRequest, RetriggerRequestPipe, ValidRetriggerRequest } from './retrigger-request.pipe';
import { RetriggerService } from './retrigger.service';

/**
 * Admin routes of webhook notifications. Guards run in order: admin check
 * (403), then the rate limit (400), then validation (path, then body).
 */
@AdminController()
export class RetriggerController {
  constructor(private readonly retriggerService: RetriggerService) {}

  @Post(':webhookId/notifications/retrigger')
  @HttpCode(200)
  @UseGuards(RetriggerThrottlerGuard)
  @ApiOperation({
    operationId: 'retriggerWebhookNotifications',
    summary: 'Admin retrigger webhook notifications',
    description:
      'Retrigger a list of webhook notifications by their IDs. Max 25 notifications per request. By default retriggered ' +
      'webhooks use the original signature: if the webhook secret was rotated since the original send, or the ' +
      "notification is older than the receiver's timestamp tolerance (5 minutes for Standard Webhooks), the receiver " +
      'rejects it; `"signature": "resign"` signs again with the current secret and a fresh timestamp. Every retrigger ' +
      'that is not a dry run is recorded in the audit trail (`retriggerId`).',
  })
  @ApiUuidParam('webhookId', 'The webhook ID')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Replays the stored 200 answer of the same request by the same admin within 24 h (1 to 255 printable ASCII characters)',
    schema: { ...IDEMPOTENCY_KEY_SCHEMA },
  })
  @ApiBody({
    type: RetriggerRequestDto,
    required: true,
    description: 'List of webhook notification IDs to retrigger (max 25)',
  })
  @ApiOkResponse({ type: RetriggerResponseDto, description: 'Per-notification outcome' })
  @ApiErrorResponses({
    400: { description: 'Bad request, validation failure or rate limited (with Retry-After)' },
    403: { description: 'Caller is not an admin' },
    404: { description: 'Webhook not found' },
    409: { description: "Conflict with the webhook's or the request's state" },
    500: { description: 'Server-side failure' },
  })
  @UseInterceptors(RetriggerLogInterceptor)
  retrigger(
    @RetriggerRequest(RetriggerRequestPipe) request: ValidRetriggerRequest,
    @AdminPrincipal() principal: string,
  ): Promise<RetriggerResponseDto> {
    return this.retriggerService.retrigger({ ...request, principal });
  }
}
