import { DEFAULTS } from '../notifications-admin/notifications-admin.config';

/** The standalone service's configuration, read from the environment (CONTRACT §1). */
export interface Environment {
  port: number;
  databaseUrl?: string;
  redisUrl?: string;
  adminApiKeys: string[];
  rateLimit: number;
  rateWindowMs: number;
  webhookTimeoutMs: number;
  allowPrivateNetworks: boolean;
  /** Serve the OpenAPI document and Swagger UI at /api/docs(-json). */
  apiDocs: boolean;
  /** Serve the Prometheus metrics at GET /metrics. */
  metrics: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** JSON lines unless pretty output is asked for: log shippers read stdout as is. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A configuration fault: its message is one line naming the variable. */
export class InvalidEnvironmentError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid environment: ${variable} ${problem}`);
    this.name = 'InvalidEnvironmentError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadEnvironment(env: Env): Environment {
  return {
    port: positiveInteger(env, 'PORT', 3000, 65_535),
    databaseUrl: databaseUrl(env),
    redisUrl: redisUrl(env),
    adminApiKeys: adminApiKeys(env),
    rateLimit: positiveInteger(env, 'RETRIGGER_RATE_LIMIT', DEFAULTS.rateLimit),
    rateWindowMs: positiveInteger(env, 'RETRIGGER_RATE_WINDOW_MS', DEFAULTS.rateWindowMs),
    webhookTimeoutMs: positiveInteger(env, 'WEBHOOK_TIMEOUT_MS', DEFAULTS.webhookTimeoutMs),
    allowPrivateNetworks: flag(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS'),
    apiDocs: flag(env, 'API_DOCS', true),
    metrics: flag(env, 'METRICS', true),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: oneOf(env, 'LOG_FORMAT', LOG_FORMATS, 'json'),
  };
}

function present(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function positiveInteger(env: Env, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = present(env, name);
  if (raw === undefined) {
    return fallback;
  }
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new InvalidEnvironmentError(
      name,
      `must be a positive integer${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}`,
    );
  }
  return value;
}

function flag(env: Env, name: string, fallback = false): boolean {
  const raw = present(env, name)?.toLowerCase();
  if (raw === undefined) {
    return fallback;
  }
  if (raw === 'false' || raw === '0') {
    return false;
  }
  if (raw === 'true' || raw === '1') {
    return true;
  }
  throw new InvalidEnvironmentError(name, 'must be true or false');
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = present(env, name)?.toLowerCase();
  if (raw === undefined) {
    return fallback;
  }
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new InvalidEnvironmentError(name, `must be one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

function databaseUrl(env: Env): string | undefined {
  const raw = present(env, 'DATABASE_URL');
  if (raw === undefined) {
    return undefined;
  }
  if (/^postgres(ql)?:\/\/./.test(raw) || /^sqlite:.+/.test(raw)) {
    return raw;
  }
  throw new InvalidEnvironmentError('DATABASE_URL', 'must be postgres://…, postgresql://… or sqlite:<path>');
}

function redisUrl(env: Env): string | undefined {
  const raw = present(env, 'REDIS_URL');
  if (raw === undefined) {
    return undefined;
  }
  if (/^rediss?:\/\/./.test(raw)) {
    return raw;
  }
  throw new InvalidEnvironmentError('REDIS_URL', 'must be redis://… or rediss://…');
}

function adminApiKeys(env: Env): string[] {
  const keys = (env.ADMIN_API_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (keys.length === 0) {
    throw new InvalidEnvironmentError('ADMIN_API_KEYS', 'must list at least one admin API key (comma separated)');
  }
  return keys;
}
