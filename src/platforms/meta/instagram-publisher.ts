// Publishing to Instagram through Facebook Login (docs/platforms/meta.md#instagram-publishing):
// container(s) → poll → media_publish, with the linked Page's token. Containers are invisible until
// published, so all of that is `prepare`; the single public step is `media_publish`
// (docs/platforms/meta.md#publishing-a-container).
import { isVideo } from '../../domain/platform-limits.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import {
  PlatformError,
  type AttemptContext,
  type LookupResult,
  type PublishMedia,
  type Publisher,
  type PublishResult,
} from '../types.js';
import { DEFAULT_RATE_LIMIT_WAIT_MS } from './errors.js';
import { InstagramComments } from './comments.js';
import { record, text, type GraphClient, type Params } from './graph.js';

export interface InstagramPublisherOptions {
  /**
   * Between status polls (about once a minute is Meta's advice; 10 s suits images:
   * docs/platforms/meta.md#container-status).
   */
  readonly pollIntervalMs: number;
  /** Give up polling (transient: the next attempt reuses the container if it finished). */
  readonly pollTimeoutMs: number;
}

/** Stories listed this long before the send still count as ours (clock skew). */
const STORY_MATCH_WINDOW_MS = 2 * 60_000;

type Status = 'FINISHED' | 'IN_PROGRESS' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

export class InstagramPublisher implements Publisher {
  readonly platform = 'instagram' as const;
  readonly firstComment = new InstagramComments(() => this.graph);

  constructor(
    private readonly graph: GraphClient,
    private readonly options: InstagramPublisherOptions,
    /** Container status polls wait on it. */
    private readonly clock: Clock = systemClock,
  ) {}

  async prepare(ctx: AttemptContext): Promise<void> {
    await this.checkQuota(ctx);
    const reused = await this.reusable(ctx);
    if (reused) {
      ctx.save({ step: 'container_reused', containerId: reused });
      ctx.log({
        step: 'prepare',
        message: `Reusing the finished Instagram container ${reused} from the previous attempt.`,
      });
      return;
    }
    let containerId: string;
    if (ctx.media.length > 1) {
      // Carousel: children first (no caption on them), each ready before the parent
      // (docs/platforms/meta.md#containers).
      const children: string[] = [];
      for (const media of ctx.media) {
        const id = await this.create(ctx, { ...(await this.itemParams(media)), is_carousel_item: true });
        children.push(id);
        ctx.save({ step: 'child_created', children: [...children] });
      }
      for (const child of children) await this.waitFinished(ctx, child);
      containerId = await this.create(ctx, {
        media_type: 'CAROUSEL',
        children: children.join(','),
        caption: ctx.caption || undefined,
      });
    } else {
      const media = ctx.media[0];
      if (!media) throw new PlatformError('permanent', 'An Instagram post needs an image or a video.', 'meta:no_media');
      if (ctx.surface === 'story') {
        // One media, no caption, alt_text or collaborators (docs/platforms/meta-surfaces.md#instagram-stories).
        containerId = await this.create(
          ctx,
          isVideo(media)
            ? { media_type: 'STORIES', video_url: media.url }
            : { media_type: 'STORIES', image_url: await media.jpegUrl() },
        );
      } else {
        // Feed videos are Reels since 2023, share_to_feed keeps them in the grid (docs/platforms/meta.md#containers).
        const params: Params = isVideo(media)
          ? { media_type: 'REELS', video_url: media.url, share_to_feed: true }
          : await this.itemParams(media);
        containerId = await this.create(ctx, { ...params, caption: ctx.caption || undefined });
      }
    }
    ctx.save({ step: 'container_created', containerId });
    await this.waitFinished(ctx, containerId);
  }

  /** Read the live quota instead of assuming 25, 50 or 100 (docs/platforms/meta.md#daily-publishing-limit). */
  private async checkQuota(ctx: AttemptContext): Promise<void> {
    const { data } = await this.graph.forAttempt(ctx, 'instagram', 'prepare', {
      path: `/${ctx.account.externalId}/content_publishing_limit`,
      params: { fields: 'quota_usage,config' },
    });
    const row = record(Array.isArray(record(data)?.data) ? (record(data)!.data as unknown[])[0] : null);
    const used = typeof row?.quota_usage === 'number' ? row.quota_usage : null;
    const total =
      typeof record(row?.config)?.quota_total === 'number' ? (record(row?.config)!.quota_total as number) : null;
    if (used !== null && total !== null && used >= total) {
      throw new PlatformError(
        'rate_limited',
        `Instagram’s limit of ${total} posts published through the API in 24 hours is used up for this account; ` +
          'Herald waits before trying again.',
        'meta:quota',
        {
          retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS,
          scope: 'account',
        },
      );
    }
  }

