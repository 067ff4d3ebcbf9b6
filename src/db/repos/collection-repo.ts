import type { Horizon } from '../../domain/metrics.js';
import type { Database } from '../client.js';

/** A published post whose current horizon has no snapshot yet. */
export interface DuePostRow {
  postId: string;
  clientId: string;
  accountId: string;
  platform: string;
  externalId: string;
  permalink: string | null;
  publishedAt: number;
  options: string | null;
  /** The horizon it is measured at now (the latest that has passed). */
  horizon: Horizon;
}

/** A connected account that reads results, with its client's time zone and its last stored day. */
export interface CollectableAccountRow {
  accountId: string;
  clientId: string;
  platform: string;
  timezone: string;
  lastDay: string | null;
  /** When its latest day was read (ms), to read each account once a day. */
  lastCollectedAt: number | null;
}

/**
 * The queries of results collection (src/services/metrics-collection-service.ts): what is due.
 * The snapshot tables are the progress: nothing else records where collection stands.
 */
export function collectionRepo(database: Database) {
  return {
    /**
     * Published posts due a snapshot at `now`: the latest horizon that has passed (offsets in
     * `horizons`, shortest first) has no row yet, and no row says the post is gone. Posts older
     * than `oldest` are done for good; accounts blocked or not connected wait.
     */
    duePosts(
      now: number,
      horizons: readonly { id: string; afterMs: number }[],
      oldest: number,
      limit: number,
      platforms: readonly string[],
    ): DuePostRow[] {
      const cases = [...horizons]
        .reverse()
        .map((h) => `WHEN ${now} - p.published_at >= ${Math.trunc(h.afterMs)} THEN '${h.id.replace(/'/g, '')}'`)
        .join(' ');
      const first = Math.trunc(horizons[0]!.afterMs);
      // Built per call (the CASE carries `now`), so not a cached statement: it runs once per run.
      return database.sqlite
        .prepare(
          `SELECT * FROM (
             SELECT p.id AS postId, p.client_id AS clientId, p.account_id AS accountId, a.platform AS platform,
                    p.external_id AS externalId, p.permalink AS permalink, p.published_at AS publishedAt,
                    p.options AS options, CASE ${cases} END AS horizon
               FROM posts p JOIN accounts a ON a.id = p.account_id
              WHERE p.status = 'published' AND p.external_id IS NOT NULL
                AND p.published_at >= ? AND p.published_at <= ?
                AND a.status = 'connected' AND a.insights_blocked IS NULL
                AND a.platform IN (SELECT value FROM json_each(?))) d
           WHERE NOT EXISTS (SELECT 1 FROM post_metrics m
                              WHERE m.post_id = d.postId AND (m.horizon = d.horizon OR m.error IS NOT NULL))
           ORDER BY d.publishedAt DESC LIMIT ?`,
        )
        .all(oldest, now - first, JSON.stringify(platforms), limit) as DuePostRow[];
    },
    /** Media kinds of posts, first to last. */
    mediaKinds(postIds: readonly string[]): Map<string, ('image' | 'video')[]> {
      const out = new Map<string, ('image' | 'video')[]>();
      if (!postIds.length) return out;
      const rows = database.sqlite
        .prepare(
          `SELECT pm.post_id AS postId, m.mime AS mime FROM post_media pm JOIN media m ON m.id = pm.media_id
            WHERE pm.post_id IN (SELECT value FROM json_each(?)) ORDER BY pm.post_id, pm.position`,
        )
        .all(JSON.stringify(postIds)) as { postId: string; mime: string }[];
      for (const r of rows) {
        const list = out.get(r.postId) ?? [];
        list.push(r.mime.startsWith('video/') ? 'video' : 'image');
        out.set(r.postId, list);
      }
      return out;
    },

    /** Connected, unblocked accounts on the platforms with a reader, with their last stored day. */
    accounts(platforms: readonly string[]): CollectableAccountRow[] {
      return database.sqlite
        .prepare(
          `SELECT a.id AS accountId, a.client_id AS clientId, a.platform AS platform, c.timezone AS timezone,
                  (SELECT max(day) FROM account_metrics m WHERE m.account_id = a.id) AS lastDay,
                  (SELECT max(collected_at) FROM account_metrics m WHERE m.account_id = a.id) AS lastCollectedAt
             FROM accounts a JOIN clients c ON c.id = a.client_id
            WHERE a.status = 'connected' AND a.insights_blocked IS NULL
              AND a.platform IN (SELECT value FROM json_each(?))
            ORDER BY lastCollectedAt IS NOT NULL, lastCollectedAt, a.id`,
        )
        .all(JSON.stringify(platforms)) as CollectableAccountRow[];
    },

    /** Results cannot be read for the account until it is reconnected with the permissions (null clears). */
    setInsightsBlocked(accountId: string, why: string | null, now: number): void {
      database.sqlite
        .prepare('UPDATE accounts SET insights_blocked = ?, updated_at = ? WHERE id = ?')
        .run(why, now, accountId);
    },
  };
}

