// After a restore from a replica, what the lost host may have sent in its last moments is not in
// the copy (docs/operations.md#restoring-on-a-fresh-host). The copy can say "scheduled" or
// "publishing, not sent" for a post the old host did send; sending it again would be a duplicate.
// So every such post is marked as sent with an unknown outcome, and the reconciler asks the
// network before anything goes out: found → published, proven absent → sent (once).
import type { Database } from './client.js';
import { newId } from '../lib/ids.js';

const MESSAGE =
  'Restored from the replica: the lost server may have sent this in its last moment. ' +
  'Herald checks the network before sending it.';

/** Marks the posts a lost host may have sent; returns how many. Runs on the restored file before Herald starts. */
export function holdPossiblySentPosts(database: Database, now: number): number {
  const { sqlite } = database;
  return database.immediate(() => {
    const log = sqlite.prepare(
      'INSERT INTO post_logs (post_id, attempt_id, step, level, message, created_at) ' +
        "VALUES (?, ?, 'restore', 'warn', ?, ?)",
    );
    // Due by now and never claimed in the copy: the claim and the send may be in the lost second.
    const due = sqlite.prepare("SELECT id FROM posts WHERE status = 'scheduled' AND due_at <= ?").all(now) as {
      id: string;
    }[];
    const attempt = sqlite.prepare(
      'INSERT INTO publish_attempts (id, post_id, epoch, holder, step, state, started_at, sent_at, finished_at, ' +
        "outcome, error) VALUES (?, ?, 0, 'restore', 'send', '{}', ?, ?, NULL, 'pending', NULL)",
    );
    const claim = sqlite.prepare(
      "UPDATE posts SET status = 'publishing', current_attempt_id = ?, attempts = attempts + 1, due_at = NULL, " +
        "sends = sends + 1, updated_at = ?, version = version + 1 WHERE id = ? AND status = 'scheduled'",
    );
    for (const { id } of due) {
      const attemptId = newId('att', now);
      attempt.run(attemptId, id, now, now);
      claim.run(attemptId, now, id);
      log.run(id, attemptId, MESSAGE, now);
    }
    // Claimed but not recorded as sent: the send may be in the lost second too.
    const unsent = sqlite
      .prepare(
        'SELECT p.id, p.current_attempt_id AS attemptId FROM posts p ' +
          "JOIN publish_attempts a ON a.id = p.current_attempt_id WHERE p.status = 'publishing' AND a.sent_at IS NULL",
      )
      .all() as { id: string; attemptId: string }[];
    const sent = sqlite.prepare("UPDATE publish_attempts SET sent_at = ?, step = 'send' WHERE id = ?");
    const sends = sqlite.prepare('UPDATE posts SET sends = sends + 1 WHERE id = ?');
    for (const { id, attemptId } of unsent) {
      sent.run(now, attemptId);
      sends.run(id);
      log.run(id, attemptId, MESSAGE, now);
    }
    return due.length + unsent.length;
  });
}
