import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { media, postMedia } from '../schema/index.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

export type MediaRow = typeof media.$inferSelect;

export function mediaRepo({ db }: Database) {
  return {
    insert(row: typeof media.$inferInsert): void {
      db.insert(media).values(row).run();
    },
    update(id: string, patch: Partial<MediaRow>): void {
      db.update(media).set(patch).where(eq(media.id, id)).run();
    },
    get(id: string): MediaRow | undefined {
      return db.select().from(media).where(eq(media.id, id)).get();
    },
    getMany(ids: readonly string[]): MediaRow[] {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(media)
        .where(inArray(media.id, [...ids]))
        .all();
    },
    byKey(key: string): MediaRow | undefined {
      return db.select().from(media).where(sql`${media.key} = ${key} OR ${media.jpegKey} = ${key}`).get();
    },
    listByClient(clientId: string, limit: number, cursor?: string): Page<MediaRow> {
      const after = decodeCursor(cursor);
      const rows = db
        .select()
        .from(media)
        .where(and(eq(media.clientId, clientId), after ? lt(media.id, after.id) : undefined))
        .orderBy(desc(media.id))
        .limit(limit + 1)
        .all();
      return toPage(rows, limit, (r) => [null, r.id]);
    },
    totals(): { files: number; bytes: number } {
      const row = db
        .select({ files: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(${media.size}), 0)` })
        .from(media)
        .get();
      return { files: row?.files ?? 0, bytes: row?.bytes ?? 0 };
    },
    isUsed(id: string): boolean {
      return db.select({ one: sql`1` }).from(postMedia).where(eq(postMedia.mediaId, id)).limit(1).get() !== undefined;
    },
    delete(id: string): void {
      db.delete(media).where(eq(media.id, id)).run();
    },
  };
}
