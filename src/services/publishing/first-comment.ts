// The first comment: its own step after a post is published, with its own fenced send, its own
// saved id and its own reconciliation (docs/composer.md#first-comments). Whatever happens to the
// comment, the post stays published.
import type { PostWithMedia } from '../../db/repos/index.js';
import { backoffMs } from '../../lib/backoff.js';
import { PlatformError, type AttemptContext, type PublishResult } from '../../platforms/types.js';
import { buildContext } from './context.js';
import type { EngineRuntime } from './runtime.js';
import { grantsOf } from '../../domain/account-data.js';

/** Sends of one comment in all, refusals that asked for a retry included. */
const MAX_COMMENT_TRIES = 3;
/** Sends Herald makes on its own for a comment whose outcome was unknown: the second only after proof of absence. */
const MAX_COMMENT_RESENDS = 2;

/** The patch that makes a waiting first comment due, for the commit that settles its post as published. */
export function commentDue(post: { firstCommentStatus: string }): { firstCommentStatus?: 'due' } {
  return post.firstCommentStatus === 'waiting' ? { firstCommentStatus: 'due' } : {};
}

type CommentOutcome = 'posted' | 'retry' | 'failed' | 'skipped' | 'unknown' | 'not_sent';

function words(err: unknown): string {
  if (err instanceof Error)
    return err.name === 'TimeoutError' || err.name === 'AbortError'
      ? 'the platform did not answer in time'
      : err.message;
  return String(err);
}

/** The comment's context: the attempt that published the post, and what it published. */
function parentOf(engine: EngineRuntime, post: PostWithMedia, given?: AttemptContext) {
  const attempt = post.currentAttemptId ? engine.deps.repos.publishing.getAttempt(post.currentAttemptId) : undefined;
  if (!attempt || !post.externalId) return null;
  const ctx = given ?? buildContext(engine, post, attempt, AbortSignal.timeout(engine.options.requestTimeoutMs * 2));
  const result: PublishResult = { externalId: post.externalId, permalink: post.permalink };
  return { attempt, ctx, result };
}

/** Ends a sent comment as failed, with its event, in one commit. */
function failComment(engine: EngineRuntime, postId: string, message: string, code?: string): boolean {
  const { database, repos } = engine.deps;
  return database.immediate(() => {
    if (!repos.publishing.settleComment(postId, ['sent'], { status: 'failed', error: message })) return false;
    engine.settle.log(postId, { step: 'comment', level: 'error', message: `First comment failed: ${message}`, code });
    engine.settle.notices.firstCommentFailed(repos.posts.get(postId)!, message);
    return true;
  });
}

/** Ends a comment as posted with its id (the lost-response case finds it this way too). */
function commentPosted(engine: EngineRuntime, postId: string, commentId: string, how: string): boolean {
  const { database, repos } = engine.deps;
  return database.immediate(() => {
    if (!repos.publishing.settleComment(postId, ['sent'], { status: 'posted', commentId })) return false;
    engine.settle.log(postId, { step: 'comment', level: 'ok', message: `First comment ${how} (id ${commentId}).` });
    return true;
  });
}

/**
 * Sends a published post's `due` first comment once: skipped when the network or the account's
 * grants cannot take it; otherwise fenced (`due` → `sent`) and sent. A clear refusal that asks
 * for a retry puts it back to `due` with a retry time; any other refusal fails it (with an event);
 * anything unclear leaves it `sent` for the reconciler, which looks for it before any resend.
 */
