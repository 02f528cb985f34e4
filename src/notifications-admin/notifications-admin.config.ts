import { register as defaultRegistry, Registry } from 'prom-client';
import { parseProxyUrl, PROXY_URL_FORM } from './delivery/proxy-url';
import type {
  AdminCheck,
  DeliveryAgentOptions,
  HostAuthGuard,
  NotificationsAdminModuleOptions,
} from './notifications-admin-options.interface';

export const NOTIFICATIONS_ADMIN_CONFIG = Symbol('NOTIFICATIONS_ADMIN_CONFIG');

/** The module's options with every default applied. */
export interface NotificationsAdminConfig {
  adminApiKeys: readonly string[];
  adminCheck?: AdminCheck;
  authGuards: readonly HostAuthGuard[];
  rateLimit: number;
  rateWindowMs: number;
  webhookTimeoutMs: number;
  allowPrivateNetworks: boolean;
  redisUrl?: string;
  recoveryIntervalMs: number;
  metricsRegistry: Registry;
  console: boolean;
  httpClient: {
    /** The forward proxy of every delivery; null: direct. */
    proxy: URL | null;
    agentOptions: DeliveryAgentOptions;
  };
}

export const DEFAULTS = {
  rateLimit: 10,
  rateWindowMs: 60_000,
  webhookTimeoutMs: 10_000,
  recoveryIntervalMs: 60_000,
} as const;

export function resolveConfig(options: NotificationsAdminModuleOptions): NotificationsAdminConfig {
  const authGuards = options.authGuards ?? [];
  if (authGuards.length > 0 && !options.adminCheck) {
    throw new Error('NotificationsAdminModule option authGuards needs adminCheck, which names the admin principal');
  }
  return {
    adminApiKeys: (options.adminApiKeys ?? []).filter((key) => key.length > 0),
    adminCheck: options.adminCheck,
    authGuards,
    rateLimit: positive('rateLimit', options.rateLimit ?? DEFAULTS.rateLimit),
    rateWindowMs: positive('rateWindowMs', options.rateWindowMs ?? DEFAULTS.rateWindowMs),
    webhookTimeoutMs: positive('webhookTimeoutMs', options.webhookTimeoutMs ?? DEFAULTS.webhookTimeoutMs),
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    redisUrl: options.redisUrl || undefined,
    recoveryIntervalMs: positive('recoveryIntervalMs', options.recoveryIntervalMs ?? DEFAULTS.recoveryIntervalMs),
    metricsRegistry: options.metricsRegistry ?? defaultRegistry,
    console: options.console ?? false,
    httpClient: {
      proxy: proxy(options.httpClient?.proxy),
      agentOptions: { ...options.httpClient?.agentOptions },
    },
  };
}

function proxy(raw: string | undefined): URL | null {
  if (!raw) {
    return null;
  }
  const url = parseProxyUrl(raw);
  if (!url) {
    throw new Error(`NotificationsAdminModule option httpClient.proxy must be ${PROXY_URL_FORM}`);
  }
  return url;
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`NotificationsAdminModule option ${name} must be a positive integer`);
  }
  return value;
}
