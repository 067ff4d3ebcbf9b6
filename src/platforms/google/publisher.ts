// Local posts on a Business Profile location (docs/platforms/google-business.md#local-posts):
// checks and the LocalPost body (prepare), localPosts.create with the post's name saved at once
// (send), its state followed until LIVE or REJECTED (confirm), and a search of the location's posts
// when the create's answer was lost (lookup), since the create is not idempotent.
import { systemClock, type Clock } from '../../lib/clock.js';
import { PlatformError, type AttemptContext, type LookupResult, type Publisher, type PublishResult } from '../types.js';
import type { GoogleApi } from './api.js';
import { GOOGLE_BUSINESS } from './connector.js';
import { checkLocalPost, localPostBody } from './local-post.js';
import { detailsOf } from './post-options.js';

export interface GooglePublisherOptions {
  /** State polling while confirming. */
  readonly pollIntervalMs: number;
  readonly confirmTimeoutMs: number;
  /**
   * How long after the send a post missing from the location's list is believed absent. Google
   * does not say how soon a new post is listed (docs/platforms/google-business.md#lost-responses).
   */
  readonly absentAfterMs: number;
  /** Pages of 100 posts searched after a lost response. */
  readonly lookupPages: number;
  /** Allowed difference between Herald's clock and Google's `createTime`. */
  readonly clockSkewMs: number;
}

export const DEFAULT_PUBLISHER_OPTIONS: GooglePublisherOptions = {
  pollIntervalMs: 10_000,
  confirmTimeoutMs: 5 * 60_000,
  absentAfterMs: 2 * 60_000,
  lookupPages: 5,
  clockSkewMs: 5 * 60_000,
};

/** A LocalPost as Google returns it (output fields included). */
interface LocalPost {
  readonly name?: string;
  readonly summary?: string;
  readonly topicType?: string;
  readonly state?: string;
  readonly createTime?: string;
  readonly searchUrl?: string;
}

interface Prepared {
  readonly location: string;
  readonly body: { summary: string; topicType: string };
}

function prepared(ctx: AttemptContext): Prepared | null {
  const g = ctx.state.google as Prepared | undefined;
  return g && typeof g.location === 'string' ? g : null;
}

function postName(ctx: AttemptContext): string | null {
  const name = ctx.state.localPostName;
  return typeof name === 'string' && name ? name : null;
}

const REJECTED_WORDS =
  'Google rejected the post for breaking its content policy (for example a phone number in the text); ' +
  'it will never appear.';

/** Publishes local posts to a Business Profile location. */
export class GoogleBusinessPublisher implements Publisher {
  readonly platform = GOOGLE_BUSINESS;
  private readonly options: GooglePublisherOptions;

  constructor(
    private readonly api: GoogleApi,
    options: Partial<GooglePublisherOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { ...DEFAULT_PUBLISHER_OPTIONS, ...options };
  }

  /** The checks and the body; nothing is sent. The location must be the v4 `accounts/{a}/locations/{l}` form. */
  async prepare(ctx: AttemptContext): Promise<void> {
    const location = ctx.account.externalId;
    if (!/^accounts\/[^/]+\/locations\/[^/]+$/.test(location))
      throw new PlatformError(
        'permanent',
        'This Business Profile account is stored without its Google account; reconnect it.',
        'bad_location_name',
      );
    // The post's own fields, as the editor or the API wrote them (AttemptContext.options).
    const details = detailsOf(ctx.options);
    if (!details)
      throw new PlatformError(
        'permanent',
        'The Business Profile fields of this post are not valid; edit the post and enter them again.',
        'invalid_post',
      );
    const problems = checkLocalPost({ summary: ctx.caption, media: ctx.media, details });
    if (problems.length > 0)
      throw new PlatformError(
        'permanent',
        `Google would refuse this post: ${problems.map((p) => p.message).join(' ')}`,
        'invalid_post',
      );
    const photo = ctx.media[0]?.url ?? null;
    const body = localPostBody(ctx.caption, details, photo) as Prepared['body'];
    ctx.save({ step: 'prepared', google: { location, body } });
    ctx.log({ step: 'prepare', message: `Business Profile ${details.topicType.toLowerCase()} post checked.` });
  }

  /** localPosts.create: the post's name and state are saved the moment Google answers. */
  async send(ctx: AttemptContext): Promise<void> {
    const plan = prepared(ctx);
    if (!plan) throw new PlatformError('transient', 'The post was not prepared; nothing was sent.', 'not_prepared');
    const reply = await this.api.call<LocalPost>(ctx.account.accessToken, {
      api: 'posts',
      method: 'POST',
      path: `/v4/${plan.location}/localPosts`,
      json: plan.body,
      sends: true,
      signal: ctx.signal,
    });
    const post = reply.data;
    if (!post.name)
      throw new PlatformError(
        'unknown_outcome',
        'Google accepted the post without naming it, so it cannot be followed up.',
        'no_post_name',
      );
    ctx.save({
      step: 'sent',
      localPostName: post.name,
      postState: post.state ?? null,
      searchUrl: post.searchUrl ?? null,
    });
    ctx.log({
      step: 'send',
      message: `Google created the post (${post.state ?? 'no state yet'}).`,
      request: reply.request,
      durationMs: reply.durationMs,
    });
  }

