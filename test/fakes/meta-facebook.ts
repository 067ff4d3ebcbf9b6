import {
  bool,
  type FetchedMedia,
  type FieldGetters,
  graphError,
  type GraphParams,
  graphTime,
  list,
  mp4Facts,
  paginate,
  requireStr,
  selectFields,
  str,
} from './meta-graph.js';

/**
 * Facebook Page publishing (docs/platforms/meta.md#facebook-page-publishing): `/feed`, `/photos`,
 * `/videos`, and `published_posts` for reconciliation. Every post that really went out lands in
 * `published`, which is how tests check "exactly once".
 */

export interface FbMedia {
  kind: 'photo' | 'video';
  /** The URL Meta fetched, or null for a multipart upload. */
  url: string | null;
  contentType: string;
  bytes: number;
}

export interface FbPhoto {
  id: string;
  pageId: string;
  published: boolean;
  caption: string | null;
  media: FbMedia;
  /** The post it went out in (its own, or a multi-photo feed post). */
  postId: string | null;
}

export interface FbVideo {
  id: string;
  pageId: string;
  description: string | null;
  media: FbMedia;
  postId: string | null;
}

export interface FbPost {
  /** `{page-id}_{post-id}`. */
  id: string;
  pageId: string;
  kind: 'status' | 'link' | 'photo' | 'video';
  message: string | null;
  link: string | null;
  media: FbMedia[];
  photoIds: string[];
  videoId: string | null;
  createdAt: number;
  permalinkUrl: string;
  published: boolean;
  /** Epoch seconds for a scheduled (published=false) post. */
  scheduledPublishTime: number | null;
}

export interface FacebookDeps {
  now(): number;
  nextId(): string;
  /** Downloads a media URL; the result's `problem` says why it is unusable. */
  fetch(url: string): Promise<FetchedMedia>;
}

const MIN_SCHEDULE_SEC = 10 * 60;
const MAX_SCHEDULE_SEC = 30 * 86400;

function permalink(postId: string): string {
  return `https://www.facebook.com/${postId}`;
}

/**
 * `scheduled_publish_time`/`since`: UNIX seconds or a date string (strtotime-style text is allowed:
 * docs/platforms/meta.md#text-and-link-posts).
 */
function parseTime(value: string, name: string): number {
  const seconds = /^\d+$/.test(value) ? Number(value) : Math.floor(Date.parse(value) / 1000);
  if (!Number.isFinite(seconds)) throw graphError(100, `(#100) Invalid ${name}: ${value}`);
  return seconds;
}

export class FacebookStore {
  /** Posts that are live on a Page, in publishing order. */
  readonly published: FbPost[] = [];
  /** Unpublished and scheduled feed posts (published=false). */
  readonly unpublished: FbPost[] = [];
  readonly photos = new Map<string, FbPhoto>();
  readonly videos = new Map<string, FbVideo>();
  /** Code 506 for the same message twice in a row on one Page (docs/platforms/meta.md#graph-error-codes). */
  detectDuplicates = true;
  /** Reactions, comments and shares of a post (the insights store answers). */
  engagementOf: (postId: string) => { reactions: number; comments: number; shares: number } | undefined = () =>
    undefined;

  constructor(private readonly deps: FacebookDeps) {}

  /** `POST /{page-id}/feed` (docs/platforms/meta.md#text-and-link-posts, docs/platforms/meta.md#several-photos). */
  feed(pageId: string, p: GraphParams): { id: string; permalink_url: string } {
    const message = str(p, 'message') ?? null;
    const link = str(p, 'link') ?? null;
    const attached = this.attachedPhotos(pageId, p);
    if (!message && !link && attached.length === 0) throw graphError(100, '(#100) Missing message or attachment');
    if (link && !URL.canParse(link))
      throw graphError(100, '(#100) link URL is not properly formatted', { subcode: 1609005 });
    const isPublished = bool(p, 'published', true);
    const scheduled = this.scheduledTime(p, isPublished);
    if (isPublished && message && this.detectDuplicates) {
      const last = [...this.published].reverse().find((post) => post.pageId === pageId);
      if (last?.message === message) throw graphError(506, '(#506) Duplicate status message');
    }
    const post = this.newPost(pageId, {
      kind: attached.length ? 'photo' : link ? 'link' : 'status',
      message,
      link,
      media: attached.map((ph) => ph.media),
      photoIds: attached.map((ph) => ph.id),
      published: isPublished,
      scheduledPublishTime: scheduled,
    });
    for (const photo of attached) photo.postId = post.id;
    return { id: post.id, permalink_url: post.permalinkUrl };
  }

