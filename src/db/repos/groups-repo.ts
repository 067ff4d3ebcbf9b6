import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { postGroupMedia, postGroups, posts } from '../schema/index.js';
import { postRow, selectList } from './columns.js';
import type { PostListItem, PostRow, postsRepo, PostWithMedia } from './posts-repo.js';

export type PostGroupRow = typeof postGroups.$inferSelect;
type PostGroupPatch = Partial<Omit<PostGroupRow, 'id' | 'clientId' | 'version' | 'createdAt'>>;

/** Post groups: the shared values of one idea composed for several accounts, and their member posts. */
export function groupsRepo(database: Database, postsOf: ReturnType<typeof postsRepo>) {
  const { db, stmt } = database;
  const POST_COLUMNS = selectList(posts, 'p');

  function memberRows(groupIds: readonly string[]): PostRow[] {
    if (!groupIds.length) return [];
    return (
      stmt(
        `SELECT ${POST_COLUMNS} FROM posts p WHERE p.group_id IN (SELECT value FROM json_each(?)) ` +
          // rowid: the order the members were written in, which is the order the request listed them.
          'ORDER BY p.group_id, p.created_at, p.rowid',
      ).all(JSON.stringify(groupIds)) as PostRow[]
    ).map(postRow);
  }

  return {
    get(id: string): PostGroupRow | undefined {
      return db.select().from(postGroups).where(eq(postGroups.id, id)).get();
    },
    insert(row: PostGroupRow): void {
      db.insert(postGroups).values(row).run();
    },
    /** Applies a change and bumps the version; with `expectVersion`, only if nobody changed it since. */
    update(id: string, patch: PostGroupPatch, expectVersion?: number): boolean {
      const where =
        expectVersion === undefined
          ? eq(postGroups.id, id)
          : and(eq(postGroups.id, id), eq(postGroups.version, expectVersion));
      return (
        db
          .update(postGroups)
          .set({ ...patch, version: sql`${postGroups.version} + 1` })
          .where(where)
          .run().changes === 1
      );
    },
    /** The group's shared media ids, in order. */
    media(groupId: string): string[] {
      return db
        .select({ mediaId: postGroupMedia.mediaId })
        .from(postGroupMedia)
        .where(eq(postGroupMedia.groupId, groupId))
        .orderBy(asc(postGroupMedia.position))
        .all()
        .map((r) => r.mediaId);
    },
    setMedia(groupId: string, mediaIds: readonly string[]): void {
      db.delete(postGroupMedia).where(eq(postGroupMedia.groupId, groupId)).run();
      if (mediaIds.length)
        db.insert(postGroupMedia)
          .values(mediaIds.map((mediaId, position) => ({ groupId, mediaId, position })))
          .run();
    },
    /** The group's member posts (cancelled ones too), oldest first, with their media. */
    members(groupId: string): PostWithMedia[] {
      return memberRows([groupId]).map((p) => postsOf.get(p.id)!);
    },
    /** The members of each group, with what the lists show beside them (groups without members left out). */
    membersOf(groupIds: readonly string[]): Map<string, PostListItem[]> {
      const out = new Map<string, PostListItem[]>();
      for (const item of postsOf.describe(memberRows([...new Set(groupIds)]))) {
        const list = out.get(item.groupId!) ?? [];
        list.push(item);
        out.set(item.groupId!, list);
      }
      return out;
    },
    /**
     * The AI's group for one rule slot (`slotKey` = `<ruleId>|<slot ms>`), made on first use: the
     * unique slot_key makes a second generation run find the same group. Call inside the write.
     */
    ensureForSlot(row: Omit<PostGroupRow, 'version' | 'source'>): PostGroupRow {
      db.insert(postGroups)
        .values({ ...row, source: 'ai', version: 1 })
        .onConflictDoNothing({ target: postGroups.slotKey })
        .run();
      return db.select().from(postGroups).where(eq(postGroups.slotKey, row.slotKey!)).get()!;
    },
  };
}
