import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from '../persistence/sql-dialect';

export const NOTIFICATION_LIST_INDEX = 'idx_webhook_notifications_webhook_created';
const LIST_KEY = ['webhook_id', 'created_at', 'id'];

/**
 * The index that serves the notification list (newest first per webhook,
 * paged by `(created_at, id)`). `webhook_notifications` is the host's table
 * and may be large: when an index already leads with these columns, under
 * whatever name, none is built; `down` drops only the index this migration
 * names, so a host's own is never touched.
 */
export class CreateNotificationListIndex1764288000002 implements MigrationInterface {
  name = 'CreateNotificationListIndex1764288000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (await hasListIndex(queryRunner)) {
      return;
    }
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS ${NOTIFICATION_LIST_INDEX} ON webhook_notifications (${LIST_KEY.join(', ')})`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS ${NOTIFICATION_LIST_INDEX}`);
  }
}

/** Whether a plain (not partial, not expression) index on the table starts with the list's key columns. */
async function hasListIndex(queryRunner: QueryRunner): Promise<boolean> {
  if (isPostgres(queryRunner.connection)) {
    const rows = (await queryRunner.query(
      `SELECT 1
         FROM pg_index i
        WHERE i.indrelid = to_regclass('webhook_notifications')
          AND i.indpred IS NULL AND i.indexprs IS NULL
          AND (SELECT array_agg(a.attname::text ORDER BY k.position)
                 FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k (attnum, position)
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE k.position <= $1) = $2::text[]`,
      [LIST_KEY.length, LIST_KEY],
    )) as unknown[];
    return rows.length > 0;
  }
  const indexes = (await queryRunner.query(
    `SELECT name, partial FROM pragma_index_list('webhook_notifications')`,
  )) as Array<{ name: string; partial: number }>;
  for (const index of indexes.filter((candidate) => candidate.partial === 0)) {
    const columns = (await queryRunner.query('SELECT name FROM pragma_index_info(?) ORDER BY seqno', [
      index.name,
    ])) as Array<{ name: string | null }>;
    if (LIST_KEY.every((column, position) => columns[position]?.name === column)) {
      return true;
    }
  }
  return false;
}