  /** `attached_media=[{"media_fbid":...}]`: unpublished photos of the same Page, each used once. */
  private attachedPhotos(pageId: string, p: GraphParams): FbPhoto[] {
    const items = list(p, 'attached_media') ?? [];
    return items.map((item, i) => {
      const fbid = item && typeof item === 'object' ? String((item as Record<string, unknown>).media_fbid ?? '') : '';
      const photo = this.photos.get(fbid);
      if (!photo || photo.pageId !== pageId)
        throw graphError(100, `(#100) param attached_media[${i}] has invalid media_fbid ${fbid}`);
      if (photo.published || photo.postId) {
        // Postiz maps 1366051 to "photos already posted" (docs/platforms/meta.md#page-publishing-subcodes).
        throw graphError(100, `(#100) media_fbid ${fbid} has already been posted`, { subcode: 1366051 });
      }
      return photo;
    });
  }

  /** Only with published=false, and 10 minutes to 30 days ahead (docs/platforms/meta.md#text-and-link-posts). */
  private scheduledTime(p: GraphParams, isPublished: boolean): number | null {
    const raw = str(p, 'scheduled_publish_time');
    if (raw === undefined) return null;
    if (isPublished) throw graphError(100, '(#100) Cannot specify a scheduled publish time on a published post');
    const at = parseTime(raw, 'scheduled_publish_time');
    const ahead = at - Math.floor(this.deps.now() / 1000);
    if (ahead < MIN_SCHEDULE_SEC || ahead > MAX_SCHEDULE_SEC) {
      throw graphError(100, '(#100) The specified scheduled publish time is invalid.', {
        userMsg: 'Scheduled posts must be between 10 minutes and 30 days in the future.',
      });
    }
    return at;
  }

  /** `POST /{page-id}/photos` (docs/platforms/meta.md#one-photo): `url` (Meta fetches it) or multipart `source`. */
  async photo(pageId: string, p: GraphParams): Promise<Record<string, string>> {
    const media = await this.photoMedia(p);
    const caption = str(p, 'caption') ?? str(p, 'message') ?? null;
    const isPublished = bool(p, 'published', true);
    const photo: FbPhoto = { id: this.deps.nextId(), pageId, published: isPublished, caption, media, postId: null };
    this.photos.set(photo.id, photo);
    if (!isPublished) return { id: photo.id };
    const post = this.newPost(pageId, { kind: 'photo', message: caption, media: [media], photoIds: [photo.id] });
    photo.postId = post.id;
    return { id: photo.id, post_id: post.id };
  }

  private async photoMedia(p: GraphParams): Promise<FbMedia> {
    const upload = p.files.get('source');
    if (upload) {
      if (!upload.mimeType.startsWith('image/') || upload.data.length === 0) {
        throw graphError(100, `(#100) The uploaded source is not an image (${upload.mimeType})`, { subcode: 1366046 });
      }
      return { kind: 'photo', url: null, contentType: upload.mimeType, bytes: upload.data.length };
    }
    const url = str(p, 'url');
    if (!url) throw graphError(324, '(#324) Requires upload file');
    const got = await this.deps.fetch(url);
    // Postiz's mapping: 2061006 invalid URL, 1366046 photo size/format
    // (docs/platforms/meta.md#page-publishing-subcodes).
    if (got.problem) throw graphError(100, `(#100) url could not be fetched: ${got.problem}`, { subcode: 2061006 });
    if (!got.contentType.startsWith('image/') || got.bytes.length === 0) {
      throw graphError(100, `(#100) The photo at url is not an image (content-type ${got.contentType || 'none'})`, {
        subcode: 1366046,
      });
    }
    return { kind: 'photo', url, contentType: got.contentType, bytes: got.bytes.length };
  }

