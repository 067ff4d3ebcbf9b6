import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { postImportRows, postImports } from '../schema/index.js';

export type PostImportRow = typeof postImports.$inferSelect;
export type ImportRowWritten = typeof postImportRows.$inferSelect;

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
    status(id: string): PostImportRow['status'] | undefined {
      return db.select({ status: postImports.status }).from(postImports).where(eq(postImports.id, id)).get()?.status;
    },
    /** How many lines a commit has written so far (they are written in file order). */
    writtenCount(id: string): number {
      return (
        db.select({ n: sql<number>`count(*)` }).from(postImportRows).where(eq(postImportRows.importId, id)).get()?.n ??
        0
      );
    },
    /** The lines written so far, in order. */
    written(id: string): ImportRowWritten[] {
      return db
        .select()
        .from(postImportRows)
        .where(eq(postImportRows.importId, id))
        .orderBy(asc(postImportRows.line))
        .all();
    },
    /** Records lines a chunk wrote (inside the chunk's transaction). */
    addWritten(rows: readonly ImportRowWritten[]): void {
      if (rows.length)
        db.insert(postImportRows)
          .values([...rows])
          .run();
    },
    /** Marks an import committed; false when it was committed already (a second click, a race). */
    markCommitted(id: string, now: number): boolean {
      const res = db
        .update(postImports)
        .set({ status: 'committed', committedAt: now })
        .where(and(eq(postImports.id, id), eq(postImports.status, 'dry_run')))
        .run();
      return res.changes === 1;
    },
  };
}
