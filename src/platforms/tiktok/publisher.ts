// Direct Post through the Content Posting API: creator info (prepare), init + upload (send),
// status polling (confirm, lookup). See docs/platforms/tiktok.md#content-posting.
import type { Config } from '../../config.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { PlatformError, type AttemptContext, type LookupResult, type Publisher, type PublishResult } from '../types.js';
import type { TikTokApi } from './api.js';
import { describeFailReason, RETRYABLE_FAIL_REASONS } from './errors.js';
import { photoTitle, planPost, savedPlan, type CreatorInfo, type TikTokPlan } from './plan.js';
import { uploadChunks } from './upload.js';

const CREATOR_INFO = '/v2/post/publish/creator_info/query/';
const VIDEO_INIT = '/v2/post/publish/video/init/';
const CONTENT_INIT = '/v2/post/publish/content/init/';
const STATUS = '/v2/post/publish/status/fetch/';
/**
 * An upload_url is valid for one hour; after that an unfinished upload can never complete
 * (docs/platforms/tiktok.md#direct-post-video).
 */
const UPLOAD_URL_TTL_MS = 60 * 60_000;

export interface TikTokPublisherOptions {
  /** Status polling while confirming (production: every 5 s for up to 3 min). */
  readonly pollIntervalMs: number;
  readonly confirmTimeoutMs: number;
  /** Extra tries of one upload chunk after a 5xx or network failure, and the pause between them. */
  readonly chunkRetries: number;
  readonly chunkRetryDelayMs: number;
}

export const DEFAULT_PUBLISHER_OPTIONS: TikTokPublisherOptions = {
  pollIntervalMs: 5_000,
  confirmTimeoutMs: 3 * 60_000,
  chunkRetries: 2,
  chunkRetryDelayMs: 1_000,
};

/** `data` of status/fetch (docs/platforms/tiktok.md#publish-status). */
interface StatusData {
  readonly status?: string;
  readonly fail_reason?: string;
  /** [sic] TikTok's spelling; a list of int64 post ids, kept as strings by the client. */
  readonly publicaly_available_post_id?: readonly (string | number)[];
  readonly uploaded_bytes?: number;
  readonly downloaded_bytes?: number;
}

function publishIdOf(ctx: AttemptContext): string | null {
  const id = ctx.state.publishId;
  return typeof id === 'string' && id ? id : null;
}

export class TikTokPublisher implements Publisher {
  readonly platform = 'tiktok' as const;
  private readonly options: TikTokPublisherOptions;

  constructor(
    private readonly config: Config,
    private readonly api: TikTokApi,
    options: Partial<TikTokPublisherOptions> = {},
    /** Status polls and chunk retries wait on it, and the confirm deadline is read from it. */
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { ...DEFAULT_PUBLISHER_OPTIONS, ...options };
  }

  /**
   * Creator info is mandatory before a Direct Post (docs/platforms/tiktok.md#creator-info); it also says
   * whether the creator may post now.
   */
  async prepare(ctx: AttemptContext): Promise<void> {
    const reply = await this.api.call<CreatorInfo>(ctx.account.accessToken, {
      method: 'POST',
      path: CREATOR_INFO,
      endpoint: 'creatorInfo',
      signal: ctx.signal,
    });
    const creator = reply.data;
    const plan = await planPost(this.config, ctx, creator);
    ctx.save({ step: 'prepared', tiktok: plan });
    const via =
      plan.source === 'PULL_FROM_URL'
        ? 'TikTok pulls the media from Herald'
        : `upload in ${plan.upload!.totalChunkCount} part${plan.upload!.totalChunkCount === 1 ? '' : 's'}`;
    ctx.log({
      step: 'prepare',
      message:
        `TikTok account @${creator.creator_username ?? '?'} can post: ` +
        `${plan.kind}, privacy ${plan.privacy}, ${via}.`,
      request: reply.request,
      durationMs: reply.durationMs,
    });
  }

