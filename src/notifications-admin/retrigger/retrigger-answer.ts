import type { ReasonCode } from '../outcomes/reason-code.enum';
import type { SignatureReport } from '../signatures/signature.service';
import type { RetriggerItemDto, RetriggerResponseDto } from './dto/retrigger-response.dto';
import type { RetriggerCommand } from './retrigger.service';

/** Why an item failed (or, in a dry run, would fail). */
export interface ItemRefusal {
  reason: ReasonCode;
  error: string;
}

/**
 * One answered item, in the answer's key order. It succeeded exactly when
 * `refusal` is null. Only the signature's age and warning are copied, never
 * the headers it is sent with.
 */
export function retriggerItem(
  webhookNotificationId: string,
  retriggeredNotificationRequestId: string | null,
  refusal: ItemRefusal | null,
  responseStatus: number | null,
  signature: SignatureReport,
): RetriggerItemDto {
  return {
    webhookNotificationId,
    retriggeredNotificationRequestId,
    error: refusal?.error ?? null,
    reason: refusal?.reason ?? null,
    responseStatus,
    signatureAgeSeconds: signature.signatureAgeSeconds,
    warning: signature.warning,
  };
}

/** The answer to a retrigger (or a dry run) from its items in request order: an item succeeded when its reason is null. */
export function retriggerAnswer(
  retriggerId: string | null,
  command: Pick<RetriggerCommand, 'signature' | 'webhookNotificationIds'>,
  dryRun: boolean,
  items: readonly RetriggerItemDto[],
): RetriggerResponseDto {
  const successfulNotifications = items.filter((item) => item.reason === null);
  const failedNotifications = items.filter((item) => item.reason !== null);
  return {
    retriggerId,
    signature: command.signature,
    dryRun,
    totalRequested: command.webhookNotificationIds.length,
    totalSuccess: successfulNotifications.length,
    totalFailed: failedNotifications.length,
    successfulNotifications,
    failedNotifications,
  };
}
