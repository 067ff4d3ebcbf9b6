import { buildContext } from './context.js';
import { commentDue, runFirstComment, settleSentComment } from './first-comment.js';
import type { EngineRuntime } from './runtime.js';
import { settleAttempt } from './settle.js';

const BATCH = 100;
/** Sends Herald makes on its own for one post: the second only after proof of absence. */
const MAX_AUTOMATIC_SENDS = 2;

/**
 * The reconciler, run by the leader:
 * 1. Posts left "publishing" by a process that stopped: if the send was never recorded, nothing
 *    left and the post goes back to the queue; if it was, the outcome is unknown.
 * 2. Unknown outcomes: ask the platform (lookup). Published → published; failed → failed; proven
 *    absent (and the send old enough for the platform to show it) → queued again, at most once;
 *    still processing or unclear → ask again next time. Never a blind re-send.
 * 3. First comments of published posts (docs/composer.md#first-comments): due → sent once;
 *    sent without an answer → looked for, resent at most once after proof of absence.
 */
export async function reconcile(engine: EngineRuntime): Promise<Record<string, number>> {
  const { repos, clock, registry } = engine.deps;
  const { settle } = engine;
  const counts = {
    requeued: 0,
    orphanedAfterSend: 0,
    published: 0,
    failed: 0,
    resent: 0,
    stillUnknown: 0,
    commentsPosted: 0,
    commentsResent: 0,
    commentsFailed: 0,
    commentsSkipped: 0,
    commentsUnknown: 0,
  };

  for (const orphan of repos.publishing.publishingPosts(BATCH)) {
    if (engine.isInFlight(orphan.id) || !orphan.attemptId) continue;
    const attempt = repos.publishing.getAttempt(orphan.attemptId);
    const post = repos.posts.get(orphan.id);
    if (!attempt || !post) continue;
    if (attempt.sentAt === null) {
      const ok = settleAttempt(settle, orphan.id, attempt.id, 'abandoned', {
        from: ['publishing'],
        patch: { retryAt: clock.now(), attempts: Math.max(0, post.attempts - 1) },
        log: {
          step: 'reconcile',
          level: 'warn',
          message: 'The process publishing this stopped before sending it; it goes out again now.',
        },
      });
      if (ok) counts.requeued++;
    } else {
      const ok = settleAttempt(settle, orphan.id, attempt.id, 'unconfirmed', {
        from: ['publishing'],
        patch: {
          lastError: 'Unconfirmed: the process publishing this stopped after sending. Herald is checking the platform.',
        },
        log: {
          step: 'reconcile',
          level: 'warn',
          message: 'The process publishing this stopped after sending; checking the platform before anything else.',
        },
      });
      if (ok) counts.orphanedAfterSend++;
    }
  }

  for (const item of repos.publishing.unconfirmedPosts(BATCH)) {
    if (!item.attemptId) continue;
    const post = repos.posts.get(item.id);
    const attempt = repos.publishing.getAttempt(item.attemptId);
    const account = post && repos.accounts.get(post.accountId);
    if (!post || !attempt || !account) continue;
    const publisher = registry.get(account.platform);
    if (!publisher || account.status !== 'connected') {
      counts.stillUnknown++;
      continue;
    }
    const label = engine.deps.networks.label(account.platform);
    let result;
    try {
      result = await publisher.lookup(
        buildContext(engine, post, attempt, AbortSignal.timeout(engine.options.requestTimeoutMs * 2)),
      );
    } catch (err) {
      engine.deps.log.warn({ step: 'reconcile', postId: post.id, err: (err as Error).message }, 'lookup failed');
      counts.stillUnknown++;
      continue;
    }
    const now = clock.now();
    switch (result.status) {
      case 'published':
        if (
          settleAttempt(settle, post.id, attempt.id, 'published', {
            from: ['unconfirmed'],
            patch: {
              externalId: result.externalId,
              permalink: result.permalink,
              publishedAt: now,
              lastError: null,
              ...commentDue(post),
            },
            log: {
              step: 'reconcile',
              level: 'ok',
              message: `${label} shows it published${result.permalink ? `: ${result.permalink}` : ''}.`,
            },
          })
        )
          counts.published++;
        break;
      case 'failed':
        if (
          settleAttempt(settle, post.id, attempt.id, 'failed', {
            from: ['unconfirmed'],
            patch: { lastError: result.error.message },
            log: {
              step: 'reconcile',
              level: 'error',
              message: `${label} reports it failed: ${result.error.message}`,
              code: result.error.code,
            },
          })
        )
          counts.failed++;
        break;
      case 'absent': {
        if (attempt.sentAt !== null && now - attempt.sentAt < engine.options.settleMs) {
          counts.stillUnknown++;
          break;
        }
        if (post.sends >= MAX_AUTOMATIC_SENDS) {
          const message =
            `Not found on ${label} after ${post.sends} sends (${result.reason}). ` +
            'Check the account; retry only if it is really not there.';
          if (
            settleAttempt(settle, post.id, attempt.id, 'failed', {
              from: ['unconfirmed'],
              patch: { lastError: message },
              log: { step: 'reconcile', level: 'error', message },
            })
          )
            counts.failed++;
          break;
        }
        if (
          settleAttempt(settle, post.id, attempt.id, 'absent', {
            from: ['unconfirmed'],
            patch: { retryAt: now, lastError: null },
            log: {
              step: 'reconcile',
              level: 'info',
              message: `${label} shows it was not published (${result.reason}); sending it again.`,
            },
          })
        )
          counts.resent++;
        break;
      }
      case 'pending':
      case 'unknown':
        counts.stillUnknown++;
        break;
    }
  }

  // First comments of published posts not in flight here: due ones are sent, sent ones looked for.
  for (const item of repos.publishing.commentsToSettle(BATCH, clock.now())) {
    if (engine.isInFlight(item.id)) continue;
    let outcome: string;
    try {
      outcome =
        item.status === 'due' ? await runFirstComment(engine, item.id) : await settleSentComment(engine, item.id);
    } catch (err) {
      // One comment's trouble (a token that cannot be read…) must not stop the others.
      engine.deps.log.warn(
        { step: 'comment', postId: item.id, err: (err as Error).message },
        'first comment pass failed',
      );
      outcome = 'unknown';
    }
    if (outcome === 'posted') counts.commentsPosted++;
    else if (outcome === 'resent') counts.commentsResent++;
    else if (outcome === 'failed') counts.commentsFailed++;
    else if (outcome === 'skipped') counts.commentsSkipped++;
    else counts.commentsUnknown++;
  }
  return counts;
}
