import { randomBytes } from 'node:crypto';
import type { RecordedRequest, Reply } from './fake-server.js';
import type { TikTokUser } from './tiktok-auth.js';

/**
 * TikTok Content Posting (docs/platforms/tiktok.md#content-posting): creator info, Direct Post video
 * (FILE_UPLOAD with chunked PUTs, PULL_FROM_URL fetched by the fake), photo posts, inbox uploads and
 * status polling. Posts that really went out land in `published`.
 */

/**
 * A v2 business error: `{"data":{},"error":{"code","message","log_id"}}` with an HTTP status
 * (docs/platforms/tiktok.md#error-codes).
 */
export class TikTokApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string): TikTokApiError => new TikTokApiError(400, 'invalid_param', message);

export type PublishStatus =
  | 'PROCESSING_UPLOAD'
  | 'PROCESSING_DOWNLOAD'
  | 'SEND_TO_USER_INBOX'
  | 'PUBLISH_COMPLETE'
  | 'FAILED';

interface UploadTask {
  id: string;
  token: string;
  videoSize: number;
  chunkSize: number;
  totalChunks: number;
  chunks: Buffer[];
  received: number;
  expiresAt: number;
}

export interface Publish {
  id: string;
  openId: string;
  kind: 'video' | 'photo';
  mode: 'DIRECT_POST' | 'MEDIA_UPLOAD';
  source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  title: string | null;
  description: string | null;
  privacy: string | null;
  postInfo: Record<string, unknown>;
  upload: UploadTask | null;
  urls: string[];
  /** Media bytes received (upload) or downloaded (pull). */
  bytes: number;
  mediaComplete: boolean;
  status: PublishStatus;
  pollsLeft: number;
  failReason: string | null;
  postId: string | null;
  createdAt: number;
}

export interface TikTokPublished {
  openId: string;
  publishId: string;
  kind: 'video' | 'photo';
  title: string | null;
  description: string | null;
  privacy: string | null;
  /** Total media bytes (all images for a photo post). */
  bytes: number;
  images: number;
  postId: string | null;
  at: number;
}

export interface MediaFetch {
  url: string;
  status: number;
  contentType: string;
  bytes: Buffer;
  problem: string | null;
}

export interface PostingDeps {
  now(): number;
  baseUrl(): string;
  fetch(url: string): Promise<MediaFetch>;
}

// TikTok says "5–64 MB" without saying which MB (docs/platforms/tiktok.md#chunked-upload): we take the
// strictest reading of each bound (at least 5 MiB, at most 64,000,000 bytes; final chunk at most
// 128,000,000), so a plan that passes here passes under either reading.
export const MIN_CHUNK = 5 * 1024 * 1024;
export const MAX_CHUNK = 64_000_000;
export const MAX_FINAL_CHUNK = 128_000_000;
const MAX_VIDEO = 4 * 1024 ** 3;
const DAY_MS = 86_400_000;
const UPLOAD_URL_TTL_MS = 3_600_000;
const VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];
const PHOTO_TYPES = ['image/jpeg', 'image/webp'];

function digits(n: number): string {
  let out = String(1 + (randomBytes(1)[0]! % 9));
  while (out.length < n) out += String(randomBytes(1)[0]! % 10);
  return out;
}

function isVideo(bytes: Buffer): boolean {
  const isoBmff = bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp';
  const webm = bytes.length >= 4 && bytes.readUInt32BE(0) === 0x1a45dfa3;
  return isoBmff || webm;
}

