import { InvalidEnvironmentError, loadEnvironment } from './environment';

const base = { ADMIN_API_KEYS: 'key-one' };

describe('loadEnvironment', () => {
  it('applies the contract’s defaults', () => {
    expect(loadEnvironment(base)).toEqual({
      port: 3000,
      databaseUrl: undefined,
      redisUrl: undefined,
      adminApiKeys: ['key-one'],
      rateLimit: 10,
      rateWindowMs: 60_000,
      webhookTimeoutMs: 10_000,
      allowPrivateNetworks: false,
      apiDocs: true,
      metrics: true,
      logLevel: 'info',
      logFormat: 'json',
    });
  });

  it('reads every variable', () => {
    expect(
      loadEnvironment({
        PORT: '8080',
        DATABASE_URL: 'postgresql://app@db:5432/notifications',
        REDIS_URL: 'redis://127.0.0.1:6379',
        ADMIN_API_KEYS: ' a , b ,',
        RETRIGGER_RATE_LIMIT: '5',
        RETRIGGER_RATE_WINDOW_MS: '1000',
        WEBHOOK_TIMEOUT_MS: '250',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        API_DOCS: 'false',
        METRICS: 'false',
        LOG_LEVEL: 'DEBUG',
        LOG_FORMAT: 'Pretty',
      }),
    ).toEqual({
      port: 8080,
      databaseUrl: 'postgresql://app@db:5432/notifications',
      redisUrl: 'redis://127.0.0.1:6379',
      adminApiKeys: ['a', 'b'],
      rateLimit: 5,
      rateWindowMs: 1000,
      webhookTimeoutMs: 250,
      allowPrivateNetworks: true,
      apiDocs: false,
      metrics: false,
      logLevel: 'debug',
      logFormat: 'pretty',
    });
  });

  it.each(['sqlite:data/other.sqlite', 'sqlite::memory:', 'postgres://u@h/db'])('accepts DATABASE_URL %s', (url) => {
    expect(loadEnvironment({ ...base, DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it.each<[string, Record<string, string>]>([
    ['RETRIGGER_RATE_LIMIT', { RETRIGGER_RATE_LIMIT: '0' }],
    ['RETRIGGER_RATE_LIMIT', { RETRIGGER_RATE_LIMIT: '-3' }],
    ['RETRIGGER_RATE_LIMIT', { RETRIGGER_RATE_LIMIT: '2.5' }],
    ['RETRIGGER_RATE_WINDOW_MS', { RETRIGGER_RATE_WINDOW_MS: 'soon' }],
    ['WEBHOOK_TIMEOUT_MS', { WEBHOOK_TIMEOUT_MS: '1e3' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: 'http' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/db' }],
    ['DATABASE_URL', { DATABASE_URL: 'sqlite:' }],
    ['REDIS_URL', { REDIS_URL: '127.0.0.1:6379' }],
    ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes please' }],
    ['API_DOCS', { API_DOCS: 'off' }],
    ['METRICS', { METRICS: 'no' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['LOG_FORMAT', { LOG_FORMAT: 'xml' }],
    ['ADMIN_API_KEYS', { ADMIN_API_KEYS: '' }],
    ['ADMIN_API_KEYS', { ADMIN_API_KEYS: ' , ' }],
  ])('refuses a bad %s with one line naming it', (variable, overrides) => {
    const load = () => loadEnvironment({ ...base, ...overrides });
    expect(load).toThrow(InvalidEnvironmentError);
    expect(load).toThrow(new RegExp(`^Invalid environment: ${variable} `));
    try {
      load();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it.each([
    ['true', true],
    ['1', true],
    ['0', false],
  ])('reads API_DOCS=%s as %s', (value, expected) => {
    expect(loadEnvironment({ ...base, API_DOCS: value }).apiDocs).toBe(expected);
  });

  it('never echoes a key in its message', () => {
    expect(() => loadEnvironment({ ADMIN_API_KEYS: 'secret-key', RETRIGGER_RATE_LIMIT: 'x' })).toThrow(
      /^((?!secret-key).)*$/,
    );
  });
});