  /** video/init or content/init: the call that publishes. The publish_id is saved the moment it exists. */
  async send(ctx: AttemptContext): Promise<void> {
    const plan = savedPlan(ctx.state);
    if (!plan)
      throw new PlatformError('transient', 'The TikTok post was not prepared; nothing was sent.', 'not_prepared');
    const video = plan.kind === 'video';
    const reply = await this.api.call<{ publish_id?: string; upload_url?: string }>(ctx.account.accessToken, {
      method: 'POST',
      path: video ? VIDEO_INIT : CONTENT_INIT,
      json: video ? this.videoBody(ctx, plan) : this.photoBody(ctx, plan),
      endpoint: video ? 'videoInit' : 'contentInit',
      sends: true,
      signal: ctx.signal,
    });
    const publishId = reply.data.publish_id;
    if (typeof publishId !== 'string' || !publishId) {
      throw new PlatformError(
        'unknown_outcome',
        'TikTok accepted the post without a publish id, so it cannot be followed up.',
        'no_publish_id',
      );
    }
    ctx.save({ step: 'sent', publishId });
    ctx.log({
      step: 'send',
      message: `TikTok accepted the post (publish id ${publishId}).`,
      request: reply.request,
      durationMs: reply.durationMs,
    });
    if (plan.source !== 'FILE_UPLOAD') return;

    const upload = plan.upload!;
    const uploadUrl = reply.data.upload_url;
    // Without the bytes nothing can go out: this publish stays an empty upload.
    if (!uploadUrl)
      throw new PlatformError('transient', 'TikTok gave no upload link; nothing was published.', 'no_upload_url');
    await uploadChunks({
      api: this.api,
      uploadUrl,
      path: upload.path,
      mime: upload.mime,
      plan: upload,
      signal: ctx.signal,
      chunkRetries: this.options.chunkRetries,
      retryDelayMs: this.options.chunkRetryDelayMs,
      sleep: (ms) => this.clock.sleep(ms, ctx.signal),
      log: (entry) => ctx.log(entry),
    });
  }

  private videoBody(ctx: AttemptContext, plan: TikTokPlan): unknown {
    const upload = plan.upload;
    return {
      post_info: {
        title: ctx.caption,
        privacy_level: plan.privacy,
        disable_duet: plan.disableDuet,
        disable_comment: plan.disableComment,
        disable_stitch: plan.disableStitch,
        // brand_content_toggle is marked required (docs/platforms/tiktok.md#direct-post-video); is_aigc
        // labels what Herald's AI wrote.
        brand_content_toggle: false,
        brand_organic_toggle: false,
        is_aigc: ctx.source === 'ai',
      },
      source_info:
        plan.source === 'PULL_FROM_URL'
          ? { source: 'PULL_FROM_URL', video_url: plan.videoUrl }
          : {
              source: 'FILE_UPLOAD',
              video_size: upload!.videoSize,
              chunk_size: upload!.chunkSize,
              total_chunk_count: upload!.totalChunkCount,
            },
    };
  }

  private photoBody(ctx: AttemptContext, plan: TikTokPlan): unknown {
    return {
      media_type: 'PHOTO',
      post_mode: 'DIRECT_POST',
      post_info: {
        title: photoTitle(ctx.caption),
        description: ctx.caption,
        privacy_level: plan.privacy,
        disable_comment: plan.disableComment,
        brand_content_toggle: false,
        brand_organic_toggle: false,
      },
      source_info: { source: 'PULL_FROM_URL', photo_cover_index: 0, photo_images: plan.photoUrls },
    };
  }

