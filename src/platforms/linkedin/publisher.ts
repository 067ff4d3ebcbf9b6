// Posts through `POST /rest/posts` (docs/platforms/linkedin.md#posts): media is uploaded and
// waited for in prepare (nothing is public until the post exists), the one create call is send,
// and the post URN from `x-restli-id` is saved at once. The create call is not idempotent, so an
// unknown outcome is settled by looking the post up by author before anything is sent again.
import { readFile } from 'node:fs/promises';
import { systemClock, type Clock } from '../../lib/clock.js';
import {
  PlatformError,
  type AttemptContext,
  type LookupResult,
  type Publisher,
  type PublishMedia,
  type PublishResult,
} from '../types.js';
import { encodeUrn, type LinkedInApi } from './api.js';
import { LinkedInFirstComment } from './comments.js';
import { LINKEDIN_LIMITS } from './limits.js';
import { escapeLittleText, firstUrl } from './little-text.js';

export interface LinkedInPublisherOptions {
  /** Media status polls (images, videos) and their deadline. */
  readonly pollIntervalMs: number;
  readonly mediaTimeoutMs: number;
  /** How long after the create call a post may take to show in the author's list before "absent" is believed. */
  readonly lookupSettleMs: number;
}

export const DEFAULT_PUBLISHER_OPTIONS: LinkedInPublisherOptions = {
  pollIntervalMs: 3_000,
  mediaTimeoutMs: 10 * 60_000,
  lookupSettleMs: 5 * 60_000,
};

/** Posts created before the call left by more than this cannot be ours (clocks differ a little). */
const CLOCK_SLACK_MS = 60_000;
const LOOKUP_PAGE = 50;
const LOOKUP_PAGES = 4;

interface SavedMedia {
  readonly mediaId: string;
  readonly kind: 'image' | 'video';
  readonly urn: string;
  readonly ready: boolean;
  readonly altText: string;
}

interface LinkedInState {
  readonly author: string;
  readonly commentary: string;
  readonly media: readonly SavedMedia[];
  readonly article: { readonly source: string; readonly title: string } | null;
}

interface PostElement {
  readonly id?: string;
  readonly author?: string;
  readonly commentary?: string;
  readonly createdAt?: number;
  readonly publishedAt?: number;
  readonly lastModifiedAt?: number;
  readonly lifecycleState?: string;
}

export function permalink(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}

function saved(ctx: AttemptContext): LinkedInState | null {
  const value = ctx.state.linkedin;
  return value && typeof value === 'object' ? (value as LinkedInState) : null;
}

function postUrnOf(ctx: AttemptContext): string | null {
  const urn = ctx.state.postUrn;
  return typeof urn === 'string' && urn ? urn : null;
}

/** Commentary compared as text: escapes dropped, whitespace collapsed. */
function plain(commentary: string): string {
  return commentary.replace(/\\(.)/g, '$1').replace(/\s+/g, ' ').trim();
}

function isVideo(m: PublishMedia): boolean {
  return m.mime.startsWith('video/');
}

export class LinkedInPublisher implements Publisher {
  readonly platform = 'linkedin';
  private readonly options: LinkedInPublisherOptions;
  readonly firstComment: LinkedInFirstComment;

  constructor(
    private readonly api: LinkedInApi,
    options: Partial<LinkedInPublisherOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { ...DEFAULT_PUBLISHER_OPTIONS, ...options };
    this.firstComment = new LinkedInFirstComment(api, this.options.lookupSettleMs, clock);
  }

  /** The author is the account: `urn:li:organization:…` for a Page, `urn:li:person:…` for the member. */
  private author(ctx: AttemptContext): string {
    const author = ctx.account.externalId;
    if (!/^urn:li:(organization|person):[^:]+$/.test(author))
      throw new PlatformError(
        'permanent',
        'This LinkedIn account is not a Page or a member profile; reconnect it.',
        'bad_author',
      );
    return author;
  }

