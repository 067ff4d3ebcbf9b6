// A client's RSS and Atom feeds (docs/planning.md#feeds): each new article becomes drafts for the
// feed's accounts, once. The item's key (guid, else link, else a hash of title and date) is kept per
// client in feed_items, written in the same transaction as the drafts: a crash before the commit
// leaves the item unseen (it comes back on the next check), after it the item is never drafted again.
import { z } from 'zod';
import { composeCaption, reviewAnswer, type DraftTarget } from '../ai/drafts.js';
import { buildPrompt } from '../ai/prompts.js';
import type { GroqWriter } from '../ai/text.js';
import { askForDraft, type AnswerReview } from './ai-draft.js';
import type { AccountRow, ClientRow } from '../db/repos/index.js';
import type { FeedRow } from '../db/repos/feeds-repo.js';
import { describeActor, SYSTEM, type Actor } from '../domain/actor.js';
import { editOf, recordAudit } from './audit.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Platform } from '../domain/platform-limits.js';
import { parseInput } from '../domain/validation.js';
import { parseFeed, type FeedArticle } from '../lib/feed-parse.js';
import { newId } from '../lib/ids.js';
import { FetchRefused, safeDownload } from '../lib/safe-fetch.js';
import type { ServiceDeps } from './deps.js';
import type { GroupsService } from './groups-service.js';
import { MAX_IMAGE_BYTES, type MediaService } from './media-service.js';
import type { PostsService, Scope } from './posts-service.js';

const FEED_MAX_BYTES = 2 * 1024 * 1024;
const TIMEOUT_MS = 10_000;
/** How often a healthy feed is read (the job runs every 15 minutes; a minute's slack for its own run time). */
const INTERVAL_MS = 14 * 60_000;
/** A failing feed waits twice as long after each failure, up to a day. */
const MAX_BACKOFF_MS = 24 * 3_600_000;
const MAX_FEEDS_PER_CLIENT = 50;
const MAX_LATEST = 20;
const AI_ATTEMPTS = 2;
const FEED_ACTOR = { kind: 'system', job: 'check-feeds' } as const satisfies Actor;

const httpUrl = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(2000, 'must be at most 2000 characters')
  .refine((u) => {
    if (!URL.canParse(u)) return false;
    const { protocol } = new URL(u);
    return protocol === 'http:' || protocol === 'https:';
  }, 'must be an http(s) address');
const accountIdsInput = z
  .array(z.string().min(1), { message: 'must be a list of account ids' })
  .min(1, 'needs at least one account')
  .max(20, 'at most 20 accounts');
const flag = z.boolean({ message: 'must be true or false' });

const createSchema = z
  .object({
    url: httpUrl,
    accountIds: accountIdsInput,
    rewrite: flag.default(false),
    queue: flag.default(false),
    /** How many of the newest items the first read turns into drafts (0: it only records what is there). */
    latest: z
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(MAX_LATEST, `must be at most ${MAX_LATEST}`)
      .default(0),
  })
  .strict();
const updateSchema = z
  .object({ url: httpUrl, accountIds: accountIdsInput, rewrite: flag, queue: flag, active: flag })
  .partial()
  .strict();

/** What one check did. */
export interface CheckOutcome {
  feedId: string;
  /** Items that became drafts (or were recorded with none when every account refused them). */
  added: number;
  /** Items recorded without drafts: the first read of a new feed. */
  recorded: number;
  notModified: boolean;
  error: string | null;
}

export interface FeedsDeps {
  posts: PostsService;
  groups: GroupsService;
  media: MediaService;
  writer: GroqWriter | null;
  /** Puts a draft in its account's queue (the queue service), when there is one. */
  place?: ((postId: string, actor: Actor) => unknown) | undefined;
}

/** "the server answered 500 (3 failed checks in a row)": how many, read back for the backoff. */
function failuresOf(lastError: string | null): number {
  if (!lastError) return 0;
  return Number(/\((\d+) failed checks? in a row\)$/.exec(lastError)?.[1] ?? 1);
}

