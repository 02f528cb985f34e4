import type { Logger as TypeOrmLogger } from 'typeorm';

/** Counts the SQL statements TypeORM sends (BEGIN and COMMIT included). */
export class QueryCounter implements TypeOrmLogger {
  statements: string[] = [];

  get count(): number {
    return this.statements.length;
  }

  reset(): void {
    this.statements = [];
  }

  logQuery(query: string): void {
    this.statements.push(query);
  }

  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
