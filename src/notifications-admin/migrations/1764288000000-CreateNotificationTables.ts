import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from '../persistence/sql-dialect';

/**
 * The tables of CONTRACT §2. They belong to the host platform, so each object
 * is created only when missing; the partial unique index is what makes "one
 * attempt in flight per notification" hold across instances.
 */
export class CreateNotificationTables1764288000000 implements MigrationInterface {
  name = 'CreateNotificationTables1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = isPostgres(queryRunner.connection) ? POSTGRES_UP : SQLITE_UP;
    for (const statement of statements) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS idx_webhook_notification_requests_pending_created');
    await queryRunner.query('DROP INDEX IF EXISTS uq_webhook_notification_requests_in_flight');
    await queryRunner.query('DROP INDEX IF EXISTS idx_webhook_notification_requests_notification');
    await queryRunner.query('DROP INDEX IF EXISTS idx_webhook_notifications_webhook_id');
    await queryRunner.query('DROP TABLE IF EXISTS webhook_notification_requests');
    await queryRunner.query('DROP TABLE IF EXISTS webhook_notifications');
    await queryRunner.query('DROP TABLE IF EXISTS webhooks');
  }
}

const SHARED_INDEXES = [
  `CREATE INDEX IF NOT EXISTS idx_webhook_notifications_webhook_id
     ON webhook_notifications (webhook_id)`,
  `CREATE INDEX IF NOT EXISTS idx_webhook_notification_requests_notification
     ON webhook_notification_requests (webhook_notification_id, created_at)`,
  `CREATE UNIQUE INDEX IF NOT EXISTS uq_webhook_notification_requests_in_flight
     ON webhook_notification_requests (webhook_notification_id) WHERE status = 'pending'`,
  `CREATE INDEX IF NOT EXISTS idx_webhook_notification_requests_pending_created
     ON webhook_notification_requests (created_at) WHERE status = 'pending'`,
];

const POSTGRES_UP = [
  `CREATE TABLE IF NOT EXISTS webhooks (
     id uuid PRIMARY KEY,
     url text NOT NULL,
     secret text NOT NULL,
     secret_rotated_at timestamptz NULL,
     enabled boolean NOT NULL DEFAULT true,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE IF NOT EXISTS webhook_notifications (
     id uuid PRIMARY KEY,
     webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
     event_type text NOT NULL,
     payload text NOT NULL,
     headers jsonb NOT NULL,
     status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE IF NOT EXISTS webhook_notification_requests (
     id uuid PRIMARY KEY,
     webhook_notification_id uuid NOT NULL REFERENCES webhook_notifications (id) ON DELETE CASCADE,
     url text NOT NULL,
     status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
     response_status integer NULL,
     response_body text NULL,
     error text NULL,
     duration_ms integer NULL,
     retriggered_by text NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     completed_at timestamptz NULL
   )`,
  ...SHARED_INDEXES,
];

const SQLITE_NOW = `(strftime('%Y-%m-%d %H:%M:%f', 'now'))`;

const SQLITE_UP = [
  `CREATE TABLE IF NOT EXISTS webhooks (
     id varchar(36) PRIMARY KEY NOT NULL,
     url text NOT NULL,
     secret text NOT NULL,
     secret_rotated_at datetime NULL,
     enabled boolean NOT NULL DEFAULT (1),
     created_at datetime NOT NULL DEFAULT ${SQLITE_NOW},
     updated_at datetime NOT NULL DEFAULT ${SQLITE_NOW}
   )`,
  `CREATE TABLE IF NOT EXISTS webhook_notifications (
     id varchar(36) PRIMARY KEY NOT NULL,
     webhook_id varchar(36) NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
     event_type text NOT NULL,
     payload text NOT NULL,
     headers text NOT NULL,
     status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
     created_at datetime NOT NULL DEFAULT ${SQLITE_NOW},
     updated_at datetime NOT NULL DEFAULT ${SQLITE_NOW}
   )`,
  `CREATE TABLE IF NOT EXISTS webhook_notification_requests (
     id varchar(36) PRIMARY KEY NOT NULL,
     webhook_notification_id varchar(36) NOT NULL REFERENCES webhook_notifications (id) ON DELETE CASCADE,
     url text NOT NULL,
     status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
     response_status integer NULL,
     response_body text NULL,
     error text NULL,
     duration_ms integer NULL,
     retriggered_by text NULL,
     created_at datetime NOT NULL DEFAULT ${SQLITE_NOW},
     completed_at datetime NULL
   )`,
  ...SHARED_INDEXES,
];
