import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataSourceOptions, DEFAULT_SQLITE_PATH } from './data-source-options';
import { TimedOutConnectionEndingClient } from './timed-out-connection-ending.client';

describe('buildDataSourceOptions', () => {
  it('defaults to the embedded SQLite file', () => {
    expect(buildDataSourceOptions()).toMatchObject({ type: 'better-sqlite3', database: DEFAULT_SQLITE_PATH });
  });

  it('takes another SQLite file from sqlite:<path>', () => {
    const path = join(tmpdir(), 'elsewhere', 'db.sqlite');
    expect(buildDataSourceOptions(`sqlite:${path}`)).toMatchObject({ type: 'better-sqlite3', database: path });
  });

  it.each(['postgres://app@db:5432/notifications', 'postgresql://app@db/notifications'])(
    'bounds every PostgreSQL wait of the service for %s',
    (url) => {
      expect(buildDataSourceOptions(url)).toMatchObject({
        type: 'postgres',
        url,
        extra: {
          connectionTimeoutMillis: 5_000,
          statement_timeout: 10_000,
          query_timeout: 12_000,
          Client: TimedOutConnectionEndingClient,
        },
      });
    },
  );

  it('lets migrations run as long as they need, still bounding the connect', () => {
    const options = buildDataSourceOptions('postgres://app@db/notifications', 'migrations');
    expect(options).toMatchObject({ extra: { connectionTimeoutMillis: 5_000 } });
    expect(options.extra).not.toHaveProperty('statement_timeout');
    expect(options.extra).not.toHaveProperty('query_timeout');
  });
});
