import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { ApiErrorResponses } from '../docs/api-error-responses.decorator';
import { ApiPageSizeQuery } from '../docs/api-page-size-query.decorator';
import { ApiUuidParam } from '../docs/api-uuid-param.decorator';
import { ErrorName } from '../errors/error-name.enum';
import { AdminController } from '../guards/admin-controller.decorator';
import { RetriggerAuditPageDto } from './dto/retrigger-audit-page.dto';
import { RetriggerAuditRecordDto } from './dto/retrigger-audit-record.dto';
import {
  RetriggerAuditListQuery,
  RetriggerAuditListRequest,
  RetriggerAuditListRequestPipe,
} from './retrigger-audit-list-request.pipe';
import {
  RetriggerAuditRecordQuery,
  RetriggerAuditRecordRequest,
  RetriggerAuditRecordRequestPipe,
} from './retrigger-audit-record-request.pipe';
import { RetriggerAuditService } from './retrigger-audit.service';

/**
 * The retrigger audit trail, for admins: who retriggered what, why, and how
 * it went. Read-only, so the retrigger rate limit does not apply; a disabled
 * webhook's trail stays readable.
 */
@AdminController()
export class RetriggerAuditController {
  constructor(private readonly audit: RetriggerAuditService) {}

  @Get(':webhookId/retriggers')
  @ApiOperation({
    operationId: 'listWebhookRetriggers',
    summary: 'Admin list the retriggers of a webhook',
    description:
      'The audit trail of the webhook: one record per retrigger that was not a dry run, newest first, paged by cursor.',
  })
  @ApiUuidParam('webhookId', 'The webhook ID')
  @ApiPageSizeQuery()
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'The nextCursor of the previous page, unchanged',
    schema: { type: 'string' },
  })
  @ApiOkResponse({ type: RetriggerAuditPageDto, description: 'A page of retriggers, newest first' })
  @ApiErrorResponses({
    400: {
      description: 'webhookId is not a UUID, or limit or cursor is invalid',
      names: [ErrorName.IllegalArgument, ErrorName.ValidationFailed, ErrorName.BadRequest],
    },
    403: { description: 'Caller is not an admin' },
    404: { description: 'Webhook not found' },
    500: { description: 'Server-side failure' },
  })
  list(
    @RetriggerAuditListRequest(RetriggerAuditListRequestPipe) query: RetriggerAuditListQuery,
  ): Promise<RetriggerAuditPageDto> {
    return this.audit.list(query);
  }

  @Get(':webhookId/retriggers/:retriggerId')
  @ApiOperation({
    operationId: 'getWebhookRetrigger',
    summary: 'Admin get one retrigger of a webhook',
    description: 'The audit record of one retrigger, with its items exactly as answered, in request order.',
  })
  @ApiUuidParam('webhookId', 'The webhook ID')
  @ApiUuidParam('retriggerId', 'The retriggerId a retrigger answered')
  @ApiOkResponse({ type: RetriggerAuditRecordDto, description: 'The retrigger and its items' })
  @ApiErrorResponses({
    400: {
      description: 'A path id is not a UUID',
      names: [ErrorName.IllegalArgument, ErrorName.BadRequest],
    },
    403: { description: 'Caller is not an admin' },
    404: { description: 'Webhook not found, or the retrigger is not one of its own' },
    500: { description: 'Server-side failure' },
  })
  get(
    @RetriggerAuditRecordRequest(RetriggerAuditRecordRequestPipe) query: RetriggerAuditRecordQuery,
  ): Promise<RetriggerAuditRecordDto> {
    return this.audit.get(query);
  }
}
