import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { CompanionWrite } from '../persistence/attempt-log';
import { SqlDialect } from '../persistence/sql-dialect';
import type { SignatureMode } from '../retrigger/dto/retrigger-request.dto';
import type { RetriggerItemDto } from '../retrigger/dto/retrigger-response.dto';

/** Who asked for which retrigger, and why: what the record knows before anything is sent. */
interface AuditRecordOpening {
  webhookId: string;
  principal: string;
  reason: string | null;
  signature: SignatureMode;
  totalRequested: number;
  createdAt: Date;
}

/** One retrigger's record: its id (the answer's `retriggerId`) and its two writes. */
interface AuditRecordDraft {
  id: string;
  /** Rides with the pending attempts. */
  opening: CompanionWrite;
  /** Rides with the attempts' outcomes: the items exactly as answered, in request order. */
  completion(items: readonly RetriggerItemDto[], completedAt: Date): CompanionWrite;
}

/**
 * Writes the retrigger's audit record in two steps that ride in the attempt
 * log's statements (see CompanionWrite), so the trail costs no statement of
 * its own: opened with the pending attempts, before anything is sent, and
 * completed with their outcomes. A retrigger interrupted by a crash leaves
 * its record opened and never completed (`completed_at` null).
 */
@Injectable()
export class AuditRecordWriter {
  private readonly dialect: SqlDialect;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.dialect = new SqlDialect(dataSource);
  }

  start(record: AuditRecordOpening): AuditRecordDraft {
    const id = randomUUID();
    return {
      id,
      opening: this.opening(id, record),
      completion: (items, completedAt) => this.completion(id, items, completedAt),
    };
  }

  private opening(id: string, record: AuditRecordOpening): CompanionWrite {
    return {
      sql: (d, first) =>
        `INSERT INTO retrigger_audit_records
           (id, webhook_id, principal, reason, signature, items, total_requested, created_at)
         VALUES (${d.params(first, 8)})`,
      values: [
        id,
        record.webhookId,
        record.principal,
        record.reason,
        record.signature,
        '[]',
        record.totalRequested,
        this.dialect.timestamp(record.createdAt),
      ],
    };
  }

  private completion(id: string, items: readonly RetriggerItemDto[], completedAt: Date): CompanionWrite {
    const totalSuccess = items.filter((item) => item.reason === null).length;
    return {
      sql: (d, first) =>
        `UPDATE retrigger_audit_records
            SET items = ${d.param(first)}, total_success = ${d.param(first + 1)},
                total_failed = ${d.param(first + 2)}, completed_at = ${d.param(first + 3)}
          WHERE id = ${d.param(first + 4)}`,
      values: [
        JSON.stringify(items),
        totalSuccess,
        items.length - totalSuccess,
        this.dialect.timestamp(completedAt),
        id,
      ],
    };
  }
}
