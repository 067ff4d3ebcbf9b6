// Publishing to Threads (docs/platforms/threads.md#publishing): container(s) → wait for FINISHED →
// threads_publish. Containers are invisible until published, so all of that is `prepare`; the one
// public step is `threads_publish`, which is not idempotent, so every id is saved the moment it
// exists and a lost answer is settled by `lookup`, never by sending again.
import { isVideo } from '../../domain/platform-limits.js';
import type { Clock } from '../../lib/clock.js';
import {
  PlatformError,
  type AttemptContext,
  type LookupResult,
  type Publisher,
  type PublishMedia,
  type PublishResult,
} from '../types.js';
import { record, text, type Params, type ThreadsApi } from './api.js';
import { ThreadsFirstComment } from './comments.js';
import { THREADS_ID } from './connector.js';
import { containerErrorMessage, DEFAULT_RATE_LIMIT_WAIT_MS } from './errors.js';
import { THREADS_LIMITS } from './limits.js';
import { type ContainerKind, listProfilePosts, matchPost, sinceOf } from './profile-posts.js';
import type { ThreadsTiming } from './settings.js';

type Status = 'IN_PROGRESS' | 'FINISHED' | 'PUBLISHED' | 'ERROR' | 'EXPIRED';
const STATUSES: readonly Status[] = ['IN_PROGRESS', 'FINISHED', 'PUBLISHED', 'ERROR', 'EXPIRED'];

export class ThreadsPublisher implements Publisher {
  readonly platform = THREADS_ID;
  readonly firstComment: ThreadsFirstComment;

  constructor(
    private readonly api: ThreadsApi,
    private readonly timing: Pick<ThreadsTiming, 'pollIntervalMs' | 'pollTimeoutMs' | 'publishSettleMs'>,
    /** Container polls wait on it. */
    private readonly clock: Clock,
  ) {
    this.firstComment = new ThreadsFirstComment(api, timing, clock);
  }

  private call<T = Record<string, unknown>>(
    ctx: AttemptContext,
    step: string,
    req: { method?: 'GET' | 'POST'; path: string; params?: Params; publishing?: boolean },
    quiet = false,
  ) {
    return this.api
      .call<T>({ ...req, token: ctx.account.accessToken, userId: ctx.account.externalId, signal: ctx.signal })
      .then((res) => {
        if (!quiet)
          ctx.log({
            step,
            message: `Threads answered ${res.status}.`,
            request: res.request,
            durationMs: res.durationMs,
          });
        return res;
      });
  }

  async prepare(ctx: AttemptContext): Promise<void> {
    await this.checkQuota(ctx);
    const reused = await this.reusable(ctx);
    if (reused) {
      ctx.save({ step: 'container_reused', containerId: reused.containerId, kind: reused.kind });
      ctx.log({ step: 'prepare', message: `Reusing the finished Threads container ${reused.containerId}.` });
      return;
    }
    const caption = ctx.caption.trim() ? ctx.caption : undefined;
    let containerId: string;
    let kind: ContainerKind;
    if (ctx.media.length > 1) {
      // Carousel: each item is its own container, ready before the parent (docs/platforms/threads.md#carousels).
      if (ctx.media.length > THREADS_LIMITS.carousel.maxItems)
        throw new PlatformError(
          'permanent',
          `A Threads carousel takes at most ${THREADS_LIMITS.carousel.maxItems} images or videos.`,
          'threads:carousel_size',
        );
      const children: string[] = [];
      for (const media of ctx.media) {
        children.push(await this.create(ctx, { ...(await this.itemParams(media)), is_carousel_item: true }));
        ctx.save({ step: 'child_created', children: [...children] });
      }
      for (const child of children) await this.waitFinished(ctx, child);
      kind = 'CAROUSEL';
      containerId = await this.create(ctx, { media_type: kind, children: children.join(','), text: caption });
    } else if (ctx.media.length === 1) {
      const params = await this.itemParams(ctx.media[0]!);
      kind = params.media_type as ContainerKind;
      containerId = await this.create(ctx, { ...params, text: caption });
    } else {
      if (!caption)
        throw new PlatformError('permanent', 'A Threads post needs text, an image or a video.', 'threads:empty');
      kind = 'TEXT';
      // Never `auto_publish_text`: it would make the create call public (docs/platforms/threads.md#containers).
      containerId = await this.create(ctx, { media_type: kind, text: caption });
    }
    ctx.save({ step: 'container_created', containerId, kind });
    await this.waitFinished(ctx, containerId);
  }

