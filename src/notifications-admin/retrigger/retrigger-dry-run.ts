import { Inject, Injectable } from '@nestjs/common';
import { DestinationPolicy, DestinationRefusal } from '../delivery/destination-policy';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import { ReasonCode } from '../outcomes/reason-code.enum';
import { IN_FLIGHT, NOT_FOUND_FOR_WEBHOOK } from '../outcomes/item-errors';
import { isUnsupported, PreparedSignature, UnsupportedSignature } from '../signatures/signature.service';
import { RetriggerItemDto, RetriggerResponseDto } from './dto/retrigger-response.dto';
import type { LoadedWebhook, RetriggerCommand, StoredNotification } from './retrigger.service';

/** Why an item would fail, as a real retrigger would answer it. */
interface Refusal {
  reason: ReasonCode;
  error: string;
}

/** What every check of one request shares: the destination is resolved once, and only if an item gets that far. */
interface DryRunContext {
  command: RetriggerCommand;
  signature: PreparedSignature | UnsupportedSignature;
  destination: () => Promise<DestinationRefusal | null>;
}

type EligibilityCheck = (
  stored: StoredNotification,
  context: DryRunContext,
) => Refusal | null | Promise<Refusal | null>;

/**
 * The checks a retrigger meets before it sends, in CONTRACT §5's order; the
 * first that refuses answers. NOT_FOUND comes first, outside the list (there
 * is no stored notification to check).
 */
const CHECKS: readonly EligibilityCheck[] = [
  (_stored, context) => (isUnsupported(context.signature) ? context.signature : null),
  (stored) => (stored.inFlight ? { reason: ReasonCode.InFlight, error: IN_FLIGHT } : null),
  (_stored, context) => context.destination(),
];

/**
 * `"dryRun": true`: what a retrigger would meet before sending, per item,
 * with nothing sent and nothing written (no attempt row, no status change,
 * no audit record). Items that pass every check are listed as successful
 * with a null request id: nothing was attempted.
 */
@Injectable()
export class RetriggerDryRun {
  constructor(
    private readonly destinations: DestinationPolicy,
    @Inject(NOTIFICATIONS_ADMIN_CONFIG) private readonly config: NotificationsAdminConfig,
  ) {}

  /**
   * `webhook` was loaded with each notification's in-flight flag; `signed`
   * holds what each stored notification's signature would meet in the mode asked.
   */
  async answer(
    command: RetriggerCommand,
    webhook: LoadedWebhook,
    signed: ReadonlyMap<string, PreparedSignature | UnsupportedSignature>,
  ): Promise<RetriggerResponseDto> {
    let destination: Promise<DestinationRefusal | null> | undefined;
    const checkDestination = () =>
      (destination ??= this.destinations.checkDestination(webhook.url, this.config.webhookTimeoutMs));
    const items = await Promise.all(
      command.webhookNotificationIds.map(async (id) => {
        const stored = webhook.notifications.get(id.toLowerCase());
        if (!stored) {
          const refusal = { reason: ReasonCode.NotFound, error: NOT_FOUND_FOR_WEBHOOK };
          return { item: item(id, refusal, null), succeeded: false };
        }
        const signature = signed.get(stored.id)!;
        const refusal = await firstRefusal(stored, { command, signature, destination: checkDestination });
        return { item: item(id, refusal, isUnsupported(signature) ? null : signature), succeeded: refusal === null };
      }),
    );
    const successfulNotifications = items.filter((entry) => entry.succeeded).map((entry) => entry.item);
    const failedNotifications = items.filter((entry) => !entry.succeeded).map((entry) => entry.item);
    return {
      retriggerId: null,
      signature: command.signature,
      dryRun: true,
      totalRequested: command.webhookNotificationIds.length,
      totalSuccess: successfulNotifications.length,
      totalFailed: failedNotifications.length,
      successfulNotifications,
      failedNotifications,
    };
  }
}

async function firstRefusal(stored: StoredNotification, context: DryRunContext): Promise<Refusal | null> {
  for (const check of CHECKS) {
    const refusal = await check(stored, context);
    if (refusal) {
      return refusal;
    }
  }
  return null;
}

/**
 * Nothing was sent: no attempt id, no response status, whatever the outcome.
 * The signature's age and warning are what a real send would carry.
 */
function item(id: string, refusal: Refusal | null, signature: PreparedSignature | null): RetriggerItemDto {
  return {
    webhookNotificationId: id,
    retriggeredNotificationRequestId: null,
    error: refusal?.error ?? null,
    reason: refusal?.reason ?? null,
    responseStatus: null,
    signatureAgeSeconds: signature?.signatureAgeSeconds ?? null,
    warning: signature?.warning ?? null,
  };
}