  async prepare(ctx: AttemptContext): Promise<void> {
    const author = this.author(ctx);
    const commentary = escapeLittleText(ctx.caption);
    if (commentary.length > LINKEDIN_LIMITS.commentary)
      throw new PlatformError(
        'permanent',
        `LinkedIn allows at most ${LINKEDIN_LIMITS.commentary} characters once ( ) # _ and the like are escaped ` +
          `(this has ${commentary.length}).`,
        'commentary_too_long',
      );
    const videos = ctx.media.filter(isVideo);
    if (videos.length > 0 && ctx.media.length > 1)
      throw new PlatformError('permanent', 'A LinkedIn post is one video, or images only.', 'mixed_media');
    if (ctx.media.length > LINKEDIN_LIMITS.maxImages)
      throw new PlatformError(
        'permanent',
        `A LinkedIn post holds at most ${LINKEDIN_LIMITS.maxImages} images.`,
        'too_many_images',
      );

    const previous = saved(ctx);
    const done = new Map(
      (previous?.author === author ? previous.media : []).filter((m) => m.ready).map((m) => [m.mediaId, m]),
    );
    const media: SavedMedia[] = [];
    const keep = (list: SavedMedia[]) =>
      ctx.save({ linkedin: { author, commentary, media: list, article: null } satisfies LinkedInState });
    for (const item of ctx.media) {
      const ready = done.get(item.id);
      if (ready) {
        media.push(ready);
        continue;
      }
      const urn = isVideo(item) ? await this.uploadVideo(ctx, author, item) : await this.uploadImage(ctx, author, item);
      const altText = isVideo(item) ? '' : item.altText.slice(0, LINKEDIN_LIMITS.altText);
      media.push({ mediaId: item.id, kind: isVideo(item) ? 'video' : 'image', urn, ready: true, altText });
      keep(media);
    }
    const url = ctx.media.length === 0 ? firstUrl(ctx.caption) : null;
    // A link post is an article whose title is required; Herald uses the caption's first line (or the host).
    const article = url ? { source: url, title: this.articleTitle(ctx.caption, url) } : null;
    ctx.save({ linkedin: { author, commentary, media, article } satisfies LinkedInState });
    ctx.log({
      step: 'prepare',
      message: `Ready to post as ${author} with ${media.length} media item(s).`,
      level: 'ok',
    });
  }

  private articleTitle(caption: string, url: string): string {
    const line = caption
      .split('\n')
      .map((l) => l.replace(url, '').trim())
      .find(Boolean);
    return (line || new URL(url).host).slice(0, 200);
  }

  /**
   * Images API: initializeUpload, one PUT of the whole file, then wait for AVAILABLE
   * (docs/platforms/linkedin.md#images).
   */
  private async uploadImage(ctx: AttemptContext, owner: string, item: PublishMedia): Promise<string> {
    const init = await this.api.rest<{ value?: { uploadUrl?: string; image?: string } }>(ctx.account.accessToken, {
      method: 'POST',
      path: '/rest/images',
      query: { action: 'initializeUpload' },
      json: { initializeUploadRequest: { owner } },
      signal: ctx.signal,
    });
    const { uploadUrl, image } = init.data?.value ?? {};
    if (!uploadUrl || !image)
      throw new PlatformError('transient', 'LinkedIn did not hand out an image upload.', 'bad_init');
    // One request for the whole file: parts PUT to the same URL overwrite each other.
    await this.api.upload(uploadUrl, await readFile(item.path), ctx.account.accessToken, ctx.signal);
    ctx.log({ step: 'upload', message: `Image uploaded to LinkedIn as ${image}.`, request: init.request });
    await this.waitAvailable(ctx, 'images', image, owner);
    return image;
  }