/** When a feed is next read: a healthy one every interval, a failing one after a doubling wait. */
export function nextCheckAt(feed: Pick<FeedRow, 'lastCheckedAt' | 'lastError' | 'updatedAt'>): number {
  const failures = failuresOf(feed.lastError);
  if (failures > 0) return feed.updatedAt + Math.min(INTERVAL_MS * 2 ** (failures - 1), MAX_BACKOFF_MS);
  return feed.lastCheckedAt === null ? 0 : feed.lastCheckedAt + INTERVAL_MS;
}

export function feedsService(deps: ServiceDeps, parts: FeedsDeps) {
  const { repos, clock, database, networks, config, log } = deps;
  const running = new Map<string, Promise<CheckOutcome>>();
  const draft = { status: 'draft', scheduledAt: null } as const;

  function load(id: string, scope: Scope = {}): FeedRow {
    const row = repos.feeds.get(id);
    if (!row || (scope.clientId && row.clientId !== scope.clientId)) throw new NotFoundError('Feed');
    return row;
  }

  function clientOf(clientId: string): ClientRow {
    const client = repos.clients.get(clientId);
    if (!client) throw new NotFoundError('Client');
    return client;
  }

  /** The accounts named, once each; any that is not the client's is refused (its existence not told). */
  function checkAccounts(clientId: string, ids: readonly string[]): string[] {
    const unique = [...new Set(ids)];
    const bad = unique.filter((id) => repos.accounts.get(id)?.clientId !== clientId);
    if (bad.length) throw ValidationError.field('accountIds', `not accounts of this client: ${bad.join(', ')}`);
    return unique;
  }

  function checkUrl(clientId: string, url: string, self?: string): void {
    const other = repos.feeds.byUrl(clientId, url);
    if (other && other.id !== self) throw ValidationError.field('url', 'this client has this feed already');
  }

  /** The feed's answer, or null when it did not change since the last read (304). */
  async function download(feed: FeedRow) {
    // A feed address is whatever someone typed: never a private address unless the operator listed it.
    const answer = await safeDownload(feed.url, {
      allowedHosts: config.outboundPrivateHosts,
      anyPublicHost: true,
      maxBytes: FEED_MAX_BYTES,
      timeoutMs: TIMEOUT_MS,
      accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
      conditional: { etag: feed.etag, lastModified: feed.lastModified },
    });
    return answer.notModified ? null : answer;
  }

  /** The item's picture as the client's media, or why there is none (the draft says so). */
  async function image(
    clientId: string,
    article: FeedArticle,
  ): Promise<{ mediaId: string | null; note: string | null }> {
    if (!article.imageUrl) return { mediaId: null, note: null };
    try {
      const file = await safeDownload(article.imageUrl, {
        allowedHosts: config.outboundPrivateHosts,
        anyPublicHost: true,
        maxBytes: MAX_IMAGE_BYTES,
        timeoutMs: TIMEOUT_MS,
      });
      if (!/^image\//i.test(file.contentType ?? 'image/')) return { mediaId: null, note: 'its image is not a picture' };
      const row = await parts.media.ingest([file.bytes], { clientId, source: 'upload', altText: '' });
      return { mediaId: row.id, note: null };
    } catch (err) {
      const reason = err instanceof FetchRefused ? err.message : (err as Error).message;
      log.info({ clientId, url: article.imageUrl, reason }, 'feed image not kept');
      return { mediaId: null, note: `its image could not be kept (${reason})` };
    }
  }

  function target(platform: Platform): DraftTarget {
    const descriptor = networks.platform(platform)!;
    return {
      label: descriptor.label,
      limits: descriptor.limits,
      ai: descriptor.ai,
      check: (caption, media) => networks.check(platform, caption, media),
    };
  }

  /** "title\n\nlink", the title shortened until the network takes it. */
  function plainCaption(account: AccountRow, article: FeedArticle, mediaIds: readonly string[]): string {
    const link = article.link ?? '';
    const title = article.title;
    if (!title) return link;
    const join = (t: string) => (link ? `${t}\n\n${link}` : t);
    const cut = (room: number) => (room >= title.length ? join(title) : join(`${title.slice(0, room - 1).trimEnd()}…`));
    const limit = networks.platform(account.platform)?.limits.characters ?? 500;
    let room = Math.min(title.length, limit - (link ? link.length + 2 : 0));
    let caption = cut(room);
    // Networks count some things their own way (links, emoji): their check has the last word.
    while (room > 1 && refusesCaption(account, caption, mediaIds)) {
      room = Math.floor(room * 0.8);
      caption = cut(room);
    }
    return room > 1 ? caption : link || title.slice(0, limit);
  }

  function refusesCaption(account: AccountRow, caption: string, mediaIds: readonly string[]): boolean {
    const { errors } = parts.posts.contentErrors(account, {
      caption,
      mediaIds,
      options: null,
      surface: 'feed',
      firstComment: '',
    });
    return !!errors?.caption;
  }

  /** The AI's version for one network in the client's voice, or why there is none. */
  async function rewrite(
    client: ClientRow,
    platform: Platform,
    article: FeedArticle,
    withImage: boolean,
  ): Promise<{ caption: string | null; problem: string | null }> {
    const writer = parts.writer;
    if (!writer) return { caption: null, problem: 'AI writing is off (GROQ_API_KEY is not set)' };
    const to = target(platform);
    const link = article.link ? `\n\n${article.link}` : '';
    const built = buildPrompt({
      client,
      rule: {
        name: 'A new article on the client’s blog',
        tone: '',
        instructions:
          'Announce this article to the followers in a few sentences; the link is added after your caption, ' +
          `do not write it. Title: ${article.title}. Summary: ${article.summary || '(none)'}`,
        media: 'none',
      },
      platform: { ...to, limits: { ...to.limits, characters: Math.max(80, to.limits.characters - link.length) } },
      slots: [{ when: 'now', topic: article.title || article.link || 'the article' }],
      recent: repos.posts.recentCaptions(client.id, 10),
      guidance: client.guidance,
      snippets: repos.snippets.forAi(client.id),
    });
    try {
      const { value, problems } = await askForDraft(deps, writer, built, {
        attempts: AI_ATTEMPTS,
        clientId: client.id,
        postId: null,
        review(content): AnswerReview<string> {
          const review = reviewAnswer(content, 1, to, withImage);
          const draft = review.drafts[0];
          if (!draft) return { problems: review.problems };
          const caption = `${composeCaption(draft, to)}${link}`;
          if (to.check(caption, [])?.caption)
            return { problems: ['The caption is too long once the link is added; write it shorter.'] };
          return { value: caption };
        },
      });
      return value === null ? { caption: null, problem: problems.join(' ') } : { caption: value, problem: null };
    } catch (err) {
      return { caption: null, problem: (err as Error).message };
    }
  }

  interface Planned {
    account: AccountRow;
    caption: string;
    mediaIds: string[];
    notes: string[];
  }

  /** Each account's draft for an article (AI first, when asked), and the accounts that refuse it. */
  async function plan(feed: FeedRow, client: ClientRow, article: FeedArticle, mediaId: string | null) {
    const accounts = feed.accountIds
      .map((id) => repos.accounts.get(id))
      .filter((a): a is AccountRow => !!a && a.clientId === feed.clientId);
    const rewritten = new Map<Platform, { caption: string | null; problem: string | null }>();
    if (feed.rewrite)
      for (const platform of new Set(accounts.map((a) => a.platform as Platform)))
        rewritten.set(platform, await rewrite(client, platform, article, mediaId !== null));
    const planned: Planned[] = [];
    const skipped: string[] = [];
    for (const account of accounts) {
      const notes: string[] = [];
      const ai = rewritten.get(account.platform as Platform);
      if (ai?.problem) notes.push(`The AI rewrite failed (${ai.problem}); the draft keeps the title and link.`);
      const withMedia = mediaId ? [mediaId] : [];
      // The image when the network takes it, else the words alone; a network that needs media is skipped.
      let chosen: Planned | null = null;
      for (const mediaIds of mediaId ? [withMedia, []] : [[]]) {
        const caption = ai?.caption ?? plainCaption(account, article, mediaIds);
        const { errors } = parts.posts.contentErrors(account, {
          caption,
          mediaIds,
          options: null,
          surface: 'feed',
          firstComment: '',
        });
        if (!errors) {
          chosen = { account, caption, mediaIds, notes };
          break;
        }
        if (mediaIds.length === 0) {
          const reason = Object.values(errors).flat().join(' ');
          skipped.push(`${account.name} (${networks.label(account.platform)}): ${reason}`);
        }
      }
      if (chosen) {
        if (mediaId && chosen.mediaIds.length === 0) notes.push('Written without the image: the network refused it.');
        planned.push(chosen);
      }
    }
    return { planned, skipped };
  }

  /**
   * Writes an article's drafts and its feed_items row in one transaction. Returns the post ids, or
   * null when the client had the item already (another check wrote it meanwhile).
   */
  function commit(
    feed: FeedRow,
    client: ClientRow,
    article: FeedArticle,
    drafts: readonly Planned[],
    skipped: readonly string[],
    imageNote: string | null,
  ): string[] | null {
    return database.immediate(() => {
      if (repos.feeds.seenKeys(feed.clientId, [article.key]).size) return null;
      let postIds: string[] = [];
      if (drafts.length === 1) {
        const d = drafts[0]!;
        const post = parts.posts.insertPost(
          d.account,
          client,
          { caption: d.caption, mediaIds: d.mediaIds, options: null, surface: 'feed', firstComment: '', ...draft },
          FEED_ACTOR,
          { note: ` from the feed ${feed.url}` },
        );
        postIds = [post.id];
      } else if (drafts.length > 1) {
        const shared = drafts.find((d) => d.mediaIds.length)?.mediaIds ?? [];
        const base = drafts[0]!.caption;
        const view = parts.groups.create(
          {
            clientId: client.id,
            caption: base,
            mediaIds: shared,
            status: 'draft',
            members: drafts.map((d) => ({
              accountId: d.account.id,
              ...(d.caption !== base ? { caption: d.caption } : {}),
              ...(d.mediaIds.join() !== shared.join() ? { mediaIds: d.mediaIds } : {}),
            })),
          },
          FEED_ACTOR,
        );
        postIds = drafts.map((d) => view.posts.find((p) => p.accountId === d.account.id)!.id);
      }
      for (const [i, id] of postIds.entries()) {
        const notes = [...drafts[i]!.notes];
        if (imageNote) notes.push(`Written without an image: ${imageNote}.`);
        for (const s of skipped) notes.push(`Not written for ${s}`);
        const level = notes.length ? 'warn' : 'info';
        const message = `From the feed ${feed.url}: "${article.title || article.link}". ${notes.join(' ')}`.trim();
        parts.posts.log(id, { step: 'feed', level, message });
      }
      const inserted = repos.feeds.insertItem({
        clientId: feed.clientId,
        itemKey: article.key,
        feedId: feed.id,
        title: article.title.slice(0, 500),
        link: article.link,
        publishedAt: article.publishedAt,
        postIds,
        seenAt: clock.now(),
      });
      if (!inserted) throw new ConflictError('The feed item was recorded meanwhile.');
      return postIds;
    });
  }

  /** Drafts for one new article; its image downloaded before the transaction and dropped if not used. */
  async function bringIn(feed: FeedRow, client: ClientRow, article: FeedArticle): Promise<string[] | null> {
    const picture = await image(feed.clientId, article);
    const { planned, skipped } = await plan(feed, client, article, picture.mediaId);
    let postIds: string[] | null = null;
    try {
      postIds = commit(feed, client, article, planned, skipped, picture.note);
    } finally {
      const used = postIds !== null && planned.some((p) => p.mediaIds.length);
      if (picture.mediaId && !used) parts.media.delete(picture.mediaId);
    }
    if (postIds?.length === 0)
      log.warn({ feedId: feed.id, item: article.key, skipped }, 'feed item refused by every account');
    if (postIds && feed.queue && parts.place) {
      for (const id of postIds) {
        try {
          parts.place(id, FEED_ACTOR);
        } catch (err) {
          parts.posts.log(id, {
            step: 'feed',
            level: 'warn',
            message: `Not put in the queue: ${(err as Error).message} (${describeActor(FEED_ACTOR)})`,
          });
        }
      }
    }
    return postIds;
  }

  async function run(feedId: string, latest: number): Promise<CheckOutcome> {
    const feed = load(feedId);
    const outcome: CheckOutcome = { feedId, added: 0, recorded: 0, notModified: false, error: null };
    const first = feed.lastCheckedAt === null;
    try {
      const answer = await download(feed);
      if (!answer) {
        outcome.notModified = true;
        repos.feeds.update(feed.id, { lastCheckedAt: clock.now(), lastError: null });
        return outcome;
      }
      const articles = parseFeed(answer.bytes.toString('utf8'), answer.url);
      const seen = repos.feeds.seenKeys(
        feed.clientId,
        articles.map((a) => a.key),
      );
      // Oldest first, so drafts are made in the order the blog wrote them.
      const fresh = [...new Map(articles.filter((a) => !seen.has(a.key)).map((a) => [a.key, a])).values()].sort(
        (a, b) => (a.publishedAt ?? 0) - (b.publishedAt ?? 0),
      );
      const client = clientOf(feed.clientId);
      const drafted = first ? new Set(fresh.slice(Math.max(0, fresh.length - latest))) : new Set(fresh);
      let failed: string | null = null;
      for (const article of fresh) {
        if (!drafted.has(article)) {
          const recorded = repos.feeds.insertItem({
            clientId: feed.clientId,
            itemKey: article.key,
            feedId: feed.id,
            title: article.title.slice(0, 500),
            link: article.link,
            publishedAt: article.publishedAt,
            postIds: [],
            seenAt: clock.now(),
          });
          if (recorded) outcome.recorded++;
          continue;
        }
        try {
          if (await bringIn(feed, client, article)) outcome.added++;
        } catch (err) {
          // The item stays unseen and comes back on the next check; the others go on.
          failed = `could not write the drafts for "${article.title || article.key}": ${(err as Error).message}`;
          log.warn({ feedId: feed.id, item: article.key, err: (err as Error).message }, 'feed item not written');
        }
      }
      if (failed) throw new Error(failed);
      // The validators are kept only once every item is in: else a 304 would hide the one that failed.
      repos.feeds.update(feed.id, {
        lastCheckedAt: clock.now(),
        lastError: null,
        etag: answer.etag ?? null,
        lastModified: answer.lastModified ?? null,
      });
      return outcome;
    } catch (err) {
      const reason = err instanceof FetchRefused ? err.message : (err as Error).message;
      const failures = failuresOf(repos.feeds.get(feed.id)?.lastError ?? null) + 1;
      const message = `${reason} (${failures} failed check${failures === 1 ? '' : 's'} in a row)`;
      if (repos.feeds.get(feed.id)) repos.feeds.update(feed.id, { lastError: message, updatedAt: clock.now() });
      log.info({ feedId: feed.id, url: feed.url, reason }, 'feed not read');
      outcome.error = message;
      return outcome;
    }
  }

  /** Reads one feed now (one reading per feed at a time); never throws for a broken feed. */
  function check(feedId: string, options: { latest?: number } = {}): Promise<CheckOutcome> {
    const current = running.get(feedId);
    if (current) return current;
    const work = run(feedId, options.latest ?? 0).finally(() => running.delete(feedId));
    running.set(feedId, work);
    return work;
  }

  return {
    get: load,
    check,

    list(clientId: string, scope: Scope = {}): FeedRow[] {
      if (scope.clientId && scope.clientId !== clientId) throw new NotFoundError('Client');
      clientOf(clientId);
      return repos.feeds.listByClient(clientId);
    },

    /** Adds a feed and reads it once: what is there is recorded (the newest `latest` become drafts). */
    async create(clientId: string, input: unknown, actor: Actor = SYSTEM, scope: Scope = {}): Promise<FeedRow> {
      if (scope.clientId && scope.clientId !== clientId) throw new NotFoundError('Client');
      const client = clientOf(clientId);
      if (client.status === 'archived') throw new ConflictError('This client is archived; restore it first.');
      const data = parseInput(createSchema, input);
      const accountIds = checkAccounts(clientId, data.accountIds);
      checkUrl(clientId, data.url);
      if (repos.feeds.listByClient(clientId).length >= MAX_FEEDS_PER_CLIENT)
        throw ValidationError.field('url', `at most ${MAX_FEEDS_PER_CLIENT} feeds per client`);
      const now = clock.now();
      const row: FeedRow = {
        id: newId('feed', now),
        clientId,
        url: data.url,
        accountIds,
        rewrite: data.rewrite,
        queue: data.queue,
        active: true,
        etag: null,
        lastModified: null,
        lastCheckedAt: null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
      };
      database.immediate(() => {
        repos.feeds.insert(row);
        recordAudit(deps, actor, {
          kind: 'feed.create',
          clientId,
          targetId: row.id,
          summary: `Added feed ${row.url}`,
          after: { url: row.url, accountIds: row.accountIds, rewrite: row.rewrite, queue: row.queue },
        });
      });
      await check(row.id, { latest: data.latest });
      return load(row.id);
    },

    /** Changes a feed; a new address is read afresh (no validators) but items seen stay seen. */
    update(id: string, input: unknown, actor: Actor = SYSTEM, scope: Scope = {}): FeedRow {
      const feed = load(id, scope);
      const data = parseInput(updateSchema, input);
      const patch: Partial<FeedRow> = { updatedAt: clock.now() };
      if (data.url !== undefined && data.url !== feed.url) {
        checkUrl(feed.clientId, data.url, id);
        Object.assign(patch, { url: data.url, etag: null, lastModified: null, lastError: null });
      }
      if (data.accountIds) patch.accountIds = checkAccounts(feed.clientId, data.accountIds);
      if (data.rewrite !== undefined) patch.rewrite = data.rewrite;
      if (data.queue !== undefined) patch.queue = data.queue;
      if (data.active !== undefined) patch.active = data.active;
      database.immediate(() => {
        repos.feeds.update(id, patch);
        recordAudit(deps, actor, {
          kind: 'feed.update',
          clientId: feed.clientId,
          targetId: id,
          summary: `Edited feed ${feed.url}`,
          ...editOf(feed, load(id), ['url', 'accountIds', 'rewrite', 'queue', 'active']),
        });
      });
      return load(id);
    },

    delete(id: string, actor: Actor = SYSTEM, scope: Scope = {}): FeedRow {
      const feed = load(id, scope);
      database.immediate(() => {
        repos.feeds.delete(id);
        recordAudit(deps, actor, {
          kind: 'feed.delete',
          clientId: feed.clientId,
          targetId: id,
          summary: `Removed feed ${feed.url}`,
        });
      });
      return feed;
    },

    /** The check-feeds job: every active feed that is due, one after the other; a broken one does not stop it. */
    async checkDue(signal?: AbortSignal): Promise<Record<string, number>> {
      const counts = { feeds: 0, added: 0, recorded: 0, failed: 0, notModified: 0 };
      const now = clock.now();
      for (const feed of repos.feeds.listActive()) {
        if (signal?.aborted) break;
        if (nextCheckAt(feed) > now) continue;
        if (repos.clients.get(feed.clientId)?.status === 'archived') continue;
        let outcome: CheckOutcome;
        try {
          outcome = await check(feed.id);
        } catch (err) {
          // Removed meanwhile, or something unforeseen: the other feeds are still read.
          log.warn({ feedId: feed.id, err: (err as Error).message }, 'feed check failed');
          counts.failed++;
          continue;
        }
        counts.feeds++;
        counts.added += outcome.added;
        counts.recorded += outcome.recorded;
        if (outcome.error) counts.failed++;
        if (outcome.notModified) counts.notModified++;
      }
      return counts;
    },
  };
}
