import { Inject, Injectable } from '@nestjs/common';
import { DestinationPolicy, DestinationRefusal } from '../delivery/destination-policy';
import { NOTIFICATIONS_ADMIN_CONFIG, NotificationsAdminConfig } from '../notifications-admin.config';
import { ReasonCode } from '../outcomes/reason-code.enum';
import { IN_FLIGHT, NOT_FOUND_FOR_WEBHOOK } from '../outcomes/item-errors';
import { isUnsupported, NO_SIGNATURE, PreparedSignature, UnsupportedSignature } from '../signatures/signature.service';
import { RetriggerResponseDto } from './dto/retrigger-response.dto';
import { retriggerAnswer, retriggerItem } from './retrigger-answer';
import type { LoadedWebhook, RetriggerCommand } from './retrigger.service';

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
   * The checks run in CONTRACT §5's order and the first that refuses answers:
   * not found, unsupported signature, in flight, destination. The destination
   * is resolved once per request, and only if an item gets that far. Nothing
   * was sent: no attempt id and no response status, whatever the outcome; the
   * signature's age and warning are what a real send would carry.
   */
  async answer(
    command: RetriggerCommand,
    webhook: LoadedWebhook,
    signed: ReadonlyMap<string, PreparedSignature | UnsupportedSignature>,
  ): Promise<RetriggerResponseDto> {
    let destination: Promise<DestinationRefusal | null> | undefined;
    const items = await Promise.all(
      command.webhookNotificationIds.map(async (id) => {
        const stored = webhook.notifications.get(id.toLowerCase());
        if (!stored) {
          return retriggerItem(
            id,
            null,
            { reason: ReasonCode.NotFound, error: NOT_FOUND_FOR_WEBHOOK },
            null,
            NO_SIGNATURE,
          );
        }
        const signature = signed.get(stored.id)!;
        if (isUnsupported(signature)) {
          return retriggerItem(id, null, signature, null, NO_SIGNATURE);
        }
        if (stored.inFlight) {
          return retriggerItem(id, null, { reason: ReasonCode.InFlight, error: IN_FLIGHT }, null, signature);
        }
        destination ??= this.destinations.checkDestination(webhook.url, this.config.webhookTimeoutMs);
        return retriggerItem(id, null, await destination, null, signature);
      }),
    );
    return retriggerAnswer(null, command, true, items);
  }
}
