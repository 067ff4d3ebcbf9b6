import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import {
  bool,
  type FetchedMedia,
  type FieldGetters,
  graphError,
  type GraphParams,
  graphTime,
  isIsoVideo,
  isJpeg,
  mp4Facts,
  paginate,
  requireStr,
  selectFields,
  str,
} from './meta-graph.js';

/**
 * Instagram content publishing through Facebook Login (docs/platforms/meta.md#instagram-publishing):
 * container → poll → publish, the daily publishing limit, and Meta's Instagram error table
 * (docs/platforms/meta.md#instagram-error-codes). Every media that really went out lands in
 * `published`.
 */

export interface IgAccount {
  id: string;
  username: string;
  name: string;
  pageId: string;
}

export type ContainerStatus = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';
export type ContainerType = 'IMAGE' | 'VIDEO' | 'REELS' | 'STORIES' | 'CAROUSEL';

export interface IgContainer {
  id: string;
  igUserId: string;
  mediaType: ContainerType;
  isCarouselItem: boolean;
  caption: string | null;
  altText: string | null;
  /** Child container ids (carousel parents). */
  children: string[];
  url: string | null;
  bytes: number;
  status: ContainerStatus;
  /** Status polls still answered IN_PROGRESS (videos). */
  pollsLeft: number;
  /** What a video turns into once processing is over. */
  outcome: 'FINISHED' | 'ERROR';
  mediaId: string | null;
  createdAt: number;
}

export interface IgPublished {
  mediaId: string;
  igUserId: string;
  containerId: string;
  mediaType: ContainerType;
  caption: string | null;
  altText: string | null;
  /** Fetched media: one entry, or one per carousel child in order. */
  media: Array<{ type: ContainerType; url: string | null; bytes: number }>;
  shortcode: string;
  permalink: string;
  createdAt: number;
}

export interface InstagramDeps {
  now(): number;
  nextId(): string;
  fetch(url: string): Promise<FetchedMedia>;
}

const DAY_MS = 86_400_000;
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
const STATUS_TEXT: Record<ContainerStatus, string> = {
  IN_PROGRESS: 'In Progress: Media is still being processed.',
  FINISHED: 'Finished: Media has been uploaded and it is ready to be published.',
  ERROR: 'Error: Media upload has failed with error code 2207026',
  EXPIRED: 'Expired: Media was not published within 24 hours.',
  PUBLISHED: 'Published: Media has been published.',
};

function igError(code: number, subcode: number, message: string, userTitle?: string, userMsg?: string) {
  return graphError(code, message, { subcode, userTitle, userMsg });
}

/**
 * Caption limits (docs/platforms/meta.md#media-requirements): 2,200 characters, 30 hashtags (2207010),
 * 20 @-mentions (2207040).
 */