  /** `POST /{page-id}/videos` with `file_url` (docs/platforms/meta.md#video); resumable uploads are not modelled. */
  async video(pageId: string, p: GraphParams): Promise<{ id: string }> {
    if (str(p, 'upload_phase'))
      throw graphError(100, '(#100) The Meta fake does not model resumable video uploads; use file_url');
    const url = requireStr(p, 'file_url');
    const got = await this.deps.fetch(url);
    if (got.problem)
      throw graphError(100, `(#100) file_url could not be fetched: ${got.problem}`, { subcode: 2061006 });
    if (!got.contentType.startsWith('video/') || got.bytes.length === 0) {
      throw graphError(100, `(#100) The file at file_url is not a video (content-type ${got.contentType || 'none'})`);
    }
    const media: FbMedia = { kind: 'video', url, contentType: got.contentType, bytes: got.bytes.length };
    const description = str(p, 'description') ?? null;
    const video: FbVideo = { id: this.deps.nextId(), pageId, description, media, postId: null };
    this.videos.set(video.id, video);
    if (bool(p, 'published', true)) {
      video.postId = this.newPost(pageId, {
        kind: 'video',
        message: description,
        media: [media],
        videoId: video.id,
      }).id;
    }
    return { id: video.id };
  }

  private newPost(pageId: string, init: Partial<FbPost> & Pick<FbPost, 'kind'>): FbPost {
    const id = `${pageId}_${this.deps.nextId()}`;
    const post: FbPost = {
      id,
      pageId,
      message: null,
      link: null,
      media: [],
      photoIds: [],
      videoId: null,
      createdAt: this.deps.now(),
      permalinkUrl: permalink(id),
      published: true,
      scheduledPublishTime: null,
      ...init,
    };
    (post.published ? this.published : this.unpublished).push(post);
    return post;
  }

  /** The post is deleted on Facebook: it answers "does not exist" from now on. */
  delete(id: string): void {
    const i = this.published.findIndex((post) => post.id === id);
    if (i >= 0) this.published.splice(i, 1);
  }

  findPost(id: string): FbPost | undefined {
    return this.published.find((post) => post.id === id) ?? this.unpublished.find((post) => post.id === id);
  }

  /** `GET /{page-id}/published_posts` (newest first, `since`/`until` in seconds or date text). */
  publishedPosts(pageId: string, query: Record<string, string>, selfUrl: string): unknown {
    const since = query.since ? parseTime(query.since, 'since') : -Infinity;
    const until = query.until ? parseTime(query.until, 'until') : Infinity;
    const posts = this.published
      .filter((post) => post.pageId === pageId)
      .filter((post) => post.createdAt / 1000 >= since && post.createdAt / 1000 <= until)
      .reverse()
      .map((post) => this.postFields(post, query.fields));
    return paginate(posts, query, selfUrl);
  }

  postFields(post: FbPost, fields: string | undefined): Record<string, unknown> {
    const getters: FieldGetters = {
      id: () => post.id,
      message: () => post.message ?? undefined,
      created_time: () => graphTime(post.createdAt),
      permalink_url: () => post.permalinkUrl,
      is_published: () => post.published,
      status_type: () =>
        ({ status: 'mobile_status_update', link: 'shared_story', photo: 'added_photos', video: 'added_video' })[
          post.kind
        ],
      full_picture: () => (post.media[0]?.kind === 'photo' ? (post.media[0].url ?? undefined) : undefined),
      scheduled_publish_time: () => post.scheduledPublishTime ?? undefined,
      // `shares` is absent when nobody shared; the edges answer `.limit(0).summary(true)` with an empty `data`.
      shares: () => {
        const n = this.engagementOf(post.id)?.shares ?? 0;
        return n > 0 ? { count: n } : undefined;
      },
      comments: () => ({
        data: [],
        summary: { order: 'ranked', total_count: this.engagementOf(post.id)?.comments ?? 0, can_comment: true },
      }),
      reactions: () => ({
        data: [],
        summary: { total_count: this.engagementOf(post.id)?.reactions ?? 0, viewer_reaction: 'NONE' },
      }),
    };
    return selectFields('Post', getters, fields, ['created_time', 'message', 'id']);
  }

