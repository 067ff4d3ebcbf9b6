import type { Database } from '../client.js';
import { posts, publishAttempts } from '../schema/index.js';
import { postRow, selectList } from './columns.js';
import type { PostRow } from './posts-repo.js';

type CommentStatus = PostRow['firstCommentStatus'];

export type AttemptRow = typeof publishAttempts.$inferSelect;

export interface Fence {
  lease: string;
  holder: string;
  epoch: number;
  now: number;
}

// The lease check every claim carries, inside the same write transaction (the fencing token).
const FENCE = 'EXISTS (SELECT 1 FROM leases WHERE name = ? AND holder = ? AND epoch = ? AND expires_at > ?)';

// Posts whose account may publish now: connected, not paused, its platform not paused, and not
// already busy in this process (at most one publish in flight per account).
const READY = `
  FROM posts p JOIN accounts a ON a.id = p.account_id
  WHERE p.status = 'scheduled' AND p.due_at <= ?
    AND a.status = 'connected' AND (a.paused_until IS NULL OR a.paused_until <= ?)
    AND a.platform NOT IN (SELECT value FROM json_each(?))
    AND a.id NOT IN (SELECT value FROM json_each(?))`;

/** Ready posts, oldest due first: read off posts_due_idx (status, due_at, id) in order, never sorted. */
export const READY_POSTS =
  'SELECT p.id AS id, p.account_id AS accountId, p.scheduled_at AS scheduledAt, p.attempts AS attempts ' +
  `${READY} ORDER BY p.due_at, p.id LIMIT ?`;

