import { describeActor, type Actor } from '../domain/actor.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { EDITABLE_STATUSES, humanStatus, type PostEvent } from '../domain/post-status.js';
import { bestTimes, generalPrior, type TimedResult } from '../domain/best-times.js';
import { engagementRate } from '../domain/metrics.js';
import { nextPostingTimes, sortPostingTimes, type PostingTime } from '../domain/queue.js';
import type { AccountRow, PostWithMedia } from '../db/repos/index.js';
import type { QueuePost } from '../db/repos/queue-repo.js';
import { formatInZone, partsInZone } from '../lib/zoned-time.js';
import { recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import type { PostsService, PostView, Scope } from './posts-service.js';
import { approvalNeeded } from '../domain/post.js';

/** Posting times looked at per step while searching for a free one. */
const BATCH = 100;
/** The furthest a search for a free posting time goes: a queue this full is a mistake, not a plan. */
const MAX_SEARCHED = 5000;
/** The most posting times the queue view lists at once. */
export const MAX_QUEUE_VIEW = 200;
/** Suggested times rest on a year of results, from snapshots taken a day or more after publishing. */
const SUGGEST_DAYS = 365;
const SETTLED = new Set(['24h', '7d', '30d']);
/** As many suggested times as the account has now, or a week of daily posts. */
const DEFAULT_SUGGESTED = 7;

/** One posting time of the queue view: when, and the post holding it (null: a gap). */
export interface QueueSlot {
  readonly at: number;
  readonly post: QueuePost | null;
}

/**
 * The accounts' queues (docs/planning.md#queues): "Add to queue" puts a post in its account's next
 * free posting time, "Share next" in the first one, moving the queued posts in its way one posting
 * time later each. Each change happens in one write transaction that reads what holds each time,
 * so two people (or two processes) queueing at once can never get one time twice.
 */
export function queueService(deps: ServiceDeps, posts: PostsService) {
  const { repos, clock, database } = deps;

  function accountOf(id: string, scope: Scope = {}): AccountRow {
    const account = repos.accounts.get(id);
    if (!account || (scope.clientId && account.clientId !== scope.clientId)) throw new NotFoundError('Account');
    return account;
  }

  function zoneOf(account: AccountRow): string {
    return repos.clients.get(account.clientId)?.timezone ?? 'UTC';
  }

  /** The account's posting times after `from`, in order, as far as anyone may search. */
  function* postingTimesAfter(account: AccountRow, from: number): Generator<number> {
    const zone = zoneOf(account);
    let cursor = from;
    for (let seen = 0; seen < MAX_SEARCHED; ) {
      const batch = nextPostingTimes(account.postingTimes, zone, cursor, BATCH);
      if (batch.length === 0) return;
      yield* batch;
      seen += batch.length;
      cursor = batch[batch.length - 1]!;
    }
  }

  /** Times held in [from, to] by the account's posts, without `except`. */
  function heldTimes(accountId: string, from: number, except?: string): Map<number, QueuePost[]> {
    const held = new Map<number, QueuePost[]>();
    for (const p of repos.queue.takenBetween(accountId, from, Number.MAX_SAFE_INTEGER)) {
      if (p.id === except || p.scheduledAt === null) continue;
      held.set(p.scheduledAt, [...(held.get(p.scheduledAt) ?? []), p]);
    }
    return held;
  }

  function noTimes(account: AccountRow): ConflictError {
    return new ConflictError(`${account.name} has no posting times: set them on its account page first.`, {
      accountId: account.id,
    });
  }

  function full(account: AccountRow): ConflictError {
    return new ConflictError(`${account.name}'s next ${MAX_SEARCHED} posting times are all taken.`);
  }

  /** The first posting time after now that no post of the account holds (read inside the caller's transaction). */
  function firstFree(account: AccountRow, except?: string, notBefore = 0): number | null {
    const from = Math.max(clock.now(), notBefore - 1);
    const held = heldTimes(account.id, from, except);
    for (const at of postingTimesAfter(account, from)) if (!held.has(at)) return at;
    return null;
  }

  /**
   * "Share next": the first posting time a queued post may take (one held only by queued posts that
   * have not started publishing), and the moves that make room: the post holding it goes to the next
   * such time, whose post goes to the next, up to the first free one.
   */
  function frontMoves(account: AccountRow, postId: string): Array<{ post: QueuePost | null; at: number }> {
    const now = clock.now();
    const held = heldTimes(account.id, now, postId);
    const movable = (list: QueuePost[] | undefined) =>
      !list ||
      (list.length === 1 &&
        list[0]!.queued &&
        (list[0]!.status === 'scheduled' || list[0]!.status === 'pending_approval') &&
        list[0]!.scheduledAt! > now);
    const moves: Array<{ post: QueuePost | null; at: number }> = [];
    let moving: QueuePost | null = null;
    for (const at of postingTimesAfter(account, now)) {
      const here = held.get(at);
      if (!movable(here)) continue;
      moves.push({ post: moving, at });
      if (!here) return moves;
      moving = here[0]!;
    }
    throw full(account);
  }

  /** The status a queued post moves to: scheduled, or waiting for approval where that applies (domain/post.ts). */
  function eventFor(post: PostWithMedia, actor: Actor): PostEvent | null {
    const client = repos.clients.get(post.clientId)!;
    const ask = approvalNeeded(client.approvalMode, actor);
    switch (post.status) {
      case 'draft':
      case 'rejected':
        return ask ? 'submit' : 'approve';
      case 'failed':
      case 'missed':
        return 'retry';
      default:
        return null;
    }
  }

  /** `notBefore`: the first free posting time at or after this instant (an evergreen copy's due time). */
  function place(
    postId: string,
    actor: Actor,
    options: { front?: boolean; scope?: Scope; notBefore?: number } = {},
  ): PostView {
    const scope = options.scope ?? {};
    database.immediate(() => {
      const post = repos.posts.get(postId);
      if (!post || (scope.clientId && post.clientId !== scope.clientId)) throw new NotFoundError('Post');
      if (!EDITABLE_STATUSES.has(post.status))
        throw new ConflictError(`A ${humanStatus(post.status)} post cannot be queued.`, { status: post.status });
      const account = repos.accounts.get(post.accountId)!;
      if (account.postingTimes.length === 0) throw noTimes(account);
      const { errors } = posts.contentErrors(account, post);
      if (errors) throw new ValidationError(errors, 'The network would refuse this post; fix it before queueing it.');
      const zone = zoneOf(account);
      const now = clock.now();
      let at: number;
      if (options.front) {
        const moves = frontMoves(account, post.id);
        at = moves[0]!.at;
        // Latest first, so no two posts ever share a time, even between two statements.
        for (const move of moves.slice(1).reverse()) {
          const moved = move.post!;
          repos.posts.update(moved.id, { scheduledAt: move.at, updatedAt: now }, moved.version);
          posts.log(moved.id, {
            step: 'queue',
            level: 'info',
            message:
              `Moved to ${formatInZone(move.at, zone)} to make room for a post shared next ` +
              `(${describeActor(actor)})`,
          });
        }
      } else {
        const free = firstFree(account, post.id, options.notBefore);
        if (free === null) throw full(account);
        at = free;
      }
      const message = `${options.front ? 'Shared next' : 'Added to the queue'}: ${formatInZone(at, zone)}`;
      const event = eventFor(post, actor);
      if (event) {
        posts.applyEvent(post.id, event, {
          actor,
          message,
          patch: {
            scheduledAt: at,
            queued: true,
            ...(event === 'submit' ? {} : { approvedAt: now, approvedBy: describeActor(actor) }),
            ...(event === 'retry' ? { attempts: 0, lastError: null, currentAttemptId: null } : {}),
          },
        });
      } else {
        if (!repos.posts.update(post.id, { scheduledAt: at, queued: true, updatedAt: now }, post.version))
          throw new ConflictError('This post was changed by someone else since you opened it.');
        posts.log(post.id, { step: 'queue', level: 'info', message: `${message} (${describeActor(actor)})` });
        const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
        recordAudit(deps, actor, {
          kind: 'post.reschedule',
          clientId: post.clientId,
          targetId: post.id,
          summary: `${message}: ${account.name} (${account.platform})`,
          before: { scheduledAt: iso(post.scheduledAt) },
          after: { scheduledAt: iso(at) },
        });
      }
    });
    return posts.get(postId);
  }

  return {
    place,

    /** `POST /posts {…, queue: true}`: writes the post and queues it in one commit (either both or neither). */
    create(input: unknown, actor: Actor): PostView {
      if (input && typeof input === 'object') {
        const body = input as Record<string, unknown>;
        const errors: Record<string, string[]> = {};
        if (body.scheduledAt !== undefined && body.scheduledAt !== null)
          errors.scheduledAt = ['must be left out: the queue picks the time'];
        if (body.status !== undefined) errors.status = ['must be left out: a queued post is scheduled'];
        if (Object.keys(errors).length) throw new ValidationError(errors);
      }
      return database.immediate(() => {
        const post = posts.create({ ...(input as object), status: 'draft' }, actor);
        return place(post.id, actor);
      });
    },

    /** The next `count` posting times of the account with the posts holding them (the queue view). */
    slots(accountId: string, count: number, scope: Scope = {}): QueueSlot[] {
      const account = accountOf(accountId, scope);
      const n = Math.max(0, Math.min(count, MAX_QUEUE_VIEW));
      const times = nextPostingTimes(account.postingTimes, zoneOf(account), clock.now(), n);
      if (times.length === 0) return [];
      const held = new Map<number, QueuePost>();
      for (const p of repos.queue.takenBetween(account.id, times[0]!, times[times.length - 1]!))
        if (!held.has(p.scheduledAt!)) held.set(p.scheduledAt!, p);
      return times.map((at) => ({ at, post: held.get(at) ?? null }));
    },

    /**
     * Posting times from the account's own results (the learning service's best times: each hour of the
     * week ranked by engagement, shrunk towards the network's general pattern), as many as it has now.
     * Null when none of its posts has been measured yet: there is nothing of its own to suggest from.
     */
    suggestTimes(accountId: string, scope: Scope = {}): { times: PostingTime[]; posts: number } | null {
      const account = accountOf(accountId, scope);
      const zone = zoneOf(account);
      const now = clock.now();
      const results: TimedResult[] = [];
      for (const p of repos.results.postsInPeriod(account.clientId, now - SUGGEST_DAYS * 86_400_000, now)) {
        if (p.accountId !== account.id || p.horizon === null || !SETTLED.has(p.horizon)) continue;
        const rate = engagementRate(p);
        if (rate === null) continue;
        const at = partsInZone(p.publishedAt, zone);
        results.push({ weekday: at.weekday === 0 ? 7 : at.weekday, hour: at.hour, rate });
      }
      if (results.length === 0) return null;
      const count = account.postingTimes.length || DEFAULT_SUGGESTED;
      const ranked = bestTimes(results, { prior: generalPrior(account.platform), limit: count });
      const times = ranked.map((t) => ({ weekday: t.weekday, time: `${String(t.hour).padStart(2, '0')}:00` }));
      return { times: sortPostingTimes(times), posts: results.length };
    },

    /** The account's next posting time that no post holds, or null when it has no posting times. */
    nextFree(accountId: string, scope: Scope = {}): number | null {
      const account = accountOf(accountId, scope);
      if (account.postingTimes.length === 0) return null;
      return firstFree(account);
    },
  };
}