  photoFields(photo: FbPhoto, fields: string | undefined): Record<string, unknown> {
    const getters: FieldGetters = {
      id: () => photo.id,
      name: () => photo.caption ?? undefined,
      page_story_id: () => photo.postId ?? undefined,
      link: () => `https://www.facebook.com/photo/?fbid=${photo.id}`,
    };
    return selectFields('Photo', getters, fields, ['id']);
  }

  videoFields(video: FbVideo, fields: string | undefined): Record<string, unknown> {
    const done = { status: 'complete' };
    const getters: FieldGetters = {
      id: () => video.id,
      description: () => video.description ?? undefined,
      post_id: () => video.postId ?? undefined,
      permalink_url: () => `/${video.pageId}/videos/${video.id}/`,
      // status.video_status plus the three phases (docs/platforms/meta.md#video).
      status: () => ({
        video_status: 'ready',
        uploading_phase: done,
        processing_phase: done,
        publishing_phase: { ...done, publish_status: video.postId ? 'published' : 'not_published' },
      }),
    };
    return selectFields('Video', getters, fields, ['id']);
  }
}

// ---- Reels and Stories (docs/platforms/meta-surfaces.md) --------------------------------------

/** A video upload session started on `video_reels` or `video_stories`. */
export interface FbSurfaceVideo {
  id: string;
  pageId: string;
  edge: 'video_reels' | 'video_stories';
  /** Declared by the first rupload request (`file_size`); every later one must repeat it. */
  fileSize: number | null;
  /** What arrived, in order; its length is `bytes_transferred`. */
  data: Buffer;
  /** `finish` was accepted. */
  finished: boolean;
  description: string | null;
  /** Status reads left during which the published reel still shows publishing in progress. */
  publishPollsLeft: number;
  /** Set on finish for a reel, the story's post id for a video story. */
  publishedAt: number | null;
  storyPostId: string | null;
  /** Why processing failed (video_status error), set by a test. */
  error: string | null;
  createdAt: number;
}

export interface FbStory {
  postId: string;
  pageId: string;
  mediaType: 'photo' | 'video';
  mediaId: string;
  createdAt: number;
}

/** How the rupload host answers an upload error (docs/platforms/meta-surfaces.md#the-video-upload). */
export class RuploadError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
  reply(): { status: number; json: unknown } {
    return { status: this.status, json: { debug_info: { retriable: false, type: this.type, message: this.message } } };
  }
}

export interface FacebookSurfacesDeps {
  now(): number;
  nextId(): string;
  /** The fake's own origin: upload URLs point at it instead of rupload.facebook.com. */
  origin(): string;
  photos: Map<string, FbPhoto>;
}

const REELS_PER_DAY = 30;
const DAY_MS = 86_400_000;

export class FacebookSurfacesStore {
  readonly videos = new Map<string, FbSurfaceVideo>();
  /** Published Page stories, in order (assert "exactly once" on this). */
  readonly stories: FbStory[] = [];
  /** Status reads a finished reel answers "publishing in progress" before "complete". */
  reelPublishPolls = 1;
  /**
   * The next upload request stores only this many bytes and then loses its connection (the socket
   * is destroyed by the caller), as a dropped upload does.
   */
  cutNextUploadAt: number | null = null;
  /** The next finished reel fails processing with these words (`video_status: error`). */
  failNextReel: string | null = null;

  constructor(private readonly deps: FacebookSurfacesDeps) {}

  /** Reels that went out, in order. */
  get reels(): FbSurfaceVideo[] {
    return [...this.videos.values()].filter((v) => v.edge === 'video_reels' && v.publishedAt !== null);
  }

