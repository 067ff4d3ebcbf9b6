import { eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { linkPreviews } from '../schema/index.js';

export type LinkPreviewRow = typeof linkPreviews.$inferSelect;

/** The OpenGraph cache of the previews' link cards, one row per URL (by its hash). */
export function linkPreviewsRepo({ db }: Database) {
  return {
    get(urlHash: string): LinkPreviewRow | undefined {
      return db.select().from(linkPreviews).where(eq(linkPreviews.urlHash, urlHash)).get();
    },
    /** Keeps the latest reading of a URL (a page read again replaces the old row). */
    put(row: LinkPreviewRow): void {
      const { urlHash: _key, ...rest } = row;
      db.insert(linkPreviews).values(row).onConflictDoUpdate({ target: linkPreviews.urlHash, set: rest }).run();
    },
  };
}
