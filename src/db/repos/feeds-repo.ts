import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../client.js';
import { feedItems, feeds } from '../schema/index.js';

export type FeedRow = typeof feeds.$inferSelect;
export type FeedItemRow = typeof feedItems.$inferSelect;

type FeedPatch = Partial<Omit<FeedRow, 'id' | 'clientId' | 'createdAt'>>;

/** Each client's feeds and every feed item seen (the key that makes an item drafts once). */
export function feedsRepo({ db }: Database) {
  return {
    get(id: string): FeedRow | undefined {
      return db.select().from(feeds).where(eq(feeds.id, id)).get();
    },
    listByClient(clientId: string): FeedRow[] {
      return db.select().from(feeds).where(eq(feeds.clientId, clientId)).orderBy(asc(feeds.createdAt)).all();
    },
    listActive(): FeedRow[] {
      return db.select().from(feeds).where(eq(feeds.active, true)).orderBy(asc(feeds.createdAt)).all();
    },
    byUrl(clientId: string, url: string): FeedRow | undefined {
      return db
        .select()
        .from(feeds)
        .where(and(eq(feeds.clientId, clientId), eq(feeds.url, url)))
        .get();
    },
    insert(row: FeedRow): void {
      db.insert(feeds).values(row).run();
    },
    update(id: string, patch: FeedPatch): void {
      db.update(feeds).set(patch).where(eq(feeds.id, id)).run();
    },
    delete(id: string): void {
      db.delete(feeds).where(eq(feeds.id, id)).run();
    },
    /** The keys of `keys` this client has seen already. */
    seenKeys(clientId: string, keys: readonly string[]): Set<string> {
      const seen = new Set<string>();
      // One query per few hundred keys: SQLite caps the variables of one statement.
      for (let i = 0; i < keys.length; i += 500) {
        const part = keys.slice(i, i + 500);
        for (const row of db
          .select({ key: feedItems.itemKey })
          .from(feedItems)
          .where(and(eq(feedItems.clientId, clientId), inArray(feedItems.itemKey, part)))
          .all())
          seen.add(row.key);
      }
      return seen;
    },
    /** Records an item; false when the client had it already (another check got there first). */
    insertItem(row: FeedItemRow): boolean {
      return db.insert(feedItems).values(row).onConflictDoNothing().run().changes === 1;
    },
  };
}