  /**
   * A published reel takes comments on its video id (`POST /{video-id}/comments`); stories take
   * none. For the comment routes' check of what is commentable.
   */
  commentable(id: string): { pageId: string } | undefined {
    const video = this.videos.get(id);
    return video?.edge === 'video_reels' && video.publishedAt !== null ? { pageId: video.pageId } : undefined;
  }

  /** `POST /{page-id}/video_reels|video_stories`: start, or finish with the session's video_id. */
  videoEdge(pageId: string, edge: FbSurfaceVideo['edge'], p: GraphParams, version: string): Record<string, unknown> {
    const phase = requireStr(p, 'upload_phase');
    if (phase === 'start') {
      const video: FbSurfaceVideo = {
        id: this.deps.nextId(),
        pageId,
        edge,
        fileSize: null,
        data: Buffer.alloc(0),
        finished: false,
        description: null,
        publishPollsLeft: 0,
        publishedAt: null,
        storyPostId: null,
        error: null,
        createdAt: this.deps.now(),
      };
      this.videos.set(video.id, video);
      return { video_id: video.id, upload_url: `${this.deps.origin()}/video-upload/${version}/${video.id}` };
    }
    if (phase !== 'finish') throw graphError(100, `(#100) upload_phase must be start or finish, not ${phase}`);
    const video = this.videos.get(requireStr(p, 'video_id'));
    if (!video || video.pageId !== pageId || video.edge !== edge)
      throw graphError(100, `(#100) Invalid video_id for this ${edge} upload`);
    if (video.fileSize === null || video.data.length < video.fileSize)
      throw graphError(6000, '(#6000) Problem with file. Try with another file.', {
        userTitle: 'Video Upload Is Missing',
      });
    // What a second finish does is undocumented; refused here so a blind retry never doubles a post.
    if (video.finished) throw graphError(100, `(#100) Video ${video.id} has already been published`);
    if (edge === 'video_reels') return this.finishReel(video, p);
    for (const name of ['description', 'caption', 'message', 'title'])
      if (str(p, name) !== undefined) throw graphError(100, `(#100) Param ${name} is not supported for stories`);
    // A story is answered with its post id at once; what processing refuses is an error here.
    const problem = videoProblem(video.data, 60_000);
    if (problem) throw graphError(100, `(#100) ${problem}`);
    video.finished = true;
    video.publishedAt = this.deps.now();
    video.storyPostId = this.addStory(pageId, 'video', video.id);
    return { success: true, post_id: video.storyPostId };
  }

  private finishReel(video: FbSurfaceVideo, p: GraphParams): Record<string, unknown> {
    const state = requireStr(p, 'video_state');
    if (state !== 'PUBLISHED' && state !== 'DRAFT' && state !== 'SCHEDULED')
      throw graphError(100, `(#100) Invalid video_state ${state}`);
    for (const name of ['caption', 'message'])
      if (str(p, name) !== undefined) throw graphError(100, `(#100) Param ${name} is not supported; use description`);
    const since = this.deps.now() - DAY_MS;
    const recent = this.reels.filter((r) => r.pageId === video.pageId && r.publishedAt! > since).length;
    // The limit is documented, its error code is not (docs/platforms/meta-surfaces.md#facebook-reels).
    if (state === 'PUBLISHED' && recent >= REELS_PER_DAY)
      throw graphError(100, '(#100) This Page has reached the limit of 30 Reels published through the API in 24 hours');
    video.finished = true;
    video.description = str(p, 'description') ?? null;
    video.error = this.failNextReel ?? videoProblem(video.data, 90_000);
    this.failNextReel = null;
    if (video.error !== null) {
      // Processing refuses it: the status says error, nothing is published.
    } else if (state === 'PUBLISHED') {
      video.publishedAt = this.deps.now();
      video.publishPollsLeft = this.reelPublishPolls;
    }
    return { success: true };
  }

