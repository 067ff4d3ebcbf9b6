import { transition, type AttemptOutcome } from '../../domain/post-status.js';
import type { Database } from '../../db/client.js';
import type { PostPatch, PostRow, Repos } from '../../db/repos/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Notices } from '../notices.js';
import type { PostLogEntry } from '../posts-service.js';

export interface SettleDeps {
  database: Database;
  repos: Repos;
  clock: Clock;
  log(postId: string, entry: PostLogEntry): void;
  /** Writes the event an outcome means (published, failed) in the same commit as the outcome. */
  notices: Notices;
  /** Counts the outcome (the publish metric), after it is committed. */
  onOutcome?: ((platform: string, outcome: AttemptOutcome) => void) | undefined;
}

/**
 * Moves a post on from an attempt's outcome. One word does it all: it is the transition event,
 * the outcome stored on the attempt and the metric label. Keyed by the attempt: a process whose
 * attempt was taken over can only ever settle its own attempt (recording what happened on the
 * platform is always right), never someone else's.
 */
export function settleAttempt(
  deps: SettleDeps,
  postId: string,
  attemptId: string,
  outcome: AttemptOutcome,
  options: { patch?: PostPatch; log: Omit<PostLogEntry, 'attemptId'>; from?: readonly PostRow['status'][] },
): boolean {
  const now = deps.clock.now();
  const platform = deps.database.immediate(() => {
    const post = deps.repos.publishing.postOfAttempt(postId, attemptId, options.from ?? ['publishing', 'unconfirmed']);
    if (!post) return null;
    const to = transition(post.status, outcome);
    const patch: PostPatch = { status: to, updatedAt: now, ...options.patch };
    deps.repos.posts.update(postId, patch, post.version);
    // An unconfirmed attempt is not over: the reconciler settles it again once the platform tells.
    const finishedAt = outcome === 'unconfirmed' ? null : now;
    const error = to === 'published' ? null : (patch.lastError ?? null);
    deps.repos.publishing.finishAttempt(attemptId, outcome, finishedAt, error);
    deps.log(postId, { ...options.log, attemptId });
    deps.notices.postChanged(post, deps.repos.posts.get(postId)!, outcome, null);
    return deps.repos.accounts.get(post.accountId)?.platform ?? 'unknown';
  });
  if (platform === null) return false;
  deps.onOutcome?.(platform, outcome);
  return true;
}