  /**
   * Videos API: initializeUpload with the size, a PUT per instruction's byte range (keeping each
   * ETag), finalizeUpload with the ETags in order, then wait for AVAILABLE (docs/platforms/linkedin.md#videos).
   */
  private async uploadVideo(ctx: AttemptContext, owner: string, item: PublishMedia): Promise<string> {
    const file = await readFile(item.path);
    const init = await this.api.rest<{
      value?: {
        video?: string;
        uploadToken?: string;
        uploadInstructions?: Array<{ uploadUrl: string; firstByte: number; lastByte: number }>;
      };
    }>(ctx.account.accessToken, {
      method: 'POST',
      path: '/rest/videos',
      query: { action: 'initializeUpload' },
      json: {
        initializeUploadRequest: { owner, fileSizeBytes: file.length, uploadCaptions: false, uploadThumbnail: false },
      },
      signal: ctx.signal,
    });
    const { video, uploadInstructions } = init.data?.value ?? {};
    if (!video || !uploadInstructions?.length)
      throw new PlatformError('transient', 'LinkedIn did not hand out a video upload.', 'bad_init');
    const etags: string[] = [];
    for (const part of uploadInstructions) {
      // Pre-signed part URLs take no Authorization header.
      const headers = await this.api.upload(
        part.uploadUrl,
        file.subarray(part.firstByte, part.lastByte + 1),
        null,
        ctx.signal,
      );
      const etag = headers.get('etag');
      if (!etag)
        throw new PlatformError('transient', 'LinkedIn did not acknowledge a video part (no ETag).', 'no_etag');
      etags.push(etag);
    }
    await this.api.rest(ctx.account.accessToken, {
      method: 'POST',
      path: '/rest/videos',
      query: { action: 'finalizeUpload' },
      json: {
        finalizeUploadRequest: { video, uploadToken: init.data?.value?.uploadToken ?? '', uploadedPartIds: etags },
      },
      signal: ctx.signal,
    });
    ctx.log({ step: 'upload', message: `Video uploaded to LinkedIn in ${etags.length} part(s) as ${video}.` });
    await this.waitAvailable(ctx, 'videos', video, owner);
    return video;
  }

  private async waitAvailable(
    ctx: AttemptContext,
    kind: 'images' | 'videos',
    urn: string,
    owner: string,
  ): Promise<void> {
    const deadline = this.clock.now() + this.options.mediaTimeoutMs;
    for (;;) {
      const reply = await this.api.rest<{ status?: string; processingFailureReason?: string }>(
        ctx.account.accessToken,
        {
          method: 'GET',
          path: `/rest/${kind}/${encodeUrn(urn)}`,
          accept: [403],
          signal: ctx.signal,
        },
      );
      if (reply.status === 403) {
        // A member's token may not read images back (write-only): wait one round and trust the upload.
        if (kind === 'images' && owner.startsWith('urn:li:person:')) {
          await this.clock.sleep(this.options.pollIntervalMs, ctx.signal);
          return;
        }
        throw new PlatformError(
          'permanent',
          'LinkedIn refused to show the uploaded media to this account.',
          'ACCESS_DENIED',
        );
      }
      const status = reply.data?.status;
      const reason = reply.data?.processingFailureReason;
      if (status === 'AVAILABLE') return;
      if (status === 'PROCESSING_FAILED')
        throw new PlatformError(
          'permanent',
          `LinkedIn could not process the ${kind === 'images' ? 'image' : 'video'}${reason ? ` (${reason})` : ''}.`,
          'processing_failed',
        );
      if (this.clock.now() >= deadline)
        throw new PlatformError(
          'transient',
          `LinkedIn is still processing the ${kind === 'images' ? 'image' : 'video'}.`,
          'media_timeout',
        );
      await this.clock.sleep(this.options.pollIntervalMs, ctx.signal);
    }
  }

  private body(state: LinkedInState): Record<string, unknown> {
    const base: Record<string, unknown> = {
      author: state.author,
      commentary: state.commentary,
      visibility: 'PUBLIC',
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
    };
    const item = (m: SavedMedia) => ({ id: m.urn, ...(m.altText ? { altText: m.altText } : {}) });
    if (state.media.length === 1) base.content = { media: item(state.media[0]!) };
    else if (state.media.length > 1) base.content = { multiImage: { images: state.media.map(item) } };
    else if (state.article) base.content = { article: { source: state.article.source, title: state.article.title } };
    return base;
  }