  /** Re-reads the post until Google has the final word: LIVE is published, REJECTED never will be. */
  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const name = postName(ctx);
    if (!name)
      throw new PlatformError('unknown_outcome', 'No Google post name was saved for this post.', 'no_post_name');
    if (ctx.state.postState === 'REJECTED') throw new PlatformError('permanent', REJECTED_WORDS, 'REJECTED');
    const deadline = this.clock.now() + this.options.confirmTimeoutMs;
    let last = typeof ctx.state.postState === 'string' ? ctx.state.postState : 'no answer yet';
    for (;;) {
      let wait = this.options.pollIntervalMs;
      let post: LocalPost | null = null;
      try {
        post = await this.get(ctx, name);
      } catch (err) {
        if (!(err instanceof PlatformError)) throw err;
        if (err.kind === 'auth') throw err;
        if (err.kind === 'permanent')
          throw new PlatformError('unknown_outcome', `Google would not report on the post: ${err.message}`, err.code);
        if (err.kind === 'rate_limited') wait = Math.max(wait, err.retryAfterMs ?? wait);
        last = err.message;
      }
      if (post) {
        const state = post.state ?? 'LOCAL_POST_STATE_UNSPECIFIED';
        if (state === 'LIVE') return this.result(name, post);
        if (state === 'REJECTED') throw new PlatformError('permanent', REJECTED_WORDS, 'REJECTED');
        if (state !== last) ctx.log({ step: 'confirm', message: `Google is processing the post (${state}).` });
        last = state;
      }
      if (this.clock.now() + wait > deadline)
        throw new PlatformError(
          'transient',
          `Google has not finished reviewing the post yet (${last}); Herald keeps checking.`,
          'still_processing',
        );
      await this.clock.sleep(wait, ctx.signal);
    }
  }

  /**
   * What became of a send whose outcome is unclear. With a saved name Google is asked directly;
   * without one the location's posts are searched for the same text and topic created since the send.
   */
  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    let name = postName(ctx);
    let post: LocalPost | null = null;
    try {
      if (name) post = await this.get(ctx, name);
      else {
        const found = await this.search(ctx);
        if (found.status !== 'found') return found.result;
        post = found.post;
        name = post.name!;
        ctx.save({ localPostName: name, postState: post.state ?? null, searchUrl: post.searchUrl ?? null });
        ctx.log({ step: 'lookup', message: 'Found the post on Google after the lost answer; it was not sent again.' });
      }
    } catch (err) {
      if (err instanceof PlatformError && err.code === 'NOT_FOUND' && name)
        return { status: 'absent', reason: `Google has no post ${name} (it was deleted or never created).` };
      return { status: 'unknown', reason: `Google did not report on the post: ${(err as Error).message}` };
    }
    switch (post.state) {
      case 'LIVE':
        return { status: 'published', ...this.result(name, post) };
      case 'REJECTED':
        return { status: 'failed', error: new PlatformError('permanent', REJECTED_WORDS, 'REJECTED') };
      case 'PROCESSING':
      case 'SCHEDULED':
        return { status: 'pending', reason: `Google is still reviewing the post (${post.state}).` };
      default:
        return { status: 'unknown', reason: `Google reports an unexpected state (${post.state ?? 'none'}).` };
    }
  }

  private async search(
    ctx: AttemptContext,
  ): Promise<{ status: 'found'; post: LocalPost } | { status: 'settled'; result: LookupResult }> {
    const plan = prepared(ctx);
    if (!plan)
      return { status: 'settled', result: { status: 'absent', reason: 'The post was never prepared, so never sent.' } };
    // Without the send's time an older post with the same words could be taken for this one.
    if (ctx.sentAt === null)
      return {
        status: 'settled',
        result: { status: 'unknown', reason: 'Herald does not know when the post was sent, so it cannot tell.' },
      };
    const since = ctx.sentAt - this.options.clockSkewMs;
    let pageToken: string | undefined;
    for (let page = 0; page < this.options.lookupPages; page++) {
      const reply = await this.api.call<{ localPosts?: LocalPost[]; nextPageToken?: string }>(ctx.account.accessToken, {
        api: 'posts',
        method: 'GET',
        path: `/v4/${plan.location}/localPosts`,
        query: { pageSize: 100, pageToken },
        signal: ctx.signal,
      });
      const posts = reply.data.localPosts ?? [];
      const match = posts
        .filter(
          (p) =>
            p.name &&
            p.summary === plan.body.summary &&
            p.topicType === plan.body.topicType &&
            Date.parse(p.createTime ?? '') >= since,
        )
        .sort((a, b) => Date.parse(b.createTime ?? '') - Date.parse(a.createTime ?? ''))[0];
      if (match) return { status: 'found', post: match };
      pageToken = reply.data.nextPageToken || undefined;
      // Listed newest first in practice; a page reaching back before the send ends the search.
      const oldest = posts.map((p) => Date.parse(p.createTime ?? '')).filter((t) => !Number.isNaN(t));
      const pastSend = oldest.length > 0 && Math.min(...oldest) < since;
      if (!pageToken || pastSend) {
        if (ctx.now() - ctx.sentAt < this.options.absentAfterMs)
          return {
            status: 'settled',
            result: {
              status: 'unknown',
              reason: 'Google does not list the post yet; too soon to be sure it is absent.',
            },
          };
        return {
          status: 'settled',
          result: { status: 'absent', reason: 'The location has no post with this text created since the send.' },
        };
      }
    }
    return {
      status: 'settled',
      result: { status: 'unknown', reason: 'The location has too many recent posts to search them all.' },
    };
  }

  private async get(ctx: AttemptContext, name: string): Promise<LocalPost> {
    const reply = await this.api.call<LocalPost>(ctx.account.accessToken, {
      api: 'posts',
      method: 'GET',
      path: `/v4/${name}`,
      signal: ctx.signal,
    });
    return reply.data;
  }

  /** `searchUrl` is Google's link to the post in Search. */
  private result(name: string, post: LocalPost): PublishResult {
    return { externalId: name, permalink: post.searchUrl ?? null };
  }
}
