import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { dueAtOf } from '../../domain/post-status.js';
import type { WaitingOn } from '../../domain/post.js';
import type { Database } from '../client.js';
import { accounts, clients, postLogs, postMedia, posts } from '../schema/index.js';
import { postRow, selectList } from './columns.js';
import { type ClientIds, inClients, inClientsSql } from './client-scope.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

export type PostRow = typeof posts.$inferSelect;
export type PostWithMedia = PostRow & { mediaIds: string[] };
export type PostLogRow = typeof postLogs.$inferSelect;
export type PostStatusValue = PostRow['status'];

/**
 * A change to a post. `dueAt` is not set by callers: it follows from the status and time, with
 * `retryAt` for a later try after backoff (domain `dueAtOf`). Setting `lastError` without
 * `waitingOn` means the post no longer waits for its account.
 */
export type PostPatch = Partial<Omit<PostRow, 'id' | 'dueAt' | 'version'>> & { retryAt?: number };

export interface PostFilter {
  clientId?: string | undefined;
  /** Only these clients' posts (a member's assigned clients). */
  clientIds?: ClientIds;
  accountId?: string | undefined;
  status?: readonly PostStatusValue[] | undefined;
  /** scheduledAt >= from */
  from?: number | undefined;
  /** scheduledAt < to */
  to?: number | undefined;
  /** Posts carrying any of these labels. */
  labelIds?: readonly string[] | undefined;
  /** The members of one post group. */
  groupId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** A post with what the lists show beside it. */
export type PostListItem = PostRow & {
  clientName: string;
  accountName: string;
  platform: string;
  clientTimezone: string;
};

export function postsRepo(database: Database) {
  const { db } = database;
  const { stmt } = database;
  const POST_COLUMNS = selectList(posts, 'p');

  // Ids go in as one JSON array (json_each) so one prepared statement serves any number of them.
  function mediaIdsOf(postIds: readonly string[]): Map<string, string[]> {
    const map = new Map<string, string[]>();
    if (postIds.length === 0) return map;
    const rows = stmt(
      'SELECT post_id AS postId, media_id AS mediaId FROM post_media ' +
        'WHERE post_id IN (SELECT value FROM json_each(?)) ORDER BY post_id, position',
    ).all(JSON.stringify(postIds)) as Array<{
      postId: string;
      mediaId: string;
    }>;
    for (const row of rows) {
      const list = map.get(row.postId) ?? [];
      list.push(row.mediaId);
      map.set(row.postId, list);
    }
    return map;
  }

  function rowsOf(filter: PostFilter): Page<PostRow> {
    const { sql: text, params } = listQuery(filter);
    return toPage((stmt(text).all(...params) as PostRow[]).map(postRow), filter.limit, (r) => [r.scheduledAt, r.id]);
  }

  /**
   * The filtered, keyset-paginated list query as SQL plus its parameters. The text depends only
   * on which filters are present, so the prepared statements stay few and cached.
   */
  function listQuery(filter: PostFilter): { sql: string; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.clientId) {
      where.push('p.client_id = ?');
      params.push(filter.clientId);
    }
    if (filter.clientIds) {
      const held = inClientsSql('p.client_id', filter.clientIds);
      where.push(held.where);
      params.push(held.param);
    }
    if (filter.accountId) {
      where.push('p.account_id = ?');
      params.push(filter.accountId);
    }
    if (filter.status?.length === 1) {
      // Equality lets SQLite use (status, scheduled_at, id) as one range.
      where.push('p.status = ?');
      params.push(filter.status[0]);
    } else if (filter.status?.length) {
      where.push('p.status IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.status));
    }
    if (filter.from !== undefined) {
      where.push('p.scheduled_at >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('p.scheduled_at < ?');
      params.push(filter.to);
    }
    if (filter.labelIds?.length) {
      where.push(
        'EXISTS (SELECT 1 FROM post_labels pl WHERE pl.post_id = p.id ' +
          'AND pl.label_id IN (SELECT value FROM json_each(?)))',
      );
      params.push(JSON.stringify(filter.labelIds));
    }
    if (filter.groupId) {
      where.push('p.group_id = ?');
      params.push(filter.groupId);
    }
    const after = decodeCursor(filter.cursor);
    if (after) {
      if (after.key === null) {
        where.push('((p.scheduled_at IS NULL AND p.id > ?) OR p.scheduled_at IS NOT NULL)');
        params.push(after.id);
      } else {
        where.push('p.scheduled_at >= ? AND (p.scheduled_at > ? OR p.id > ?)');
        params.push(Number(after.key), Number(after.key), after.id);
      }
    }
    params.push(filter.limit + 1);
    return {
      sql:
        `SELECT ${POST_COLUMNS} FROM posts p ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
        'ORDER BY p.scheduled_at, p.id LIMIT ?',
      params,
    };
  }

  return {
    insert(row: Omit<PostRow, 'dueAt'>, mediaIds: readonly string[]): void {
      db.insert(posts)
        .values({ ...row, dueAt: dueAtOf(row.status, row.scheduledAt) })
        .run();
      if (mediaIds.length)
        db.insert(postMedia)
          .values(mediaIds.map((mediaId, position) => ({ postId: row.id, mediaId, position })))
          .run();
    },
    /**
     * Applies a change and bumps the version; with `expectVersion`, only if nobody changed it since.
     * The one place a post's due time is written (the claim excepted, which only ever clears it).
     */
    update(id: string, patch: PostPatch, expectVersion?: number): boolean {
      const { retryAt, ...fields } = patch;
      const set: Partial<PostRow> = { ...fields };
      if (fields.status !== undefined || fields.scheduledAt !== undefined || retryAt !== undefined) {
        const current = stmt('SELECT status, scheduled_at AS scheduledAt FROM posts WHERE id = ?').get(id) as
          | Pick<PostRow, 'status' | 'scheduledAt'>
          | undefined;
        if (!current) return false;
        const scheduledAt = fields.scheduledAt !== undefined ? fields.scheduledAt : current.scheduledAt;
        set.dueAt = dueAtOf(fields.status ?? current.status, scheduledAt, retryAt);
      }
      if (fields.lastError !== undefined && fields.waitingOn === undefined) set.waitingOn = null;
      const where =
        expectVersion === undefined ? eq(posts.id, id) : and(eq(posts.id, id), eq(posts.version, expectVersion));
      const result = db
        .update(posts)
        .set({ ...set, version: sql`${posts.version} + 1` })
        .where(where)
        .run();
      return result.changes === 1;
    },
    setMedia(postId: string, mediaIds: readonly string[]): void {
      db.delete(postMedia).where(eq(postMedia.postId, postId)).run();
      if (mediaIds.length)
        db.insert(postMedia)
          .values(mediaIds.map((mediaId, position) => ({ postId, mediaId, position })))
          .run();
    },
    get(id: string): PostWithMedia | undefined {
      const row = stmt(`SELECT ${POST_COLUMNS} FROM posts p WHERE p.id = ?`).get(id) as PostRow | undefined;
      return row ? { ...postRow(row), mediaIds: mediaIdsOf([id]).get(id) ?? [] } : undefined;
    },
    /** The client's latest captions, newest first (so AI writing does not repeat itself). */
    recentCaptions(clientId: string, limit: number): string[] {
      return (
        stmt(
          "SELECT caption FROM posts WHERE client_id = ? AND caption != '' " +
            "AND status NOT IN ('cancelled', 'rejected') ORDER BY created_at DESC LIMIT ?",
        ).all(clientId, limit) as Array<{ caption: string }>
      ).map((r) => r.caption);
    },
    /** Which of these slot keys already have a post. */
    existingSlotKeys(keys: readonly string[]): Set<string> {
      if (keys.length === 0) return new Set();
      return new Set(
        (
          stmt('SELECT slot_key AS k FROM posts WHERE slot_key IN (SELECT value FROM json_each(?))').all(
            JSON.stringify(keys),
          ) as Array<{ k: string }>
        ).map((r) => r.k),
      );
    },
    /**
     * A rule's posts from `from` on that nobody changed since they were written (version 1) and
     * that have not gone out. Found through the unique slot_key index: keys start "<ruleId>|".
     */
    untouchedOfRule(ruleId: string, from: number): Array<{ id: string; slotKey: string }> {
      return stmt(
        'SELECT id, slot_key AS slotKey FROM posts WHERE slot_key >= ? AND slot_key < ? AND scheduled_at >= ? ' +
          "AND version = 1 AND status IN ('draft', 'pending_approval', 'scheduled')",
      ).all(`${ruleId}|`, `${ruleId}}`, from) as Array<{ id: string; slotKey: string }>;
    },
    /**
     * AI posts waiting for approval that nobody was told about yet (no `markStep` line): what a
     * generation run wrote before it could announce them. Optionally only among `ids`.
     */
    unannouncedApprovals(markStep: string, ids?: readonly string[]): PostRow[] {
      const rows = stmt(
        `SELECT ${POST_COLUMNS} FROM posts p WHERE p.status = 'pending_approval' AND p.source = 'ai' ` +
          'AND (? IS NULL OR p.id IN (SELECT value FROM json_each(?))) ' +
          'AND NOT EXISTS (SELECT 1 FROM post_logs l WHERE l.post_id = p.id AND l.step = ?) ' +
          'ORDER BY p.client_id, p.scheduled_at',
      ).all(ids ? 1 : null, JSON.stringify(ids ?? []), markStep) as PostRow[];
      return rows.map(postRow);
    },
    /**
     * Posts unconfirmed since before `since` (their `updated_at` is when they became so: nothing
     * else changes an unconfirmed post) with no `markStep` line written since then.
     */
    unconfirmedSince(since: number, markStep: string, limit: number): PostRow[] {
      const rows = stmt(
        `SELECT ${POST_COLUMNS} FROM posts p WHERE p.status = 'unconfirmed' AND p.updated_at <= ? ` +
          'AND NOT EXISTS (SELECT 1 FROM post_logs l WHERE l.post_id = p.id AND l.step = ? ' +
          'AND l.created_at >= p.updated_at) ORDER BY p.updated_at LIMIT ?',
      ).all(since, markStep, limit) as PostRow[];
      return rows.map(postRow);
    },
    bySlotKey(slotKey: string): PostRow | undefined {
      return db.select().from(posts).where(eq(posts.slotKey, slotKey)).get();
    },
    /**
     * Ordered by (scheduled time, id), unscheduled drafts first (SQLite sorts NULL first), and
     * keyset-paginated on the same pair so every page is an index range, however many posts exist.
     */
    list(filter: PostFilter): Page<PostWithMedia> {
      const page = rowsOf(filter);
      const mediaMap = mediaIdsOf(page.data.map((p) => p.id));
      return {
        data: page.data.map((p) => ({ ...p, mediaIds: mediaMap.get(p.id) ?? [] })),
        nextCursor: page.nextCursor,
      };
    },
    /** The same list with client and account names (and without media), for pages. */
    listDetailed(filter: PostFilter): Page<PostListItem> {
      const page = rowsOf(filter);
      return { data: this.describe(page.data), nextCursor: page.nextCursor };
    },
    describe<T extends PostRow>(items: T[]): Array<T & Omit<PostListItem, keyof PostRow>> {
      if (items.length === 0) return [];
      const names = stmt(
        'SELECT a.id AS id, a.name AS accountName, a.platform AS platform, c.name AS clientName, ' +
          'c.timezone AS clientTimezone FROM accounts a JOIN clients c ON c.id = a.client_id ' +
          'WHERE a.id IN (SELECT value FROM json_each(?))',
      ).all(JSON.stringify([...new Set(items.map((p) => p.accountId))])) as Array<{
        id: string;
        accountName: string;
        platform: PostListItem['platform'];
        clientName: string;
        clientTimezone: string;
      }>;
      const byId = new Map(names.map((n) => [n.id, n]));
      return items.map((p) => {
        const n = byId.get(p.accountId);
        return {
          ...p,
          clientName: n?.clientName ?? '',
          accountName: n?.accountName ?? '',
          platform: n?.platform ?? '',
          clientTimezone: n?.clientTimezone ?? 'UTC',
        };
      });
    },
    /**
     * The first `limit` posts in any of the statuses scheduled since `since`, by scheduled time
     * (soonest first, or latest first with `newest`). One index range per status, merged here: the cost
     * depends on `limit`, not on how many posts have piled up in those statuses over the years.
     */
    byStatus(
      status: readonly PostStatusValue[],
      limit: number,
      order: 'soonest' | 'newest' = 'soonest',
      since = 0,
      clientIds?: ClientIds,
    ): PostListItem[] {
      const direction = order === 'soonest' ? 'ASC' : 'DESC';
      const held = clientIds ? inClientsSql('p.client_id', clientIds) : null;
      const query = stmt(
        `SELECT ${POST_COLUMNS} FROM posts p WHERE p.status = ? AND p.scheduled_at >= ? ` +
          (held ? `AND ${held.where} ` : '') +
          `ORDER BY p.scheduled_at ${direction}, p.id ${direction} LIMIT ?`,
      );
      const rows = status
        .flatMap((s) => (query.all(s, since, ...(held ? [held.param] : []), limit) as PostRow[]).map(postRow))
        .sort(
          (a, b) =>
            (order === 'soonest' ? 1 : -1) * ((a.scheduledAt ?? 0) - (b.scheduledAt ?? 0) || a.id.localeCompare(b.id)),
        )
        .slice(0, limit);
      return this.describe(rows);
    },
    countByStatus(clientId?: string, clientIds?: ClientIds): Record<string, number> {
      const rows = db
        .select({ status: posts.status, n: sql<number>`count(*)` })
        .from(posts)
        .where(and(clientId ? eq(posts.clientId, clientId) : undefined, inClients(posts.clientId, clientIds)))
        .groupBy(posts.status)
        .all();
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
    /** How many posts in a status fall in [from, to) (an index range count). */
    countInWindow(status: PostStatusValue, from: number, to: number, clientIds?: ClientIds): number {
      const held = clientIds ? inClientsSql('client_id', clientIds) : null;
      const text = 'SELECT count(*) AS n FROM posts WHERE status = ? AND scheduled_at >= ? AND scheduled_at < ?';
      return (
        stmt(held ? `${text} AND ${held.where}` : text).get(status, from, to, ...(held ? [held.param] : [])) as {
          n: number;
        }
      ).n;
    },
    /** Counts for a few statuses in one query (an index range per status). */
    countIn(status: readonly PostStatusValue[], since = 0, clientIds?: ClientIds): Record<string, number> {
      const held = clientIds ? inClientsSql('client_id', clientIds) : null;
      const text = 'SELECT count(*) AS n FROM posts WHERE status = ? AND scheduled_at >= ?';
      const query = stmt(held ? `${text} AND ${held.where}` : text);
      const rest = held ? [held.param] : [];
      return Object.fromEntries(status.map((s) => [s, (query.get(s, since, ...rest) as { n: number }).n]));
    },
    countForClient(clientId: string, status: PostStatusValue, since: number): number {
      return (
        stmt('SELECT count(*) AS n FROM posts WHERE client_id = ? AND status = ? AND scheduled_at >= ?').get(
          clientId,
          status,
          since,
        ) as { n: number }
      ).n;
    },
    countInStatus(status: PostStatusValue): number {
      return (stmt('SELECT count(*) AS n FROM posts WHERE status = ?').get(status) as { n: number }).n;
    },
    /** Ids of a client's posts in the given statuses (to cancel them when the client is archived). */
    idsOfClientIn(
      clientId: string,
      status: readonly PostStatusValue[],
    ): Array<{ id: string; status: PostStatusValue }> {
      return db
        .select({ id: posts.id, status: posts.status })
        .from(posts)
        .where(and(eq(posts.clientId, clientId), inArray(posts.status, [...status])))
        .all();
    },
    idsOfAccountIn(
      accountId: string,
      status: readonly PostStatusValue[],
    ): Array<{ id: string; status: PostStatusValue }> {
      return db
        .select({ id: posts.id, status: posts.status })
        .from(posts)
        .where(and(eq(posts.accountId, accountId), inArray(posts.status, [...status])))
        .all();
    },
    /**
     * Marks every post of an account still to go out as waiting for `waiting.on`, with its note
     * (posts carrying another error keep it); with null, clears what waited and nothing else.
     */
    noteWaiting(accountId: string, waiting: { on: WaitingOn; note: string } | null, now: number): void {
      const open = "account_id = ? AND status IN ('scheduled', 'pending_approval', 'draft')";
      if (waiting) {
        stmt(
          `UPDATE posts SET last_error = ?, waiting_on = ?, updated_at = ?
           WHERE ${open} AND (last_error IS NULL OR waiting_on IS NOT NULL)`,
        ).run(waiting.note, waiting.on, now, accountId);
      } else {
        stmt(
          'UPDATE posts SET last_error = NULL, waiting_on = NULL, updated_at = ? ' +
            `WHERE ${open} AND waiting_on IS NOT NULL`,
        ).run(now, accountId);
      }
    },
    insertLog(row: Omit<PostLogRow, 'id'>): void {
      db.insert(postLogs).values(row).run();
    },
    logsOf(postId: string): PostLogRow[] {
      return db.select().from(postLogs).where(eq(postLogs.postId, postId)).orderBy(asc(postLogs.id)).all();
    },
    /** Newest first, keyset-paginated by log id. */
    listLogs(filter: {
      level?: PostLogRow['level'] | undefined;
      postId?: string | undefined;
      clientId?: string | undefined;
      clientIds?: ClientIds;
      beforeId?: number | undefined;
      limit: number;
    }): Array<PostLogRow & { clientName: string; accountName: string; platform: string }> {
      const where: SQL[] = [];
      if (filter.level) where.push(eq(postLogs.level, filter.level));
      if (filter.postId) where.push(eq(postLogs.postId, filter.postId));
      if (filter.clientId) where.push(eq(posts.clientId, filter.clientId));
      if (filter.clientIds) where.push(inClients(posts.clientId, filter.clientIds)!);
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
