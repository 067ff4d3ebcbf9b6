import type { Database } from '../client.js';
import { postGroups, posts } from '../schema/index.js';
import { inClientsSql } from './client-scope.js';
import { postRow, selectList } from './columns.js';
import { decodeCursor, toPage, type Page } from './pagination.js';
import { postsRepo, type PostFilter, type PostListItem, type PostRow } from './posts-repo.js';
import type { PostGroupRow } from './groups-repo.js';

/** The pipeline's and calendar's filters: the posts list's, plus labels (a post matches when it has any of them). */
export interface ListFilter extends PostFilter {
  labelIds?: readonly string[] | undefined;
}

/** What a list row shows of a post: a group card's member chips and the opened group's rows. */
export type ListedPost = Pick<
  PostListItem,
  | 'id'
  | 'groupId'
  | 'clientId'
  | 'accountId'
  | 'status'
  | 'scheduledAt'
  | 'caption'
  | 'lastError'
  | 'source'
  | 'clientName'
  | 'accountName'
  | 'platform'
  | 'clientTimezone'
  | 'version'
>;

/** A member of a post group, and whether it matches the list's filters (the others are shown dimmed). */
export type MemberItem = ListedPost & { matches: boolean };

/**
 * The lists that show a post group as one entry: the pipeline (keyset-paginated, one row per group)
 * and the calendar, with the members of the groups they show.
 */
export function groupListsRepo(database: Database) {
  const { stmt } = database;
  const POST_COLUMNS = selectList(posts, 'p');
  const names = postsRepo(database);

  /**
   * The filters as SQL conditions on the posts row `alias`. The text depends only on which filters
   * are present, so the prepared statements stay few and cached.
   */
  function conditions(filter: Omit<ListFilter, 'limit' | 'cursor'>, alias: string) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.clientId) {
      where.push(`${alias}.client_id = ?`);
      params.push(filter.clientId);
    }
    if (filter.clientIds) {
      const held = inClientsSql(`${alias}.client_id`, filter.clientIds);
      where.push(held.where);
      params.push(held.param);
    }
    if (filter.accountId) {
      where.push(`${alias}.account_id = ?`);
      params.push(filter.accountId);
    }
    if (filter.status?.length === 1) {
      where.push(`${alias}.status = ?`);
      params.push(filter.status[0]);
    } else if (filter.status?.length) {
      where.push(`${alias}.status IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(filter.status));
    }
    if (filter.from !== undefined) {
      where.push(`${alias}.scheduled_at >= ?`);
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push(`${alias}.scheduled_at < ?`);
      params.push(filter.to);
    }
    // One probe of post_labels' primary key (post_id, label_id) per post looked at.
    if (filter.labelIds?.length === 1) {
      where.push(`EXISTS (SELECT 1 FROM post_labels l WHERE l.post_id = ${alias}.id AND l.label_id = ?)`);
      params.push(filter.labelIds[0]);
    } else if (filter.labelIds?.length) {
      where.push(
        `EXISTS (SELECT 1 FROM post_labels l WHERE l.post_id = ${alias}.id ` +
          'AND l.label_id IN (SELECT value FROM json_each(?)))',
      );
      params.push(JSON.stringify(filter.labelIds));
    }
    return { where, params };
  }

  function afterCursor(cursor: string | undefined) {
    const after = decodeCursor(cursor);
    if (!after) return { where: [], params: [] };
    if (after.key === null)
      return { where: ['((p.scheduled_at IS NULL AND p.id > ?) OR p.scheduled_at IS NOT NULL)'], params: [after.id] };
    return {
      where: ['p.scheduled_at >= ? AND (p.scheduled_at > ? OR p.id > ?)'],
      params: [Number(after.key), Number(after.key), after.id],
    };
  }

  return {
    /**
     * Posts by (scheduled time, id), keyset-paginated like `posts.list`. With `collapse`, a group is
     * one row: its first matching member in that order, the others left out, so across pages a
     * group appears exactly once, where its first matching member would be. A member is left out
     * by one probe of the group_id index, never a query per row.
     */
    list(filter: ListFilter, options: { collapse: boolean }): Page<PostListItem> {
      const own = conditions(filter, 'p');
      const cursor = afterCursor(filter.cursor);
      const where = [...own.where, ...cursor.where];
      const params = [...own.params, ...cursor.params];
      if (options.collapse) {
        const other = conditions(filter, 'q');
        where.push(
          '(p.group_id IS NULL OR NOT EXISTS (SELECT 1 FROM posts q WHERE q.group_id = p.group_id' +
            other.where.map((w) => ` AND ${w}`).join('') +
            // q comes first in the list's order (NULL times sort first, as in ORDER BY).
            ' AND (q.scheduled_at < p.scheduled_at OR (q.scheduled_at IS NULL AND p.scheduled_at IS NOT NULL)' +
            ' OR (q.scheduled_at IS p.scheduled_at AND q.id < p.id))))',
        );
        params.push(...other.params);
      }
      params.push(filter.limit + 1);
      const rows = (
        stmt(
          `SELECT ${POST_COLUMNS} FROM posts p ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
            'ORDER BY p.scheduled_at, p.id LIMIT ?',
        ).all(...params) as PostRow[]
      ).map(postRow);
      const page = toPage(rows, filter.limit, (r) => [r.scheduledAt, r.id]);
      return { data: names.describe(page.data), nextCursor: page.nextCursor };
    },
    /** Every member of these groups by group id, in list order, each marked whether it matches `filter`. */
    members(groupIds: readonly string[], filter: Omit<ListFilter, 'limit' | 'cursor'> = {}): Map<string, MemberItem[]> {
      const out = new Map<string, MemberItem[]>();
      if (groupIds.length === 0) return out;
      const { where, params } = conditions(filter, 'p');
      const matches = where.length ? `CASE WHEN ${where.join(' AND ')} THEN 1 ELSE 0 END` : '1';
      // Only the columns the lists show, names joined in: a page may carry a few hundred members.
      const rows = stmt(
        'SELECT p.id, p.version, p.group_id AS groupId, p.client_id AS clientId, p.account_id AS accountId, ' +
          'p.status, ' +
          'p.scheduled_at AS scheduledAt, p.caption, p.last_error AS lastError, p.source, a.name AS accountName, ' +
          `a.platform, c.name AS clientName, c.timezone AS clientTimezone, ${matches} AS matches ` +
          'FROM posts p JOIN accounts a ON a.id = p.account_id JOIN clients c ON c.id = p.client_id ' +
          'WHERE p.group_id IN (SELECT value FROM json_each(?)) ORDER BY p.scheduled_at, p.id',
      ).all(...params, JSON.stringify([...new Set(groupIds)])) as Array<
        Omit<MemberItem, 'matches'> & { matches: 0 | 1 }
      >;
      for (const row of rows) {
        const list = out.get(row.groupId!) ?? [];
        list.push({ ...row, matches: row.matches === 1 });
        out.set(row.groupId!, list);
      }
      return out;
    },
    /** The groups themselves (shared caption, time), by id. */
    groups(ids: readonly string[]): Map<string, PostGroupRow> {
      if (ids.length === 0) return new Map();
      const rows = stmt(
        `SELECT ${selectList(postGroups, 'g')} FROM post_groups g WHERE g.id IN (SELECT value FROM json_each(?))`,
      ).all(JSON.stringify([...new Set(ids)])) as PostGroupRow[];
      return new Map(rows.map((g) => [g.id, g]));
    },
  };
}