function checkCaption(caption: string): void {
  const hashtags = caption.match(/(^|\s)#\w/g)?.length ?? 0;
  const mentions = caption.match(/(^|\s)@[\w.]/g)?.length ?? 0;
  if (caption.length > 2200 || hashtags > 30) {
    throw igError(
      36004,
      2207010,
      'The caption is too long or has too many hashtags.',
      'Caption Too Long',
      'The caption can have at most 2,200 characters and 30 hashtags.',
    );
  }
  if (mentions > 20)
    throw igError(100, 2207040, 'The caption has more than 20 @ tags.', 'Too Many Tags', 'Use at most 20 @ tags.');
}

export class InstagramStore {
  readonly accounts = new Map<string, IgAccount>();
  readonly containers = new Map<string, IgContainer>();
  /** Media that really went out, in publishing order. */
  readonly published: IgPublished[] = [];
  /**
   * `content_publishing_limit.config.quota_total` (documented as 25, 50 or 100, so read at runtime:
   * docs/platforms/meta.md#daily-publishing-limit).
   */
  quotaTotal = 100;
  /** Status polls a video container answers IN_PROGRESS before it turns FINISHED/ERROR. */
  videoPollsBeforeFinished = 2;
  /** Set to 'ERROR' to make the next video containers fail processing (status_code ERROR). */
  videoOutcome: 'FINISHED' | 'ERROR' = 'FINISHED';
  /** Counters of a media and followers of an account (the insights store answers). */
  countsOf: (id: string) => { likes?: number; comments?: number; followers?: number } = () => ({});

  constructor(private readonly deps: InstagramDeps) {}

  /** `POST /{ig-user-id}/media` (docs/platforms/meta.md#containers). */
  async createContainer(igUserId: string, p: GraphParams): Promise<{ id: string }> {
    const type = this.containerType(p);
    if (type === 'STORIES') checkStoryParams(p);
    const isItem = bool(p, 'is_carousel_item', false);
    const caption = str(p, 'caption') ?? null;
    if (caption !== null) {
      // Captions go on the carousel parent, never on its children (docs/platforms/meta.md#containers).
      if (isItem)
        throw graphError(100, '(#100) caption is not supported on carousel items; put it on the CAROUSEL container');
      checkCaption(caption);
    }
    const base: IgContainer = {
      id: this.deps.nextId(),
      igUserId,
      mediaType: type,
      isCarouselItem: isItem,
      caption,
      altText: str(p, 'alt_text') ?? null,
      children: [],
      url: null,
      bytes: 0,
      status: 'FINISHED',
      pollsLeft: 0,
      outcome: 'FINISHED',
      mediaId: null,
      createdAt: this.deps.now(),
    };
    if (type === 'CAROUSEL') {
      base.children = this.carouselChildren(igUserId, p);
      base.status = this.fromChildren(base);
    } else if (type === 'IMAGE' || (type === 'STORIES' && !str(p, 'video_url')))
      await this.attachImage(base, p, type === 'IMAGE');
    else await this.attachVideo(base, p);
    this.containers.set(base.id, base);
    return { id: base.id };
  }

  private containerType(p: GraphParams): ContainerType {
    const raw = str(p, 'media_type');
    const isItem = bool(p, 'is_carousel_item', false);
    if (raw === undefined || raw === '') return isItem && str(p, 'video_url') ? 'VIDEO' : 'IMAGE';
    if (raw === 'VIDEO' && !isItem) {
      // Single feed videos are Reels since 2023 (docs/platforms/meta.md#containers).
      throw igError(100, 2207023, 'The media type VIDEO is only supported for carousel items; use REELS.');
    }
    if (raw === 'IMAGE' || raw === 'VIDEO' || raw === 'REELS' || raw === 'STORIES' || raw === 'CAROUSEL') return raw;
    throw igError(
      100,
      2207023,
      `The media type ${raw} is unknown.`,
      'Unknown Media Type',
      'The media type is not supported.',
    );
  }

  private carouselChildren(igUserId: string, p: GraphParams): string[] {
    const ids = requireStr(p, 'children')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length < 2 || ids.length > 10) {
      throw igError(
        100,
        2207028,
        'Carousels need between 2 and 10 items.',
        'Carousel Item Count',
        'Add between 2 and 10 photos or videos.',
      );
    }
    for (const id of ids) {
      const child = this.containers.get(id);
      if (!child || child.igUserId !== igUserId) throw igError(24, 2207006, `The carousel child ${id} was not found.`);
      if (!child.isCarouselItem)
        throw graphError(100, `(#100) The container ${id} was not created with is_carousel_item=true`);
      if (child.status === 'PUBLISHED') throw graphError(100, `(#100) The container ${id} has already been published`);
    }
    return ids;
  }

  /**
   * Meta cURLs the URL; JPEG only, < 8 MiB, aspect ratio 4:5 … 1.91:1 (feed images)
   * (docs/platforms/meta.md#media-requirements).
   */
  private async attachImage(c: IgContainer, p: GraphParams, checkRatio: boolean): Promise<void> {
    const url = requireStr(p, 'image_url');
    const got = await this.deps.fetch(url);
    if (got.problem)
      throw igError(
        9004,
        2207052,
        `The media could not be fetched from this uri: ${url} (${got.problem})`,
        'Media download has failed.',
        'The media could not be fetched from the URI.',
      );
    if (got.contentType !== 'image/jpeg' || !isJpeg(got.bytes)) {
      throw igError(
        36001,
        2207005,
        `The image format is not supported (${got.contentType || 'no content-type'}); only JPEG is.`,
        'Unsupported Image Format',
        'Only JPEG images are supported.',
      );
    }
    if (got.bytes.length > MAX_IMAGE_BYTES)
      throw igError(36000, 2207004, 'The image is too large (max 8 MiB).', 'Image Too Large');
    if (checkRatio) {
      const meta = await sharp(got.bytes)
        .metadata()
        .catch(() => null);
      if (!meta?.width || !meta.height) throw igError(36001, 2207005, 'The image could not be decoded.');
      const ratio = meta.width / meta.height;
      if (ratio < 0.8 - 1e-3 || ratio > 1.91 + 1e-3) {
        throw igError(
          36003,
          2207009,
          `The aspect ratio ${meta.width}x${meta.height} is not supported.`,
          'Unsupported Aspect Ratio',
          'Use an aspect ratio between 4:5 and 1.91:1.',
        );
      }
    }
    c.url = url;
    c.bytes = got.bytes.length;
  }

  private async attachVideo(c: IgContainer, p: GraphParams): Promise<void> {
    const url = requireStr(p, 'video_url');
    const got = await this.deps.fetch(url);
    if (got.problem)
      throw igError(
        9004,
        2207052,
        `The media could not be fetched from this uri: ${url} (${got.problem})`,
        'Media download has failed.',
      );
    if (!got.contentType.startsWith('video/') || !isIsoVideo(got.bytes)) {
      throw igError(
        352,
        2207026,
        `The video format is not supported (${got.contentType || 'no content-type'}); use MOV or MP4.`,
        'Unsupported Video Format',
      );
    }
    c.url = url;
    c.bytes = got.bytes.length;
    // Videos are transcoded: IN_PROGRESS for a while (docs/platforms/meta.md#container-status).
    c.status = 'IN_PROGRESS';
    c.pollsLeft = this.videoPollsBeforeFinished;
    c.outcome = c.mediaType === 'STORIES' && storyVideoProblem(got.bytes) ? 'ERROR' : this.videoOutcome;
  }

  /** One status poll: videos move one step closer to done; a parent follows its children. */
  poll(c: IgContainer): ContainerStatus {
    if (c.mediaType === 'CAROUSEL') {
      if (c.status === 'PUBLISHED' || c.status === 'EXPIRED') return c.status;
      for (const id of c.children) this.poll(this.containers.get(id)!);
      c.status = this.fromChildren(c);
      return c.status;
    }
    if (c.status === 'IN_PROGRESS') {
      if (c.pollsLeft > 0) c.pollsLeft--;
      else c.status = c.outcome;
    }
    return c.status;
  }

  /**
   * Containers expire after 24 h unpublished (docs/platforms/meta.md#containers); tests call this
   * instead of waiting.
   */
  expire(containerId: string): void {
    const c = this.containers.get(containerId);
    if (!c) throw new Error(`meta fake: unknown container ${containerId}`);
    c.status = 'EXPIRED';
  }

  quotaUsage(igUserId: string): number {
    const since = this.deps.now() - DAY_MS;
    return this.published.filter((m) => m.igUserId === igUserId && m.createdAt > since).length;
  }

  /** `POST /{ig-user-id}/media_publish?creation_id=` (docs/platforms/meta.md#publishing-a-container). */
  publish(igUserId: string, p: GraphParams): { id: string } {
    const id = requireStr(p, 'creation_id');
    const c = this.containers.get(id);
    if (!c || c.igUserId !== igUserId)
      throw igError(24, 2207006, 'The media with the given creation_id was not found.', 'Media Not Found');
    if (c.isCarouselItem)
      throw graphError(100, '(#100) Carousel items cannot be published on their own; publish the CAROUSEL container');
    if (c.mediaType === 'CAROUSEL' && c.status !== 'PUBLISHED' && c.status !== 'EXPIRED')
      c.status = this.fromChildren(c);
    switch (c.status) {
      case 'IN_PROGRESS':
        throw igError(
          9007,
          2207027,
          'Media ID is not available',
          'Media Not Ready For Publishing',
          'The media is not ready for publishing, please wait for a moment',
        );
      case 'ERROR':
        throw igError(
          -1,
          2207032,
          'Create media failed: the container finished with status ERROR.',
          'Create Media Failed',
        );
      case 'EXPIRED':
        throw igError(-2, 2207020, 'The media container has expired; create a new one.', 'Media Expired');
      case 'PUBLISHED':
        // Graph's exact answer for a second publish is not documented (Meta only says "PUBLISHED means
        // done": docs/platforms/meta.md#publishing-a-container). We answer a permanent code 100 without
        // subcode: never transient, so a client that retries blindly gets no second post, and the text
        // points at the container status.
        throw graphError(100, `(#100) The media container ${c.id} has already been published (status_code PUBLISHED).`);
      case 'FINISHED':
        break;
    }
    if (this.quotaUsage(igUserId) >= this.quotaTotal) {
      throw igError(
        9,
        2207042,
        'The user has reached the maximum number of published posts in 24 hours.',
        'Cannot Publish Post',
        'You reached the limit of posts published via API in 24 hours.',
      );
    }
    return { id: this.record(c) };
  }

  /** A carousel parent is as far along as its slowest child. */
  private fromChildren(c: IgContainer): ContainerStatus {
    const kids = c.children.map((id) => this.containers.get(id)!.status);
    if (kids.includes('ERROR')) return 'ERROR';
    if (kids.includes('EXPIRED')) return 'EXPIRED';
    if (kids.includes('IN_PROGRESS')) return 'IN_PROGRESS';
    return 'FINISHED';
  }

  private record(c: IgContainer): string {
    const mediaId = this.deps.nextId();
    const account = this.accounts.get(c.igUserId)!;
    const shortcode = randomBytes(8).toString('base64url').slice(0, 11);
    const path = c.mediaType === 'REELS' ? 'reel' : 'p';
    const permalink =
      c.mediaType === 'STORIES'
        ? `https://www.instagram.com/stories/${account.username}/${mediaId}/`
        : `https://www.instagram.com/${path}/${shortcode}/`;
    const parts = c.mediaType === 'CAROUSEL' ? c.children.map((k) => this.containers.get(k)!) : [c];
    for (const part of new Set([c, ...parts])) {
      part.status = 'PUBLISHED';
      part.mediaId = mediaId;
    }
    this.published.push({
      mediaId,
      igUserId: c.igUserId,
      containerId: c.id,
      mediaType: c.mediaType,
      caption: c.caption,
      altText: c.altText,
      media: parts.map((k) => ({ type: k.mediaType, url: k.url, bytes: k.bytes })),
      shortcode,
      permalink,
      createdAt: this.deps.now(),
    });
    return mediaId;
  }

  /**
   * `GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config`
   * (docs/platforms/meta.md#daily-publishing-limit).
   */
  publishingLimit(igUserId: string, fields: string | undefined): unknown {
    const getters: FieldGetters = {
      quota_usage: () => this.quotaUsage(igUserId),
      config: () => ({ quota_total: this.quotaTotal, quota_duration: 86400 }),
    };
    return { data: [selectFields('ContentPublishingLimit', getters, fields, ['quota_usage'])] };
  }

  /** `GET /{ig-user-id}/media`: what went out, newest first. */
  mediaList(igUserId: string, query: Record<string, string>, selfUrl: string): unknown {
    // "Story IG Media not supported, use /stories" (docs/platforms/meta-surfaces.md#instagram-stories).
    const items = this.published
      .filter((m) => m.igUserId === igUserId && m.mediaType !== 'STORIES')
      .reverse()
      .map((m) => this.mediaFields(m, query.fields));
    return paginate(items, query, selfUrl);
  }

  /** `GET /{ig-user-id}/stories`: the account's stories of the last 24 h, newest first. */
  storiesList(igUserId: string, query: Record<string, string>, selfUrl: string): unknown {
    const since = this.deps.now() - DAY_MS;
    const items = this.published
      .filter((m) => m.igUserId === igUserId && m.mediaType === 'STORIES' && m.createdAt > since)
      .reverse()
      .map((m) => this.mediaFields(m, query.fields));
    return paginate(items, query, selfUrl);
  }

  /** The media is deleted on Instagram: it answers "does not exist" from now on. */
  delete(id: string): void {
    const i = this.published.findIndex((m) => m.mediaId === id);
    if (i >= 0) this.published.splice(i, 1);
  }

  /** FEED, REELS or STORY, as `media_product_type` says. */
  productOf(m: IgPublished): 'FEED' | 'REELS' | 'STORY' {
    return m.mediaType === 'REELS' ? 'REELS' : m.mediaType === 'STORIES' ? 'STORY' : 'FEED';
  }

  findMedia(id: string): IgPublished | undefined {
    return this.published.find((m) => m.mediaId === id);
  }

  accountFields(a: IgAccount, fields: string | undefined): Record<string, unknown> {
    const getters: FieldGetters = {
      id: () => a.id,
      ig_id: () => Number(a.id.slice(-9)),
      username: () => a.username,
      name: () => a.name,
      profile_picture_url: () => `https://scontent.cdninstagram.com/${a.username}.jpg`,
      followers_count: () => this.countsOf(a.id).followers ?? 1234,
      media_count: () => this.published.filter((m) => m.igUserId === a.id).length,
      biography: () => '',
      website: () => undefined,
    };
    return selectFields('User', getters, fields, ['id']);
  }

  containerFields(c: IgContainer, fields: string | undefined): Record<string, unknown> {
    const wantsStatus = !fields || /(^|,)\s*status(_code)?\s*(,|$)/.test(fields);
    const status = wantsStatus ? this.poll(c) : c.status;
    const getters: FieldGetters = {
      id: () => c.id,
      status_code: () => status,
      // The human text is undocumented (docs/platforms/meta.md#container-status); ERROR carries the
      // subcode like the real one.
      status: () => STATUS_TEXT[status],
    };
    return selectFields('ShadowIGMediaBuilder', getters, fields, ['id']);
  }

  mediaFields(m: IgPublished, fields: string | undefined): Record<string, unknown> {
    const getters: FieldGetters = {
      id: () => m.mediaId,
      permalink: () => m.permalink,
      shortcode: () => m.shortcode,
      caption: () => m.caption ?? undefined,
      media_type: () =>
        m.mediaType === 'CAROUSEL'
          ? 'CAROUSEL_ALBUM'
          : m.mediaType === 'IMAGE'
            ? 'IMAGE'
            : m.media[0]?.type === 'IMAGE'
              ? 'IMAGE'
              : 'VIDEO',
      media_product_type: () => this.productOf(m),
      timestamp: () => graphTime(m.createdAt),
      username: () => this.accounts.get(m.igUserId)?.username,
      like_count: () => this.countsOf(m.mediaId).likes ?? 0,
      comments_count: () => this.countsOf(m.mediaId).comments ?? 0,
    };
    return selectFields('IGMedia', getters, fields, ['id']);
  }
}