  /** A container the previous attempt made and never published, still ready: publish that one. */
  private async reusable(ctx: AttemptContext): Promise<string | null> {
    const previous = record(ctx.state.previous);
    const containerId = text(previous?.containerId);
    if (!containerId) return null;
    let status: Status | null;
    try {
      status = (await this.status(ctx, containerId)).code;
    } catch {
      return null;
    }
    if (status === 'PUBLISHED') {
      // Only proof of absence starts a new attempt; a published container means that proof was wrong.
      throw new PlatformError(
        'permanent',
        `Instagram shows the previous attempt’s container ${containerId} as published; ` +
          'check the account before sending this post again.',
        'meta:already_published',
      );
    }
    return status === 'FINISHED' ? containerId : null;
  }

  private async itemParams(media: PublishMedia): Promise<Params> {
    if (isVideo(media)) return { media_type: 'VIDEO', video_url: media.url };
    // Instagram takes only JPEG; alt_text is accepted on images since 2025-03 (docs/platforms/meta.md#containers).
    return { image_url: await media.jpegUrl(), alt_text: media.altText || undefined };
  }

  private async create(ctx: AttemptContext, params: Params): Promise<string> {
    const { data } = await this.graph.forAttempt(ctx, 'instagram', 'prepare', {
      method: 'POST',
      path: `/${ctx.account.externalId}/media`,
      params,
    });
    const id = text(record(data)?.id);
    if (!id) throw new PlatformError('transient', 'Instagram created a container without giving its id.', 'meta:no_id');
    return id;
  }

  private async status(
    ctx: AttemptContext,
    containerId: string,
  ): Promise<{ code: Status | null; text: string | undefined }> {
    const { data } = await this.graph.forAttempt(
      ctx,
      'instagram',
      'poll',
      { path: `/${containerId}`, params: { fields: 'status_code,status' } },
      true,
    );
    const body = record(data);
    const code = text(body?.status_code);
    return {
      code:
        code && ['FINISHED', 'IN_PROGRESS', 'ERROR', 'EXPIRED', 'PUBLISHED'].includes(code) ? (code as Status) : null,
      text: text(body?.status),
    };
  }

  /**
   * Poll `status_code` until FINISHED; ERROR is final, EXPIRED needs a new container
   * (docs/platforms/meta.md#container-status).
   */
  private async waitFinished(ctx: AttemptContext, containerId: string): Promise<void> {
    // Counted in polls rather than read from a clock, so a paused or simulated clock cannot
    // make it poll forever.
    const maxPolls = Math.max(1, Math.ceil(this.options.pollTimeoutMs / this.options.pollIntervalMs));
    for (let polls = 1; ; polls++) {
      const { code, text: detail } = await this.status(ctx, containerId);
      if (code === 'FINISHED') {
        ctx.log({
          step: 'prepare',
          message: `Instagram container ${containerId} is ready (${polls} status ${polls === 1 ? 'check' : 'checks'}).`,
        });
        return;
      }
      if (code === 'ERROR')
        throw new PlatformError(
          'permanent',
          `Instagram could not process the media: ${detail ?? 'status ERROR'}.`,
          'meta:container_error',
        );
      if (code === 'EXPIRED')
        throw new PlatformError(
          'transient',
          'The Instagram container expired before it was published; a new one is made on the next attempt.',
          'meta:container_expired',
        );
      if (code === 'PUBLISHED')
        throw new PlatformError(
          'permanent',
          `Instagram shows container ${containerId} as already published.`,
          'meta:already_published',
        );
      if (polls >= maxPolls) {
        throw new PlatformError(
          'transient',
          `Instagram was still processing the media after ${Math.round(this.options.pollTimeoutMs / 1000)} s; ` +
            'the next attempt picks it up.',
          'meta:container_slow',
        );
      }
      await this.clock.sleep(this.options.pollIntervalMs, ctx.signal);
    }
  }

