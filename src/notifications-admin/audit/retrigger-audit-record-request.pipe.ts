import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import type { Request } from 'express';
import { requirePathUuid } from '../validation/path-uuid';

/** What an audit-record request carries, before validation. */
export interface RawRetriggerAuditRecordRequest {
  webhookId: string;
  retriggerId: string;
}

export type RetriggerAuditRecordQuery = RawRetriggerAuditRecordRequest;

/** Both path ids, checked by one pipe. */
export const RetriggerAuditRecordRequest = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RawRetriggerAuditRecordRequest => {
    const request = context.switchToHttp().getRequest<Request>();
    return { webhookId: String(request.params.webhookId), retriggerId: String(request.params.retriggerId) };
  },
);

/** Either path id not a UUID is IllegalArgument, webhookId first. */
@Injectable()
export class RetriggerAuditRecordRequestPipe implements PipeTransform<
  RawRetriggerAuditRecordRequest,
  RetriggerAuditRecordQuery
> {
  transform(raw: RawRetriggerAuditRecordRequest): RetriggerAuditRecordQuery {
    return {
      webhookId: requirePathUuid('webhookId', raw.webhookId),
      retriggerId: requirePathUuid('retriggerId', raw.retriggerId),
    };
  }
}
