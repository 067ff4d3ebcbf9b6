import { transition, type PostEvent } from '../../domain/post-status.js';
import type { Database } from '../../db/client.js';
import type { PostRow, Repos } from '../../db/repos/index.js';
import type { Clock } from '../../lib/clock.js';
import type { PostLogEntry } from '../posts-service.js';

export interface SettleDeps {
  database: Database;
  repos: Repos;
  clock: Clock;
  log(postId: string, entry: PostLogEntry): void;
}

/**
 * Moves a post on from an attempt's outcome, through the transition table. Keyed by the attempt:
 * a process whose attempt was taken over can only ever settle its own attempt (recording what
 * happened on the platform is always right), never someone else's.
 */
export function settleAttempt(
  deps: SettleDeps,
  postId: string,
  attemptId: string,
  event: PostEvent,
  options: { patch?: Partial<PostRow>; outcome: 'published' | 'failed' | 'retry' | 'unknown' | 'abandoned'; log: Omit<PostLogEntry, 'attemptId'>; from?: readonly PostRow['status'][] },
): boolean {
  const now = deps.clock.now();
  return deps.database.immediate(() => {
    const post = deps.repos.publishing.postOfAttempt(postId, attemptId, options.from ?? ['publishing', 'unconfirmed']);
    if (!post) return false;
    const to = transition(post.status, event);
    const patch: Partial<PostRow> = { status: to, updatedAt: now, ...options.patch };
    if (to !== 'scheduled') patch.dueAt = null;
    deps.repos.posts.update(postId, patch, post.version);
    if (options.outcome !== 'unknown') deps.repos.publishing.finishAttempt(attemptId, options.outcome, now, to === 'published' ? null : (patch.lastError ?? null));
    deps.log(postId, { ...options.log, attemptId });
    return true;
  });
}