  /**
   * `POST /video-upload/{version}/{video-id}` on the rupload host: `Authorization: OAuth`, `offset`
   * and `file_size` headers, the bytes as the body. `tokenPage` is the Page the token belongs to.
   */
  upload(videoId: string, tokenPage: string | null, headers: RecordedHeaders, body: unknown): unknown {
    const video = this.videos.get(videoId);
    if (!video) throw new RuploadError('NotFoundError', `No upload session ${videoId}`, 404);
    if (tokenPage !== video.pageId)
      throw new RuploadError('AuthError', 'Invalid OAuth access token for this upload', 401);
    if (!Buffer.isBuffer(body) && body && typeof body === 'object' && 'file_url' in body)
      throw new RuploadError(
        'ParameterValidationError',
        'HeaderValuePredicate: Header Offset not convertable to unsigned long',
      );
    const offset = Number(headerOf(headers, 'offset'));
    const size = Number(headerOf(headers, 'file_size'));
    if (!/^\d+$/.test(headerOf(headers, 'offset') ?? ''))
      throw new RuploadError(
        'ParameterValidationError',
        'HeaderValuePredicate: Header Offset not convertable to unsigned long',
      );
    if (!/^\d+$/.test(headerOf(headers, 'file_size') ?? ''))
      throw new RuploadError('ParameterValidationError', 'HeaderValuePredicate: Header file_size missing');
    if (video.fileSize !== null && video.fileSize !== size)
      throw new RuploadError('PartialRequestError', `file_size ${size} differs from the session's ${video.fileSize}`);
    if (offset !== video.data.length)
      throw new RuploadError('OffsetInvalidError', `Offset ${offset} is not the ${video.data.length} bytes received`);
    const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    if (offset + bytes.length !== size)
      throw new RuploadError('PartialRequestError', `The body has ${bytes.length} bytes; ${size - offset} expected`);
    video.fileSize = size;
    const cut = this.cutNextUploadAt;
    if (cut !== null) {
      this.cutNextUploadAt = null;
      video.data = Buffer.concat([video.data, bytes.subarray(0, cut)]);
      // The connection is dropped by the fault FakeMeta.cutNextUpload queued: this answer is never seen.
      return { success: true };
    }
    video.data = Buffer.concat([video.data, bytes]);
    return { success: true };
  }

  /** `status` of a surface video, as `GET /{video-id}?fields=status` shows it; each read moves publishing on. */
  statusOf(video: FbSurfaceVideo): Record<string, unknown> {
    const uploaded = video.fileSize !== null && video.data.length >= video.fileSize;
    const uploading = {
      status: uploaded ? 'complete' : video.data.length > 0 ? 'in_progress' : 'not_started',
      bytes_transferred: video.data.length,
    };
    if (video.error)
      return {
        video_status: 'error',
        uploading_phase: uploading,
        processing_phase: { status: 'error', error: { message: video.error } },
        publishing_phase: { status: 'not_started' },
      };
    let publishing: Record<string, unknown> = { status: 'not_started', publish_status: 'not_published' };
    let processing = { status: video.finished ? 'complete' : 'not_started' };
    if (video.publishedAt !== null) {
      if (video.publishPollsLeft > 0) {
        video.publishPollsLeft -= 1;
        publishing = { status: 'in_progress', publish_status: 'not_published' };
        processing = { status: 'in_progress' };
      } else
        publishing = {
          status: 'complete',
          publish_status: 'published',
          publish_time: Math.floor(video.publishedAt / 1000),
        };
    }
    const videoStatus =
      video.publishedAt !== null && publishing.status === 'complete'
        ? 'ready'
        : uploaded
          ? 'upload_complete'
          : 'processing';
    return {
      video_status: videoStatus,
      uploading_phase: uploading,
      processing_phase: processing,
      publishing_phase: publishing,
    };
  }

  videoFields(video: FbSurfaceVideo, fields: string | undefined): Record<string, unknown> {
    const getters: FieldGetters = {
      id: () => video.id,
      description: () => video.description ?? undefined,
      status: () => this.statusOf(video),
      permalink_url: () => (video.edge === 'video_reels' ? `/reel/${video.id}` : undefined),
    };
    return selectFields('Video', getters, fields, ['id']);
  }

