// Facebook Page Reels and Stories (docs/platforms/meta-surfaces.md). prepare uploads (invisible); send is
// the one publishing call (`finish`, or `photo_stories`); confirm and lookup read the video status and
// the Page's `video_reels` and `stories` lists.
import { isVideo } from '../../domain/platform-limits.js';
import type { Clock } from '../../lib/clock.js';
import { PlatformError, type AttemptContext, type LookupResult, type PublishResult } from '../types.js';
import { DEFAULT_RATE_LIMIT_WAIT_MS } from './errors.js';
import { FbVideoUpload, type VideoStatus, type VideoUploadOptions } from './fb-video-upload.js';
import { record, text, type GraphClient } from './graph.js';

/** Reels published through the API per Page in a moving 24 h (docs/platforms/meta-surfaces.md#facebook-reels). */
const REELS_PER_DAY = 30;
const DAY_MS = 86_400_000;
/** Items listed this long before the send still count as ours (clock skew). */
const MATCH_WINDOW_MS = 2 * 60_000;

const reelLink = (videoId: string) => `https://www.facebook.com/reel/${videoId}`;
const storyLink = (postId: string) => `https://www.facebook.com/stories/${postId}`;

export class FacebookSurfaces {
  private readonly videos: FbVideoUpload;

  constructor(
    private readonly graph: GraphClient,
    private readonly options: VideoUploadOptions,
    private readonly clock: Clock,
  ) {
    this.videos = new FbVideoUpload(graph, options, clock);
  }

  async prepare(ctx: AttemptContext): Promise<void> {
    const media = ctx.media[0];
    if (!media)
      throw new PlatformError('permanent', 'A Facebook Reel or Story needs one photo or video.', 'meta:no_media');
    if (ctx.surface === 'reel') {
      if (!isVideo(media)) throw new PlatformError('permanent', 'A Facebook Reel needs a video.', 'meta:no_media');
      if (!text(ctx.state.videoId)) await this.checkReelQuota(ctx);
      await this.videos.prepare(ctx, 'video_reels');
    } else if (isVideo(media)) {
      await this.videos.prepare(ctx, 'video_stories');
    } else if (!text(ctx.state.storyPhotoId)) {
      // Always a fresh unpublished photo: story media "must not have been used in a previously
      // published post" (docs/platforms/meta-surfaces.md#facebook-stories).
      const { data } = await this.graph.forAttempt(ctx, 'facebook', 'prepare', {
        method: 'POST',
        path: `/${ctx.account.externalId}/photos`,
        params: { url: media.url, published: false },
        timeoutMs: this.options.uploadTimeoutMs,
      });
      const id = text(record(data)?.id);
      if (!id)
        throw new PlatformError('transient', 'Facebook accepted a photo upload without giving its id.', 'meta:no_id');
      ctx.save({ step: 'photo_uploaded', storyPhotoId: id });
    }
  }

  /** Herald's own count of this Page's reels in the last 24 h, before Facebook refuses the 31st. */
  private async checkReelQuota(ctx: AttemptContext): Promise<void> {
    let reels: Array<Record<string, unknown>>;
    try {
      reels = await this.list(ctx, 'video_reels', ctx.now() - DAY_MS, 'id,updated_time');
    } catch (err) {
      // The limit is Facebook's to enforce; an unreadable list only loses the early warning.
      ctx.log({ step: 'prepare', level: 'warn', message: `The Page's reels could not be counted (${describe(err)}).` });
      return;
    }
    if (reels.length >= REELS_PER_DAY) {
      throw new PlatformError(
        'rate_limited',
        `This Page has published ${reels.length} Reels in the last 24 hours, Facebook's limit for the API; ` +
          'Herald waits before publishing this one.',
        'meta:reels_quota',
        { retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS, scope: 'account' },
      );
    }
  }

