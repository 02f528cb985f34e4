import type { Logger as TypeOrmLogger } from 'typeorm';

/** Counts the SQL statements TypeORM sends (BEGIN and COMMIT included). */
export class QueryCounter implements TypeOrmLogger {
  statements: string[] = [];
  /** The parameters of each statement, in the same order. */
  parameters: unknown[][] = [];

  get count(): number {
    return this.statements.length;
  }

  reset(): void {
    this.statements = [];
    this.parameters = [];
  }

  logQuery(query: string, parameters: unknown[] = []): void {
    this.statements.push(query);
    this.parameters.push(parameters);
  }

  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
