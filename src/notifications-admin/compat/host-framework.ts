import type { DataSource, QueryRunner } from 'typeorm';

/**
 * The one place for what differs between the framework versions a host may
 * run: Nest 11 or 12, @nestjs/typeorm 11 or 12, TypeORM 0.3 or 1.x. The
 * module is written against the API those share; what is left is here.
 *
 * - Raw statements: `query()` answers whatever the driver gave, and on
 *   PostgreSQL an UPDATE or DELETE gives `[rows, rowCount]` rather than the
 *   rows (both TypeORM majors), while better-sqlite3 gives the rows. The
 *   structured result (`QueryResult.records`), which both majors offer,
 *   is the rows everywhere: statementRows reads that.
 * - Everything else the module touches (ConfigurableModuleBuilder extras,
 *   RouterModule, VERSION_NEUTRAL, ModuleRef, `@Entity({ synchronize })`,
 *   partial `@Index({ where })`, QueryRunner) has the same shape on both
 *   majors, as the host fixtures under test/hosts/ prove from the packed module.
 */
/** The rows a statement returned (its RETURNING rows for a write), on a DataSource or a transaction's QueryRunner. */
export async function statementRows<T>(
  on: DataSource | QueryRunner,
  sql: string,
  parameters: readonly unknown[],
): Promise<T[]> {
  const ownRunner = 'createQueryRunner' in on ? on.createQueryRunner() : undefined;
  const runner = ownRunner ?? (on as QueryRunner);
  try {
    const result = await runner.query(sql, [...parameters], true);
    return result.records as T[];
  } finally {
    await ownRunner?.release();
  }
}
