import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import { accounts, clients, postLogs, postMedia, posts } from '../schema/index.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

export type PostRow = typeof posts.$inferSelect;
export type PostWithMedia = PostRow & { mediaIds: string[] };
export type PostLogRow = typeof postLogs.$inferSelect;
export type PostStatusValue = PostRow['status'];

export interface PostFilter {
  clientId?: string | undefined;
  accountId?: string | undefined;
  status?: readonly PostStatusValue[] | undefined;
  /** scheduledAt >= from */
  from?: number | undefined;
  /** scheduledAt < to */
  to?: number | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** A post with what the lists show beside it. */
export type PostListItem = PostWithMedia & { clientName: string; accountName: string; platform: 'facebook' | 'instagram' | 'tiktok'; clientTimezone: string };

export function postsRepo({ db }: Database) {
  function mediaIdsOf(postIds: readonly string[]): Map<string, string[]> {
    const map = new Map<string, string[]>();
    if (postIds.length === 0) return map;
    const rows = db
      .select()
      .from(postMedia)
      .where(inArray(postMedia.postId, [...postIds]))
      .orderBy(asc(postMedia.postId), asc(postMedia.position))
      .all();
    for (const row of rows) {
      const list = map.get(row.postId) ?? [];
      list.push(row.mediaId);
      map.set(row.postId, list);
    }
    return map;
  }

  function whereOf(filter: Omit<PostFilter, 'limit' | 'cursor'>): SQL[] {
    const where: SQL[] = [];
    if (filter.clientId) where.push(eq(posts.clientId, filter.clientId));
    if (filter.accountId) where.push(eq(posts.accountId, filter.accountId));
    if (filter.status?.length) where.push(inArray(posts.status, [...filter.status]));
    if (filter.from !== undefined) where.push(gte(posts.scheduledAt, filter.from));
    if (filter.to !== undefined) where.push(lt(posts.scheduledAt, filter.to));
    return where;
  }

  return {
    insert(row: PostRow, mediaIds: readonly string[]): void {
      db.insert(posts).values(row).run();
      if (mediaIds.length) db.insert(postMedia).values(mediaIds.map((mediaId, position) => ({ postId: row.id, mediaId, position }))).run();
    },
    /** Applies a change and bumps the version; with `expectVersion`, only if nobody changed it since. */
    update(id: string, patch: Partial<PostRow>, expectVersion?: number): boolean {
      const where = expectVersion === undefined ? eq(posts.id, id) : and(eq(posts.id, id), eq(posts.version, expectVersion));
      const result = db
        .update(posts)
        .set({ ...patch, version: sql`${posts.version} + 1` })
        .where(where)
        .run();
      return result.changes === 1;
    },
    setMedia(postId: string, mediaIds: readonly string[]): void {
      db.delete(postMedia).where(eq(postMedia.postId, postId)).run();
      if (mediaIds.length) db.insert(postMedia).values(mediaIds.map((mediaId, position) => ({ postId, mediaId, position }))).run();
    },
    get(id: string): PostWithMedia | undefined {
      const row = db.select().from(posts).where(eq(posts.id, id)).get();
      return row ? { ...row, mediaIds: mediaIdsOf([id]).get(id) ?? [] } : undefined;
    },
    bySlotKey(slotKey: string): PostRow | undefined {
      return db.select().from(posts).where(eq(posts.slotKey, slotKey)).get();
    },
    /**
     * Ordered by (scheduled time, id), unscheduled drafts first (SQLite sorts NULL first), and
     * keyset-paginated on the same pair so every page is an index range, however many posts exist.
     */
    list(filter: PostFilter): Page<PostWithMedia> {
      const where = whereOf(filter);
      const after = decodeCursor(filter.cursor);
      if (after) {
        if (after.key === null) {
          where.push(or(and(isNull(posts.scheduledAt), gt(posts.id, after.id)), isNotNull(posts.scheduledAt)) as SQL);
        } else {
          const key = Number(after.key);
          where.push(and(gte(posts.scheduledAt, key), or(gt(posts.scheduledAt, key), gt(posts.id, after.id))) as SQL);
        }
      }
      const rows = db
        .select()
        .from(posts)
        .where(where.length ? and(...where) : undefined)
        .orderBy(asc(posts.scheduledAt), asc(posts.id))
        .limit(filter.limit + 1)
        .all();
      const page = toPage(rows, filter.limit, (r) => [r.scheduledAt, r.id]);
      const mediaMap = mediaIdsOf(page.data.map((p) => p.id));
      return { data: page.data.map((p) => ({ ...p, mediaIds: mediaMap.get(p.id) ?? [] })), nextCursor: page.nextCursor };
    },
    /** The same list with client and account names, for pages. */
    listDetailed(filter: PostFilter): Page<PostListItem> {
      const page = this.list(filter);
      return { data: this.describe(page.data), nextCursor: page.nextCursor };
    },
    describe(items: PostWithMedia[]): PostListItem[] {
      if (items.length === 0) return [];
      const names = db
        .select({ id: accounts.id, accountName: accounts.name, platform: accounts.platform, clientName: clients.name, clientTimezone: clients.timezone })
        .from(accounts)
        .innerJoin(clients, eq(clients.id, accounts.clientId))
        .where(inArray(accounts.id, [...new Set(items.map((p) => p.accountId))]))
        .all();
      const byId = new Map(names.map((n) => [n.id, n]));
      return items.map((p) => {
        const n = byId.get(p.accountId);
        return { ...p, clientName: n?.clientName ?? '', accountName: n?.accountName ?? '', platform: n?.platform ?? 'facebook', clientTimezone: n?.clientTimezone ?? 'UTC' };
      });
    },
    /** Posts in a status, soonest first, for the dashboard's "needs you" lists. */
    byStatus(status: readonly PostStatusValue[], limit: number, order: 'scheduled' | 'updated' = 'scheduled'): PostListItem[] {
      const rows = db
        .select()
        .from(posts)
        .where(inArray(posts.status, [...status]))
        .orderBy(order === 'scheduled' ? asc(posts.scheduledAt) : desc(posts.updatedAt))
        .limit(limit)
        .all();
      const mediaMap = mediaIdsOf(rows.map((p) => p.id));
      return this.describe(rows.map((p) => ({ ...p, mediaIds: mediaMap.get(p.id) ?? [] })));
    },
    countByStatus(clientId?: string): Record<string, number> {
      const rows = db
        .select({ status: posts.status, n: sql<number>`count(*)` })
        .from(posts)
        .where(clientId ? eq(posts.clientId, clientId) : undefined)
        .groupBy(posts.status)
        .all();
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
    countInStatus(status: PostStatusValue): number {
      return db.select({ n: sql<number>`count(*)` }).from(posts).where(eq(posts.status, status)).get()?.n ?? 0;
    },
    /** Ids of a client's posts in the given statuses (to cancel them when the client is archived). */
    idsOfClientIn(clientId: string, status: readonly PostStatusValue[]): Array<{ id: string; status: PostStatusValue }> {
      return db
        .select({ id: posts.id, status: posts.status })
        .from(posts)
        .where(and(eq(posts.clientId, clientId), inArray(posts.status, [...status])))
        .all();
    },
    idsOfAccountIn(accountId: string, status: readonly PostStatusValue[]): Array<{ id: string; status: PostStatusValue }> {
      return db
        .select({ id: posts.id, status: posts.status })
        .from(posts)
        .where(and(eq(posts.accountId, accountId), inArray(posts.status, [...status])))
        .all();
    },
    insertLog(row: Omit<PostLogRow, 'id'>): void {
      db.insert(postLogs).values(row).run();
    },
    logsOf(postId: string): PostLogRow[] {
      return db.select().from(postLogs).where(eq(postLogs.postId, postId)).orderBy(asc(postLogs.id)).all();
    },
    /** Newest first, keyset-paginated by log id. */
    listLogs(filter: { level?: PostLogRow['level'] | undefined; postId?: string | undefined; clientId?: string | undefined; beforeId?: number | undefined; limit: number }): Array<PostLogRow & { clientName: string; accountName: string; platform: string }> {
      const where: SQL[] = [];
      if (filter.level) where.push(eq(postLogs.level, filter.level));
      if (filter.postId) where.push(eq(postLogs.postId, filter.postId));
      if (filter.clientId) where.push(eq(posts.clientId, filter.clientId));
      if (filter.beforeId !== undefined) where.push(lt(postLogs.id, filter.beforeId));
      return db
        .select({ log: postLogs, clientName: clients.name, accountName: accounts.name, platform: accounts.platform })
        .from(postLogs)
        .innerJoin(posts, eq(posts.id, postLogs.postId))
        .innerJoin(accounts, eq(accounts.id, posts.accountId))
        .innerJoin(clients, eq(clients.id, posts.clientId))
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(postLogs.id))
        .limit(filter.limit)
        .all()
        .map((r) => ({ ...r.log, clientName: r.clientName, accountName: r.accountName, platform: r.platform }));
    },
  };
}
export type PostsRepo = ReturnType<typeof postsRepo>;