function isJpegOrWebp(bytes: Buffer): boolean {
  const jpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const webp =
    bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP';
  return jpeg || webp;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function optionalBool(info: Record<string, unknown>, name: string): void {
  if (info[name] !== undefined && typeof info[name] !== 'boolean') throw invalid(`post_info.${name} must be a boolean`);
}

/**
 * Verified domain (covers subdomains) or exact URL prefix, as set up in the developer portal
 * (docs/platforms/tiktok.md#pull_from_url-and-verified-domains).
 */
export function isVerified(url: string, verified: string[]): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname;
  return verified.some((v) => (/^https?:\/\//.test(v) ? url.startsWith(v) : host === v || host.endsWith(`.${v}`)));
}

export class TikTokPosting {
  readonly publishes = new Map<string, Publish>();
  /** Direct posts that went out (media fully received and processing not failed). */
  readonly published: TikTokPublished[] = [];
  /** status/fetch answers an empty publicaly_available_post_id even once the post is public. */
  hidePublicIds = false;
  /** Uploads delivered to the creator's inbox (MEDIA_UPLOAD / inbox video). */
  readonly inbox: TikTokPublished[] = [];
  /**
   * false = unaudited client: only SELF_ONLY, at most 5 posting users per 24 h
   * (docs/platforms/tiktok.md#unaudited-apps-and-daily-caps).
   */
  audited = true;
  /** Domains or URL prefixes verified for PULL_FROM_URL. */
  verifiedUrlPrefixes: string[] = [];
  /** Status polls answered PROCESSING_* after the media is complete. */
  processingPolls = 1;
  /** 2,200 in the current doc, 150 in an older copy (docs/platforms/tiktok.md#direct-post-video). */
  videoTitleMaxLength = 2200;
  private nextFailReason: string | null = null;

  constructor(private readonly deps: PostingDeps) {}

  /**
   * The next publish whose media completes ends FAILED with this `fail_reason`
   * (docs/platforms/tiktok.md#publish-status).
   */
  failNextPublish(reason: string): void {
    this.nextFailReason = reason;
  }

  creatorInfo(user: TikTokUser): { data: Record<string, unknown>; errorCode: string | null } {
    const options =
      user.privacyLevelOptions ??
      (user.privateAccount
        ? ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']
        : ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']);
    const data = {
      creator_avatar_url: user.avatarUrl,
      creator_username: user.username,
      creator_nickname: user.displayName,
      privacy_level_options: options,
      comment_disabled: user.commentDisabled,
      // Duet/stitch are off for private accounts (docs/platforms/tiktok.md#creator-info).
      duet_disabled: user.duetDisabled || user.privateAccount,
      stitch_disabled: user.stitchDisabled || user.privateAccount,
      max_video_post_duration_sec: user.maxVideoPostDurationSec,
    };
    return { data, errorCode: this.blockFor(user) };
  }

  /**
   * Why this creator cannot post right now, if anything (docs/platforms/tiktok.md#creator-info,
   * docs/platforms/tiktok.md#unaudited-apps-and-daily-caps).
   */
  private blockFor(user: TikTokUser): string | null {
    if (user.postingBlock) return user.postingBlock;
    const since = this.deps.now() - DAY_MS;
    const recent = this.published.filter((p) => p.at > since);
    if (user.dailyPostCap !== null && recent.filter((p) => p.openId === user.openId).length >= user.dailyPostCap)
      return 'spam_risk_too_many_posts';
    const posters = new Set(recent.map((p) => p.openId));
    if (!this.audited && posters.size >= 5 && !posters.has(user.openId)) return 'reached_active_user_cap';
    return null;
  }

  private checkPrivacy(user: TikTokUser, info: Record<string, unknown>): string {
    const privacy = info.privacy_level;
    if (typeof privacy !== 'string' || !privacy) throw invalid('post_info.privacy_level is required');
    const options = this.creatorInfo(user).data.privacy_level_options as string[];
    if (!options.includes(privacy))
      throw new TikTokApiError(
        403,
        'privacy_level_option_mismatch',
        `privacy_level ${privacy} is not one of ${options.join(', ')}`,
      );
    if (!this.audited && privacy !== 'SELF_ONLY') {
      throw new TikTokApiError(
        403,
        'unaudited_client_can_only_post_to_private_accounts',
        'Unaudited clients can only post with privacy_level SELF_ONLY.',
      );
    }
    return privacy;
  }

  private checkBlocked(user: TikTokUser): void {
    const block = this.blockFor(user);
    if (block) throw new TikTokApiError(403, block, `The creator cannot post right now (${block}).`);
  }

  /** `POST /v2/post/publish/video/init/` (Direct Post, docs/platforms/tiktok.md#direct-post-video). */
  async videoInit(user: TikTokUser, body: unknown): Promise<Record<string, string>> {
    if (!isObject(body) || !isObject(body.post_info)) throw invalid('post_info is required');
    const info = body.post_info;
    const title = info.title ?? null;
    if (title !== null && (typeof title !== 'string' || title.length > this.videoTitleMaxLength)) {
      throw invalid(`post_info.title must be a string of at most ${this.videoTitleMaxLength} UTF-16 units`);
    }
    const privacy = this.checkPrivacy(user, info);
    // TikTok marks brand_content_toggle as required (docs/platforms/tiktok.md#direct-post-video).
    if (typeof info.brand_content_toggle !== 'boolean') throw invalid('post_info.brand_content_toggle is required');
    for (const flag of ['disable_duet', 'disable_comment', 'disable_stitch', 'brand_organic_toggle', 'is_aigc'])
      optionalBool(info, flag);
    this.checkBlocked(user);
    return this.startVideo(user, body.source_info, { mode: 'DIRECT_POST', title, privacy, postInfo: info });
  }

  /**
   * `POST /v2/post/publish/inbox/video/init/` (upload to inbox,
   * docs/platforms/tiktok.md#direct-post-video): only source_info.
   */
  async inboxVideoInit(user: TikTokUser, body: unknown): Promise<Record<string, string>> {
    if (!isObject(body)) throw invalid('source_info is required');
    this.checkPendingShares(user);
    return this.startVideo(user, body.source_info, { mode: 'MEDIA_UPLOAD', title: null, privacy: null, postInfo: {} });
  }

  private checkPendingShares(user: TikTokUser): void {
    const since = this.deps.now() - DAY_MS;
    const pending = [...this.publishes.values()].filter(
      (p) => p.openId === user.openId && p.mode === 'MEDIA_UPLOAD' && p.createdAt > since && p.status !== 'FAILED',
    );
    if (pending.length >= 5)
      throw new TikTokApiError(
        403,
        'spam_risk_too_many_pending_share',
        'Too many pending shares in the last 24 hours.',
      );
  }

  private async startVideo(
    user: TikTokUser,
    source: unknown,
    init: Pick<Publish, 'mode' | 'title' | 'privacy' | 'postInfo'>,
  ): Promise<Record<string, string>> {
    if (!isObject(source)) throw invalid('source_info is required');
    if (source.source === 'FILE_UPLOAD') {
      const upload = this.planUpload(source);
      const pub = this.newPublish(user, {
        ...init,
        kind: 'video',
        source: 'FILE_UPLOAD',
        upload,
        prefix: init.mode === 'DIRECT_POST' ? 'v_pub_file~v2-1' : 'v_inbox_file~v2',
      });
      const url = `${this.deps.baseUrl()}/upload/video/?upload_id=${upload.id}&upload_token=${upload.token}`;
      return { publish_id: pub.id, upload_url: url };
    }
    if (source.source === 'PULL_FROM_URL') {
      const url = source.video_url;
      if (typeof url !== 'string' || !url) throw invalid('source_info.video_url is required');
      if (!isVerified(url, this.verifiedUrlPrefixes))
        throw new TikTokApiError(
          403,
          'url_ownership_unverified',
          'The video_url domain or prefix is not verified for this client.',
        );
      const pub = this.newPublish(user, {
        ...init,
        kind: 'video',
        source: 'PULL_FROM_URL',
        urls: [url],
        prefix: init.mode === 'DIRECT_POST' ? 'v_pub_url~v2-1' : 'v_inbox_url~v2',
      });
      await this.pull(pub, 'video');
      return { publish_id: pub.id };
    }
    throw invalid('source_info.source must be FILE_UPLOAD or PULL_FROM_URL');
  }

  /** Chunk rules (docs/platforms/tiktok.md#chunked-upload). */
  private planUpload(s: Record<string, unknown>): UploadTask {
    const size = s.video_size;
    const chunk = s.chunk_size;
    const count = s.total_chunk_count;
    if (![size, chunk, count].every((n) => Number.isInteger(n) && (n as number) > 0)) {
      throw invalid('video_size, chunk_size and total_chunk_count must be positive integers');
    }
    const [videoSize, chunkSize, totalChunks] = [size, chunk, count] as number[] as [number, number, number];
    if (videoSize > MAX_VIDEO) throw invalid('video_size exceeds 4 GB');
    if (videoSize < MIN_CHUNK) {
      if (chunkSize !== videoSize || totalChunks !== 1)
        throw invalid('videos under 5 MB must be uploaded as one chunk of the full size');
    } else {
      if (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK || chunkSize > videoSize)
        throw invalid('chunk_size must be between 5 MB and 64 MB');
      if (totalChunks !== Math.floor(videoSize / chunkSize))
        throw invalid('total_chunk_count must be floor(video_size / chunk_size)');
      if (totalChunks > 1000) throw invalid('at most 1000 chunks');
      if (videoSize > MAX_CHUNK && totalChunks < 2) throw invalid('videos over 64 MB must be chunked');
      if (videoSize - chunkSize * (totalChunks - 1) > MAX_FINAL_CHUNK)
        throw invalid('the final chunk may not exceed 128 MB');
    }
    return {
      id: digits(19),
      token: randomBytes(16).toString('hex'),
      videoSize,
      chunkSize,
      totalChunks,
      chunks: [],
      received: 0,
      expiresAt: this.deps.now() + UPLOAD_URL_TTL_MS,
    };
  }

  /** `POST /v2/post/publish/content/init/` for photos (docs/platforms/tiktok.md#photo-posts). */
  async photoInit(user: TikTokUser, body: Record<string, unknown>): Promise<Record<string, string>> {
    if (body.media_type !== 'PHOTO') throw invalid('media_type must be PHOTO');
    const mode = body.post_mode;
    if (mode !== 'DIRECT_POST' && mode !== 'MEDIA_UPLOAD')
      throw invalid('post_mode must be DIRECT_POST or MEDIA_UPLOAD');
    const info = isObject(body.post_info) ? body.post_info : {};
    const title = info.title ?? null;
    const description = info.description ?? null;
    if (title !== null && (typeof title !== 'string' || title.length > 90))
      throw invalid('post_info.title must be at most 90 characters');
    if (description !== null && (typeof description !== 'string' || description.length > 4000))
      throw invalid('post_info.description must be at most 4000 characters');
    const privacy = mode === 'DIRECT_POST' ? this.checkPrivacy(user, info) : null;
    const source = body.source_info;
    if (!isObject(source) || source.source !== 'PULL_FROM_URL')
      throw invalid('source_info.source must be PULL_FROM_URL');
    const images = source.photo_images;
    if (
      !Array.isArray(images) ||
      images.length < 1 ||
      images.length > 35 ||
      !images.every((u) => typeof u === 'string')
    ) {
      throw invalid('source_info.photo_images must list 1 to 35 URLs');
    }
    const cover = source.photo_cover_index ?? 0;
    if (!Number.isInteger(cover) || (cover as number) < 0 || (cover as number) >= images.length)
      throw invalid('source_info.photo_cover_index is out of range');
    if (!images.every((u) => isVerified(u as string, this.verifiedUrlPrefixes))) {
      throw new TikTokApiError(
        403,
        'url_ownership_unverified',
        'A photo URL domain or prefix is not verified for this client.',
      );
    }
    if (mode === 'DIRECT_POST') this.checkBlocked(user);
    else this.checkPendingShares(user);
    const pub = this.newPublish(user, {
      kind: 'photo',
      mode,
      source: 'PULL_FROM_URL',
      title: title as string | null,
      description: description as string | null,
      privacy,
      postInfo: info,
      urls: images as string[],
      prefix: 'p_pub_url~v2',
    });
    await this.pull(pub, 'photo');
    return { publish_id: pub.id };
  }

  private newPublish(
    user: TikTokUser,
    init: Partial<Publish> &
      Pick<Publish, 'kind' | 'mode' | 'source' | 'title' | 'privacy' | 'postInfo'> & { prefix: string },
  ): Publish {
    const { prefix, ...rest } = init;
    const pub: Publish = {
      id: `${prefix}.${digits(19)}`,
      openId: user.openId,
      description: null,
      upload: null,
      urls: [],
      bytes: 0,
      mediaComplete: false,
      status: rest.source === 'FILE_UPLOAD' ? 'PROCESSING_UPLOAD' : 'PROCESSING_DOWNLOAD',
      pollsLeft: this.processingPolls,
      failReason: null,
      postId: null,
      createdAt: this.deps.now(),
      ...rest,
    };
    this.publishes.set(pub.id, pub);
    return pub;
  }

  /**
   * The fake downloads PULL_FROM_URL media itself: no redirects, right format
   * (docs/platforms/tiktok.md#pull_from_url-and-verified-domains, docs/platforms/tiktok.md#photo-posts).
   */
  private async pull(pub: Publish, kind: 'video' | 'photo'): Promise<void> {
    for (const url of pub.urls) {
      const got = await this.deps.fetch(url);
      if (got.problem) return this.fail(pub, kind === 'video' ? 'video_pull_failed' : 'photo_pull_failed');
      // Photos: JPEG or WebP only (docs/platforms/tiktok.md#photo-posts).
      const okType =
        kind === 'video'
          ? VIDEO_TYPES.includes(got.contentType) && isVideo(got.bytes)
          : PHOTO_TYPES.includes(got.contentType) && isJpegOrWebp(got.bytes);
      if (!okType) return this.fail(pub, 'file_format_check_failed');
      pub.bytes += got.bytes.length;
    }
    this.mediaDone(pub);
  }

  private fail(pub: Publish, reason: string): void {
    pub.status = 'FAILED';
    pub.failReason = reason;
  }

  /** All media is in: the post goes out now (or fails), whatever the client polls afterwards. */
  private mediaDone(pub: Publish): void {
    pub.mediaComplete = true;
    if (this.nextFailReason) {
      pub.failReason = this.nextFailReason;
      this.nextFailReason = null;
      return;
    }
    const entry: TikTokPublished = {
      openId: pub.openId,
      publishId: pub.id,
      kind: pub.kind,
      title: pub.title,
      description: pub.description,
      privacy: pub.privacy,
      bytes: pub.bytes,
      images: pub.kind === 'photo' ? pub.urls.length : 0,
      postId: null,
      at: this.deps.now(),
    };
    if (pub.mode === 'MEDIA_UPLOAD') return void this.inbox.push(entry);
    // A post id only shows for posts the public can see; list<int64>, often above 2^53
    // (docs/platforms/tiktok.md#publish-status).
    if (pub.privacy !== 'SELF_ONLY') pub.postId = entry.postId = `7${digits(18)}`;
    this.published.push(entry);
  }

  /** `PUT {upload_url}`: sequential chunks with Content-Range (docs/platforms/tiktok.md#chunked-upload). */
  upload(req: RecordedRequest): Reply {
    const pub = [...this.publishes.values()].find((p) => p.upload?.id === req.query.upload_id);
    const task = pub?.upload;
    if (!pub || !task || task.token !== req.query.upload_token)
      return { status: 404, json: { error: 'no upload task' } };
    if (task.expiresAt <= this.deps.now()) return { status: 403, json: { error: 'upload_url expired' } };
    const progress = (): Record<string, string> => ({
      'content-range': `bytes 0-${Math.max(task.received - 1, 0)}/${task.videoSize}`,
    });
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (!VIDEO_TYPES.includes(type))
      return { status: 400, json: { error: `Content-Type must be one of ${VIDEO_TYPES.join(', ')}` } };
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
    if (!range) return { status: 400, json: { error: 'Content-Range must be "bytes first-last/total"' } };
    const [first, last, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (total !== task.videoSize)
      return { status: 400, json: { error: `Content-Range total must be video_size ${task.videoSize}` } };
    if (Number(req.headers['content-length']) !== req.raw.length || last - first + 1 !== req.raw.length) {
      return { status: 400, json: { error: 'Content-Length and Content-Range do not match the body' } };
    }
    if (first !== task.received)
      return {
        status: 416,
        json: { error: `expected a chunk starting at byte ${task.received}` },
        headers: progress(),
      };
    const index = task.chunks.length;
    const expected =
      index < task.totalChunks - 1 ? task.chunkSize : task.videoSize - task.chunkSize * (task.totalChunks - 1);
    if (req.raw.length !== expected)
      return { status: 400, json: { error: `chunk ${index + 1} must be ${expected} bytes` } };
    task.chunks.push(req.raw);
    task.received += req.raw.length;
    pub.bytes = task.received;
    if (task.received < task.videoSize) return { status: 206, headers: progress() };
    const video = Buffer.concat(task.chunks);
    if (!isVideo(video)) this.fail(pub, 'file_format_check_failed');
    else this.mediaDone(pub);
    return { status: 201, headers: progress() };
  }

  /**
   * `POST /v2/post/publish/status/fetch/` (docs/platforms/tiktok.md#publish-status): one poll = one
   * step of processing.
   */
  status(openId: string, body: unknown): Record<string, unknown> {
    const id = isObject(body) ? body.publish_id : undefined;
    const pub = typeof id === 'string' ? this.publishes.get(id) : undefined;
    if (!pub) throw new TikTokApiError(400, 'invalid_publish_id', 'The publish_id does not exist.');
    if (pub.openId !== openId)
      throw new TikTokApiError(
        400,
        'token_not_authorized_for_specified_publish_id',
        'The publish_id belongs to another user.',
      );
    if (pub.mediaComplete && pub.status !== 'FAILED') this.advance(pub);
    const data: Record<string, unknown> = { status: pub.status };
    if (pub.status === 'FAILED') data.fail_reason = pub.failReason;
    // TikTok often leaves the list empty even for public posts (docs/platforms/tiktok.md#results).
    data.publicaly_available_post_id =
      pub.status === 'PUBLISH_COMPLETE' && pub.postId && !this.hidePublicIds ? [pub.postId] : [];
    data[pub.source === 'FILE_UPLOAD' ? 'uploaded_bytes' : 'downloaded_bytes'] = pub.bytes;
    return data;
  }

  private advance(pub: Publish): void {
    if (pub.status === 'PUBLISH_COMPLETE' || pub.status === 'SEND_TO_USER_INBOX') return;
    if (pub.pollsLeft > 0) {
      pub.pollsLeft -= 1;
      return;
    }
    if (pub.failReason) pub.status = 'FAILED';
    else pub.status = pub.mode === 'MEDIA_UPLOAD' ? 'SEND_TO_USER_INBOX' : 'PUBLISH_COMPLETE';
  }

  /** The upload URL's hour is over (docs/platforms/tiktok.md#direct-post-video): further PUTs get 403. */
  expireUploadUrl(publishId: string): void {
    const task = this.publishes.get(publishId)?.upload;
    if (!task) throw new Error(`tiktok fake: no upload for ${publishId}`);
    task.expiresAt = this.deps.now() - 1000;
  }
}