export async function runFirstComment(
  engine: EngineRuntime,
  postId: string,
  given?: AttemptContext,
): Promise<CommentOutcome> {
  const { repos, clock, lease, registry, networks, database, log } = engine.deps;
  const post = repos.posts.get(postId);
  if (post?.status !== 'published' || post.firstCommentStatus !== 'due') return 'not_sent';
  const account = repos.accounts.get(post.accountId);
  if (!account) return 'not_sent';
  const label = networks.label(account.platform);
  const skip = (reason: string): CommentOutcome => {
    database.immediate(() => {
      if (repos.publishing.settleComment(postId, ['due'], { status: 'skipped', error: reason }))
        engine.settle.log(postId, { step: 'comment', level: 'warn', message: `First comment skipped: ${reason}` });
    });
    return 'skipped';
  };
  const publisher = registry.get(account.platform);
  if (!publisher?.firstComment || !networks.takesFirstComment(account.platform, post.surface))
    return skip(`${label} ${post.surface === 'feed' ? 'posts take' : `${post.surface}s take`} no first comment.`);
  const missing = networks.missingCommentScopes(account.platform, grantsOf(account));
  if (missing.length > 0)
    return skip(
      `the account did not grant ${missing.join(' and ')}. Reconnect it and allow ` +
        `${missing.length > 1 ? 'them' : 'it'} to add first comments.`,
    );
  if (account.status !== 'connected') return 'not_sent';
  const parent = parentOf(engine, post, given);
  if (!parent) return skip(`${label} gave no id for the published post to comment on.`);

  // The point of no return for the comment, in its own fenced commit (as the post's own send).
  const now = clock.now();
  const fence = { lease: lease.name, holder: lease.holder, epoch: lease.epoch, now };
  const sends = post.firstCommentSends + 1;
  const fenced =
    lease.remainingMs() >= 1000 &&
    database.immediate(() => {
      if (!repos.publishing.markCommentSent(postId, parent.attempt.id, fence)) return false;
      engine.settle.log(postId, {
        step: 'comment',
        level: 'info',
        message: `Sending the first comment to ${label} (send ${sends}).`,
        attemptId: parent.attempt.id,
      });
      return true;
    });
  if (!fenced) {
    log.warn({ postId }, 'lease lost before sending the first comment; left to the new leader');
    return 'not_sent';
  }

  let commentId: string;
  try {
    commentId = await publisher.firstComment.post(parent.ctx, parent.result, post.firstComment);
  } catch (err) {
    const platformError = err instanceof PlatformError ? err : null;
    const reason = words(err);
    if (platformError && (platformError.kind === 'transient' || platformError.kind === 'rate_limited')) {
      if (sends >= MAX_COMMENT_TRIES) {
        failComment(engine, postId, `gave up after ${sends} tries: ${reason}`, platformError.code);
        return 'failed';
      }
      const wait = backoffMs(sends, {
        baseMs: engine.options.backoffBaseMs,
        capMs: engine.options.backoffCapMs,
        retryAfterMs: platformError.retryAfterMs,
        random: engine.options.random,
      });
      database.immediate(() => {
        if (
          repos.publishing.settleComment(postId, ['sent'], {
            status: 'due',
            error: `Will retry: ${reason}`,
            retryAt: clock.now() + wait,
          })
        )
          engine.settle.log(postId, {
            step: 'comment',
            level: 'warn',
            message: `${reason} The comment was not added; retrying in ${Math.ceil(wait / 1000)} s.`,
            code: platformError.code,
          });
      });
      return 'retry';
    }
    if (platformError && (platformError.kind === 'auth' || platformError.kind === 'permanent')) {
      failComment(engine, postId, reason, platformError.code);
      return 'failed';
    }
    // It may be on the post already: the reconciler looks for it before anything else.
    database.immediate(() => {
      repos.publishing.settleComment(postId, ['sent'], { status: 'sent', error: `Unconfirmed: ${reason}` });
      engine.settle.log(postId, {
        step: 'comment',
        level: 'warn',
        message: `The first comment's outcome is unknown (${reason}); checking ${label} before any resend.`,
        code: platformError?.code ?? null,
      });
    });
    return 'unknown';
  }
  try {
    parent.ctx.save({ step: 'comment_posted', commentId });
  } catch (err) {
    log.warn({ postId, err: (err as Error).message }, 'could not save the comment id on the attempt');
  }
  commentPosted(engine, postId, commentId, `added on ${label}`);
  return 'posted';
}

/**
 * A `sent` comment whose answer never came: look for it. Found → posted; proven absent (and the
 * send old enough for the network to show it) → one resend; absent again → failed; unclear →
 * asked again next time. Never a blind resend.
 */
export async function settleSentComment(
  engine: EngineRuntime,
  postId: string,
): Promise<'posted' | 'resent' | 'failed' | 'unknown'> {
  const { repos, clock, registry, networks, database } = engine.deps;
  const post = repos.posts.get(postId);
  if (post?.status !== 'published' || post.firstCommentStatus !== 'sent') return 'unknown';
  const account = repos.accounts.get(post.accountId);
  const publisher = account && registry.get(account.platform);
  if (!account || !publisher?.firstComment || account.status !== 'connected') return 'unknown';
  const parent = parentOf(engine, post);
  if (!parent) return 'unknown';
  const label = networks.label(account.platform);
  let found;
  try {
    found = await publisher.firstComment.find(parent.ctx, parent.result, post.firstComment);
  } catch (err) {
    engine.deps.log.warn({ step: 'comment', postId, err: words(err) }, 'first comment lookup failed');
    return 'unknown';
  }
  if (found.status === 'found')
    return commentPosted(engine, postId, found.commentId, `found on ${label} after an unclear answer`)
      ? 'posted'
      : 'unknown';
  if (found.status === 'unknown') return 'unknown';
  const sentAt = post.firstCommentSentAt ?? 0;
  if (clock.now() - sentAt < engine.options.settleMs) return 'unknown';
  if (post.firstCommentSends >= MAX_COMMENT_RESENDS) {
    const message = `not found on ${label} after ${post.firstCommentSends} sends (${found.reason}).`;
    return failComment(engine, postId, message) ? 'failed' : 'unknown';
  }
  const requeued = database.immediate(() => {
    if (!repos.publishing.settleComment(postId, ['sent'], { status: 'due' })) return false;
    engine.settle.log(postId, {
      step: 'comment',
      level: 'info',
      message: `${label} shows no first comment (${found.reason}); sending it again.`,
    });
    return true;
  });
  if (!requeued) return 'unknown';
  await runFirstComment(engine, postId);
  return 'resent';
}
