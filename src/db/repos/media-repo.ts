import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { accounts, media, postGroupMedia, postGroups, postMedia, posts } from '../schema/index.js';
import { decodeCursor, toPage, type Page } from './pagination.js';

export type MediaRow = typeof media.$inferSelect;

/** A post or a post group that uses a file. */
export interface MediaUse {
  readonly kind: 'post' | 'group';
  readonly id: string;
  /** For a post: its account's name and platform, and its status. */
  readonly accountName: string | null;
  readonly platform: string | null;
  readonly status: string | null;
}

/** `%`, `_` and the escape character itself match only themselves in a LIKE pattern. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

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
    /** The file a public key names: the original, its JPEG copy, its thumbnail or its poster. */
    byKey(key: string): MediaRow | undefined {
      return db
        .select()
        .from(media)
        .where(or(eq(media.key, key), eq(media.jpegKey, key), eq(media.thumbKey, key), eq(media.posterKey, key)))
        .get();
    },
    /**
     * The library's page: newest first, paged by (created_at, id), optionally only files whose
     * name or alt text contains `q`.
     */
    search(clientId: string, q: string, limit: number, cursor?: string): Page<MediaRow> {
      const after = decodeCursor(cursor);
      const at = after && typeof after.key === 'number' ? after.key : null;
      const pattern = q ? likePattern(q) : null;
      const rows = db
        .select()
        .from(media)
        .where(
          and(
            eq(media.clientId, clientId),
            pattern
              ? sql`(${media.name} LIKE ${pattern} ESCAPE '\\' OR ${media.altText} LIKE ${pattern} ESCAPE '\\')`
              : undefined,
            after && at !== null
              ? sql`(${media.createdAt} < ${at} OR (${media.createdAt} = ${at} AND ${media.id} < ${after.id}))`
              : undefined,
          ),
        )
        .orderBy(desc(media.createdAt), desc(media.id))
        .limit(limit + 1)
        .all();
      return toPage(rows, limit, (r) => [r.createdAt, r.id]);
    },
    /** Who uses each file (posts through post_media, groups through post_group_media), in one query. */
    usage(ids: readonly string[]): Map<string, MediaUse[]> {
      const out = new Map<string, MediaUse[]>();
      if (ids.length === 0) return out;
      const list = [...ids];
      const postUses = db
        .selectDistinct({
          mediaId: postMedia.mediaId,
          kind: sql<'post' | 'group'>`'post'`.as('kind'),
          id: posts.id,
          accountName: sql<string | null>`${accounts.name}`.as('account_name'),
          platform: sql<string | null>`${accounts.platform}`.as('platform'),
          status: sql<string | null>`${posts.status}`.as('status'),
        })
        .from(postMedia)
        .innerJoin(posts, eq(posts.id, postMedia.postId))
        .innerJoin(accounts, eq(accounts.id, posts.accountId))
        .where(inArray(postMedia.mediaId, list));
      const groupUses = db
        .selectDistinct({
          mediaId: postGroupMedia.mediaId,
          kind: sql<'post' | 'group'>`'group'`.as('kind'),
          id: postGroups.id,
          accountName: sql<string | null>`NULL`.as('account_name'),
          platform: sql<string | null>`NULL`.as('platform'),
          status: sql<string | null>`NULL`.as('status'),
        })
        .from(postGroupMedia)
        .innerJoin(postGroups, eq(postGroups.id, postGroupMedia.groupId))
        .where(inArray(postGroupMedia.mediaId, list));
      for (const { mediaId, ...use } of postUses.unionAll(groupUses).all()) {
        const uses = out.get(mediaId) ?? [];
        uses.push(use);
        out.set(mediaId, uses);
      }
      return out;
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
    /** Used by a post or by a post group's shared media. */
    isUsed(id: string): boolean {
      const inPost = db.select({ one: sql`1` }).from(postMedia).where(eq(postMedia.mediaId, id)).limit(1).get();
      if (inPost) return true;
      return (
        db.select({ one: sql`1` }).from(postGroupMedia).where(eq(postGroupMedia.mediaId, id)).limit(1).get() !==
        undefined
      );
    },
    delete(id: string): void {
      db.delete(media).where(eq(media.id, id)).run();
    },
  };
}
