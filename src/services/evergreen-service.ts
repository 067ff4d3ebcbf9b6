import { describeActor, type Actor } from '../domain/actor.js';
import { untilMs, WEEK_MS } from '../domain/evergreen.js';
import type { Platform } from '../domain/platform-limits.js';
import { humanStatus } from '../domain/post-status.js';
import type { PostRow } from '../db/repos/index.js';
import type { ServiceDeps } from './deps.js';
import type { PostsService } from './posts-service.js';
import type { queueService } from './queue-service.js';

const DAY = 86_400_000;
/** A copy is made this long before its time, so the queue and any approval have a day to work. */
const LEAD_MS = DAY;
/** A copy never goes out sooner than this after it was made. */
const MIN_DELAY_MS = 5 * 60_000;
/** A last copy in one of these will never go out: the next round counts from its time instead. */
const ENDED = new Set(['cancelled', 'failed', 'rejected', 'missed']);

/** The AI's light rewrite (the content generator's), or null when AI is off. */
export interface Rewriter {
  readonly enabled: boolean;
  lightRewrite(clientId: string, platform: Platform, caption: string): Promise<{ caption: string; model: string }>;
}

export interface EvergreenCounts {
  copies: number;
  stopped: number;
  /** Copies another process made first (the unique round index refused ours). */
  raced: number;
  [key: string]: number;
}

const ACTOR: Actor = { kind: 'system', job: 'evergreen' };

/**
 * The evergreen job's work (docs/planning.md#evergreen): for each published post marked evergreen,
 * round N+1's copy once the last round (or the post itself) went out `everyWeeks` ago, less a day.
 * The copy goes in the account's queue (its first free posting time from then on), or at that time
 * when the account has no posting times. UNIQUE (evergreen_source_id, evergreen_round) makes a
 * second copy of a round impossible, whatever runs twice or restarts in between.
 */
export function evergreenService(
  deps: ServiceDeps,
  posts: PostsService,
  queue: ReturnType<typeof queueService>,
  rewriter: Rewriter | null,
) {
  const { repos, clock, database } = deps;

  /** Clears the mark, saying why in the post's history. */
  function stop(source: PostRow, why: string): void {
    database.immediate(() => {
      repos.posts.update(source.id, { evergreen: null, updatedAt: clock.now() });
      posts.log(source.id, { step: 'evergreen', level: 'info', message: `Evergreen stopped: ${why}` });
    });
  }

  /** Why the source can no longer come back, or null. */
  function stopReason(source: PostRow): string | null {
    const account = repos.accounts.get(source.accountId);
    if (!account) return 'its account was removed';
    if (account.status !== 'connected') return `${account.name} is ${humanStatus(account.status)}`;
    const client = repos.clients.get(source.clientId);
    if (!client || client.status === 'archived') return 'the client is archived';
    return null;
  }

  async function copyRound(source: PostRow, round: number, due: number, counts: EvergreenCounts): Promise<void> {
    const e = source.evergreen!;
    const account = repos.accounts.get(source.accountId)!;
    const client = repos.clients.get(source.clientId)!;
    let caption = source.caption;
    let note = '';
    if (e.rewrite) {
      if (!rewriter?.enabled) note = '; the AI is off on this server, so the words are the original';
      else
        try {
          const rewritten = await rewriter.lightRewrite(client.id, account.platform, source.caption);
          caption = rewritten.caption;
          note = `; lightly rewritten by AI (${rewritten.model})`;
        } catch (err) {
          note = `; the AI rewrite failed (${(err as Error).message}), so the words are the original`;
        }
    }
    const full = repos.posts.get(source.id)!;
    const content = {
      caption,
      mediaIds: full.mediaIds,
      options: full.options,
      surface: full.surface,
      firstComment: full.firstComment,
    };
    const { options, errors } = posts.contentErrors(account, content);
    if (errors) {
      stop(source, `${account.name} would now refuse it (${Object.values(errors).flat().join(' ')})`);
      counts.stopped++;
      return;
    }
    try {
      database.immediate(() => {
        // Read again in the write: another run may have made this round since.
        if (repos.queue.evergreenCopies(source.id).some((c) => c.evergreenRound === round)) {
          counts.raced++;
          return;
        }
        const useQueue = account.postingTimes.length > 0;
        const copy = posts.insertPost(
          account,
          client,
          {
            ...content,
            options,
            labels: repos.labels.ofPosts([source.id]).get(source.id) ?? [],
            status: useQueue ? 'draft' : 'scheduled',
            scheduledAt: useQueue ? null : Math.max(due, clock.now() + MIN_DELAY_MS),
          },
          ACTOR,
          { evergreen: { sourceId: source.id, round }, note: ` as copy ${round} of an evergreen post${note}` },
        );
        if (useQueue) queue.place(copy.id, ACTOR, { notBefore: due });
        posts.log(source.id, {
          step: 'evergreen',
          level: 'info',
          message: `Copy ${round} made: ${copy.id} (${describeActor(ACTOR)})`,
        });
        counts.copies++;
      });
    } catch (err) {
      // Another process inserted this round between our read and our write: the index said no.
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') counts.raced++;
      else throw err;
    }
  }

  return {
    async runDue(): Promise<EvergreenCounts> {
      const counts: EvergreenCounts = { copies: 0, stopped: 0, raced: 0 };
      for (const source of repos.queue.evergreenSources()) {
        const e = source.evergreen!;
        const why = stopReason(source);
        if (why) {
          stop(source, why);
          counts.stopped++;
          continue;
        }
        const copies = repos.queue.evergreenCopies(source.id);
        const last = copies[copies.length - 1];
        const round = (last?.evergreenRound ?? 0) + 1;
        if (e.times && round > e.times) {
          stop(source, `it came back ${e.times} time${e.times === 1 ? '' : 's'}, as asked`);
          counts.stopped++;
          continue;
        }
        // Counted from when the last round went out; a round that never will counts from its time.
        const base = !last
          ? source.publishedAt
          : last.status === 'published'
            ? last.publishedAt
            : ENDED.has(last.status)
              ? (last.scheduledAt ?? last.createdAt)
              : null;
        if (base === null) continue;
        const due = base + e.everyWeeks * WEEK_MS;
        const until = untilMs(e.until);
        if (until !== null && due > until) {
          stop(source, `its end date (${e.until}) comes before the next copy`);
          counts.stopped++;
          continue;
        }
        if (due > clock.now() + LEAD_MS) continue;
        await copyRound(source, round, due, counts);
      }
      return counts;
    },

    /** The copies made of a post, by round (the post page lists them). */
    copiesOf(sourceId: string): PostRow[] {
      return repos.queue.evergreenCopies(sourceId);
    },

    /** When the next copy is due (its round's time), or null when none is coming. */
    nextDue(source: PostRow): number | null {
      const e = source.evergreen;
      if (!e || source.status !== 'published' || source.publishedAt === null) return null;
      const copies = repos.queue.evergreenCopies(source.id);
      const last = copies[copies.length - 1];
      if (e.times && (last?.evergreenRound ?? 0) >= e.times) return null;
      const base = !last ? source.publishedAt : last.status === 'published' ? last.publishedAt : null;
      if (base === null) return null;
      const due = base + e.everyWeeks * WEEK_MS;
      const until = untilMs(e.until);
      return until !== null && due > until ? null : due;
    },
  };
}
export type EvergreenService = ReturnType<typeof evergreenService>;
