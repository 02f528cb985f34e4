import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/config/data-source-options';

const TABLES = [
  'retrigger_audit_records',
  'retrigger_idempotency_keys',
  'webhook_notification_requests',
  'webhook_notifications',
  'webhooks',
];

/**
 * A database of its own for this spec, since it drops the tables: a SQLite
 * file, or a new PostgreSQL database beside TEST_DATABASE_URL's.
 */
async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    return { url: `sqlite:${join(tmpdir(), `migrations-${randomUUID()}.sqlite`)}`, drop: () => Promise.resolve() };
  }
  const name = `migrations_${randomUUID().replace(/-/g, '')}`;
  const admin = new DataSource(buildDataSourceOptions(base));
  await admin.initialize();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.destroy();
    },
  };
}

async function tablesOf(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> =
    dataSource.options.type === 'postgres'
      ? await dataSource.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`)
      : await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table'`);
  return rows
    .map((row) => row.name)
    .filter((name) => TABLES.includes(name))
    .sort();
}

describe('migrations', () => {
  it('create every table, revert to nothing, and apply again', async () => {
    const database = await freshDatabase();
    const dataSource = new DataSource(buildDataSourceOptions(database.url));
    try {
      await dataSource.initialize();

      await dataSource.runMigrations();
      expect(await tablesOf(dataSource)).toEqual([...TABLES].sort());

      await dataSource.undoLastMigration();
      expect(await tablesOf(dataSource)).toEqual(TABLES.filter((name) => name !== 'retrigger_audit_records').sort());
      await dataSource.undoLastMigration();
      await dataSource.undoLastMigration();
      expect(await tablesOf(dataSource)).toEqual([]);

      expect(await dataSource.runMigrations()).toHaveLength(3);
      expect(await tablesOf(dataSource)).toEqual([...TABLES].sort());
    } finally {
      if (dataSource.isInitialized) {
        await dataSource.destroy();
      }
      await database.drop();
    }
  });

  it('leave tables the host platform already created in place', async () => {
    const database = await freshDatabase();
    const dataSource = new DataSource(buildDataSourceOptions(database.url));
    try {
      await dataSource.initialize();
      await dataSource.runMigrations();
      const webhookId = randomUUID();
      await dataSource.query(
        dataSource.options.type === 'postgres'
          ? `INSERT INTO webhooks (id, url, secret) VALUES ($1, 'https://example.com/hooks', 's')`
          : `INSERT INTO webhooks (id, url, secret) VALUES (?, 'https://example.com/hooks', 's')`,
        [webhookId],
      );
      // As a host that created the tables itself and never ran ours: our history is gone, its rows are not.
      await dataSource.query('DELETE FROM migrations');

      await dataSource.runMigrations();

      const rows: unknown[] = await dataSource.query('SELECT id FROM webhooks');
      expect(rows).toHaveLength(1);
    } finally {
      if (dataSource.isInitialized) {
        await dataSource.destroy();
      }
      await database.drop();
    }
  });
});
