import type { Database } from '../client.js';
import { auditLog } from '../schema/index.js';

export type AuditRow = typeof auditLog.$inferSelect;

/** The audit trail. Entries are only ever added (and pruned past the retention period). */
export function auditRepo({ db }: Database) {
  return {
    insert(row: Omit<AuditRow, 'id'>): void {
      db.insert(auditLog).values(row).run();
    },
  };
}
