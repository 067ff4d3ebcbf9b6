import { backoffMs } from '../../lib/backoff.js';
import { PlatformError } from '../../platforms/types.js';
import { waitingOf } from '../../domain/post.js';
import { buildContext } from './context.js';
import type { EngineRuntime } from './runtime.js';
import { commentDue, runFirstComment } from './first-comment.js';
import { settleAttempt } from './settle.js';

/**
 * How long an account whose token was refused stays paused while Herald checks the token: longer
 * than the refresh may take (TokenRefresher gives up after 60 s), short enough that a process
 * killed during the check strands nothing; its posts then go on and meet the refusal again.
 */
const TOKEN_CHECK_PAUSE_MS = 2 * 60_000;
const TOKEN_CHECK_REASON = 'Herald is checking its access token.';

function describe(err: unknown): string {
  if (err instanceof PlatformError) return err.message;
  if (err instanceof Error)
    return err.name === 'TimeoutError' || err.name === 'AbortError'
      ? 'the platform did not answer in time'
      : err.message;
  return String(err);
}

/**
 * One attempt of one claimed post: prepare → (record the send) → send → confirm. Before the
 * send, failures are safe to retry; after it, anything unclear becomes "unconfirmed" for the
 * reconciler, never a blind second send.
 */
export async function runAttempt(engine: EngineRuntime, postId: string, attemptId: string): Promise<void> {
  const { repos, clock, lease, registry, accounts, tokens, config } = engine.deps;
  const { settle } = engine;
  const post = repos.posts.get(postId)!;
  const account = repos.accounts.get(post.accountId)!;
  const attempt = repos.publishing.getAttempt(attemptId)!;
  const publisher = registry.get(account.platform);
  const label = engine.deps.networks.label(account.platform);

  /** Nothing left the building: try again later, or give up after PUBLISH_MAX_ATTEMPTS. */
  const retryLater = async (err: unknown, step: string) => {
    const reason = describe(err);
    const platformError = err instanceof PlatformError ? err : null;
    // What the account and the post's log say when the platform refuses the account's token for good.
    const reconnect = "Reconnect it from the client's portal.";
    const reauthWhy = `${label} no longer accepts this account's access: ${reason} ${reconnect}`;
    const waits = 'The post waits until the account is reconnected.';
    const waitsMessage = `${label} refused the account's token: ${reason} ${waits}`;
    const now = clock.now();
    // An expired access token is refreshed once and the post tried again at once (TikTok's advice,
    // docs/platforms/tiktok.md#token-lifetimes-and-rotation); only a refusal after a fresh refresh
    // means reconnecting.
    if (
      platformError?.kind === 'auth' &&
      tokens &&
      account.refreshTokenEnc &&
      (account.lastRefreshedAt ?? 0) < now - 60_000
    ) {
      // In one commit before the check: the attempt is settled (it does not count) and the account
      // paused, so no post of it is claimed meanwhile, here or in a process that takes over (a
      // second send with the refused token would only be refused again), and a process killed
      // during the check leaves a post that waits, not one whose refused send looks unconfirmed.
      engine.deps.database.immediate(() => {
        accounts.pause(account.id, now + TOKEN_CHECK_PAUSE_MS, TOKEN_CHECK_REASON);
        settleAttempt(settle, postId, attemptId, 'deferred', {
          from: ['publishing'],
          // No note of its own: the account's pause says why it waits, a reconnect note follows if needed.
          patch: { retryAt: now, attempts: Math.max(0, post.attempts - 1), lastError: null },
          log: {
            step,
            level: 'info',
            message: `${label} refused the access token (${reason}); Herald checks it before trying again.`,
            code: platformError.code,
          },
        });
      });
      // Only a new access token is worth another try: a refresh that leaves the token as it was
      // (Meta's Page tokens are renewed only near the user token's expiry) changes nothing.
      const refreshed = await tokens.refresh(account, false).then(
        () => repos.accounts.get(account.id)?.accessTokenEnc !== account.accessTokenEnc,
        () => false,
      );
      if (refreshed) {
        accounts.endPause(account.id, TOKEN_CHECK_REASON);
        engine.deps.posts.log(postId, {
          step,
          level: 'info',
          message: `Herald refreshed ${label}'s access token; the post goes out now.`,
        });
        return;
      }
      // The refresh may already have marked it; say why in the platform's words either way.
      accounts.markNeedsReauth(account.id, reauthWhy);
      accounts.endPause(account.id, TOKEN_CHECK_REASON);
      engine.deps.posts.log(postId, {
        step,
        level: 'warn',
        message: waitsMessage,
        code: platformError.code,
      });
      return;
    }
    if (platformError?.kind === 'auth') {
      const marked = accounts.markNeedsReauth(account.id, reauthWhy);
      const waiting = waitingOf(marked);
      settleAttempt(settle, postId, attemptId, 'deferred', {
        from: ['publishing'],
        // Not this post's fault: the attempt does not count, the post waits for the reconnect.
        patch: {
          retryAt: now,
          attempts: Math.max(0, post.attempts - 1),
          lastError: waiting?.note ?? null,
          waitingOn: waiting?.on ?? null,
        },
        log: {
          step,
          level: 'warn',
          message: waitsMessage,
          code: platformError.code,
        },
      });
      return;
    }
    if (platformError?.kind === 'rate_limited' && platformError.retryAfterMs) {
      const until = now + platformError.retryAfterMs;
      if (platformError.options.scope === 'platform')
        repos.system.putRateLimit({ scope: `platform:${account.platform}`, until, reason, updatedAt: now });
      else accounts.pause(account.id, until, reason);
    }
    const transient =
      !platformError ||
      platformError.kind === 'transient' ||
      platformError.kind === 'rate_limited' ||
      platformError.kind === 'unknown_outcome';
    if (transient && post.attempts < config.publishMaxAttempts) {
      const wait = backoffMs(post.attempts, {
        baseMs: engine.options.backoffBaseMs,
        capMs: engine.options.backoffCapMs,
        retryAfterMs: platformError?.retryAfterMs,
        random: engine.options.random,
      });
      settleAttempt(settle, postId, attemptId, 'deferred', {
        from: ['publishing'],
        patch: { retryAt: now + wait, lastError: `Will retry: ${reason}` },
        log: {
          step,
          level: 'warn',
          message:
            `${reason} Nothing was published; retrying in ${Math.ceil(wait / 1000)} s ` +
            `(attempt ${post.attempts} of ${config.publishMaxAttempts}).`,
          code: platformError?.code ?? null,
        },
      });
      return;
    }
    const final = transient ? `Gave up after ${post.attempts} attempts: ${reason}` : reason;
    settleAttempt(settle, postId, attemptId, 'failed', {
      from: ['publishing'],
      patch: { lastError: final },
      log: { step, level: 'error', message: `${final} Nothing was published.`, code: platformError?.code ?? null },
    });
  };

  if (!publisher) {
    settleAttempt(settle, postId, attemptId, 'failed', {
      from: ['publishing'],
      patch: { lastError: `Publishing to ${label} is not set up on this server.` },
      log: { step: 'prepare', level: 'error', message: `Publishing to ${label} is not set up on this server.` },
    });
    return;
  }

  const controller = new AbortController();
  let ctx;
  try {
    await tokens?.ensureFresh(account.id);
    ctx = buildContext(engine, repos.posts.get(postId)!, attempt, controller.signal);
    await publisher.prepare(ctx);
  } catch (err) {
    return retryLater(err, 'prepare');
  }

  // The point of no return. Recorded in its own fenced commit first: if this process lost its
  // lease, or a takeover moved the post on, nothing is sent. The self-deadline check keeps a
  // paused-then-resumed leader from sending after another process may have taken over.
  const now = clock.now();
  const fence = { lease: lease.name, holder: lease.holder, epoch: lease.epoch, now };
  if (
    lease.remainingMs() < 1000 ||
    !engine.deps.database.immediate(() => repos.publishing.markSent(postId, attemptId, fence))
  ) {
    // The post stays publishing: the new leader's reconciler settles it (and counts it) as abandoned.
    repos.publishing.finishAttempt(attemptId, 'abandoned', now, 'lease lost before sending');
    engine.deps.log.warn({ postId, attemptId }, 'lease lost before sending; left to the new leader');
    return;
  }

  try {
    await publisher.send(ctx);
  } catch (err) {
    const platformError = err instanceof PlatformError ? err : null;
    // A platform that clearly refused the request published nothing: settle as before the send.
    // Publishers report anything unclear after the request left as unknown_outcome.
    if (platformError && platformError.kind !== 'unknown_outcome') return retryLater(err, 'send');
    settleAttempt(settle, postId, attemptId, 'unconfirmed', {
      from: ['publishing'],
      patch: { lastError: `Unconfirmed: ${describe(err)}. Herald is checking ${label} before doing anything else.` },
      log: {
        step: 'send',
        level: 'warn',
        message: `The send's outcome is unknown (${describe(err)}); checking ${label} before any retry.`,
        code: platformError?.code ?? null,
      },
    });
    return;
  }

  let published = false;
  try {
    const result = await publisher.confirm(ctx);
    published = settleAttempt(settle, postId, attemptId, 'published', {
      patch: {
        externalId: result.externalId,
        permalink: result.permalink,
        publishedAt: clock.now(),
        lastError: null,
        // Same commit as the outcome: a crash right after it leaves the comment due, never forgotten.
        ...commentDue(post),
      },
      log: {
        step: 'confirm',
        level: 'ok',
        message: `Published on ${label}${result.permalink ? `: ${result.permalink}` : ''}.`,
      },
    });
  } catch (err) {
    const platformError = err instanceof PlatformError ? err : null;
    if (platformError?.kind === 'permanent') {
      settleAttempt(settle, postId, attemptId, 'failed', {
        patch: { lastError: platformError.message },
        log: { step: 'confirm', level: 'error', message: platformError.message, code: platformError.code },
      });
      return;
    }
    settleAttempt(settle, postId, attemptId, 'unconfirmed', {
      from: ['publishing'],
      patch: { lastError: `Sent; waiting for ${label} to confirm (${describe(err)}).` },
      log: {
        step: 'confirm',
        level: 'warn',
        message: `Sent, but ${label} has not confirmed yet (${describe(err)}); the reconciler keeps checking.`,
        code: platformError?.code ?? null,
      },
    });
  }
  // The comment step, while the post is still in flight here (the reconciler leaves it alone).
  if (published && commentDue(post).firstCommentStatus) {
    try {
      await runFirstComment(engine, postId, ctx);
    } catch (err) {
      engine.deps.log.warn({ postId, err: describe(err) }, 'first comment step failed; the reconciler retries it');
    }
  }
}