/** The engine's queries: the database is the queue. */
export function publishingRepo(database: Database) {
  const { stmt } = database;
  const POST_COLUMNS = selectList(posts, 'p');
  const ATTEMPT_COLUMNS = selectList(publishAttempts, 't');

  function parseAttempt(row: (Omit<AttemptRow, 'state'> & { state: string }) | undefined): AttemptRow | undefined {
    return row ? { ...row, state: JSON.parse(row.state) as Record<string, unknown> } : undefined;
  }

  return {
    /** Is anything ready to publish? One small indexed query, asked every second. */
    hasReady(now: number, pausedPlatforms: readonly string[], busyAccounts: readonly string[]): boolean {
      return (
        stmt(`SELECT 1 ${READY} LIMIT 1`).get(
          now,
          now,
          JSON.stringify(pausedPlatforms),
          JSON.stringify(busyAccounts),
        ) !== undefined
      );
    },

    /** Whether any scheduled post falls due by `at` (off the posts_due_idx index). */
    dueBy(at: number): boolean {
      return stmt("SELECT 1 FROM posts WHERE status = 'scheduled' AND due_at <= ? LIMIT 1").get(at) !== undefined;
    },

    /** Ready posts, oldest due first. */
    ready(
      now: number,
      pausedPlatforms: readonly string[],
      busyAccounts: readonly string[],
      limit: number,
    ): Array<{ id: string; accountId: string; scheduledAt: number; attempts: number }> {
      return stmt(READY_POSTS).all(
        now,
        now,
        JSON.stringify(pausedPlatforms),
        JSON.stringify(busyAccounts),
        limit,
      ) as Array<{
        id: string;
        accountId: string;
        scheduledAt: number;
        attempts: number;
      }>;
    },

    /** Scheduled posts never tried whose time is further back than the grace period. */
    overdue(before: number, limit: number): string[] {
      return (
        stmt(
          "SELECT id FROM posts WHERE status = 'scheduled' AND attempts = 0 AND scheduled_at < ? " +
            'ORDER BY scheduled_at LIMIT ?',
        ).all(before, limit) as Array<{ id: string }>
      ).map((r) => r.id);
    },

    /** Posts still awaiting approval at their time. */
    unapprovedAtSlot(now: number, limit: number): string[] {
      return (
        stmt(
          "SELECT id FROM posts WHERE status = 'pending_approval' AND scheduled_at <= ? ORDER BY scheduled_at LIMIT ?",
        ).all(now, limit) as Array<{ id: string }>
      ).map((r) => r.id);
    },

    hasOverdueOrUnapproved(graceBefore: number, now: number): boolean {
      return (
        stmt("SELECT 1 FROM posts WHERE status = 'scheduled' AND attempts = 0 AND scheduled_at < ? LIMIT 1").get(
          graceBefore,
        ) !== undefined ||
        stmt("SELECT 1 FROM posts WHERE status = 'pending_approval' AND scheduled_at <= ? LIMIT 1").get(now) !==
          undefined
      );
    },

    /**
     * Claims a due post for this attempt: scheduled → publishing, fenced by the lease epoch. Call
     * inside an immediate transaction; false means someone else has it, or we are not leader.
     * A publishing post is never due (domain `dueAtOf`): the claim clears due_at with the status.
     */
    claim(postId: string, attemptId: string, fence: Fence): boolean {
      return (
        stmt(
          `UPDATE posts SET status = 'publishing', current_attempt_id = ?, attempts = attempts + 1, due_at = NULL,
           updated_at = ?, version = version + 1
           WHERE id = ? AND status = 'scheduled' AND due_at <= ? AND ${FENCE}`,
        ).run(attemptId, fence.now, postId, fence.now, fence.lease, fence.holder, fence.epoch, fence.now).changes === 1
      );
    },

    insertAttempt(row: AttemptRow): void {
      stmt(
        'INSERT INTO publish_attempts (id, post_id, epoch, holder, step, state, started_at, sent_at, finished_at, ' +
          'outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
        row.id,
        row.postId,
        row.epoch,
        row.holder,
        row.step,
        JSON.stringify(row.state),
        row.startedAt,
        row.sentAt,
        row.finishedAt,
        row.outcome,
        row.error,
      );
    },

    getAttempt(id: string): AttemptRow | undefined {
      return parseAttempt(stmt(`SELECT ${ATTEMPT_COLUMNS} FROM publish_attempts t WHERE t.id = ?`).get(id) as never);
    },

    /** The newest attempt of a post before `attemptId` (its saved ids may be reused). */
    previousAttempt(postId: string, attemptId: string): AttemptRow | undefined {
      return parseAttempt(
        stmt(
          `SELECT ${ATTEMPT_COLUMNS} FROM publish_attempts t ` +
            'WHERE t.post_id = ? AND t.id < ? ORDER BY t.id DESC LIMIT 1',
        ).get(postId, attemptId) as never,
      );
    },

    saveState(attemptId: string, state: Record<string, unknown>, step: string): void {
      stmt('UPDATE publish_attempts SET state = ?, step = ? WHERE id = ?').run(JSON.stringify(state), step, attemptId);
    },

    /**
     * Records, in its own commit, that the publish call is about to leave. Fenced twice: the
     * attempt must still be the post's current one (a takeover may have moved it on) and our
     * lease epoch must still be current. Nothing is sent unless this returns true.
     */
    markSent(postId: string, attemptId: string, fence: Fence): boolean {
      const ok =
        stmt(
          "UPDATE posts SET sends = sends + 1 WHERE id = ? AND status = 'publishing' " +
            `AND current_attempt_id = ? AND ${FENCE}`,
        ).run(postId, attemptId, fence.lease, fence.holder, fence.epoch, fence.now).changes === 1;
      if (ok) stmt("UPDATE publish_attempts SET sent_at = ?, step = 'send' WHERE id = ?").run(fence.now, attemptId);
      return ok;
    },

    /**
     * Records, in its own commit, that a published post's first comment is about to leave
     * (`due` → `sent`, one more send). Fenced like `markSent`: the attempt that published the post
     * must still be its current one and our lease epoch current. Nothing is sent unless this is true.
     */
    markCommentSent(postId: string, attemptId: string, fence: Fence): boolean {
      return (
        stmt(
          "UPDATE posts SET first_comment_status = 'sent', first_comment_sent_at = ?, " +
            'first_comment_sends = first_comment_sends + 1, first_comment_retry_at = NULL ' +
            "WHERE id = ? AND status = 'published' AND current_attempt_id = ? AND first_comment_status = 'due' " +
            `AND ${FENCE}`,
        ).run(fence.now, postId, attemptId, fence.lease, fence.holder, fence.epoch, fence.now).changes === 1
      );
    },

    /** Moves a first comment on from one of `from`; false when it was no longer there. */
    settleComment(
      postId: string,
      from: readonly CommentStatus[],
      to: { status: CommentStatus; commentId?: string; error?: string | null; retryAt?: number | null },
    ): boolean {
      return (
        stmt(
          'UPDATE posts SET first_comment_status = ?, first_comment_id = coalesce(?, first_comment_id), ' +
            'first_comment_error = ?, first_comment_retry_at = ? ' +
            'WHERE id = ? AND first_comment_status IN (SELECT value FROM json_each(?))',
        ).run(to.status, to.commentId ?? null, to.error ?? null, to.retryAt ?? null, postId, JSON.stringify(from))
          .changes === 1
      );
    },

    /** Published posts whose first comment is due or sent and whose retry time has come. */
    commentsToSettle(limit: number, now: number): Array<{ id: string; status: 'due' | 'sent' }> {
      return stmt(
        'SELECT id, first_comment_status AS status FROM posts ' +
          "WHERE first_comment_status IN ('due', 'sent') AND status = 'published' " +
          'AND (first_comment_retry_at IS NULL OR first_comment_retry_at <= ?) ' +
          'ORDER BY first_comment_retry_at, id LIMIT ?',
      ).all(now, limit) as Array<{ id: string; status: 'due' | 'sent' }>;
    },

    /** Records how an attempt ended; `finishedAt` stays null while the outcome is still unconfirmed. */
    finishAttempt(attemptId: string, outcome: AttemptRow['outcome'], now: number | null, error: string | null): void {
      stmt('UPDATE publish_attempts SET outcome = ?, finished_at = ?, error = ? WHERE id = ?').run(
        outcome,
        now,
        error,
        attemptId,
      );
    },

    /** The post row if `attemptId` is still its current attempt, in one of `statuses`. */
    postOfAttempt(postId: string, attemptId: string, statuses: readonly PostRow['status'][]): PostRow | undefined {
      const row = stmt(
        `SELECT ${POST_COLUMNS} FROM posts p WHERE p.id = ? AND p.current_attempt_id = ? ` +
          'AND p.status IN (SELECT value FROM json_each(?))',
      ).get(postId, attemptId, JSON.stringify(statuses)) as PostRow | undefined;
      return row && postRow(row);
    },

    /** Posts left `publishing` by attempts not running in this process. */
    publishingPosts(limit: number): Array<{ id: string; attemptId: string | null }> {
      return stmt(
        "SELECT id, current_attempt_id AS attemptId FROM posts WHERE status = 'publishing' ORDER BY updated_at LIMIT ?",
      ).all(limit) as Array<{ id: string; attemptId: string | null }>;
    },

    unconfirmedPosts(limit: number): Array<{ id: string; attemptId: string | null; accountId: string }> {
      return stmt(
        'SELECT id, current_attempt_id AS attemptId, account_id AS accountId FROM posts ' +
          "WHERE status = 'unconfirmed' ORDER BY updated_at LIMIT ?",
      ).all(limit) as Array<{
        id: string;
        attemptId: string | null;
        accountId: string;
      }>;
    },
  };
}
