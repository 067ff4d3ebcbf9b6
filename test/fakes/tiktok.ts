import { randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';
import { logId, TikTokAuth, type TikTokAccessToken, type TikTokUser } from './tiktok-auth.js';
import { type MediaFetch, TikTokApiError, TikTokPosting, type TikTokPublished } from './tiktok-posting.js';

export type { TikTokUser } from './tiktok-auth.js';
export { MAX_CHUNK, MIN_CHUNK, MAX_FINAL_CHUNK } from './tiktok-posting.js';

/**
 * A fake of TikTok Login Kit v2 + Content Posting API (docs/platforms/tiktok.md). Herald points
 * TIKTOK_API_URL at `<url>` and TIKTOK_AUTH_URL at `<url>/v2/auth/authorize/`.
 */

export interface FakeTikTokOptions {
  clientKey: string;
  clientSecret: string;
}

export interface TikTokRateLimits {
  creatorInfo: number;
  videoInit: number;
  contentInit: number;
  status: number;
  /** Display API: 600 per minute each (https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit). */
  userInfo: number;
  videoList: number;
  videoQuery: number;
}

/** A video's counters as the Display API reports them. */
export interface TikTokVideoStats {
  view_count: number;
  like_count: number;
  comment_count: number;
  share_count: number;
}

/** Fields of the Video Object (https://developers.tiktok.com/doc/tiktok-api-v2-video-object). */
const VIDEO_FIELDS = new Set([
  'id',
  'create_time',
  'cover_image_url',
  'share_url',
  'video_description',
  'duration',
  'height',
  'width',
  'title',
  'embed_html',
  'embed_link',
  'like_count',
  'comment_count',
  'share_count',
  'view_count',
  'is_aigc',
]);

export interface MediaFetchLog {
  url: string;
  status: number;
  contentType: string;
  bytes: number;
  problem: string | null;
}

interface ApiCtx {
  req: RecordedRequest;
  token: TikTokAccessToken;
  user: TikTokUser;
}

interface ApiRoute {
  /** Any one of these scopes is enough; a function decides from the body (photo posts). */
  scopes: string[] | ((body: unknown) => string[]);
  limit?: keyof TikTokRateLimits;
  handler: (ctx: ApiCtx) => unknown;
}

/** Which scope each user/info field needs (docs/platforms/tiktok.md#user-info). */
const FIELD_SCOPES: Record<string, string> = {
  open_id: 'user.info.basic',
  union_id: 'user.info.basic',
  avatar_url: 'user.info.basic',
  avatar_url_100: 'user.info.basic',
  avatar_large_url: 'user.info.basic',
  display_name: 'user.info.basic',
  username: 'user.info.profile',
  bio_description: 'user.info.profile',
  profile_deep_link: 'user.info.profile',
  is_verified: 'user.info.profile',
  follower_count: 'user.info.stats',
  following_count: 'user.info.stats',
  likes_count: 'user.info.stats',
  video_count: 'user.info.stats',
};

const WINDOW_MS = 60_000;

function openId(): string {
  return `-000${randomBytes(18).toString('base64url')}`;
}

export class FakeTikTok extends FakeServer {
  readonly users = new Map<string, TikTokUser>();
  /** open_id of the user who logs in at the next authorize. */
  loginAs: string;
  readonly auth: TikTokAuth;
  readonly posting: TikTokPosting;
  readonly mediaFetches: MediaFetchLog[] = [];
  /** Per token per endpoint per minute (docs/platforms/tiktok.md#rate-limits). */
  rateLimits: TikTokRateLimits = {
    creatorInfo: 20,
    videoInit: 6,
    contentInit: 6,
    status: 30,
    userInfo: 600,
    videoList: 600,
    videoQuery: 600,
  };
  /** Counters per video id; a public video without an entry reads zeros. */
  readonly videoStats = new Map<string, TikTokVideoStats>();
  /** Follower counts per open_id. */
  readonly followers = new Map<string, number>();
  /** Every id asked for through video/query, in order. */
  readonly queriedIds: string[] = [];
  /** Video ids deleted on TikTok: query leaves them out, list no longer has them. */
  readonly deletedVideos = new Set<string>();
  /** Off for load tests. */
  rateLimitEnabled = true;
  mediaFetchTimeoutMs = 10_000;
  /** The fake's clock (epoch ms); replace it to age tokens and uploads. */
  now: () => number = () => Date.now();
  private readonly hits = new Map<string, number[]>();

  constructor(options: FakeTikTokOptions) {
    super('tiktok');
    const now = (): number => this.now();
    this.loginAs = this.addUser().openId;
    this.auth = new TikTokAuth(options, () => this.user, now);
    this.posting = new TikTokPosting({ now, baseUrl: () => this.url, fetch: (url) => this.fetchMedia(url) });
    this.registerRoutes();
  }

  // -------------------------------------------------------------------------------------------
  // Setup and inspection

  /** The user who logs in next (`loginAs`). */
  get user(): TikTokUser {
    return this.users.get(this.loginAs)!;
  }

  addUser(init: Partial<TikTokUser> = {}): TikTokUser {
    const n = this.users.size + 1;
    const user: TikTokUser = {
      openId: openId(),
      unionId: randomBytes(16).toString('hex'),
      displayName: `Creator ${n}`,
      username: `creator${n}`,
      avatarUrl: `https://p16-sign.tiktokcdn.com/avatar-${n}.jpeg`,
      grantScopes: null,
      denyLogin: false,
      privateAccount: false,
      privacyLevelOptions: null,
      commentDisabled: false,
      duetDisabled: false,
      stitchDisabled: false,
      maxVideoPostDurationSec: 600,
      postingBlock: null,
      dailyPostCap: null,
      ...init,
    };
    this.users.set(user.openId, user);
    return user;
  }

  /** Direct posts that went out. */
  get published() {
    return this.posting.published;
  }

  /** Uploads delivered to a creator's inbox. */
  get inbox() {
    return this.posting.inbox;
  }

  /** false = unaudited client: only SELF_ONLY (docs/platforms/tiktok.md#unaudited-apps-and-daily-caps). */
  get audited(): boolean {
    return this.posting.audited;
  }

  set audited(value: boolean) {
    this.posting.audited = value;
  }

  /** Domains (cover subdomains) or URL prefixes verified for PULL_FROM_URL. */
  get verifiedUrlPrefixes(): string[] {
    return this.posting.verifiedUrlPrefixes;
  }

  set verifiedUrlPrefixes(value: string[]) {
    this.posting.verifiedUrlPrefixes = value;
  }

  // -------------------------------------------------------------------------------------------
  // Failure controls

  expireAccessToken(token: string): void {
    this.auth.expireAccessToken(token);
  }

  /** As if the user removed the app: access and refresh tokens of that login die. */
  revokeToken(token: string): void {
    this.auth.revokeToken(token);
  }

  failNextPublish(reason: string): void {
    this.posting.failNextPublish(reason);
  }

  expireUploadUrl(publishId: string): void {
    this.posting.expireUploadUrl(publishId);
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  private async fetchMedia(url: string): Promise<MediaFetch> {
    let got: MediaFetch;
    try {
      // No redirects — a 3xx is a failed pull (docs/platforms/tiktok.md#pull_from_url-and-verified-domains).
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(this.mediaFetchTimeoutMs) });
      const bytes = Buffer.from(await res.arrayBuffer());
      const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const problem =
        res.status >= 300 && res.status < 400
          ? `redirected (${res.status})`
          : res.status !== 200
            ? `HTTP ${res.status}`
            : null;
      got = { url, status: res.status, contentType, bytes, problem };
    } catch (err) {
      got = {
        url,
        status: 0,
        contentType: '',
        bytes: Buffer.alloc(0),
        problem: `unreachable: ${(err as Error).message}`,
      };
    }
    this.mediaFetches.push({
      url,
      status: got.status,
      contentType: got.contentType,
      bytes: got.bytes.length,
      problem: got.problem,
    });
    return got;
  }

  /**
   * The v2 envelope (docs/platforms/tiktok.md intro). Post ids are int64
   * (docs/platforms/tiktok.md#publish-status): sent as bare JSON numbers, beyond 2^53.
   */
  private envelope(status: number, data: unknown, code = 'ok', message = ''): Reply {
    const body = JSON.stringify({ data, error: { code, message, log_id: logId() } }).replace(
      /"publicaly_available_post_id":\[([^\]]*)\]/,
      (_, inner: string) => `"publicaly_available_post_id":[${inner.replace(/"(\d+)"/g, '$1')}]`,
    );
    return { status, text: body, headers: { 'content-type': 'application/json; charset=utf-8' } };
  }

  private limited(token: string, endpoint: keyof TikTokRateLimits): boolean {
    if (!this.rateLimitEnabled) return false;
    const key = `${token}|${endpoint}`;
    const now = this.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    recent.push(now);
    this.hits.set(key, recent);
    return recent.length > this.rateLimits[endpoint];
  }

  private api(method: string, path: string, route: ApiRoute): void {
    const re = new RegExp(`^${path}?$`);
    this.route(method, re, async (req) => {
      try {
        const token = this.auth.lookup(req.headers.authorization);
        if (!token)
          throw new TikTokApiError(
            401,
            'access_token_invalid',
            'The access token is invalid or not found in the request.',
          );
        const needed = typeof route.scopes === 'function' ? route.scopes(req.body) : route.scopes;
        if (!needed.some((s) => token.session.scopes.includes(s))) {
          throw new TikTokApiError(
            401,
            'scope_not_authorized',
            `The user did not authorize the scope required: ${needed.join(' or ')}.`,
          );
        }
        if (route.limit && this.limited(token.value, route.limit)) {
          throw new TikTokApiError(
            429,
            'rate_limit_exceeded',
            'The API rate limit was exceeded. Please try again later.',
          );
        }
        const user = this.users.get(token.session.openId)!;
        const result = await route.handler({ req, token, user });
        return this.envelope(200, result);
      } catch (err) {
        if (!(err instanceof TikTokApiError)) throw err;
        return this.envelope(err.status, {}, err.code, err.message);
      }
    });
  }

  private registerRoutes(): void {
    this.route('GET', /^\/v2\/auth\/authorize\/?$/, (req) => this.auth.authorize(req));
    this.route('POST', /^\/v2\/oauth\/token\/?$/, (req) => this.auth.token(req));
    this.route('POST', /^\/v2\/oauth\/revoke\/?$/, (req) => this.auth.revoke(req));
    this.route('PUT', /^\/upload\/video\/?$/, (req) => this.posting.upload(req));

    this.api('GET', '/v2/user/info/', {
      scopes: ['user.info.basic', 'user.info.stats', 'user.info.profile'],
      limit: 'userInfo',
      handler: (ctx) => this.userInfo(ctx),
    });
    this.api('POST', '/v2/video/list/', {
      scopes: ['video.list'],
      limit: 'videoList',
      handler: (ctx) => this.videoList(ctx),
    });
    this.api('POST', '/v2/video/query/', {
      scopes: ['video.list'],
      limit: 'videoQuery',
      handler: (ctx) => this.videoQuery(ctx),
    });
    this.api('POST', '/v2/post/publish/creator_info/query/', {
      scopes: ['video.publish'],
      limit: 'creatorInfo',
      handler: ({ user }) => {
        const { data, errorCode } = this.posting.creatorInfo(user);
        // TikTok answers these with HTTP 200 on purpose — only error.code tells
        // (docs/platforms/tiktok.md#creator-info).
        if (errorCode) throw new TikTokApiError(200, errorCode, `The creator cannot post right now (${errorCode}).`);
        return data;
      },
    });
    this.api('POST', '/v2/post/publish/video/init/', {
      scopes: ['video.publish'],
      limit: 'videoInit',
      handler: ({ req, user }) => this.posting.videoInit(user, this.jsonBody(req)),
    });
    this.api('POST', '/v2/post/publish/inbox/video/init/', {
      scopes: ['video.upload'],
      limit: 'videoInit',
      handler: ({ req, user }) => this.posting.inboxVideoInit(user, this.jsonBody(req)),
    });
    this.api('POST', '/v2/post/publish/content/init/', {
      // DIRECT_POST needs video.publish, MEDIA_UPLOAD video.upload (docs/platforms/tiktok.md#photo-posts).
      scopes: (body) => [
        (body as { post_mode?: string })?.post_mode === 'MEDIA_UPLOAD' ? 'video.upload' : 'video.publish',
      ],
      limit: 'contentInit',
      handler: ({ req, user }) => this.posting.photoInit(user, this.jsonBody(req)),
    });
    this.api('POST', '/v2/post/publish/status/fetch/', {
      scopes: ['video.publish', 'video.upload'],
      limit: 'status',
      handler: ({ req, user }) => this.posting.status(user.openId, this.jsonBody(req)),
    });
  }

  /** Content Posting bodies are JSON (`Content-Type: application/json; charset=UTF-8`). */
  private jsonBody(req: RecordedRequest): Record<string, unknown> {
    const b = req.body as unknown;
    if (Buffer.isBuffer(b) || typeof b !== 'object' || b === null || '__invalidJson' in b) {
      throw new TikTokApiError(
        400,
        'invalid_param',
        'The request body must be JSON with Content-Type application/json.',
      );
    }
    return b as Record<string, unknown>;
  }

  /** `GET /v2/user/info/?fields=...` (docs/platforms/tiktok.md#token-endpoint). */
  private userInfo({ req, token, user }: ApiCtx): unknown {
    const fields = (req.query.fields ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    if (fields.length === 0) throw new TikTokApiError(400, 'invalid_params', 'fields is required.');
    const values: Record<string, unknown> = {
      open_id: user.openId,
      union_id: user.unionId,
      avatar_url: user.avatarUrl,
      avatar_url_100: user.avatarUrl,
      avatar_large_url: user.avatarUrl,
      display_name: user.displayName,
      username: user.username,
      bio_description: '',
      profile_deep_link: `https://vm.tiktok.com/${user.username}`,
      is_verified: false,
      follower_count: this.followers.get(user.openId) ?? 0,
      following_count: 0,
      likes_count: 0,
      video_count: this.published.filter((p) => p.openId === user.openId).length,
    };
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      const scope = FIELD_SCOPES[field];
      if (!scope) throw new TikTokApiError(400, 'invalid_params', `Unknown field ${field}.`);
      if (!token.session.scopes.includes(scope))
        // Stats without user.info.stats: "not authorized"
        // (https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info).
        throw new TikTokApiError(
          401,
          scope === 'user.info.stats' ? 'scope_not_authorized' : 'scope_permission_missed',
          `The field ${field} needs the ${scope} scope.`,
        );
      out[field] = values[field];
    }
    return { user: out };
  }

  /** The fields query parameter of the Display API: required, each a Video Object field. */
  private videoFields(req: RecordedRequest): string[] {
    const fields = (req.query.fields ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    if (fields.length === 0) throw new TikTokApiError(400, 'invalid_params', 'fields is required.');
    for (const f of fields)
      if (!VIDEO_FIELDS.has(f)) throw new TikTokApiError(400, 'invalid_params', `Unknown field ${f}.`);
    return fields;
  }

  /** The user's public videos, newest first: only what the public can see is listed. */
  private publicVideos(openId: string) {
    return this.published
      .filter((p) => p.openId === openId && p.postId && !this.deletedVideos.has(p.postId))
      .sort((a, b) => b.at - a.at);
  }

  private video(p: TikTokPublished, fields: readonly string[]): Record<string, unknown> {
    const stats = this.videoStats.get(p.postId!) ?? { view_count: 0, like_count: 0, comment_count: 0, share_count: 0 };
    const all: Record<string, unknown> = {
      id: p.postId,
      create_time: Math.floor(p.at / 1000),
      title: p.title ?? '',
      video_description: p.description ?? p.title ?? '',
      share_url: `https://www.tiktok.com/@x/video/${p.postId}`,
      ...stats,
    };
    return Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]]));
  }

  /**
   * `POST /v2/video/list/` (https://developers.tiktok.com/doc/tiktok-api-v2-video-list/): max_count
   * 1–20 (default 10); cursor a UTC millisecond timestamp, videos created before it.
   */
  private videoList({ req, user }: ApiCtx): unknown {
    const fields = this.videoFields(req);
    const body = this.jsonBody(req);
    const max = body.max_count ?? 10;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 20)
      throw new TikTokApiError(400, 'invalid_params', 'max_count must be between 1 and 20.');
    const cursor = body.cursor ?? Number.MAX_SAFE_INTEGER;
    if (typeof cursor !== 'number') throw new TikTokApiError(400, 'invalid_params', 'cursor must be a number.');
    const before = this.publicVideos(user.openId).filter((p) => p.at < cursor);
    const page = before.slice(0, max);
    return {
      videos: page.map((p) => this.video(p, fields)),
      cursor: page.length ? page.at(-1)!.at : cursor,
      has_more: before.length > page.length,
    };
  }

  /**
   * `POST /v2/video/query/` (https://developers.tiktok.com/doc/tiktok-api-v2-video-query): at most
   * 20 ids, as strings; ids that are not the user's public videos are left out.
   */
  private videoQuery({ req, user }: ApiCtx): unknown {
    const fields = this.videoFields(req);
    const body = this.jsonBody(req);
    const ids = (body.filters as { video_ids?: unknown } | undefined)?.video_ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string'))
      throw new TikTokApiError(400, 'invalid_params', 'filters.video_ids must be a list of id strings.');
    if (ids.length > 20) throw new TikTokApiError(400, 'invalid_params', 'At most 20 video_ids per request.');
    this.queriedIds.push(...(ids as string[]));
    const mine = new Map(this.publicVideos(user.openId).map((p) => [p.postId!, p]));
    return { videos: (ids as string[]).flatMap((id) => (mine.has(id) ? [this.video(mine.get(id)!, fields)] : [])) };
  }
}
