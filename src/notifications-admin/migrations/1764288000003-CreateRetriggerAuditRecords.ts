import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from '../persistence/sql-dialect';

/**
 * The audit trail of retriggers: who retriggered what, why, and with what
 * outcome. The module owns this table; the host's tables get no new columns.
 * The index serves the newest-first keyset pages of one webhook's records.
 */
export class CreateRetriggerAuditRecords1764288000003 implements MigrationInterface {
  name = 'CreateRetriggerAuditRecords1764288000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = isPostgres(queryRunner.connection);
    const uuid = postgres ? 'uuid' : 'varchar(36)';
    const timestamp = postgres ? 'timestamptz' : 'datetime';
    const json = postgres ? 'jsonb' : 'text';
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS retrigger_audit_records (
         id ${uuid} PRIMARY KEY NOT NULL,
         webhook_id ${uuid} NOT NULL,
         principal text NOT NULL,
         reason text NULL,
         signature text NOT NULL CHECK (signature IN ('original', 'resign')),
         items ${json} NOT NULL,
         total_requested integer NOT NULL,
         total_success integer NULL,
         total_failed integer NULL,
         created_at ${timestamp} NOT NULL,
         completed_at ${timestamp} NULL
       )`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS idx_retrigger_audit_records_webhook_created
         ON retrigger_audit_records (webhook_id, created_at DESC, id DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS idx_retrigger_audit_records_webhook_created');
    await queryRunner.query('DROP TABLE IF EXISTS retrigger_audit_records');
  }
}
