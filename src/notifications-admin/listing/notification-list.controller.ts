import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { ApiErrorResponses } from '../docs/api-error-responses.decorator';
import { ApiPageSizeQuery } from '../docs/api-page-size-query.decorator';
import { ApiUuidParam } from '../docs/api-uuid-param.decorator';
import { ErrorName } from '../errors/error-name.enum';
import { AdminController } from '../guards/admin-controller.decorator';
import { NotificationListPageDto } from './dto/notification-list-page.dto';
import {
  MAX_EVENT_TYPE_LENGTH,
  NotificationListQuery,
  NotificationListRequest,
  NotificationListRequestPipe,
} from './notification-list-request.pipe';
import { NotificationListService } from './notification-list.service';

/**
 * A webhook's notifications, for admins picking what to retrigger.
 * Read-only, so the retrigger rate limit does not apply; a disabled
 * webhook's list is still readable.
 */
@AdminController()
export class NotificationListController {
  constructor(private readonly notifications: NotificationListService) {}

  @Get(':webhookId/notifications')
  @ApiOperation({
    operationId: 'listWebhookNotifications',
    summary: 'Admin list webhook notifications',
    description:
      "The webhook's notifications, newest first, with their attempt count and newest attempt, so an admin can pick " +
      'the ids to retrigger. Paged by an opaque cursor: walking every page returns each matching notification once, ' +
      'even while new ones are written. Payloads, headers and secrets are never listed.',
  })
  @ApiUuidParam('webhookId', 'The webhook ID')
  @ApiQuery({
    name: 'status',
    required: false,
    description: 'pending, delivered or failed; several comma-separated (for example failed,pending). Default: all',
    schema: { type: 'string' },
  })
  @ApiQuery({
    name: 'eventType',
    required: false,
    description: 'Only this event type (exact match)',
    schema: { type: 'string', minLength: 1, maxLength: MAX_EVENT_TYPE_LENGTH },
  })
  @ApiQuery({
    name: 'createdAfter',
    required: false,
    description: 'Only notifications created at or after this instant (ISO 8601 date-time with a zone)',
    schema: { type: 'string', format: 'date-time' },
  })
  @ApiQuery({
    name: 'createdBefore',
    required: false,
    description: 'Only notifications created before this instant (ISO 8601 date-time with a zone)',
    schema: { type: 'string', format: 'date-time' },
  })
  @ApiPageSizeQuery()
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'The nextCursor of the previous page, with the same filters',
    schema: { type: 'string' },
  })
  @ApiOkResponse({ type: NotificationListPageDto, description: 'A page of notifications, newest first' })
  @ApiErrorResponses({
    400: {
      description: 'webhookId is not a UUID, or a query value is invalid (named in the error)',
      names: [ErrorName.IllegalArgument, ErrorName.ValidationFailed, ErrorName.BadRequest],
    },
    403: { description: 'Caller is not an admin' },
    404: { description: 'Webhook not found' },
    500: { description: 'Server-side failure' },
  })
  list(
    @NotificationListRequest(NotificationListRequestPipe) query: NotificationListQuery,
  ): Promise<NotificationListPageDto> {
    return this.notifications.list(query);
  }
}