  /**
   * Polls status/fetch until TikTok has the final word. A failure worth another send is not
   * final here: the reconciler's lookup sees it as proof of absence and allows one more send.
   */
  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const publishId = publishIdOf(ctx);
    if (!publishId)
      throw new PlatformError('unknown_outcome', 'No TikTok publish id was saved for this post.', 'no_publish_id');
    const deadline = this.clock.now() + this.options.confirmTimeoutMs;
    let last = 'no answer yet';
    for (;;) {
      let wait = this.options.pollIntervalMs;
      let data: StatusData | null = null;
      try {
        data = await this.status(ctx, publishId);
      } catch (err) {
        if (!(err instanceof PlatformError)) throw err;
        // A refused status check says nothing about the post: leave it to the reconciler.
        if (err.kind === 'auth') throw err;
        if (err.kind === 'permanent')
          throw new PlatformError('unknown_outcome', `TikTok would not report on the post: ${err.message}`, err.code);
        // Network trouble, 5xx, rate limits: a read, so keep asking until the deadline.
        if (err.kind === 'rate_limited') wait = Math.max(wait, err.retryAfterMs ?? wait);
        last = err.message;
      }
      if (data) {
        const status = data.status ?? 'UNKNOWN';
        if (status === 'PUBLISH_COMPLETE') return this.result(ctx, publishId, data);
        if (status === 'FAILED') {
          const reason = data.fail_reason ?? '';
          const words = describeFailReason(reason || null);
          if (RETRYABLE_FAIL_REASONS.has(reason))
            throw new PlatformError(
              'transient',
              `${words} Herald sends it again once TikTok's status confirms it did not go out.`,
              reason,
            );
          throw new PlatformError('permanent', words, reason || 'failed');
        }
        if (status !== last) ctx.log({ step: 'confirm', message: `TikTok is processing the post (${status}).` });
        last = status;
      }
      if (this.clock.now() + wait > deadline) {
        throw new PlatformError(
          'transient',
          `TikTok has not finished processing the post yet (${last}); Herald keeps checking.`,
          'still_processing',
        );
      }
      await this.clock.sleep(wait, ctx.signal);
    }
  }

  /**
   * What became of a send whose outcome is unclear. Without a publish_id there is no way to ask
   * TikTok (it has no search by content), so the answer stays "unknown" for a person to settle.
   */
  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    const publishId = publishIdOf(ctx);
    if (!publishId) {
      return {
        status: 'unknown',
        reason:
          'TikTok never returned a publish id and has no way to find a post without one; ' +
          'check the TikTok account and settle the post by hand.',
      };
    }
    let data: StatusData;
    try {
      data = await this.status(ctx, publishId);
    } catch (err) {
      return { status: 'unknown', reason: `TikTok did not report on publish ${publishId}: ${(err as Error).message}` };
    }
    switch (data.status) {
      case 'PUBLISH_COMPLETE':
        return { status: 'published', ...this.result(ctx, publishId, data) };
      case 'FAILED': {
        const reason = data.fail_reason ?? '';
        if (RETRYABLE_FAIL_REASONS.has(reason))
          return {
            status: 'absent',
            reason: `TikTok reports publish ${publishId} failed: ${describeFailReason(reason)}`,
          };
        return {
          status: 'failed',
          error: new PlatformError('permanent', describeFailReason(reason || null), reason || 'failed'),
        };
      }
      case 'PROCESSING_UPLOAD':
        if (this.uploadAbandoned(ctx, data))
          return {
            status: 'absent',
            reason: 'The video upload never completed and its upload link has expired, so TikTok cannot publish it.',
          };
        return { status: 'pending', reason: 'TikTok is still receiving the video.' };
      case 'PROCESSING_DOWNLOAD':
      case 'SEND_TO_USER_INBOX':
        return { status: 'pending', reason: `TikTok is still processing the post (${data.status}).` };
      default:
        return { status: 'unknown', reason: `TikTok reports an unexpected status (${data.status ?? 'none'}).` };
    }
  }

  private status(ctx: AttemptContext, publishId: string): Promise<StatusData> {
    return this.api
      .call<StatusData>(ctx.account.accessToken, {
        method: 'POST',
        path: STATUS,
        json: { publish_id: publishId },
        endpoint: 'status',
        signal: ctx.signal,
      })
      .then((r) => r.data);
  }

  /** Fewer bytes than the file and past the upload link's hour: no byte can arrive any more. */
  private uploadAbandoned(ctx: AttemptContext, data: StatusData): boolean {
    const upload = savedPlan(ctx.state)?.upload;
    if (!upload || typeof data.uploaded_bytes !== 'number' || ctx.sentAt === null) return false;
    return data.uploaded_bytes < upload.videoSize && ctx.now() - ctx.sentAt > UPLOAD_URL_TTL_MS + 10 * 60_000;
  }

  /**
   * The public post id appears only once the post is public and moderated
   * (docs/platforms/tiktok.md#publish-status); until then the publish_id stands in.
   */
  private result(ctx: AttemptContext, publishId: string, data: StatusData): PublishResult {
    const ids = data.publicaly_available_post_id;
    const first = Array.isArray(ids) ? ids[0] : undefined;
    const postId = first === undefined || first === null ? null : String(first);
    const plan = savedPlan(ctx.state);
    const stored = ctx.account.platformData.username;
    const username = plan?.username ?? (typeof stored === 'string' && stored ? stored : null);
    // Photo posts live under /photo/ on tiktok.com; /video/ redirects there too.
    const permalink =
      postId && username
        ? `https://www.tiktok.com/@${username}/${plan?.kind === 'photo' ? 'photo' : 'video'}/${postId}`
        : null;
    return { externalId: postId ?? publishId, permalink };
  }
}
