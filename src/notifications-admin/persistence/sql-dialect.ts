import { DataSource } from 'typeorm';

/**
 * An id as sent and in lower case, to match it in either database: SQLite
 * compares uuid text byte for byte, PostgreSQL's uuid type ignores case.
 */
export function idCaseForms(id: string): string[] {
  return [...new Set([id, id.toLowerCase()])];
}

/** PostgreSQL is the production path; everything else we run on is SQLite. */
export function isPostgres(dataSource: DataSource): boolean {
  return dataSource.options.type === 'postgres';
}

/**
 * The few differences between PostgreSQL and SQLite that the hand-written,
 * batched statements of this module depend on.
 */
export class SqlDialect {
  readonly postgres: boolean;

  constructor(dataSource: DataSource) {
    this.postgres = isPostgres(dataSource);
  }

  /** The placeholder for the parameter at `index` (0-based). */
  param(index: number): string {
    return this.postgres ? `$${index + 1}` : '?';
  }

  /** `count` placeholders starting at `start`, comma separated. */
  params(start: number, count: number): string {
    return Array.from({ length: count }, (_, offset) => this.param(start + offset)).join(', ');
  }

  /**
   * The parameters and `VALUES` tuples of a multi-row statement: one tuple
   * per row, each placeholder cast to `casts[i]` when given (PostgreSQL
   * cannot infer the types of a bare VALUES list).
   */
  valueRows(rows: ReadonlyArray<readonly unknown[]>, casts?: readonly string[]): { values: unknown[]; tuples: string } {
    const values: unknown[] = [];
    const tuples = rows.map((row) => {
      const placeholders = row.map((_value, column) => {
        const placeholder = this.param(values.length + column);
        return casts ? `${placeholder}::${casts[column]}` : placeholder;
      });
      values.push(...row);
      return `(${placeholders.join(', ')})`;
    });
    return { values, tuples: tuples.join(', ') };
  }

  /** A timestamp as the driver stores it: Date for PostgreSQL, UTC text for SQLite. */
  timestamp(date: Date): Date | string {
    return this.postgres ? date : date.toISOString().replace('T', ' ').slice(0, 23);
  }

  /** Selects a JSON column as JSON text or a parsed value, whether SQLite holds it as text or JSONB. */
  jsonColumn(column: string): string {
    return this.postgres ? column : `json(${column})`;
  }

  /** jsonb arrives parsed from PostgreSQL and as JSON text from SQLite. */
  json<T>(value: unknown): T {
    return (typeof value === 'string' ? JSON.parse(value) : value) as T;
  }

  /** booleans arrive as booleans from PostgreSQL and as 0/1 from SQLite. */
  boolean(value: unknown): boolean {
    return value === true || value === 1 || value === '1' || value === 'true';
  }
}