// ---- Stories (docs/platforms/meta-surfaces.md#instagram-stories) ------------------------------

/**
 * A STORIES container takes exactly one of `image_url`/`video_url`; the story syntax has no
 * caption, and `alt_text` and `collaborators` are documented as not supported for stories.
 */
function checkStoryParams(p: GraphParams): void {
  const image = str(p, 'image_url');
  const video = str(p, 'video_url');
  if ((image === undefined) === (video === undefined))
    throw graphError(100, '(#100) A STORIES container takes exactly one of image_url and video_url');
  for (const name of ['caption', 'alt_text', 'collaborators', 'is_carousel_item', 'children']) {
    if (str(p, name) !== undefined)
      throw graphError(100, `(#100) The parameter ${name} is not supported for media_type STORIES`);
  }
}

/** Story video specifications: 3–60 s, at most 1920 columns, ratio 1:10 to 10:1, 23–60 fps. */
function storyVideoProblem(bytes: Buffer): string | null {
  const f = mp4Facts(bytes);
  if (f.durationMs !== null && (f.durationMs < 3_000 || f.durationMs > 60_000)) return 'duration';
  if (f.width !== null && f.height !== null) {
    if (f.width > 1920) return 'width';
    if (f.width / f.height < 0.1 || f.width / f.height > 10) return 'aspect ratio';
  }
  if (f.fps !== null && (f.fps < 23 - 0.01 || f.fps > 60 + 0.01)) return 'frame rate';
  return null;
}