  /**
   * The live quota, not an assumed 250 (docs/platforms/threads.md#publishing-limit). When it is used
   * up, the wait runs until the oldest post of the rolling window leaves it.
   */
  private async checkQuota(ctx: AttemptContext): Promise<void> {
    const { data } = await this.call(ctx, 'prepare', {
      path: `/${ctx.account.externalId}/threads_publishing_limit`,
      params: { fields: 'quota_usage,config' },
    });
    const row = record(Array.isArray(record(data)?.data) ? (record(data)!.data as unknown[])[0] : null);
    const config = record(row?.config);
    const used = typeof row?.quota_usage === 'number' ? row.quota_usage : null;
    const total = typeof config?.quota_total === 'number' ? config.quota_total : null;
    if (used === null || total === null || used < total) return;
    const windowMs = typeof config?.quota_duration === 'number' ? config.quota_duration * 1000 : 24 * 3_600_000;
    const retryAfterMs = await this.quotaReset(ctx, windowMs);
    const at = new Date(this.clock.now() + retryAfterMs).toISOString().slice(0, 16).replace('T', ' ');
    throw new PlatformError(
      'rate_limited',
      `Threads’ limit of ${total} posts published through the API in 24 hours is used up for this profile; ` +
        `Herald tries again after ${at} UTC.`,
      'threads:quota',
      { retryAfterMs, scope: 'account' },
    );
  }

  /** Until the oldest post in the window is a full window old; the whole window when it cannot be read. */
  private async quotaReset(ctx: AttemptContext, windowMs: number): Promise<number> {
    const now = this.clock.now();
    try {
      const posts = await listProfilePosts(this.api, ctx, Math.floor((now - windowMs) / 1000), 3);
      const oldest = posts.reduce((min, p) => Math.min(min, p.at), Number.POSITIVE_INFINITY);
      if (Number.isFinite(oldest)) return Math.max(60_000, oldest + windowMs - now);
    } catch {
      // Fall through to the safe estimate.
    }
    return windowMs || DEFAULT_RATE_LIMIT_WAIT_MS;
  }

  /** A container the previous attempt made and never published, still FINISHED: publish that one. */
  private async reusable(ctx: AttemptContext): Promise<{ containerId: string; kind: string } | null> {
    const previous = record(ctx.state.previous);
    const containerId = text(previous?.containerId);
    if (!containerId) return null;
    let status: Status | null;
    try {
      status = (await this.status(ctx, containerId)).status;
    } catch {
      return null;
    }
    if (status === 'PUBLISHED')
      throw new PlatformError(
        'permanent',
        `Threads shows the previous attempt’s container ${containerId} as published; ` +
          'check the profile before sending this post again.',
        'threads:already_published',
      );
    return status === 'FINISHED' ? { containerId, kind: text(previous?.kind) ?? '' } : null;
  }

  private async itemParams(media: PublishMedia): Promise<Params> {
    if (isVideo(media)) return { media_type: 'VIDEO', video_url: media.url, alt_text: media.altText || undefined };
    // JPEG and PNG are taken as they are; anything else goes as Herald's JPEG rendition
    // (docs/platforms/threads.md#limits-and-media).
    const url = (THREADS_LIMITS.image.mimes as readonly string[]).includes(media.mime)
      ? media.url
      : await media.jpegUrl();
    return { media_type: 'IMAGE', image_url: url, alt_text: media.altText || undefined };
  }

  private async create(ctx: AttemptContext, params: Params): Promise<string> {
    const { data } = await this.call(ctx, 'prepare', {
      method: 'POST',
      path: `/${ctx.account.externalId}/threads`,
      params,
    });
    const id = text(record(data)?.id);
    if (!id)
      throw new PlatformError('transient', 'Threads created a container without giving its id.', 'threads:no_id');
    return id;
  }

  private async status(
    ctx: AttemptContext,
    containerId: string,
  ): Promise<{ status: Status | null; errorMessage: string | undefined }> {
    const { data } = await this.call(
      ctx,
      'poll',
      { path: `/${containerId}`, params: { fields: 'id,status,error_message' } },
      true,
    );
    const body = record(data);
    const status = text(body?.status);
    return {
      status: status && (STATUSES as readonly string[]).includes(status) ? (status as Status) : null,
      errorMessage: text(body?.error_message),
    };
  }

  /**
   * Polls until FINISHED; ERROR is final, EXPIRED needs a new container
   * (https://developers.facebook.com/docs/threads/troubleshooting). Counted in polls, so a
   * simulated clock cannot make it poll forever.
   */
  private async waitFinished(ctx: AttemptContext, containerId: string): Promise<void> {
    const maxPolls = Math.max(1, Math.ceil(this.timing.pollTimeoutMs / this.timing.pollIntervalMs));
    for (let polls = 1; ; polls++) {
      const { status, errorMessage } = await this.status(ctx, containerId);
      if (status === 'FINISHED') {
        ctx.log({ step: 'prepare', message: `Threads container ${containerId} is ready (${polls} status checks).` });
        return;
      }
      if (status === 'ERROR')
        throw new PlatformError(
          'permanent',
          containerErrorMessage(errorMessage),
          `threads:container_${errorMessage ?? 'error'}`,
        );
      if (status === 'EXPIRED')
        throw new PlatformError(
          'transient',
          'The Threads container expired before it was published; a new one is made on the next attempt.',
          'threads:container_expired',
        );
      if (status === 'PUBLISHED')
        throw new PlatformError(
          'permanent',
          `Threads shows container ${containerId} as already published.`,
          'threads:already_published',
        );
      if (polls >= maxPolls)
        throw new PlatformError(
          'transient',
          `Threads was still processing the media after ${Math.round(this.timing.pollTimeoutMs / 1000)} s; ` +
            'the next attempt picks it up.',
          'threads:container_slow',
        );
      await this.clock.sleep(this.timing.pollIntervalMs, ctx.signal);
    }
  }

