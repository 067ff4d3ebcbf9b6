import type { PostMetricValues } from '../../domain/metrics.js';
import type { Database } from '../client.js';

/** A published post as the period query reads it, before its numbers. */
type PostBase = Pick<
  PostResultRow,
  | 'postId'
  | 'accountId'
  | 'platform'
  | 'accountName'
  | 'ruleId'
  | 'ruleName'
  | 'topic'
  | 'caption'
  | 'permalink'
  | 'publishedAt'
>;

/** A published post with its latest snapshot (null values when none was collected yet). */
export interface PostResultRow {
  postId: string;
  accountId: string;
  platform: string;
  accountName: string;
  ruleId: string | null;
  ruleName: string | null;
  topic: string | null;
  caption: string;
  permalink: string | null;
  publishedAt: number;
  /** The first media of the post, for a thumbnail. */
  mediaId: string | null;
  horizon: string | null;
  collectedAt: number | null;
  views: number | null;
  reach: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  saves: number | null;
  clicks: number | null;
  follows: number | null;
  watchTimeMs: number | null;
}

export interface AccountDayRow {
  accountId: string;
  platform: string;
  day: string;
  followers: number | null;
  views: number | null;
  reach: number | null;
  engagements: number | null;
}

export function resultsRepo({ stmt }: Database) {
  // Three flat reads over the period's posts (found by posts_client_published_idx) instead of one
  // query with a correlated subquery per post: at two years of history the subqueries were most of
  // the Results page's time.
  const PERIOD = `p.client_id = ? AND p.status = 'published' AND p.published_at >= ? AND p.published_at < ?`;
  const POSTS = `
    SELECT p.id AS postId, p.account_id AS accountId, a.platform AS platform, a.name AS accountName,
           p.rule_id AS ruleId, r.name AS ruleName, p.topic AS topic, p.caption AS caption,
           p.permalink AS permalink, p.published_at AS publishedAt
      FROM posts p
      JOIN accounts a ON a.id = p.account_id
      LEFT JOIN rules r ON r.id = p.rule_id
     WHERE ${PERIOD}
     ORDER BY p.published_at, p.id`;
  // One row per post: SQLite takes the bare columns of an aggregate query from the row that has the
  // max() (https://www.sqlite.org/lang_select.html#bare_columns_in_an_aggregate_query), so this is
  // each post's latest good snapshot without reading its earlier ones into JavaScript.
  const SNAPSHOTS = `
    SELECT m.post_id AS postId, m.horizon AS horizon, max(m.collected_at) AS collectedAt, m.views AS views,
           m.reach AS reach, m.likes AS likes, m.comments AS comments, m.shares AS shares, m.saves AS saves,
           m.clicks AS clicks, m.follows AS follows, m.watch_time_ms AS watchTimeMs
      FROM posts p JOIN post_metrics m ON m.post_id = p.id
     WHERE ${PERIOD} AND m.error IS NULL
     GROUP BY m.post_id`;
  const MEDIA = `
    SELECT pm.post_id AS postId, pm.media_id AS mediaId, pm.position AS position
      FROM posts p JOIN post_media pm ON pm.post_id = p.id
     WHERE ${PERIOD}`;
  const ACCOUNT_DAYS = `
    SELECT d.account_id AS accountId, d.platform AS platform, d.day AS day, d.followers AS followers,
           d.views AS views, d.reach AS reach, d.engagements AS engagements
      FROM account_metrics d
     WHERE d.client_id = ? AND d.day >= ? AND d.day <= ?
     ORDER BY d.day, d.account_id`;
  // The same period over many clients (an index range of posts_client_published_idx per client).
  const MANY = `p.client_id IN (SELECT value FROM json_each(?)) AND p.status = 'published'
    AND p.published_at >= ? AND p.published_at < ?`;
  const PUBLISHED_PER_CLIENT = `SELECT p.client_id AS clientId, count(*) AS n FROM posts p WHERE ${MANY}
    GROUP BY p.client_id`;
  // Bare columns from the max() row, as in SNAPSHOTS; the aggregate column itself is not read.
  const LATEST_NUMBERS = `
    SELECT p.client_id AS clientId, max(m.collected_at) AS collectedAt, m.views AS views, m.reach AS reach,
           m.likes AS likes, m.comments AS comments, m.shares AS shares, m.saves AS saves, m.clicks AS clicks,
           m.follows AS follows, m.watch_time_ms AS watchTimeMs
      FROM posts p JOIN post_metrics m ON m.post_id = p.id
     WHERE ${MANY} AND m.error IS NULL
     GROUP BY m.post_id`;
  type Snapshot = Omit<PostResultRow, keyof Omit<PostBase, 'postId'> | 'mediaId'>;
  return {
    /**
     * A client's published posts in [from, to), each with its latest good snapshot (horizons only
     * grow, so the latest collected is the fullest; of two collected in the same millisecond, one)
     * and its first media.
     */
    postsInPeriod(clientId: string, from: number, to: number): PostResultRow[] {
      const latest = new Map<string, Snapshot>();
      for (const snap of stmt(SNAPSHOTS).all(clientId, from, to) as Snapshot[]) latest.set(snap.postId, snap);
      const first = new Map<string, { mediaId: string; position: number }>();
      for (const m of stmt(MEDIA).all(clientId, from, to) as Array<{
        postId: string;
        mediaId: string;
        position: number;
      }>) {
        const seen = first.get(m.postId);
        if (!seen || m.position < seen.position) first.set(m.postId, m);
      }
      // Built field by field: spreading three objects into one per post was a third of the page's time.
      return (stmt(POSTS).all(clientId, from, to) as PostBase[]).map((post) => {
        const snap = latest.get(post.postId);
        return {
          postId: post.postId,
          accountId: post.accountId,
          platform: post.platform,
          accountName: post.accountName,
          ruleId: post.ruleId,
          ruleName: post.ruleName,
          topic: post.topic,
          caption: post.caption,
          permalink: post.permalink,
          publishedAt: post.publishedAt,
          mediaId: first.get(post.postId)?.mediaId ?? null,
          horizon: snap?.horizon ?? null,
          collectedAt: snap?.collectedAt ?? null,
          views: snap?.views ?? null,
          reach: snap?.reach ?? null,
          likes: snap?.likes ?? null,
          comments: snap?.comments ?? null,
          shares: snap?.shares ?? null,
          saves: snap?.saves ?? null,
          clicks: snap?.clicks ?? null,
          follows: snap?.follows ?? null,
          watchTimeMs: snap?.watchTimeMs ?? null,
        };
      });
    },
    /**
     * For the agency-wide totals: of these clients' posts published in [from, to), how many there are per
     * client and each measured one's latest good snapshot (numbers only: no captions, names or media).
     */
    totalsInPeriod(
      clientIds: readonly string[],
      from: number,
      to: number,
    ): { published: Map<string, number>; measured: Array<{ clientId: string } & PostMetricValues> } {
      const ids = JSON.stringify(clientIds);
      const published = new Map<string, number>();
      for (const row of stmt(PUBLISHED_PER_CLIENT).all(ids, from, to) as Array<{ clientId: string; n: number }>)
        published.set(row.clientId, row.n);
      const measured = stmt(LATEST_NUMBERS).all(ids, from, to) as Array<{ clientId: string } & PostMetricValues>;
      return { published, measured };
    },
    /** A client's account days from `fromDay` to `toDay` inclusive (`YYYY-MM-DD`). */
    accountDays(clientId: string, fromDay: string, toDay: string): AccountDayRow[] {
      return stmt(ACCOUNT_DAYS).all(clientId, fromDay, toDay) as AccountDayRow[];
    },
  };
}
