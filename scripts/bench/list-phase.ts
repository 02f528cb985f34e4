import autocannon from 'autocannon';

/** PostgreSQL the bench and bench:floor run against unless BENCH_DATABASE_URL says otherwise. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The list phase: the first page of LIST_PAGE failed of one of LIST_WEBHOOKS webhooks holding LIST_NOTIFICATIONS. */
export const LIST_PAGE = 50;
export const LIST_WEBHOOKS = 100;
export const LIST_NOTIFICATIONS = 200_000;

/**
 * One autocannon run as a promise, with a 30 s request timeout unless
 * `options` sets another. `onInstance` receives the running instance (to
 * stop it early).
 */
export function runAutocannon(
  options: autocannon.Options,
  onInstance?: (instance: autocannon.Instance) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ timeout: 30, ...options }, (error, result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
    );
    onInstance?.(instance);
  });
}
