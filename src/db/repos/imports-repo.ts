import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { postImports } from '../schema/index.js';

export type PostImportRow = typeof postImports.$inferSelect;

/** CSV imports: the dry run's rows and checks, then what the commit wrote. */
export function importsRepo({ db }: Database) {
  return {
    insert(row: PostImportRow): void {
      db.insert(postImports).values(row).run();
    },
    get(id: string): PostImportRow | undefined {
      return db.select().from(postImports).where(eq(postImports.id, id)).get();
    },
    /** A client's latest imports, newest first. */
    listByClient(clientId: string, limit: number): PostImportRow[] {
      return db
        .select()
        .from(postImports)
        .where(eq(postImports.clientId, clientId))
        .orderBy(desc(postImports.createdAt))
        .limit(limit)
        .all();
    },
    /** Marks a dry run committed; false when it was committed already (a second click, a race). */
    markCommitted(id: string, report: unknown, now: number): boolean {
      const res = db
        .update(postImports)
        .set({ status: 'committed', report, committedAt: now })
        .where(and(eq(postImports.id, id), eq(postImports.status, 'dry_run')))
        .run();
      return res.changes === 1;
    },
  };
}