  /** `POST /{page-id}/photo_stories`: an unpublished photo of that Page, never used before. */
  photoStory(pageId: string, p: GraphParams): { success: true; post_id: string } {
    const photoId = requireStr(p, 'photo_id');
    const photo = this.deps.photos.get(photoId);
    if (!photo || photo.pageId !== pageId) throw graphError(100, `(#100) Invalid photo_id ${photoId}`);
    if (photo.published || photo.postId)
      throw graphError(100, `(#100) The photo ${photoId} was already used in a published post`);
    const postId = this.addStory(pageId, 'photo', photo.id);
    photo.postId = postId;
    return { success: true, post_id: postId };
  }

  private addStory(pageId: string, mediaType: FbStory['mediaType'], mediaId: string): string {
    const postId = this.deps.nextId();
    this.stories.push({ postId, pageId, mediaType, mediaId, createdAt: this.deps.now() });
    return postId;
  }

  /** `GET /{page-id}/stories` (newest first, `since`/`until`). */
  storiesList(pageId: string, query: Record<string, string>, selfUrl: string): unknown {
    const since = query.since ? parseTime(query.since, 'since') : -Infinity;
    const rows = this.stories
      .filter((s) => s.pageId === pageId && s.createdAt / 1000 >= since)
      .reverse()
      .map((s) => ({
        post_id: s.postId,
        status: 'PUBLISHED',
        creation_time: String(Math.floor(s.createdAt / 1000)),
        media_type: s.mediaType,
        media_id: s.mediaId,
        url: `https://facebook.com/stories/${s.postId}`,
      }));
    return paginate(rows, query, selfUrl);
  }

  /** `GET /{page-id}/video_reels` (newest first, `since`/`until`, `until` after `since`). */
  reelsList(pageId: string, query: Record<string, string>, selfUrl: string): unknown {
    const since = query.since ? parseTime(query.since, 'since') : -Infinity;
    const until = query.until ? parseTime(query.until, 'until') : Infinity;
    if (until <= since) throw graphError(100, '(#100) until must be after since');
    const rows = this.reels
      .filter((r) => r.pageId === pageId && r.publishedAt! / 1000 >= since && r.publishedAt! / 1000 <= until)
      .reverse()
      .map((r) =>
        selectFields(
          'Video',
          {
            id: () => r.id,
            description: () => r.description ?? undefined,
            updated_time: () => graphTime(r.publishedAt!),
          },
          query.fields,
          ['id', 'description', 'updated_time'],
        ),
      );
    return paginate(rows, query, selfUrl);
  }
}

type RecordedHeaders = Record<string, string | string[] | undefined>;

function headerOf(headers: RecordedHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Reel specifications as the processing errors name them (docs/platforms/meta-surfaces.md#facebook-reels):
 * 1363040 ratio outside 16:9–9:16, 1363127 below 540×960, 1363128 length, 1363129 frame rate.
 */
function videoProblem(data: Buffer, maxMs: number): string | null {
  const f = mp4Facts(data);
  if (f.width !== null && f.height !== null) {
    const ratio = f.width / f.height;
    if (ratio < 9 / 16 - 0.005 || ratio > 16 / 9 + 0.005)
      return '1363040: Aspect ratio not supported. Videos must be between 16:9 and 9:16.';
    if (Math.min(f.width, f.height) < 540 || Math.max(f.width, f.height) < 960)
      return '1363127: Resolution too low. Video must have a minimum resolution of 540p.';
  }
  if (f.durationMs !== null && (f.durationMs < 3_000 || f.durationMs > maxMs))
    return `1363128: Video duration must be between 3 and ${maxMs / 1000} seconds.`;
  if (f.fps !== null && (f.fps < 24 - 0.01 || f.fps > 60 + 0.01))
    return '1363129: Video frame rate must be between 24 and 60 fps.';
  return null;
}