  async send(ctx: AttemptContext): Promise<void> {
    const page = ctx.account.externalId;
    if (ctx.surface === 'reel' || text(ctx.state.videoEdge) === 'video_stories') {
      const videoId = text(ctx.state.videoId);
      if (!videoId || ctx.state.uploaded !== true)
        throw new PlatformError('transient', 'The video was not uploaded to Facebook yet.', 'meta:not_uploaded');
      const reel = ctx.surface === 'reel';
      const { data } = await this.graph.forAttempt(ctx, 'facebook', 'send', {
        method: 'POST',
        path: `/${page}/${reel ? 'video_reels' : 'video_stories'}`,
        params: reel
          ? {
              upload_phase: 'finish',
              video_id: videoId,
              video_state: 'PUBLISHED',
              description: ctx.caption || undefined,
            }
          : { upload_phase: 'finish', video_id: videoId },
        publishing: true,
      });
      const body = record(data);
      if (reel) {
        // Only an acknowledgement: confirm reads the outcome from the video's status.
        if (body?.success !== true) throw unclear('Facebook answered the Reel’s finish call without success');
        ctx.save({ step: 'sent', finished: true });
      } else {
        const postId = text(body?.post_id);
        if (!postId) throw unclear('Facebook finished the video Story without giving its post id');
        ctx.save({ step: 'sent', storyPostId: postId });
      }
      return;
    }
    const photoId = text(ctx.state.storyPhotoId);
    if (!photoId)
      throw new PlatformError('transient', 'The photo was not uploaded to Facebook yet.', 'meta:not_uploaded');
    const { data } = await this.graph.forAttempt(ctx, 'facebook', 'send', {
      method: 'POST',
      path: `/${page}/photo_stories`,
      params: { photo_id: photoId },
      publishing: true,
    });
    const postId = text(record(data)?.post_id);
    if (!postId) throw unclear('Facebook published the photo Story without giving its post id');
    ctx.save({ step: 'sent', storyPostId: postId });
  }

  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    if (ctx.surface !== 'reel') {
      const postId = text(ctx.state.storyPostId);
      if (!postId) throw unclear('No Facebook Story id was saved for this attempt');
      return { externalId: postId, permalink: storyLink(postId) };
    }
    const videoId = text(ctx.state.videoId);
    if (!videoId) throw unclear('No Facebook Reel id was saved for this attempt');
    const maxPolls = Math.max(1, Math.ceil(this.options.pollTimeoutMs / this.options.pollIntervalMs));
    for (let polls = 1; ; polls++) {
      const s = await this.videos.status(ctx, videoId);
      if (failed(s)) throw reelFailure(s);
      // The reel's video id is what its first comment hangs on (docs/platforms/meta-surfaces.md#first-comments).
      if (isPublished(s)) return { externalId: videoId, permalink: reelLink(videoId) };
      if (polls >= maxPolls)
        throw new PlatformError(
          'transient',
          'Facebook is still publishing the Reel; Herald keeps checking.',
          'meta:reel_processing',
        );
      await this.clock.sleep(this.options.pollIntervalMs, ctx.signal);
    }
  }

  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    return ctx.surface === 'reel' ? this.lookupReel(ctx) : this.lookupStory(ctx);
  }

  private async lookupReel(ctx: AttemptContext): Promise<LookupResult> {
    const videoId = text(ctx.state.videoId);
    // Without a session nothing can have been published.
    if (!videoId) return { status: 'absent', reason: 'no Reel upload was started in this attempt' };
    let s: VideoStatus;
    try {
      s = await this.videos.status(ctx, videoId);
    } catch (err) {
      return { status: 'unknown', reason: `the Reel's status could not be read (${describe(err)})` };
    }
    if (failed(s)) return { status: 'failed', error: reelFailure(s) };
    if (isPublished(s)) return { status: 'published', externalId: videoId, permalink: reelLink(videoId) };
    if (s.publishing === 'in_progress' || s.processing === 'in_progress' || s.videoStatus === 'processing')
      return { status: 'pending', reason: `Reel ${videoId} is still being processed` };
    // Not started: the finish call never arrived, unless the Page's list says otherwise.
    try {
      const since = (ctx.sentAt ?? ctx.now()) - MATCH_WINDOW_MS;
      const reels = await this.list(ctx, 'video_reels', since, 'id');
      if (reels.some((r) => text(r.id) === videoId))
        return { status: 'published', externalId: videoId, permalink: reelLink(videoId) };
    } catch (err) {
      return { status: 'unknown', reason: `the Page's reels could not be listed (${describe(err)})` };
    }
    return { status: 'absent', reason: `Reel ${videoId} was uploaded but never published` };
  }

  private async lookupStory(ctx: AttemptContext): Promise<LookupResult> {
    const known = text(ctx.state.storyPostId);
    if (known) return { status: 'published', externalId: known, permalink: storyLink(known) };
    const mediaId = text(ctx.state.storyPhotoId) ?? text(ctx.state.videoId);
    if (!mediaId) return { status: 'absent', reason: 'no photo or video was uploaded for this Story' };
    let stories: Array<Record<string, unknown>>;
    try {
      const since = (ctx.sentAt ?? ctx.now()) - MATCH_WINDOW_MS;
      stories = await this.list(ctx, 'stories', since, undefined);
    } catch (err) {
      return { status: 'unknown', reason: `the Page's stories could not be listed (${describe(err)})` };
    }
    const match = stories.find((story) => text(story.media_id) === mediaId);
    if (match) {
      const postId = text(match.post_id) ?? mediaId;
      return { status: 'published', externalId: postId, permalink: text(match.url) ?? storyLink(postId) };
    }
    return { status: 'absent', reason: `no Story with media ${mediaId} on the Page since the send` };
  }

  /** A Page edge listed from `sinceMs` on (`since` in epoch seconds, docs/platforms/meta-surfaces.md). */
  private list(
    ctx: AttemptContext,
    edge: 'video_reels' | 'stories',
    sinceMs: number,
    fields: string | undefined,
  ): Promise<Array<Record<string, unknown>>> {
    return this.graph.collect({
      path: `/${ctx.account.externalId}/${edge}`,
      token: ctx.account.accessToken,
      surface: 'facebook',
      objectId: ctx.account.externalId,
      params: { since: Math.floor(sinceMs / 1000), limit: 100, ...(fields ? { fields } : {}) },
      signal: ctx.signal,
    });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function unclear(what: string): PlatformError {
  return new PlatformError('unknown_outcome', `${what}; Herald checks the Page.`, 'meta:no_id');
}

function failed(s: VideoStatus): boolean {
  return s.videoStatus === 'error' || s.processing === 'error' || s.publishing === 'error';
}

function isPublished(s: VideoStatus): boolean {
  return s.publishing === 'complete' || s.publishStatus === 'published';
}

function reelFailure(s: VideoStatus): PlatformError {
  return new PlatformError(
    'permanent',
    `Facebook could not publish the Reel: ${s.error ?? 'the video failed processing'}.`,
    'meta:video_error',
  );
}
