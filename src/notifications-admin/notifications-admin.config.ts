import { register as defaultRegistry, Registry } from 'prom-client';
import type { AdminCheck, NotificationsAdminModuleOptions } from './notifications-admin-options.interface';

export const NOTIFICATIONS_ADMIN_CONFIG = Symbol('NOTIFICATIONS_ADMIN_CONFIG');

/** The module's options with every default applied. */
export interface NotificationsAdminConfig {
  adminApiKeys: readonly string[];
  adminCheck?: AdminCheck;
  rateLimit: number;
  rateWindowMs: number;
  webhookTimeoutMs: number;
  allowPrivateNetworks: boolean;
  redisUrl?: string;
  recoveryIntervalMs: number;
  metricsRegistry: Registry;
}

export const DEFAULTS = {
  rateLimit: 10,
  rateWindowMs: 60_000,
  webhookTimeoutMs: 10_000,
  recoveryIntervalMs: 60_000,
} as const;

export function resolveConfig(options: NotificationsAdminModuleOptions): NotificationsAdminConfig {
  return {
    adminApiKeys: (options.adminApiKeys ?? []).filter((key) => key.length > 0),
    adminCheck: options.adminCheck,
    rateLimit: positive('rateLimit', options.rateLimit ?? DEFAULTS.rateLimit),
    rateWindowMs: positive('rateWindowMs', options.rateWindowMs ?? DEFAULTS.rateWindowMs),
    webhookTimeoutMs: positive('webhookTimeoutMs', options.webhookTimeoutMs ?? DEFAULTS.webhookTimeoutMs),
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    redisUrl: options.redisUrl || undefined,
    recoveryIntervalMs: positive('recoveryIntervalMs', options.recoveryIntervalMs ?? DEFAULTS.recoveryIntervalMs),
    metricsRegistry: options.metricsRegistry ?? defaultRegistry,
  };
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`NotificationsAdminModule option ${name} must be a positive integer`);
  }
  return value;
}