  async send(ctx: AttemptContext): Promise<void> {
    const containerId = text(ctx.state.containerId);
    if (!containerId)
      throw new PlatformError(
        'transient',
        'No Instagram container was prepared for this attempt.',
        'meta:no_container',
      );
    // docs/platforms/meta.md#publishing-a-container; 9007/2207027 ("not ready") comes back as a 4xx
    // refusal and maps to transient.
    const { data } = await this.graph.forAttempt(ctx, 'instagram', 'send', {
      method: 'POST',
      path: `/${ctx.account.externalId}/media_publish`,
      params: { creation_id: containerId },
      publishing: true,
    });
    const mediaId = text(record(data)?.id);
    if (!mediaId)
      throw new PlatformError(
        'unknown_outcome',
        'Instagram accepted the publish request without giving the media id; Herald checks the container.',
        'meta:no_id',
      );
    ctx.save({ step: 'sent', mediaId });
  }

  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const mediaId = text(ctx.state.mediaId);
    if (!mediaId)
      throw new PlatformError('unknown_outcome', 'No Instagram media id was saved for this attempt.', 'meta:no_id');
    return { externalId: mediaId, permalink: await this.permalink(ctx, mediaId) };
  }

  private async permalink(ctx: AttemptContext, mediaId: string): Promise<string | null> {
    try {
      const { data } = await this.graph.forAttempt(ctx, 'instagram', 'confirm', {
        path: `/${mediaId}`,
        params: { fields: 'permalink' },
      });
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
   * The story a published container became, when the answer to media_publish was lost: the one
   * story of the account since the send. `/media` never lists stories, `/stories` does
   * (docs/platforms/meta-surfaces.md#instagram-stories). Several candidates: none is guessed.
   */
  private async findStory(ctx: AttemptContext): Promise<string | undefined> {
    const since = (ctx.sentAt ?? ctx.now()) - STORY_MATCH_WINDOW_MS;
    try {
      const stories = await this.graph.collect({
        path: `/${ctx.account.externalId}/stories`,
        token: ctx.account.accessToken,
        surface: 'instagram',
        objectId: ctx.account.externalId,
        params: { fields: 'id,timestamp', limit: 100 },
        signal: ctx.signal,
      });
      const recent = stories.filter((s) => Date.parse(String(s.timestamp ?? '')) >= since);
      const id = recent.length === 1 ? text(recent[0]!.id) : undefined;
      if (id) ctx.save({ step: 'story_found', mediaId: id });
      return id;
    } catch (err) {
      ctx.log({
        step: 'lookup',
        level: 'warn',
        message: `The account's stories could not be listed (${String(err)}).`,
      });
      return undefined;
    }
  }

  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    const containerId = text(ctx.state.containerId);
    // Nothing can be published on Instagram without a container (docs/platforms/meta.md#containers).
    if (!containerId) return { status: 'absent', reason: 'no Instagram container was created in this attempt' };
    let status: Status | null;
    try {
      status = (await this.status(ctx, containerId)).code;
    } catch (err) {
      return { status: 'unknown', reason: `the container status could not be read (${(err as Error).message})` };
    }
    switch (status) {
      case 'PUBLISHED': {
        const mediaId = text(ctx.state.mediaId) ?? (ctx.surface === 'story' ? await this.findStory(ctx) : undefined);
        return {
          status: 'published',
          externalId: mediaId ?? containerId,
          permalink: mediaId ? await this.permalink(ctx, mediaId) : null,
        };
      }
      case 'FINISHED':
        // A FINISHED container was not published; publishing it is the documented retry
        // (docs/platforms/meta.md#publishing-a-container).
        return { status: 'absent', reason: `container ${containerId} is ready and unpublished` };
      case 'EXPIRED':
      case 'ERROR':
        return {
          status: 'absent',
          reason: `container ${containerId} is ${status.toLowerCase()} and was never published`,
        };
      case 'IN_PROGRESS':
        return { status: 'pending', reason: `container ${containerId} is still processing` };
      default:
        return { status: 'unknown', reason: `container ${containerId} has an unexpected status` };
    }
  }
}