  async send(ctx: AttemptContext): Promise<void> {
    const containerId = text(ctx.state.containerId);
    if (!containerId)
      throw new PlatformError(
        'transient',
        'No Threads container was prepared for this attempt.',
        'threads:no_container',
      );
    const { data } = await this.call(ctx, 'send', {
      method: 'POST',
      path: `/${ctx.account.externalId}/threads_publish`,
      params: { creation_id: containerId },
      publishing: true,
    });
    const mediaId = text(record(data)?.id);
    if (!mediaId)
      throw new PlatformError(
        'unknown_outcome',
        'Threads accepted the publish request without giving the post id; Herald checks the container.',
        'threads:no_id',
      );
    // The published id is not the container id (docs/platforms/threads.md#publishing).
    ctx.save({ step: 'sent', mediaId });
  }

  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const mediaId = text(ctx.state.mediaId);
    if (!mediaId)
      throw new PlatformError('unknown_outcome', 'No Threads post id was saved for this attempt.', 'threads:no_id');
    return { externalId: mediaId, permalink: await this.permalink(ctx, mediaId) };
  }

  /** Omitted by Threads for copyright-flagged media, so a missing permalink is not an error. */
  private async permalink(ctx: AttemptContext, mediaId: string): Promise<string | null> {
    try {
      const { data } = await this.call(ctx, 'confirm', { path: `/${mediaId}`, params: { fields: 'id,permalink' } });
      return text(record(data)?.permalink) ?? null;
    } catch (err) {
      ctx.log({
        step: 'confirm',
        level: 'warn',
        message: `Published; the permalink could not be read (${(err as Error).message}).`,
      });
      return null;
    }
  }

  /**
   * After a lost publish (docs/platforms/threads.md#lookup-after-a-lost-response): the container's
   * status says whether it went out; the profile's posts give the published id. Only a container
   * that never went out, or one still FINISHED well after the call with no matching post, counts as
   * absent.
   */
  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    const containerId = text(ctx.state.containerId);
    // Nothing reaches Threads without a container, and containers are invisible until published.
    if (!containerId) return { status: 'absent', reason: 'no Threads container was created in this attempt' };
    const savedId = text(ctx.state.mediaId);
    let status: Status | null;
    try {
      status = (await this.status(ctx, containerId)).status;
    } catch (err) {
      return { status: 'unknown', reason: `the container status could not be read (${(err as Error).message})` };
    }
    if (status === 'ERROR' || status === 'EXPIRED')
      return {
        status: 'absent',
        reason: `container ${containerId} is ${status.toLowerCase()} and was never published`,
      };
    if (status === 'IN_PROGRESS') return { status: 'pending', reason: `container ${containerId} is still processing` };
    if (status === null) return { status: 'unknown', reason: `container ${containerId} has an unexpected status` };
    if (savedId && status === 'PUBLISHED')
      return { status: 'published', externalId: savedId, permalink: await this.permalink(ctx, savedId) };

    let match: { id: string; permalink: string | null } | 'several' | null;
    try {
      match = matchPost(await listProfilePosts(this.api, ctx, sinceOf(ctx), 1), ctx);
    } catch (err) {
      return { status: 'unknown', reason: `the profile’s posts could not be read (${(err as Error).message})` };
    }
    if (match === 'several')
      return { status: 'unknown', reason: 'several recent posts on the profile match this one; check it by hand' };
    if (match) return { status: 'published', externalId: match.id, permalink: match.permalink };
    if (status === 'PUBLISHED')
      // Published for certain, but the list lags the flip by a moment: ask again later.
      return { status: 'unknown', reason: `container ${containerId} is published; its post is not listed yet` };
    // FINISHED: the publish was not applied, unless the flip is still on its way
    // (docs/platforms/threads.md#lookup-after-a-lost-response).
    const sentAt = ctx.sentAt ?? 0;
    if (ctx.now() - sentAt < this.timing.publishSettleMs)
      return {
        status: 'unknown',
        reason: `container ${containerId} is unpublished so far; Herald checks again shortly`,
      };
    return {
      status: 'absent',
      reason: `container ${containerId} is ready and unpublished, and no matching post exists`,
    };
  }
}
