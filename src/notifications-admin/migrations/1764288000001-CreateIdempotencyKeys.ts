import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from '../persistence/sql-dialect';

/** Stored first answers of `Idempotency-Key` requests, shared by every instance. */
export class CreateIdempotencyKeys1764288000001 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764288000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = isPostgres(queryRunner.connection) ? 'timestamptz' : 'datetime';
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS retrigger_idempotency_keys (
         principal text NOT NULL,
         idempotency_key text NOT NULL,
         fingerprint text NOT NULL,
         state text NOT NULL CHECK (state IN ('running', 'completed')),
         response text NULL,
         created_at ${timestamp} NOT NULL,
         PRIMARY KEY (principal, idempotency_key)
       )`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS idx_retrigger_idempotency_keys_created
         ON retrigger_idempotency_keys (created_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS idx_retrigger_idempotency_keys_created');
    await queryRunner.query('DROP TABLE IF EXISTS retrigger_idempotency_keys');
  }
}
