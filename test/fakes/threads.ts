import { randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';

/**
 * A fake of Meta's Threads API (docs/platforms/threads.md): the consent window, the three token
 * endpoints and the Graph calls Herald makes, strict about what Meta refuses. Herald's authorize
 * URL setting points at `<url>/oauth/authorize`, its Graph URL at `<url>`.
 *
 * Where the fake has to choose what Meta does not document, it says so:
 * - the error for an exhausted 250-post quota is not documented; the fake answers code 4
 *   (Graph's throttling code) and `quotaError` can change it;
 * - a refresh returns a new token string and ends the old one, so a client that keeps the old
 *   token fails (Meta only says the answer carries the token to keep).
 */

export interface FakeThreadsOptions {
  appId: string;
  appSecret: string;
  /** Registered OAuth redirect URIs; a redirect_uri must match one byte for byte. */
  redirectUris: string[];
  /** The fake's time (token ages, container processing and expiry, the quota window). */
  now?: () => number;
}

export interface FakeThreadsUser {
  id: string;
  username: string;
  name: string;
  picture: string;
}

interface FakeToken {
  token: string;
  userId: string;
  kind: 'short' | 'long';
  issuedAt: number;
  expiresAt: number;
  scopes: string[];
  revoked: boolean;
}

interface FakeCode {
  userId: string;
  redirectUri: string;
  scopes: string[];
  issuedAt: number;
  used: boolean;
}

type MediaType = 'TEXT' | 'IMAGE' | 'VIDEO' | 'CAROUSEL';

export interface FakeContainer {
  id: string;
  userId: string;
  mediaType: MediaType;
  text: string | null;
  url: string | null;
  isCarouselItem: boolean;
  children: string[];
  createdAt: number;
  readyAt: number;
  errorMessage: string | null;
  publishedId: string | null;
  /** The thread it answers (`reply_to_id`): published as a reply, not a post. */
  replyTo?: string | null;
}

/** A reply published through the API (a first comment). */
export interface PublishedReply {
  id: string;
  userId: string;
  containerId: string;
  /** The post or reply it answers. */
  repliedTo: string;
  text: string;
  at: number;
}

export interface PublishedThread {
  id: string;
  userId: string;
  containerId: string;
  mediaType: 'TEXT_POST' | 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  text: string | null;
  at: number;
  permalink: string;
  /** The published items' ids (new ids, not the child container ids). */
  children: string[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LONG_LIVED_S = 5_183_944;
const LISTED: Record<MediaType, PublishedThread['mediaType']> = {
  TEXT: 'TEXT_POST',
  IMAGE: 'IMAGE',
  VIDEO: 'VIDEO',
  CAROUSEL: 'CAROUSEL_ALBUM',
};
/**
 * Fields `GET /{user}/threads` and `GET /{media}` know
 * (https://developers.facebook.com/docs/threads/reference/user).
 */
const MEDIA_FIELDS = new Set([
  'id',
  'text',
  'timestamp',
  'permalink',
  'media_type',
  'media_product_type',
  'shortcode',
  'username',
  'is_quote_post',
  'topic_tag',
  'children',
  'owner',
]);
const PROFILE_FIELDS = new Set([
  'id',
  'username',
  'name',
  'threads_profile_picture_url',
  'threads_biography',
  'is_verified',
]);
const CONTAINER_FIELDS = new Set(['id', 'status', 'error_message']);
/** Media insights metrics (https://developers.facebook.com/documentation/threads/insights). */
const MEDIA_INSIGHTS = new Set(['views', 'likes', 'replies', 'reposts', 'quotes', 'shares']);
/** User insights metrics (same page); `views` is a daily series, the others totals. */
const USER_INSIGHTS = new Set([
  'views',
  'likes',
  'replies',
  'reposts',
  'quotes',
  'clicks',
  'followers_count',
  'follower_demographics',
]);
/** `since`/`until` before April 13, 2024 do not work. */
const EARLIEST_SINCE = 1_712_991_600;
const CONTAINER_ERRORS = new Set([
  'FAILED_DOWNLOADING_VIDEO',
  'FAILED_PROCESSING_AUDIO',
  'FAILED_PROCESSING_VIDEO',
  'INVALID_ASPEC_RATIO',
  'INVALID_BIT_RATE',
  'INVALID_DURATION',
  'INVALID_FRAME_RATE',
  'INVALID_AUDIO_CHANNELS',
  'INVALID_AUDIO_CHANNEL_LAYOUT',
  'UNKNOWN',
]);

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | string,
    message: string,
    readonly subcode?: number,
    readonly transient = false,
  ) {
    super(message);
  }
}

/** Odd ids above 2^53, as Threads' are, so lossy number parsing shows (a double rounds them). */
let seq = 0n;
function bigId(prefix: bigint): string {
  seq += 1n;
  return (prefix + seq * 2n + 1n).toString();
}

export class FakeThreads extends FakeServer {
  readonly users = new Map<string, FakeThreadsUser>();
  readonly tokens = new Map<string, FakeToken>();
  readonly codes = new Map<string, FakeCode>();
  readonly containers = new Map<string, FakeContainer>();
  /** Every thread published, in order: duplicates show here. */
  readonly published: PublishedThread[] = [];
  /** Who signs in at the next consent window, granting which scopes (default: all asked). */
  nextConsent: { userId: string; grant?: string[]; deny?: boolean } | null = null;
  /** Processing time per container kind. */
  processingMs: Record<MediaType, number> = { TEXT: 0, IMAGE: 0, VIDEO: 0, CAROUSEL: 0 };
  /** Containers whose media URL contains the key end in ERROR with that error_message. */
  readonly failingMedia = new Map<string, string>();
  /** The next `threads_publish` publishes and then answers HTTP 500 with code 10 (seen in production). */
  publishThenCode10 = 0;
  /** The next first publish of a container answers 24/4279009 "Media Not Found" without publishing. */
  mediaNotFound = 0;
  /** How long a new post stays out of the profile's list after publishing. */
  listLagMs = 0;
  quotaTotal = 250;
  quotaError: { status: number; code: number; subcode?: number; message: string } = {
    status: 400,
    code: 4,
    message: 'The user has reached the limit of posts published through the API in 24 hours',
  };
  readonly now: () => number;

  /** Media insights counters per media id (views, likes, replies, reposts, quotes, shares). */
  readonly mediaCounters = new Map<string, Record<string, number>>();
  /** Profile views per user per UTC day (`YYYY-MM-DD`). */
  readonly profileViews = new Map<string, Map<string, number>>();
  readonly followers = new Map<string, number>();
  /** Metric names Graph no longer knows: asking for one fails the whole call with (#100). */
  readonly retiredMetrics = new Set<string>();
  /** Posts by other people reposted by the user: their insights are an empty list. */
  readonly repostFacades = new Set<string>();
  readonly deletedMedia = new Set<string>();

  constructor(readonly options: FakeThreadsOptions) {
    super('threads');
    this.now = options.now ?? Date.now;
    this.route('GET', /^\/oauth\/authorize$/, (req) => this.authorize(req));
    this.route('POST', /^\/oauth\/access_token$/, (req) => this.exchangeCode(req));
    this.route('GET', /^\/access_token$/, (req) => this.graph(req, () => this.longLived(req)));
    this.route('GET', /^\/refresh_access_token$/, (req) => this.graph(req, () => this.refresh(req)));
    this.route('GET', /^\/v1\.0\/me$/, (req) => this.graph(req, () => this.me(req)));
    this.route('GET', /^\/v1\.0\/\d+\/threads_publishing_limit$/, (req) => this.graph(req, () => this.limit(req)));
    this.route('POST', /^\/v1\.0\/\d+\/threads$/, (req) => this.graph(req, () => this.createContainer(req)));
    this.route('GET', /^\/v1\.0\/\d+\/threads$/, (req) => this.graph(req, () => this.list(req)));
    this.route('POST', /^\/v1\.0\/\d+\/threads_publish$/, (req) => this.graph(req, () => this.publish(req)));
    this.route('GET', /^\/v1\.0\/\d+\/insights$/, (req) => this.graph(req, () => this.mediaInsights(req)));
    this.route('GET', /^\/v1\.0\/\d+\/threads_insights$/, (req) => this.graph(req, () => this.userInsights(req)));
    this.route('GET', /^\/v1\.0\/\d+$/, (req) => this.graph(req, () => this.object(req)));
    // Replies (first comments): the profile's own replies.
    this.route('GET', /^\/v1\.0\/\d+\/replies$/, (req) => this.graph(req, () => this.listReplies(req)));
  }

  // ---- replies (https://developers.facebook.com/docs/threads/reply-management) -------------

  /** Every reply published, in order: duplicates show here. */
  readonly replies: PublishedReply[] = [];
  /** Replies a profile may publish in 24 hours. */
  replyQuotaTotal = 1000;

  /** The next `threads_publish` is carried out and its answer lost (the connection is cut). */
  loseNextPublishResponse(): void {
    this.inject({ method: 'POST', path: /\/threads_publish$/, fault: { kind: 'lose-response' } });
  }

  private replyUsage(userId: string): number {
    const since = this.now() - DAY;
    return this.replies.filter((r) => r.userId === userId && r.at > since).length;
  }

  /**
   * `reply_to_id` on a container: needs threads_manage_replies; the thread answered must exist
   * (a published post or reply); a reply is text or media like a post, never a carousel item.
   */
  private checkReplyTo(token: FakeToken, p: Record<string, string>): string | null {
    const to = p.reply_to_id;
    if (to === undefined) return null;
    this.need(token, 'threads_manage_replies');
    if (!this.published.some((x) => x.id === to) && !this.replies.some((x) => x.id === to))
      throw new GraphError(400, 100, `Object with ID '${to}' does not exist, cannot be loaded`, 33);
    if (p.is_carousel_item === 'true') throw new GraphError(400, 100, 'Carousel items cannot be replies');
    return to;
  }

  /** Publishing a reply container: counted against the reply quota, listed among replies, not posts. */
  private publishReply(c: FakeContainer, userId: string): { id: string } {
    if (this.replyUsage(userId) >= this.replyQuotaTotal)
      throw new GraphError(400, 4, 'The user has reached the limit of replies published through the API in 24 hours');
    const id = bigId(18_030_000_000_000_000n);
    c.publishedId = id;
    this.replies.push({ id, userId, containerId: c.id, repliedTo: c.replyTo!, text: c.text ?? '', at: this.now() });
    return { id };
  }

  /**
   * `GET /{user-id}/replies`: the profile's replies, newest first, with `since`/`limit`; needs
   * threads_read_replies. Fields: id, text, timestamp, replied_to, root_post, is_reply, username.
   */
  private listReplies(req: RecordedRequest): unknown {
    const { token, params } = this.auth(req);
    const userId = this.owner(req, token);
    this.need(token, 'threads_read_replies');
    const known = new Set(['id', 'text', 'timestamp', 'replied_to', 'root_post', 'is_reply', 'username']);
    const fields = this.fields(params, known, ['id']);
    const since = params.since === undefined ? null : Number(params.since) * 1000;
    if (since !== null && (!Number.isFinite(since) || since < 1_688_540_400_000))
      throw new GraphError(400, 100, 'since must be a Unix timestamp on or after 1688540400');
    const limit = params.limit === undefined ? 25 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new GraphError(400, 100, 'limit must be 1-100');
    const rootOf = (id: string): string => this.replies.find((r) => r.id === id)?.repliedTo ?? id;
    const page = this.replies
      .filter((r) => r.userId === userId && (since === null || r.at >= since))
      .reverse()
      .slice(0, limit);
    return {
      data: page.map((r) => {
        const all: Record<string, unknown> = {
          id: r.id,
          text: r.text,
          timestamp: new Date(r.at).toISOString().replace(/\.\d{3}Z$/, '+0000'),
          replied_to: { id: r.repliedTo },
          root_post: { id: rootOf(r.repliedTo) },
          is_reply: true,
          username: this.users.get(r.userId)?.username,
        };
        return Object.fromEntries(fields.map((f) => [f, all[f]]));
      }),
      paging: { cursors: { before: 'MA', after: 'MA' } },
    };
  }

  addUser(partial: Partial<FakeThreadsUser> = {}): FakeThreadsUser {
    const id = partial.id ?? bigId(17_841_405_793_187_200n);
    const user = {
      id,
      username: partial.username ?? `user${this.users.size + 1}`,
      name: partial.name ?? `User ${this.users.size + 1}`,
      picture: partial.picture ?? `https://scontent.example/${id}.jpg`,
    };
    this.users.set(id, user);
    return user;
  }

  /** A long-lived token as if issued `ageMs` ago (tests of refresh). */
  issueToken(userId: string, options: { kind?: 'short' | 'long'; ageMs?: number; scopes?: string[] } = {}): string {
    const issuedAt = this.now() - (options.ageMs ?? 0);
    const kind = options.kind ?? 'long';
    const token = `TH${kind === 'long' ? 'L' : 'S'}${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, {
      token,
      userId,
      kind,
      issuedAt,
      expiresAt: issuedAt + (kind === 'long' ? LONG_LIVED_S * 1000 : HOUR),
      scopes: options.scopes ?? ['threads_basic', 'threads_content_publish', 'threads_manage_insights'],
      revoked: false,
    });
    return token;
  }

  /** The person removed the app or Meta ended the session. */
  revokeTokens(userId: string): void {
    for (const t of this.tokens.values()) if (t.userId === userId) t.revoked = true;
  }

  publishedFor(userId: string): PublishedThread[] {
    return this.published.filter((p) => p.userId === userId);
  }

  // ---- OAuth ---------------------------------------------------------------------------

  private authorize(req: RecordedRequest): Reply {
    const q = req.query;
    const scopes = (q.scope ?? '').split(/[,\s]+/).filter(Boolean);
    const problems = [
      q.client_id !== this.options.appId && 'client_id is not this app',
      !this.options.redirectUris.includes(q.redirect_uri ?? '') && 'redirect_uri is not registered',
      q.response_type !== 'code' && 'response_type must be code',
      !scopes.includes('threads_basic') && 'scope must include threads_basic',
    ].filter(Boolean);
    if (problems.length) return { status: 400, text: `<p>Invalid request: ${problems.join('; ')}</p>` };
    const consent = this.nextConsent;
    this.nextConsent = null;
    const back = new URL(q.redirect_uri!);
    if (!consent || consent.deny) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_reason', 'user_denied');
      back.searchParams.set('error_description', 'The user denied your request');
      if (q.state) back.searchParams.set('state', q.state);
      return { status: 302, redirect: back.toString() };
    }
    const code = `AQ${randomBytes(16).toString('hex')}`;
    this.codes.set(code, {
      userId: consent.userId,
      redirectUri: q.redirect_uri!,
      scopes: consent.grant ?? scopes,
      issuedAt: this.now(),
      used: false,
    });
    back.searchParams.set('code', code);
    if (q.state) back.searchParams.set('state', q.state);
    // Meta appends `#_`, which is not part of the code.
    return { status: 302, redirect: `${back.toString()}#_` };
  }

  /**
   * The flat error body of the code exchange
   * (https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions).
   */
  private flat(message: string, status = 400): Reply {
    return { status, json: { error_type: 'OAuthException', code: 400, error_message: message } };
  }

  private exchangeCode(req: RecordedRequest): Reply {
    if (Buffer.isBuffer(req.body) || typeof req.body !== 'object') return this.flat('Request body must be form data');
    const b = req.body as Record<string, string>;
    if (b.client_id !== this.options.appId) return this.flat('Invalid platform app');
    if (b.client_secret !== this.options.appSecret) return this.flat('Error validating client secret.');
    if (b.grant_type !== 'authorization_code') return this.flat('Unsupported grant_type');
    const code = this.codes.get(b.code ?? '');
    if (!code || code.used || this.now() - code.issuedAt > HOUR)
      return this.flat('Matching code was not found or was already used');
    if (b.redirect_uri !== code.redirectUri)
      return this.flat('Error validating verification code. Please make sure your redirect_uri is identical');
    code.used = true;
    const token = this.issueToken(code.userId, { kind: 'short', scopes: code.scopes });
    // user_id is a bare JSON number above 2^53: written by hand so it is not rounded here.
    return {
      status: 200,
      text: `{"access_token":"${token}","user_id":${code.userId}}`,
      headers: { 'content-type': 'application/json' },
    };
  }

  private longLived(req: RecordedRequest): unknown {
    const q = req.query;
    if (q.grant_type !== 'th_exchange_token') throw new GraphError(400, 100, 'Invalid grant_type');
    if (q.client_secret !== this.options.appSecret) throw new GraphError(400, 101, 'Error validating client secret.');
    const t = this.valid(q.access_token);
    if (t.kind !== 'short') throw new GraphError(400, 100, 'Only short-lived tokens can be exchanged');
    const token = this.issueToken(t.userId, { kind: 'long', scopes: t.scopes });
    return { access_token: token, token_type: 'bearer', expires_in: LONG_LIVED_S };
  }

  private refresh(req: RecordedRequest): unknown {
    const q = req.query;
    if (q.grant_type !== 'th_refresh_token') throw new GraphError(400, 100, 'Invalid grant_type');
    const t = this.valid(q.access_token);
    if (t.kind !== 'long') throw new GraphError(400, 100, 'Only long-lived tokens can be refreshed');
    if (this.now() - t.issuedAt < DAY)
      throw new GraphError(400, 100, 'The access token must be at least 24 hours old to be refreshed');
    if (!t.scopes.includes('threads_basic')) throw new GraphError(400, 10, 'threads_basic is not granted');
    t.revoked = true;
    const token = this.issueToken(t.userId, { kind: 'long', scopes: t.scopes });
    return { access_token: token, token_type: 'bearer', expires_in: LONG_LIVED_S };
  }

  // ---- Graph ---------------------------------------------------------------------------

  /** Runs a Graph handler; GraphErrors become the Graph envelope. */
  private async graph(req: RecordedRequest, handler: () => unknown): Promise<Reply> {
    try {
      if (req.method === 'GET' && req.raw.length > 0) throw new GraphError(400, 100, 'GET requests take no body');
      if (req.method === 'POST' && req.raw.length > 0 && (Buffer.isBuffer(req.body) || typeof req.body !== 'object'))
        throw new GraphError(400, 100, 'Unsupported request body');
      return { status: 200, json: await handler() };
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      return {
        status: err.status,
        json: {
          error: {
            message: err.message,
            type: 'OAuthException',
            code: err.code,
            ...(err.subcode !== undefined ? { error_subcode: err.subcode } : {}),
            is_transient: err.transient,
            fbtrace_id: `A${randomBytes(8).toString('hex')}`,
          },
        },
      };
    }
  }

  /** Query and form parameters together, as Graph reads them. */
  private params(req: RecordedRequest): Record<string, string> {
    return { ...req.query, ...(req.method === 'POST' && !Buffer.isBuffer(req.body) ? req.body : {}) };
  }

  private valid(token: string | undefined): FakeToken {
    const t = token ? this.tokens.get(token) : undefined;
    if (!t) throw new GraphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    if (t.revoked)
      throw new GraphError(400, 190, 'Error validating access token: The session has been invalidated', 460);
    if (this.now() >= t.expiresAt)
      throw new GraphError(400, 190, 'Error validating access token: Session has expired', 463);
    return t;
  }

  private auth(req: RecordedRequest): { token: FakeToken; params: Record<string, string> } {
    const params = this.params(req);
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    return { token: this.valid(params.access_token ?? bearer), params };
  }

  private owner(req: RecordedRequest, token: FakeToken): string {
    const id = /^\/v1\.0\/(\d+)\//.exec(req.path)?.[1];
    if (id !== token.userId)
      throw new GraphError(
        400,
        100,
        `Object with ID '${id}' does not exist, cannot be loaded due to missing permissions`,
        33,
      );
    return id;
  }

  private fields(params: Record<string, string>, known: Set<string>, fallback: string[]): string[] {
    const fields = params.fields ? params.fields.split(',').map((f) => f.trim()) : fallback;
    for (const f of fields)
      if (!known.has(f)) throw new GraphError(400, 100, `Tried accessing nonexisting field (${f})`);
    return fields;
  }

  private need(token: FakeToken, scope: string): void {
    if (!token.scopes.includes(scope))
      throw new GraphError(400, 10, `Application does not have permission for this action (${scope})`);
  }

  private me(req: RecordedRequest): unknown {
    const { token, params } = this.auth(req);
    const user = this.users.get(token.userId)!;
    const fields = this.fields(params, PROFILE_FIELDS, ['id']);
    const all: Record<string, unknown> = {
      id: user.id,
      username: user.username,
      name: user.name,
      threads_profile_picture_url: user.picture,
      threads_biography: '',
      is_verified: false,
    };
    return Object.fromEntries(fields.map((f) => [f, all[f]]));
  }

  private usage(userId: string): number {
    const since = this.now() - DAY;
    return this.published.filter((p) => p.userId === userId && p.at > since).length;
  }

  private limit(req: RecordedRequest): unknown {
    const { token, params } = this.auth(req);
    const userId = this.owner(req, token);
    this.need(token, 'threads_content_publish');
    const fields = this.fields(params, new Set(['quota_usage', 'config', 'reply_quota_usage', 'reply_config']), [
      'quota_usage',
    ]);
    if (fields.some((f) => f.startsWith('reply_'))) this.need(token, 'threads_manage_replies');
    const row: Record<string, unknown> = {
      quota_usage: this.usage(userId),
      config: { quota_total: this.quotaTotal, quota_duration: 86_400 },
      reply_quota_usage: this.replyUsage(userId),
      reply_config: { quota_total: this.replyQuotaTotal, quota_duration: 86_400 },
    };
    return { data: [Object.fromEntries(fields.map((f) => [f, row[f]]))] };
  }

  private status(c: FakeContainer): 'IN_PROGRESS' | 'FINISHED' | 'PUBLISHED' | 'ERROR' | 'EXPIRED' {
    if (c.publishedId) return 'PUBLISHED';
    if (this.now() - c.createdAt >= DAY) return 'EXPIRED';
    if (this.now() < c.readyAt) return 'IN_PROGRESS';
    return c.errorMessage ? 'ERROR' : 'FINISHED';
  }

  private async fetchable(url: string): Promise<{ ok: boolean; mime: string; bytes: number }> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const body = Buffer.from(await res.arrayBuffer());
      return { ok: res.ok, mime: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(), bytes: body.length };
    } catch {
      return { ok: false, mime: '', bytes: 0 };
    }
  }

  /** Container create (https://developers.facebook.com/docs/threads/reference/publishing). */
  private async createContainer(req: RecordedRequest): Promise<unknown> {
    const { token, params: p } = this.auth(req);
    const userId = this.owner(req, token);
    this.need(token, 'threads_content_publish');
    const type = p.media_type as MediaType | undefined;
    if (!type || !['TEXT', 'IMAGE', 'VIDEO', 'CAROUSEL'].includes(type))
      throw new GraphError(400, 100, 'The parameter media_type is required and must be TEXT, IMAGE, VIDEO or CAROUSEL');
    if (p.auto_publish_text !== undefined && type !== 'TEXT')
      throw new GraphError(400, 100, 'auto_publish_text is only valid for text posts');
    const replyTo = this.checkReplyTo(token, p);
    const isItem = p.is_carousel_item === 'true';
    const text = p.text ?? null;
    if (type === 'TEXT' && !text) throw new GraphError(400, 100, 'The parameter text is required for TEXT posts');
    if (text !== null) {
      let length = 0;
      for (const ch of text) length += ch.codePointAt(0)! > 0xffff ? Buffer.byteLength(ch) : 1;
      if (length > 500) throw new GraphError(400, 100, 'Param text must be at most 500 characters long.');
      const links = new Set([
        ...(text.match(/https?:\/\/[^\s]+/g) ?? []),
        ...(p.link_attachment ? [p.link_attachment] : []),
      ]);
      if (links.size > 5)
        throw new GraphError(400, 'THREADS_API__LINK_LIMIT_EXCEEDED', 'A post can contain at most 5 links');
    }
    if (isItem && text) throw new GraphError(400, 100, 'Carousel items take no text; put it on the carousel');
    if (p.topic_tag !== undefined && !/^[^.&]{1,50}$/.test(p.topic_tag))
      throw new GraphError(400, 100, 'topic_tag must be 1-50 characters without periods or ampersands');
    if (p.link_attachment !== undefined && type !== 'TEXT')
      throw new GraphError(400, 100, 'link_attachment is only supported on text posts');
    if (p.alt_text !== undefined && (type === 'TEXT' || type === 'CAROUSEL' || p.alt_text.length > 1000))
      throw new GraphError(400, 100, 'alt_text is only valid on images and videos, up to 1000 characters');
    if (p.children !== undefined && type !== 'CAROUSEL')
      throw new GraphError(400, 100, 'children is only valid with media_type CAROUSEL');
    if (isItem && type !== 'IMAGE' && type !== 'VIDEO')
      throw new GraphError(400, 100, 'Carousel items must be IMAGE or VIDEO');
    const urlParam = type === 'IMAGE' ? 'image_url' : type === 'VIDEO' ? 'video_url' : null;
    for (const other of ['image_url', 'video_url'])
      if (other !== urlParam && p[other] !== undefined)
        throw new GraphError(400, 100, `${other} is not valid with media_type ${type}`);
    let url: string | null = null;
    let errorMessage: string | null = null;
    if (urlParam) {
      url = p[urlParam] ?? null;
      if (!url || !/^https?:\/\//.test(url)) throw new GraphError(400, 100, `The parameter ${urlParam} is required`);
      const fetched = await this.fetchable(url);
      if (type === 'IMAGE') {
        if (!fetched.ok) throw new GraphError(400, 100, `The media could not be fetched from this URI: ${url}`);
        if (!['image/jpeg', 'image/png'].includes(fetched.mime) || fetched.bytes > 8 * 1024 * 1024)
          throw new GraphError(400, 100, 'Images must be JPEG or PNG and at most 8 MB');
      } else if (!fetched.ok) errorMessage = 'FAILED_DOWNLOADING_VIDEO';
      for (const [key, message] of this.failingMedia) if (url.includes(key)) errorMessage = message;
      if (errorMessage && !CONTAINER_ERRORS.has(errorMessage))
        throw new Error(`not a documented error: ${errorMessage}`);
    }
    let children: string[] = [];
    if (type === 'CAROUSEL') {
      children = (p.children ?? '').split(',').filter(Boolean);
      if (children.length < 2 || children.length > 20)
        throw new GraphError(400, 100, 'A carousel must have between 2 and 20 children');
      for (const id of children) {
        const child = this.containers.get(id);
        if (!child || child.userId !== userId || !child.isCarouselItem)
          throw new GraphError(400, 100, `Child ${id} is not a carousel item of this user`);
        if (this.status(child) !== 'FINISHED') throw new GraphError(400, 100, `Child ${id} is not FINISHED`);
      }
    }
    const id = bigId(17_889_615_691_921_600n);
    this.containers.set(id, {
      id,
      userId,
      mediaType: type,
      text,
      url,
      isCarouselItem: isItem,
      children,
      createdAt: this.now(),
      readyAt: this.now() + this.processingMs[type],
      errorMessage,
      publishedId: null,
      replyTo,
    });
    return { id };
  }

  private publish(req: RecordedRequest): unknown {
    const { token, params } = this.auth(req);
    const userId = this.owner(req, token);
    this.need(token, 'threads_content_publish');
    const c = this.containers.get(params.creation_id ?? '');
    if (!c || c.userId !== userId) throw new GraphError(400, 24, 'The media with id cannot be found', 4279009);
    if (c.isCarouselItem) throw new GraphError(400, 100, 'Carousel items cannot be published on their own');
    const status = this.status(c);
    if (status === 'PUBLISHED') throw new GraphError(400, 100, 'This container has already been published');
    if (status !== 'FINISHED')
      throw new GraphError(400, 24, `The media is not ready to be published (${status})`, 4279009);
    if (this.mediaNotFound > 0) {
      this.mediaNotFound--;
      throw new GraphError(400, 24, `The media with id ${c.id} cannot be found`, 4279009);
    }
    if (c.replyTo) return this.publishReply(c, userId);
    if (this.usage(userId) >= this.quotaTotal) {
      const e = this.quotaError;
      throw new GraphError(e.status, e.code, e.message, e.subcode);
    }
    const id = bigId(18_028_000_000_000_000n);
    const user = this.users.get(userId)!;
    c.publishedId = id;
    this.published.push({
      id,
      userId,
      containerId: c.id,
      mediaType: LISTED[c.mediaType],
      text: c.text,
      at: this.now(),
      permalink: `https://www.threads.net/@${user.username}/post/${id.slice(-8)}`,
      children: c.children.map(() => bigId(18_029_000_000_000_000n)),
    });
    if (this.publishThenCode10 > 0) {
      this.publishThenCode10--;
      throw new GraphError(500, 10, 'Application does not have permission for this action');
    }
    return { id };
  }

  private view(p: PublishedThread, fields: string[]): Record<string, unknown> {
    const all: Record<string, unknown> = {
      id: p.id,
      text: p.text ?? undefined,
      timestamp: new Date(p.at).toISOString().replace(/\.\d{3}Z$/, '+0000'),
      permalink: p.permalink,
      media_type: p.mediaType,
      media_product_type: 'THREADS',
      username: this.users.get(p.userId)?.username,
      is_quote_post: false,
      children: p.children.length ? { data: p.children.map((id) => ({ id })) } : undefined,
      owner: { id: p.userId },
    };
    return Object.fromEntries(fields.filter((f) => all[f] !== undefined).map((f) => [f, all[f]]));
  }

  /**
   * The profile's posts, newest first
   * (https://developers.facebook.com/docs/threads/retrieve-and-discover-posts/retrieve-posts).
   */
  private list(req: RecordedRequest): unknown {
    const { token, params } = this.auth(req);
    const userId = this.owner(req, token);
    const fields = this.fields(params, MEDIA_FIELDS, ['id']);
    const unix = (name: string): number | null => {
      const v = params[name];
      if (v === undefined) return null;
      if (!/^\d+$/.test(v)) throw new GraphError(400, 100, `${name} must be a Unix timestamp`);
      const n = Number(v);
      if (name === 'since' && n < 1_688_540_400) throw new GraphError(400, 100, 'since must be on or after 1688540400');
      return n * 1000;
    };
    const since = unix('since');
    const until = unix('until');
    const limit = params.limit === undefined ? 25 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new GraphError(400, 100, 'limit must be 1-100');
    const visible = this.publishedFor(userId)
      .filter((p) => this.now() - p.at >= this.listLagMs)
      .filter((p) => (since === null || p.at >= since) && (until === null || p.at <= until))
      .reverse();
    const start = params.after ? Number(Buffer.from(params.after, 'base64url').toString()) : 0;
    const page = visible.slice(start, start + limit);
    const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
    const more = start + limit < visible.length;
    return {
      data: page.map((p) => this.view(p, fields)),
      paging: {
        cursors: { before: cursor(start), after: cursor(start + page.length) },
        ...(more ? { next: `${this.url}${req.path}?after=${cursor(start + page.length)}` } : {}),
      },
    };
  }

  /** A container (`status`) or a published thread. */
  private object(req: RecordedRequest): unknown {
    const { token, params } = this.auth(req);
    const id = req.path.split('/').pop()!;
    const c = this.containers.get(id);
    if (c && c.userId === token.userId) {
      const fields = this.fields(params, CONTAINER_FIELDS, ['id']);
      const status = this.status(c);
      const all: Record<string, unknown> = {
        id: c.id,
        status,
        error_message: status === 'ERROR' ? c.errorMessage : undefined,
      };
      return Object.fromEntries(fields.filter((f) => all[f] !== undefined).map((f) => [f, all[f]]));
    }
    const p = this.published.find((x) => x.id === id && x.userId === token.userId);
    if (!p) throw new GraphError(400, 100, `Object with ID '${id}' does not exist`, 33);
    return this.view(p, this.fields(params, MEDIA_FIELDS, ['id']));
  }

  /** The metric parameter: required, each name known (and not retired) for this endpoint. */
  private metrics(params: Record<string, string>, known: Set<string>): string[] {
    const names = (params.metric ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    if (names.length === 0) throw new GraphError(400, 100, 'The parameter metric is required');
    // One unknown name refuses the whole call, no partial data.
    for (const m of names)
      if (!known.has(m) || this.retiredMetrics.has(m))
        throw new GraphError(400, 100, `(#100) The value must be a valid insights metric (${m})`);
    return names;
  }

  /** `GET /{media-id}/insights?metric=…`: lifetime values; a repost of someone else's post has none. */
  private mediaInsights(req: RecordedRequest): unknown {
    const { token, params } = this.auth(req);
    this.need(token, 'threads_manage_insights');
    const id = req.path.split('/')[2]!;
    const p = this.published.find((x) => x.id === id && x.userId === token.userId);
    if (!p || this.deletedMedia.has(id))
      throw new GraphError(
        400,
        100,
        `Object with ID '${id}' does not exist, cannot be loaded due to missing permissions`,
        33,
      );
    const names = this.metrics(params, MEDIA_INSIGHTS);
    if (this.repostFacades.has(id)) return { data: [] };
    const values = this.mediaCounters.get(id) ?? {};
    return {
      data: names.map((name) => ({
        name,
        period: 'lifetime',
        values: [{ value: values[name] ?? 0 }],
        title: name,
        description: `${name} of the post`,
        id: `${id}/insights/${name}/lifetime`,
      })),
    };
  }

  /**
   * `GET /{user-id}/threads_insights?metric=…&since=&until=`: `views` as daily values whose
   * end_time is the next day at 07:00 UTC (Meta's daily convention); the rest as `total_value`;
   * followers_count is the count now whatever the window.
   */
  private userInsights(req: RecordedRequest): unknown {
    const { token, params } = this.auth(req);
    this.need(token, 'threads_manage_insights');
    const userId = this.owner(req, token);
    const names = this.metrics(params, USER_INSIGHTS);
    const since = params.since ? Number(params.since) : Math.floor(this.now() / 1000) - 86_400;
    const until = params.until ? Number(params.until) : Math.floor(this.now() / 1000);
    if (!Number.isFinite(since) || !Number.isFinite(until) || since < EARLIEST_SINCE || until < EARLIEST_SINCE)
      throw new GraphError(400, 100, `since and until must be Unix timestamps at or after ${EARLIEST_SINCE}`);
    if (names.includes('follower_demographics') && !params.breakdown)
      throw new GraphError(400, 100, 'follower_demographics requires the breakdown parameter');
    const daily = this.profileViews.get(userId) ?? new Map<string, number>();
    return {
      data: names.map((name) => {
        if (name === 'views') {
          const values: { value: number; end_time: string }[] = [];
          for (let t = since; t < until; t += 86_400) {
            const day = new Date(t * 1000).toISOString().slice(0, 10);
            const end = new Date(Date.parse(`${day}T07:00:00Z`) + DAY).toISOString().slice(0, 19);
            values.push({ value: daily.get(day) ?? 0, end_time: `${end}+0000` });
          }
          return {
            name,
            period: 'day',
            values,
            title: 'views',
            description: 'profile views',
            id: `${userId}/insights/views/day`,
          };
        }
        const value = name === 'followers_count' ? (this.followers.get(userId) ?? 0) : 0;
        return {
          name,
          period: 'day',
          total_value: { value },
          title: name,
          description: name,
          id: `${userId}/insights/${name}/day`,
        };
      }),
    };
  }
}
