import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { passkeys } from '../schema/index.js';

export type PasskeyRow = typeof passkeys.$inferSelect;

export function passkeysRepo(database: Database) {
  const { db } = database;
  return {
    insert(row: PasskeyRow): void {
      db.insert(passkeys).values(row).run();
    },
    get(id: string): PasskeyRow | undefined {
      return db.select().from(passkeys).where(eq(passkeys.id, id)).get();
    },
    ofAdmin(adminId: string): PasskeyRow[] {
      return db.select().from(passkeys).where(eq(passkeys.adminId, adminId)).orderBy(asc(passkeys.createdAt)).all();
    },
    countOfAdmin(adminId: string): number {
      return db.select({ n: sql<number>`count(*)` }).from(passkeys).where(eq(passkeys.adminId, adminId)).get()?.n ?? 0;
    },
    update(
      id: string,
      adminId: string,
      patch: Partial<Pick<PasskeyRow, 'name' | 'counter' | 'lastUsedAt' | 'backedUp'>>,
    ) {
      return db
        .update(passkeys)
        .set(patch)
        .where(and(eq(passkeys.id, id), eq(passkeys.adminId, adminId)))
        .run().changes;
    },
    delete(id: string, adminId: string): boolean {
      return (
        db
          .delete(passkeys)
          .where(and(eq(passkeys.id, id), eq(passkeys.adminId, adminId)))
          .run().changes === 1
      );
    },
  };
}
