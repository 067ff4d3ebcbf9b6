import { randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';

/**
 * A fake of Pinterest's API v5 (docs/platforms/pinterest.md): the consent page, the token endpoint,
 * the account, boards, pins and the video media upload (with a fake storage host on the same
 * server), strict about what Pinterest refuses. Herald's authorize URL setting points at
 * `<url>/oauth/`, its API URL at `<url>/v5`.
 *
 * Where the fake has to choose what Pinterest does not document, it says so:
 * - whether a refresh ends the previous refresh token is open; the fake ends it, so a client that
 *   keeps the old one fails;
 * - the trial-app refusal (code 29) is answered with HTTP 403;
 * - the rate-limit headers `x-ratelimit-limit/-remaining/-reset` (reset in seconds) are taken from
 *   third-party reports; Pinterest documents no Retry-After;
 * - a board's pins are listed newest first.
 */

export interface FakePinterestOptions {
  appId: string;
  appSecret: string;
  /** Registered redirect URIs; a redirect_uri must match one byte for byte. */
  redirectUris: string[];
  now?: () => number;
}

export interface FakePinterestUser {
  id: string;
  username: string;
  businessName: string | null;
  profileImage: string;
}

export interface FakeBoard {
  id: string;
  ownerId: string;
  name: string;
  privacy: 'PUBLIC' | 'PROTECTED' | 'SECRET';
}

export interface FakePin {
  id: string;
  ownerId: string;
  boardId: string;
  title: string | null;
  description: string | null;
  link: string | null;
  altText: string | null;
  mediaSource: Record<string, unknown>;
  createdAt: number;
}

export interface FakeMedia {
  id: string;
  ownerId: string;
  key: string;
  uploadedAt: number | null;
  bytes: number;
  /** The status once processed. */
  outcome: 'succeeded' | 'failed';
}

interface FakeToken {
  token: string;
  userId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

const ACCESS_S = 30 * 24 * 3_600;
const REFRESH_S = 60 * 24 * 3_600;
/** Scopes each operation declares (https://developers.pinterest.com/docs/api/v5/). */
const NEEDS = {
  account: ['user_accounts:read'],
  boards: ['boards:read'],
  createPin: ['boards:read', 'boards:write', 'pins:read', 'pins:write'],
  media: ['pins:read', 'pins:write'],
  readPins: ['boards:read', 'pins:read'],
};
/** metric_types each analytics endpoint accepts (https://developers.pinterest.com/docs/api/v5/pins-analytics). */
const PIN_METRIC_TYPES = [
  'IMPRESSION',
  'OUTBOUND_CLICK',
  'PIN_CLICK',
  'SAVE',
  'SAVE_RATE',
  'TOTAL_COMMENTS',
  'TOTAL_REACTIONS',
  'USER_FOLLOW',
  'PROFILE_VISIT',
  'VIDEO_MRC_VIEW',
  'VIDEO_AVG_WATCH_TIME',
  'VIDEO_V50_WATCH_TIME',
  'VIDEO_START',
  'QUARTILE_95_PERCENT_VIEW',
];
const ACCOUNT_METRIC_TYPES = ['IMPRESSION', 'ENGAGEMENT', 'PIN_CLICK', 'OUTBOUND_CLICK', 'SAVE', 'ENGAGEMENT_RATE'];
const PIN_FIELDS = new Set([
  'board_id',
  'board_section_id',
  'title',
  'description',
  'link',
  'alt_text',
  'dominant_color',
  'parent_pin_id',
  'media_source',
  'note',
]);
const UPLOAD_FIELDS = [
  'x-amz-date',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-algorithm',
  'key',
  'policy',
  'x-amz-credential',
  'Content-Type',
];

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

let seq = 1_000_000;
const nextId = () => String(1_126_000_000_000_000_000n + BigInt(++seq));

/** A multipart/form-data body as fields and files (enough for the storage upload). */
function parseMultipart(
  raw: Buffer,
  contentType: string,
): { fields: Record<string, string>; files: Record<string, Buffer>; order: string[] } | null {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) return null;
  const fields: Record<string, string> = {};
  const files: Record<string, Buffer> = {};
  const order: string[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = raw.indexOf(delimiter);
  if (pos < 0) return null;
  for (;;) {
    const start = pos + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const headerEnd = raw.indexOf('\r\n\r\n', start);
    if (headerEnd < 0) return null;
    const headers = raw.subarray(start + 2, headerEnd).toString();
    const next = raw.indexOf(delimiter, headerEnd);
    if (next < 0) return null;
    const content = raw.subarray(headerEnd + 4, next - 2);
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    if (!name) return null;
    order.push(name);
    if (/filename="/.test(headers)) files[name] = Buffer.from(content);
    else fields[name] = content.toString();
    pos = next;
  }
  return { fields, files, order };
}

export class FakePinterest extends FakeServer {
  readonly users = new Map<string, FakePinterestUser>();
  readonly boards = new Map<string, FakeBoard>();
  readonly tokens = new Map<string, FakeToken>();
  /** Refresh tokens: token → user, scopes, expiry, ended. */
  readonly refreshTokens = new Map<string, FakeToken>();
  readonly codes = new Map<string, { userId: string; redirectUri: string; scopes: string[]; used: boolean }>();
  readonly media = new Map<string, FakeMedia>();
  /** Every pin created, in order: duplicates show here. */
  readonly pins: FakePin[] = [];
  /** Who signs in at the next consent page, granting which scopes (default: all asked). */
  nextConsent: { userId: string; grant?: string[]; deny?: boolean } | null = null;
  /** How long a video takes to process once uploaded. */
  processingMs = 0;
  /** An app with Trial access: pins are refused with code 29 (the production host's behaviour). */
  trial = false;
  /** Pin creations allowed per user before 429 (the org_write budget); Infinity: no limit. */
  writeBudget = Number.POSITIVE_INFINITY;
  /** Seconds the 429's `x-ratelimit-reset` announces. */
  rateLimitResetS = 60;
  private readonly writes = new Map<string, number>();
  readonly now: () => number;

  constructor(readonly options: FakePinterestOptions) {
    super('pinterest');
    this.now = options.now ?? Date.now;
    this.route('GET', /^\/oauth\/?$/, (req) => this.authorize(req));
    this.route('POST', /^\/v5\/oauth\/token$/, (req) => this.api(req, () => this.token(req)));
    this.route('GET', /^\/v5\/user_account$/, (req) => this.api(req, () => this.account(req)));
    this.route('GET', /^\/v5\/boards$/, (req) => this.api(req, () => this.listBoards(req)));
    this.route('GET', /^\/v5\/boards\/[^/]+\/pins$/, (req) => this.api(req, () => this.boardPins(req)));
    this.route('POST', /^\/v5\/pins$/, (req) => this.api(req, () => this.createPin(req)));
    this.route('GET', /^\/v5\/pins\/[^/]+$/, (req) => this.api(req, () => this.getPin(req)));
    this.route('GET', /^\/v5\/pins\/[^/]+\/analytics$/, (req) => this.api(req, () => this.pinAnalytics(req)));
    this.route('GET', /^\/v5\/user_account\/analytics$/, (req) => this.api(req, () => this.accountAnalytics(req)));
    this.route('POST', /^\/v5\/media$/, (req) => this.api(req, () => this.registerMedia(req)));
    this.route('GET', /^\/v5\/media\/[^/]+$/, (req) => this.api(req, () => this.mediaStatus(req)));
    this.route('POST', /^\/storage\/upload$/, (req) => this.storageUpload(req));
    this.route('PUT', /^\/storage\/upload$/, () => ({
      status: 405,
      text: '<Error><Code>MethodNotAllowed</Code></Error>',
    }));
  }

  addUser(partial: Partial<FakePinterestUser> = {}): FakePinterestUser {
    const n = this.users.size + 1;
    const user: FakePinterestUser = {
      id: partial.id ?? nextId(),
      username: partial.username ?? `pinner${n}`,
      businessName: partial.businessName ?? null,
      profileImage: partial.profileImage ?? `https://i.pinimg.example/${n}.jpg`,
    };
    this.users.set(user.id, user);
    return user;
  }

  addBoard(ownerId: string, name: string, privacy: FakeBoard['privacy'] = 'PUBLIC'): FakeBoard {
    const board = { id: nextId(), ownerId, name, privacy };
    this.boards.set(board.id, board);
    return board;
  }

  issueToken(userId: string, scopes = NEEDS.createPin.concat('user_accounts:read')): string {
    const token = `pina_${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, { token, userId, scopes, expiresAt: this.now() + ACCESS_S * 1000, revoked: false });
    return token;
  }

  issueRefreshToken(userId: string, scopes = NEEDS.createPin.concat('user_accounts:read')): string {
    const token = `pinr_${randomBytes(12).toString('hex')}`;
    this.refreshTokens.set(token, { token, userId, scopes, expiresAt: this.now() + REFRESH_S * 1000, revoked: false });
    return token;
  }

  /** The person removed the app: every token of the user stops working. */
  revokeTokens(userId: string): void {
    for (const t of [...this.tokens.values(), ...this.refreshTokens.values()])
      if (t.userId === userId) t.revoked = true;
  }

  pinsFor(userId: string): FakePin[] {
    return this.pins.filter((p) => p.ownerId === userId);
  }

  // ---- OAuth ---------------------------------------------------------------------------

  private authorize(req: RecordedRequest): Reply {
    const q = req.query;
    const scopes = (q.scope ?? '').split(',').filter(Boolean);
    const problems = [
      q.client_id !== this.options.appId && 'client_id is not this app',
      !this.options.redirectUris.includes(q.redirect_uri ?? '') && 'redirect_uri is not registered',
      q.response_type !== 'code' && 'response_type must be code',
      scopes.length === 0 && 'scope is required',
    ].filter(Boolean);
    if (problems.length) return { status: 400, text: `<p>Invalid request: ${problems.join('; ')}</p>` };
    const consent = this.nextConsent;
    this.nextConsent = null;
    const back = new URL(q.redirect_uri!);
    if (q.state) back.searchParams.set('state', q.state);
    if (!consent || consent.deny) {
      back.searchParams.set('error', 'access_denied');
      return { status: 302, redirect: back.toString() };
    }
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, {
      userId: consent.userId,
      redirectUri: q.redirect_uri!,
      scopes: consent.grant ?? scopes,
      used: false,
    });
    back.searchParams.set('code', code);
    return { status: 302, redirect: back.toString() };
  }

  /** `POST /v5/oauth/token`: HTTP Basic app credentials only, form body. */
  private token(req: RecordedRequest): unknown {
    const auth = String(req.headers.authorization ?? '');
    const expected = `Basic ${Buffer.from(`${this.options.appId}:${this.options.appSecret}`).toString('base64')}`;
    if (auth !== expected) throw new ApiError(401, 2, 'Authentication failed.');
    if (Buffer.isBuffer(req.body) || !String(req.headers['content-type']).includes('x-www-form-urlencoded'))
      throw new ApiError(400, 1, 'The request body must be application/x-www-form-urlencoded');
    const b = req.body as Record<string, string>;
    if (b.client_secret || b.client_id) throw new ApiError(400, 1, 'Client credentials go in the Authorization header');
    const issue = (userId: string, scopes: string[]) => {
      const access = this.issueToken(userId, scopes);
      const refresh = this.issueRefreshToken(userId, scopes);
      return {
        access_token: access,
        token_type: 'bearer',
        expires_in: ACCESS_S,
        scope: scopes.join(','),
        refresh_token: refresh,
        refresh_token_expires_in: REFRESH_S,
        refresh_token_expires_at: Math.floor(this.refreshTokens.get(refresh)!.expiresAt / 1000),
      };
    };
    if (b.grant_type === 'authorization_code') {
      const code = this.codes.get(b.code ?? '');
      if (!code || code.used) throw new ApiError(400, 1, 'Invalid authorization code');
      if (b.redirect_uri !== code.redirectUri) throw new ApiError(400, 1, 'redirect_uri does not match');
      code.used = true;
      return { ...issue(code.userId, code.scopes), response_type: 'authorization_code' };
    }
    if (b.grant_type === 'refresh_token') {
      const old = this.refreshTokens.get(b.refresh_token ?? '');
      if (!old || old.revoked || old.expiresAt <= this.now()) throw new ApiError(400, 1, 'Invalid refresh token');
      old.revoked = true;
      return { ...issue(old.userId, old.scopes), response_type: 'refresh_token' };
    }
    throw new ApiError(400, 1, 'Unsupported grant_type');
  }

  // ---- API -----------------------------------------------------------------------------

  private async api(req: RecordedRequest, handler: () => unknown): Promise<Reply> {
    try {
      if (req.method === 'GET' && req.raw.length > 0) throw new ApiError(400, 1, 'GET requests take no body');
      const result = await handler();
      return { status: req.method === 'POST' && req.path !== '/v5/oauth/token' ? 201 : 200, json: result };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return { status: err.status, json: { code: err.code, message: err.message }, headers: err.headers };
    }
  }

  private caller(req: RecordedRequest, needs: string[]): FakeToken {
    const auth = String(req.headers.authorization ?? '');
    if (req.query.access_token) throw new ApiError(401, 2, 'Tokens go in the Authorization header');
    const t = this.tokens.get(/^Bearer (.+)$/.exec(auth)?.[1] ?? '');
    if (!t || t.revoked || t.expiresAt <= this.now()) throw new ApiError(401, 2, 'Authentication failed.');
    const missing = needs.filter((s) => !t.scopes.includes(s));
    if (missing.length) throw new ApiError(403, 3, `Missing scopes: ${missing.join(', ')}`);
    return t;
  }

  private json(req: RecordedRequest): Record<string, unknown> {
    if (!String(req.headers['content-type']).includes('application/json') || req.body?.__invalidJson !== undefined)
      throw new ApiError(400, 1, 'The request body must be JSON');
    if (typeof req.body !== 'object' || Buffer.isBuffer(req.body) || Array.isArray(req.body))
      throw new ApiError(400, 1, 'The request body must be a JSON object');
    return req.body as Record<string, unknown>;
  }

  private account(req: RecordedRequest): unknown {
    const u = this.users.get(this.caller(req, NEEDS.account).userId)!;
    return {
      id: u.id,
      username: u.username,
      account_type: u.businessName ? 'BUSINESS' : 'PINNER',
      profile_image: u.profileImage,
      business_name: u.businessName,
      board_count: [...this.boards.values()].filter((b) => b.ownerId === u.id).length,
      follower_count: this.followers.get(u.id) ?? 0,
    };
  }

  /** Followers of each user, by id. */
  readonly followers = new Map<string, number>();
  /** Daily numbers of each pin (`pinId` → `YYYY-MM-DD` → metric → value). */
  readonly pinDaily = new Map<string, Map<string, Record<string, number>>>();
  /** Daily numbers of each account (`userId` → day → metric → value). */
  readonly accountDaily = new Map<string, Map<string, Record<string, number>>>();
  /** Metric names Pinterest has retired: asking for one is a 400 naming it. */
  readonly retiredMetrics = new Set<string>();

  /**
   * The date rules of both analytics endpoints: YYYY-MM-DD, start at most 90 days back, end not
   * before start nor more than 90 days after it (https://developers.pinterest.com/docs/api/v5/pins-analytics).
   */
  private analyticsRange(req: RecordedRequest): string[] {
    const { start_date: start, end_date: end } = req.query;
    const iso = /^\d{4}-\d{2}-\d{2}$/;
    if (!start || !iso.test(start)) throw new ApiError(400, 1, 'start_date is required (YYYY-MM-DD)');
    if (!end || !iso.test(end)) throw new ApiError(400, 1, 'end_date is required (YYYY-MM-DD)');
    const day = 86_400_000;
    const today = new Date(this.now()).toISOString().slice(0, 10);
    if (Date.parse(start) < Date.parse(today) - 90 * day)
      throw new ApiError(400, 1, 'start_date cannot be more than 90 days in the past');
    if (end < start) throw new ApiError(400, 1, 'end_date cannot be before start_date');
    if (Date.parse(end) - Date.parse(start) > 90 * day)
      throw new ApiError(400, 1, 'end_date cannot be more than 90 days past start_date');
    const days: string[] = [];
    for (let t = Date.parse(start); t <= Date.parse(end); t += day) days.push(new Date(t).toISOString().slice(0, 10));
    return days;
  }

  private metricTypes(req: RecordedRequest, allowed: readonly string[], required: boolean): string[] {
    const types = (req.query.metric_types ?? '').split(',').filter(Boolean);
    if (required && types.length === 0) throw new ApiError(400, 1, 'metric_types is required');
    for (const t of types)
      if (this.retiredMetrics.has(t) || !allowed.includes(t))
        throw new ApiError(400, 1, `metric_types: '${t}' is not one of the allowed values`);
    return types.length ? types : [...allowed];
  }

  private pinAnalytics(req: RecordedRequest): unknown {
    const t = this.caller(req, NEEDS.readPins);
    const pin = this.pins.find((p) => p.id === req.path.split('/')[3]);
    if (!pin || pin.ownerId !== t.userId) throw new ApiError(404, 50, 'Pin not found.');
    const days = this.analyticsRange(req);
    const types = this.metricTypes(req, PIN_METRIC_TYPES, true);
    return { all: this.series(days, types, this.pinDaily.get(pin.id)) };
  }

  private accountAnalytics(req: RecordedRequest): unknown {
    const t = this.caller(req, NEEDS.account);
    const days = this.analyticsRange(req);
    const types = this.metricTypes(req, ACCOUNT_METRIC_TYPES, false);
    return { all: this.series(days, types, this.accountDaily.get(t.userId)) };
  }

  /** daily_metrics per day (today still PROCESSING, without numbers) and summary_metrics over the range. */
  private series(days: string[], types: string[], data: Map<string, Record<string, number>> | undefined) {
    const today = new Date(this.now()).toISOString().slice(0, 10);
    const summary = Object.fromEntries(types.map((m) => [m, 0]));
    const daily = days.map((date) => {
      if (date >= today) return { date, data_status: 'PROCESSING' };
      const metrics = Object.fromEntries(types.map((m) => [m, data?.get(date)?.[m] ?? 0]));
      for (const m of types) summary[m]! += metrics[m]!;
      return { date, data_status: 'READY', metrics };
    });
    return { daily_metrics: daily, summary_metrics: summary };
  }

  private page<T>(req: RecordedRequest, all: T[]): { items: T[]; bookmark: string | null } {
    const size = req.query.page_size === undefined ? 25 : Number(req.query.page_size);
    if (!Number.isInteger(size) || size < 1 || size > 250) throw new ApiError(400, 1, 'page_size must be 1 to 250');
    const start = req.query.bookmark ? Number(Buffer.from(req.query.bookmark, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0) throw new ApiError(400, 1, 'Invalid bookmark');
    const items = all.slice(start, start + size);
    const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64url') : null;
    return { items, bookmark: next };
  }

  private listBoards(req: RecordedRequest): unknown {
    const t = this.caller(req, NEEDS.boards);
    const privacy = req.query.privacy;
    const mine = [...this.boards.values()].filter(
      (b) => b.ownerId === t.userId && (!privacy || privacy === 'ALL' || b.privacy === privacy),
    );
    const secretOk = t.scopes.includes('boards:read_secret');
    const visible = mine.filter((b) => b.privacy !== 'SECRET' || secretOk);
    const { items, bookmark } = this.page(req, visible);
    return { items: items.map((b) => ({ id: b.id, name: b.name, privacy: b.privacy, description: '' })), bookmark };
  }

  private pinJson(p: FakePin): unknown {
    return {
      id: p.id,
      created_at: new Date(p.createdAt).toISOString().replace(/\.\d{3}Z$/, ''),
      board_id: p.boardId,
      title: p.title,
      description: p.description,
      link: p.link,
      alt_text: p.altText,
      is_owner: true,
      creative_type: p.mediaSource.source_type === 'video_id' ? 'VIDEO' : 'REGULAR',
    };
  }

  private boardPins(req: RecordedRequest): unknown {
    const t = this.caller(req, NEEDS.readPins);
    const boardId = req.path.split('/')[3]!;
    const board = this.boards.get(boardId);
    if (!board || board.ownerId !== t.userId) throw new ApiError(404, 404, 'Board not found.');
    const newest = this.pins.filter((p) => p.boardId === boardId).reverse();
    const { items, bookmark } = this.page(req, newest);
    return { items: items.map((p) => this.pinJson(p)), bookmark };
  }

  private getPin(req: RecordedRequest): unknown {
    this.caller(req, ['pins:read']);
    const pin = this.pins.find((p) => p.id === req.path.split('/')[3]);
    if (!pin) throw new ApiError(404, 404, 'Pin not found.');
    return this.pinJson(pin);
  }

  private async reachable(url: unknown): Promise<void> {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new ApiError(400, 1, 'url must be a URL');
    const res = await fetch(url).catch(() => null);
    const type = res?.headers.get('content-type') ?? '';
    if (!res?.ok || !type.startsWith('image/')) throw new ApiError(400, 1, `Unable to reach the URL: ${url}`);
    await res.arrayBuffer();
  }

  private spendWrite(userId: string): void {
    const used = (this.writes.get(userId) ?? 0) + 1;
    this.writes.set(userId, used);
    const budget = this.writeBudget;
    if (used > budget)
      throw new ApiError(429, 8, 'You have exceeded your rate limit. Try again later.', {
        'x-ratelimit-limit': String(budget),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(this.rateLimitResetS),
      });
  }

  private async createPin(req: RecordedRequest): Promise<unknown> {
    const t = this.caller(req, NEEDS.createPin);
    const b = this.json(req);
    this.spendWrite(t.userId);
    if (this.trial)
      throw new ApiError(
        403,
        29,
        'Apps with Trial access may not create Pins in production https://api.pinterest.com - ' +
          'use API Sandbox https://api-sandbox.pinterest.com instead.',
      );
    const unknown = Object.keys(b).filter((k) => !PIN_FIELDS.has(k));
    if (unknown.length) throw new ApiError(400, 1, `Unknown fields: ${unknown.join(', ')}`);
    const boardId = b.board_id;
    if (typeof boardId !== 'string' || !/^\d+$/.test(boardId))
      throw new ApiError(400, 1, `'${String(boardId)}' does not match '^\\d+$' - 'board_id'`);
    const board = this.boards.get(boardId);
    if (!board || board.ownerId !== t.userId) throw new ApiError(404, 404, 'Board not found.');
    const limits: Array<[string, number]> = [
      ['title', 100],
      ['description', 800],
      ['link', 2048],
      ['alt_text', 500],
    ];
    for (const [k, max] of limits) {
      const v = b[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') throw new ApiError(400, 1, `${k} must be a string`);
      if ([...v].length > max) throw new ApiError(400, 1, `${k} is longer than ${max} characters`);
    }
    const source = b.media_source as Record<string, unknown> | undefined;
    if (!source || typeof source !== 'object') throw new ApiError(400, 1, 'media_source is required');
    switch (source.source_type) {
      case 'image_url':
        await this.reachable(source.url);
        break;
      case 'multiple_image_urls': {
        const items = source.items;
        if (!Array.isArray(items) || items.length < 2) throw new ApiError(400, 1, 'constraint: minItems=2 - items');
        if (items.length > 5) throw new ApiError(400, 1, 'constraint: maxItems=5 - items');
        for (const item of items) await this.reachable((item as Record<string, unknown>)?.url);
        break;
      }
      case 'video_id': {
        const mediaId = source.media_id;
        if (typeof mediaId !== 'string' || !/^\d+$/.test(mediaId))
          throw new ApiError(400, 1, "media_id does not match '^\\d+$'");
        const m = this.media.get(mediaId);
        if (!m || m.ownerId !== t.userId) throw new ApiError(404, 404, 'Media not found.');
        if (this.statusOf(m) !== 'succeeded')
          throw new ApiError(400, 1, 'The video is not ready (status must be succeeded)');
        const cover =
          source.cover_image_url !== undefined ||
          source.cover_image_key_frame_time !== undefined ||
          (source.cover_image_content_type !== undefined && source.cover_image_data !== undefined);
        if (!cover) throw new ApiError(400, 1, 'A cover_image_url or cover_image_content_type is required');
        if (source.cover_image_url !== undefined) await this.reachable(source.cover_image_url);
        break;
      }
      default:
        throw new ApiError(400, 1, `Unsupported source_type ${String(source.source_type)}`);
    }
    const pin: FakePin = {
      id: nextId(),
      ownerId: t.userId,
      boardId,
      title: (b.title as string | undefined) ?? null,
      description: (b.description as string | undefined) ?? null,
      link: (b.link as string | undefined) ?? null,
      altText: (b.alt_text as string | undefined) ?? null,
      mediaSource: source,
      createdAt: this.now(),
    };
    this.pins.push(pin);
    return this.pinJson(pin);
  }

  private registerMedia(req: RecordedRequest): unknown {
    const t = this.caller(req, NEEDS.media);
    const b = this.json(req);
    if (b.media_type !== 'video') throw new ApiError(400, 1, "media_type must be 'video'");
    this.spendWrite(t.userId);
    const id = nextId();
    const key = `uploads/${id}`;
    this.media.set(id, { id, ownerId: t.userId, key, uploadedAt: null, bytes: 0, outcome: 'succeeded' });
    return {
      media_id: id,
      media_type: 'video',
      upload_url: `${this.url}/storage/upload`,
      upload_parameters: Object.fromEntries(
        UPLOAD_FIELDS.map((f) => [f, f === 'key' ? key : f === 'Content-Type' ? 'multipart/form-data' : `v-${f}`]),
      ),
    };
  }

  private statusOf(m: FakeMedia): 'registered' | 'processing' | 'succeeded' | 'failed' {
    if (m.uploadedAt === null) return 'registered';
    if (this.now() - m.uploadedAt < this.processingMs) return 'processing';
    return m.outcome;
  }

  private mediaStatus(req: RecordedRequest): unknown {
    const t = this.caller(req, ['pins:read']);
    const m = this.media.get(req.path.split('/')[3]!);
    if (!m || m.ownerId !== t.userId) throw new ApiError(404, 404, 'Media not found.');
    return { media_id: m.id, media_type: 'video', status: this.statusOf(m) };
  }

  /** The storage host: a multipart POST with every upload parameter and the file last (S3 POST policy). */
  private storageUpload(req: RecordedRequest): Reply {
    const bad = (why: string): Reply => ({ status: 400, text: `<Error><Message>${why}</Message></Error>` });
    const form = parseMultipart(req.raw, String(req.headers['content-type'] ?? ''));
    if (!form) return bad('Bucket POST must be of the enclosure-type multipart/form-data');
    const m = [...this.media.values()].find((x) => x.key === form.fields.key);
    if (!m) return bad('Invalid key');
    for (const f of UPLOAD_FIELDS) {
      const expected = f === 'key' ? m.key : f === 'Content-Type' ? 'multipart/form-data' : `v-${f}`;
      if (form.fields[f] !== expected) return bad(`Missing or altered field ${f}`);
    }
    const file = form.files.file;
    if (!file || file.length === 0) return bad('POST requires exactly one file upload per request');
    if (form.order[form.order.length - 1] !== 'file') return bad('The file must be the last field');
    m.uploadedAt = this.now();
    m.bytes = file.length;
    return { status: 204, text: '' };
  }
}
