import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { ApiErrorResponses } from '../docs/api-error-responses.decorator';
import { ApiPageSizeQuery } from '../docs/api-page-size-query.decorator';
import { ApiUuidParam } from '../docs/api-uuid-param.decorator';
import { ErrorName } from '../errors/error-name.enum';
import { AdminController } from '../guards/admin-controller.decorator';
import { AttemptHistoryQuery, AttemptHistoryRequest, AttemptHistoryRequestPipe } from './attempt-history-request.pipe';
import { AttemptHistoryService } from './attempt-history.service';
import { AttemptHistoryPageDto } from './dto/attempt-history-page.dto';

/**
 * The delivery attempts of a notification, for admins. Read-only, so the
 * retrigger rate limit does not apply.
 */
@AdminController()
export class AttemptHistoryController {
  constructor(private readonly history: AttemptHistoryService) {}

  @Get(':webhookId/notifications/:notificationId/requests')
  @ApiOperation({
    operationId: 'listWebhookNotificationRequests',
    summary: 'Admin list delivery attempts of a webhook notification',
    description:
      "Every delivery attempt of the notification (the platform's first sends and retriggers), newest first.",
  })
  @ApiUuidParam('webhookId', 'The webhook ID')
  @ApiUuidParam('notificationId', 'The webhook notification ID')
  @ApiPageSizeQuery()
  @ApiQuery({
    name: 'offset',
    required: false,
    description: 'Attempts to skip',
    schema: { type: 'integer', minimum: 0, default: 0 },
  })
  @ApiOkResponse({ type: AttemptHistoryPageDto, description: 'A page of attempts, newest first' })
  @ApiErrorResponses({
    400: {
      description: 'A path id is not a UUID, or limit or offset is invalid',
      names: [ErrorName.IllegalArgument, ErrorName.ValidationFailed, ErrorName.BadRequest],
    },
    403: { description: 'Caller is not an admin' },
    404: { description: 'Webhook not found, or the notification is not one of its own' },
    500: { description: 'Server-side failure' },
  })
  list(@AttemptHistoryRequest(AttemptHistoryRequestPipe) query: AttemptHistoryQuery): Promise<AttemptHistoryPageDto> {
    return this.history.list(query);
  }
}
