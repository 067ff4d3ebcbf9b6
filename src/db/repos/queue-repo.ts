import { and, asc, eq, gte, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { posts } from '../schema/index.js';
import type { PostRow, PostStatusValue } from './posts-repo.js';

/** A post holds its time in its account's queue in these statuses (a draft holds nothing). */
export const TAKING_STATUSES: readonly PostStatusValue[] = [
  'pending_approval',
  'scheduled',
  'publishing',
  'unconfirmed',
  'published',
];

/** What the queue needs to know about a post at a time. */
export type QueuePost = Pick<
  PostRow,
  'id' | 'accountId' | 'status' | 'scheduledAt' | 'queued' | 'version' | 'caption' | 'groupId'
>;

const QUEUE_COLUMNS = {
  id: posts.id,
  accountId: posts.accountId,
  status: posts.status,
  scheduledAt: posts.scheduledAt,
  queued: posts.queued,
  version: posts.version,
  caption: posts.caption,
  groupId: posts.groupId,
};

export function queueRepo(database: Database) {
  const { db } = database;
  return {
    /** The account's posts holding a time in [from, to], by time (the account/time index). */
    takenBetween(accountId: string, from: number, to: number): QueuePost[] {
      return db
        .select(QUEUE_COLUMNS)
        .from(posts)
        .where(
          and(
            eq(posts.accountId, accountId),
            gte(posts.scheduledAt, from),
            lte(posts.scheduledAt, to),
            inArray(posts.status, [...TAKING_STATUSES]),
          ),
        )
        .orderBy(asc(posts.scheduledAt), asc(posts.id))
        .all();
    },
    /** Whether any post of the account holds exactly this instant. */
    isTaken(accountId: string, at: number, exceptPostId?: string): boolean {
      const row = db
        .select({ id: posts.id })
        .from(posts)
        .where(
          and(
            eq(posts.accountId, accountId),
            eq(posts.scheduledAt, at),
            inArray(posts.status, [...TAKING_STATUSES]),
            exceptPostId ? sql`${posts.id} != ${exceptPostId}` : undefined,
          ),
        )
        .get();
      return row !== undefined;
    },
    /** Published posts marked evergreen: what the evergreen job looks at. */
    evergreenSources(): PostRow[] {
      return db
        .select()
        .from(posts)
        .where(and(isNotNull(posts.evergreen), eq(posts.status, 'published')))
        .orderBy(asc(posts.publishedAt))
        .all();
    },
    /** The copies made of an evergreen post, by round. */
    evergreenCopies(sourceId: string): PostRow[] {
      return db
        .select()
        .from(posts)
        .where(eq(posts.evergreenSourceId, sourceId))
        .orderBy(asc(posts.evergreenRound))
        .all();
    },
  };
}