/** One snapshot of a client's post, for the post metrics export. */
export interface SnapshotExportRow {
  postId: string;
  publishedAt: number;
  platform: string;
  accountName: string;
  caption: string;
  permalink: string | null;
  horizon: string;
  collectedAt: number;
  views: number | null;
  reach: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  saves: number | null;
  clicks: number | null;
  follows: number | null;
  watchTimeMs: number | null;
  error: string | null;
}

/** One account day, for the account metrics export. */
export interface AccountDayExportRow {
  day: string;
  accountId: string;
  platform: string;
  accountName: string;
  followers: number | null;
  views: number | null;
  reach: number | null;
  engagements: number | null;
}

/**
 * The exports' pages: keyset-paged so a long period streams in bounded pieces, with no query left
 * open between pieces (the connection stays free for everything else).
 */
export function exportRepo({ stmt }: Database) {
  const SNAPSHOTS = `
    SELECT p.id AS postId, p.published_at AS publishedAt, m.platform AS platform, a.name AS accountName,
           p.caption AS caption, p.permalink AS permalink, m.horizon AS horizon, m.collected_at AS collectedAt,
           m.views AS views, m.reach AS reach, m.likes AS likes, m.comments AS comments, m.shares AS shares,
           m.saves AS saves, m.clicks AS clicks, m.follows AS follows, m.watch_time_ms AS watchTimeMs,
           m.error AS error
      FROM posts p
      JOIN post_metrics m ON m.post_id = p.id
      JOIN accounts a ON a.id = p.account_id
     WHERE p.client_id = ? AND p.status = 'published' AND p.published_at >= ? AND p.published_at < ?
       AND (p.published_at, p.id, m.collected_at, m.horizon) > (?, ?, ?, ?)
     ORDER BY p.published_at, p.id, m.collected_at, m.horizon
     LIMIT ?`;
  const DAYS = `
    SELECT d.day AS day, d.account_id AS accountId, d.platform AS platform, a.name AS accountName,
           d.followers AS followers, d.views AS views, d.reach AS reach, d.engagements AS engagements
      FROM account_metrics d JOIN accounts a ON a.id = d.account_id
     WHERE d.client_id = ? AND d.day >= ? AND d.day <= ? AND (d.day, d.account_id) > (?, ?)
     ORDER BY d.day, d.account_id
     LIMIT ?`;
  return {
    /** The snapshots of posts published in [from, to), after `after` (the last row of the previous page). */
    snapshots(
      clientId: string,
      from: number,
      to: number,
      after: SnapshotExportRow | null,
      limit: number,
    ): SnapshotExportRow[] {
      return stmt(SNAPSHOTS).all(
        clientId,
        from,
        to,
        after?.publishedAt ?? -1,
        after?.postId ?? '',
        after?.collectedAt ?? -1,
        after?.horizon ?? '',
        limit,
      ) as SnapshotExportRow[];
    },
    /** Account days from `fromDay` to `toDay` inclusive, after `after`. */
    accountDays(
      clientId: string,
      fromDay: string,
      toDay: string,
      after: AccountDayExportRow | null,
      limit: number,
    ): AccountDayExportRow[] {
      return stmt(DAYS).all(
        clientId,
        fromDay,
        toDay,
        after?.day ?? '',
        after?.accountId ?? '',
        limit,
      ) as AccountDayExportRow[];
    },
  };
}