  async send(ctx: AttemptContext): Promise<void> {
    const state = saved(ctx);
    if (!state) throw new PlatformError('permanent', 'The LinkedIn post was not prepared.', 'not_prepared');
    const reply = await this.api.rest(ctx.account.accessToken, {
      method: 'POST',
      path: '/rest/posts',
      json: this.body(state),
      sends: true,
      signal: ctx.signal,
    });
    const urn = reply.headers.get('x-restli-id') ?? reply.headers.get('x-linkedin-id');
    if (!urn)
      throw new PlatformError(
        'unknown_outcome',
        'LinkedIn accepted the post but did not say which post it made.',
        'no_post_id',
      );
    ctx.save({ postUrn: urn });
    ctx.log({
      step: 'send',
      message: `LinkedIn created ${urn}.`,
      level: 'ok',
      request: reply.request,
      durationMs: reply.durationMs,
    });
  }

  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const urn = postUrnOf(ctx);
    if (!urn)
      throw new PlatformError('unknown_outcome', 'No LinkedIn post id was saved for this attempt.', 'no_post_id');
    return { externalId: urn, permalink: permalink(urn) };
  }

  /**
   * After a lost answer: the saved URN if the call came back; otherwise the author's newest posts,
   * matched on the exact commentary sent and a creation time after the call left. Only Page posts
   * can be listed (a member's posts need a permission LinkedIn reserves for partners).
   */
  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    const urn = postUrnOf(ctx);
    if (urn) return { status: 'published', externalId: urn, permalink: permalink(urn) };
    const state = saved(ctx);
    if (!state || ctx.sentAt === null) return { status: 'absent', reason: 'The post was never sent to LinkedIn.' };
    if (!state.author.startsWith('urn:li:organization:'))
      return {
        status: 'unknown',
        reason:
          "LinkedIn does not let Herald read a member's own posts: check the profile by hand before posting again.",
      };
    const since = ctx.sentAt - CLOCK_SLACK_MS;
    const sent = plain(state.commentary);
    let complete = false;
    let others = 0;
    try {
      for (let page = 0; page < LOOKUP_PAGES && !complete; page++) {
        const reply = await this.api.rest<{ elements?: PostElement[] }>(ctx.account.accessToken, {
          method: 'GET',
          path: '/rest/posts',
          query: {
            q: 'author',
            author: state.author,
            count: LOOKUP_PAGE,
            start: page * LOOKUP_PAGE,
            sortBy: 'CREATED',
          },
          signal: ctx.signal,
        });
        const elements = reply.data?.elements ?? [];
        for (const post of elements) {
          const created = post.createdAt ?? post.publishedAt ?? post.lastModifiedAt ?? 0;
          if (!post.id || created < since) continue;
          // LinkedIn may hand the text back normalised, so escapes and spacing do not count.
          if (post.commentary === state.commentary || plain(post.commentary ?? '') === sent) {
            ctx.save({ postUrn: post.id });
            return { status: 'published', externalId: post.id, permalink: permalink(post.id) };
          }
          others++;
        }
        const oldest = elements.at(-1);
        complete = elements.length < LOOKUP_PAGE || (oldest?.createdAt ?? Number.MAX_SAFE_INTEGER) < since;
      }
    } catch (err) {
      if (err instanceof PlatformError)
        return { status: 'unknown', reason: `LinkedIn could not be asked: ${err.message}` };
      throw err;
    }
    if (!complete) return { status: 'unknown', reason: 'Too many newer posts on the Page to be sure.' };
    if (ctx.now() - ctx.sentAt < this.options.lookupSettleMs)
      return { status: 'unknown', reason: 'Not on the Page yet; LinkedIn may still be listing it.' };
    // A post made since the send whose text differs could still be ours, cut short by LinkedIn: only
    // an empty window proves absence.
    if (others > 0)
      return {
        status: 'unknown',
        reason:
          `${others} other post(s) appeared on the Page after the send with different text; check the ` +
          `Page before posting again.`,
      };
    return { status: 'absent', reason: 'No post with this text was created on the Page after it was sent.' };
  }
}
