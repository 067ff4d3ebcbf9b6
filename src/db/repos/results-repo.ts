import type { Database } from '../client.js';

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
  // The latest good snapshot of each post: horizons only grow, so the latest collected is the fullest.
  // Exactly one: two horizons written in the same millisecond (a late catch-up) must not list the post twice.
  const POSTS = `
    SELECT p.id AS postId, p.account_id AS accountId, a.platform AS platform, a.name AS accountName,
           p.rule_id AS ruleId, r.name AS ruleName, p.topic AS topic, p.caption AS caption,
           p.permalink AS permalink, p.published_at AS publishedAt,
           (SELECT pm2.media_id FROM post_media pm2 WHERE pm2.post_id = p.id ORDER BY pm2.position LIMIT 1) AS mediaId,
           m.horizon AS horizon, m.collected_at AS collectedAt, m.views AS views, m.reach AS reach,
           m.likes AS likes, m.comments AS comments, m.shares AS shares, m.saves AS saves, m.clicks AS clicks,
           m.follows AS follows, m.watch_time_ms AS watchTimeMs
      FROM posts p
      JOIN accounts a ON a.id = p.account_id
      LEFT JOIN rules r ON r.id = p.rule_id
      LEFT JOIN post_metrics m ON m.post_id = p.id AND m.horizon = (
        SELECT m2.horizon FROM post_metrics m2 WHERE m2.post_id = p.id AND m2.error IS NULL
         ORDER BY m2.collected_at DESC, m2.horizon LIMIT 1)
     WHERE p.client_id = ? AND p.status = 'published' AND p.published_at >= ? AND p.published_at < ?
     ORDER BY p.published_at, p.id`;
  const ACCOUNT_DAYS = `
    SELECT d.account_id AS accountId, d.platform AS platform, d.day AS day, d.followers AS followers,
           d.views AS views, d.reach AS reach, d.engagements AS engagements
      FROM account_metrics d
     WHERE d.client_id = ? AND d.day >= ? AND d.day <= ?
     ORDER BY d.day, d.account_id`;
  return {
    /** A client's published posts in [from, to), each with its latest snapshot. */
    postsInPeriod(clientId: string, from: number, to: number): PostResultRow[] {
      return stmt(POSTS).all(clientId, from, to) as PostResultRow[];
    },
    /** A client's account days from `fromDay` to `toDay` inclusive (`YYYY-MM-DD`). */
    accountDays(clientId: string, fromDay: string, toDay: string): AccountDayRow[] {
      return stmt(ACCOUNT_DAYS).all(clientId, fromDay, toDay) as AccountDayRow[];
    },
  };
}
