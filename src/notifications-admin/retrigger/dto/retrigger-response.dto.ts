export class RetriggerItemDto {
  webhookNotificationId!: string;
  /** Null when no attempt row was written. */
  retriggeredNotificationRequestId!: string | null;
  /** Null on success. */
  error!: string | null;
}

export class RetriggerResponseDto {
  totalRequested!: number;
  totalSuccess!: number;
  totalFailed!: number;
  successfulNotifications!: RetriggerItemDto[];
  failedNotifications!: RetriggerItemDto[];
}
