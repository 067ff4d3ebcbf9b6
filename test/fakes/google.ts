import { createHash, randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';

/**
 * A fake of Google OAuth and the Business Profile APIs Herald uses (docs/platforms/google-business.md):
 * the consent page and token endpoint, Account Management v1 (accounts), Business Information v1
 * (locations) and My Business v4 (local posts). Each Google host is a path prefix on one server, so a
 * call sent to the wrong API lands on no route; `settings()` gives Herald the base URLs.
 *
 * Where the notes the fake was first written from and Google's reference differ, the reference wins:
 * a callToAction on an OFFER is ignored by default (the reference says so; a probe saw it refused —
 * `ctaOnOffer: 'reject'` plays that).
 */

export const BUSINESS_MANAGE = 'https://www.googleapis.com/auth/business.manage';
const LEGACY_BUSINESS_MANAGE = 'https://www.googleapis.com/auth/plus.business.manage';
const ACTION_TYPES = ['BOOK', 'ORDER', 'SHOP', 'LEARN_MORE', 'SIGN_UP', 'CALL', 'GET_OFFER'];
const TOPIC_TYPES = ['STANDARD', 'EVENT', 'OFFER', 'ALERT'];
const WINDOW_MS = 60_000;
/** https://developers.google.com/my-business/reference/performance/rest/v1/DailyMetric */
const DAILY_METRICS = [
  'BUSINESS_IMPRESSIONS_DESKTOP_MAPS',
  'BUSINESS_IMPRESSIONS_DESKTOP_SEARCH',
  'BUSINESS_IMPRESSIONS_MOBILE_MAPS',
  'BUSINESS_IMPRESSIONS_MOBILE_SEARCH',
  'BUSINESS_CONVERSATIONS',
  'BUSINESS_DIRECTION_REQUESTS',
  'CALL_CLICKS',
  'WEBSITE_CLICKS',
  'BUSINESS_BOOKINGS',
  'BUSINESS_FOOD_ORDERS',
  'BUSINESS_FOOD_MENU_CLICKS',
];

export interface GoogleUser {
  id: string;
  email: string;
  /** Ids of the accounts this user manages; the personal one first. */
  accounts: string[];
  /** Scopes the user leaves ticked; null grants whatever is asked. */
  grantScopes: string[] | null;
  denyLogin: boolean;
}

export interface GoogleAccount {
  id: string;
  accountName: string;
  type: 'PERSONAL' | 'LOCATION_GROUP' | 'USER_GROUP' | 'ORGANIZATION';
}

export interface GoogleLocation {
  id: string;
  accountId: string;
  title: string;
  /** Chain locations cannot post through the API. */
  chain: boolean;
}

export interface FakeLocalPost {
  name: string;
  accountId: string;
  locationId: string;
  body: Record<string, unknown>;
  state: 'PROCESSING' | 'LIVE' | 'REJECTED' | 'SCHEDULED';
  createTime: string;
  updateTime: string;
  /** GETs left before a PROCESSING post turns LIVE. */
  readsLeft: number;
}

interface AccessToken {
  userId: string;
  scopes: string[];
  expiresAt: number;
  refresh: string | null;
}

interface RefreshToken {
  value: string;
  userId: string;
  scopes: string[];
  issuedAt: number;
  revoked: boolean;
}

interface AuthCode {
  userId: string;
  scopes: string[];
  redirectUri: string;
  challenge: string | null;
  offline: boolean;
  consent: boolean;
  expiresAt: number;
  used: boolean;
}

export function rpcError(code: number, status: string, message: string, details: unknown[] = []): Reply {
  return { status: code, json: { error: { code, message, status, ...(details.length ? { details } : {}) } } };
}

/** A v4 ValidationError, as Google returns field problems. */
function invalid(field: string, message: string, code = 3): Reply {
  return rpcError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
    {
      '@type': 'type.googleapis.com/google.mybusiness.v4.ValidationError',
      errorDetails: [{ code, field, message }],
    },
  ]);
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, json: { error, error_description: description } };
}

class Refusal extends Error {
  constructor(readonly reply: Reply) {
    super('refused');
  }
}

const refuse = (reply: Reply): never => {
  throw new Refusal(reply);
};

function secret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

function pageToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function readPage(req: RecordedRequest, def: number, max: number, min = 1): { offset: number; size: number } {
  const raw = req.query.pageSize;
  const size = raw === undefined ? def : Number(raw);
  if (!Number.isInteger(size) || size < min || size > max)
    refuse(invalid('page_size', `pageSize must be between ${min} and ${max}.`));
  let offset = 0;
  if (req.query.pageToken) {
    const m = /^o:(\d+)$/.exec(Buffer.from(req.query.pageToken, 'base64url').toString());
    if (!m) refuse(invalid('page_token', 'Invalid page token.'));
    offset = Number(m![1]);
  }
  return { offset, size };
}

export interface FakeGoogleOptions {
  clientId: string;
  clientSecret: string;
}

export class FakeGoogle extends FakeServer {
  readonly users = new Map<string, GoogleUser>();
  readonly accounts = new Map<string, GoogleAccount>();
  readonly locations = new Map<string, GoogleLocation>();
  readonly posts: FakeLocalPost[] = [];
  readonly mediaFetches: { url: string; problem: string | null }[] = [];
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly consented = new Set<string>();
  private readonly hits = new Map<string, number[]>();
  private seq = 1000;
  /** The user who signs in at the next consent. */
  loginAs: string;
  /** Registered redirect URIs; null accepts any absolute URL. */
  redirectUris: string[] | null = null;
  accessTtlSec = 3599;
  /** A consent screen in "Testing" gives refresh tokens that die after 7 days. */
  testingMode = false;
  /** APIs not enabled in the project's console (by service prefix, e.g. 'mybusinessaccountmanagement'). */
  readonly disabledApis = new Set<string>();
  /** Until the project's API access request is approved its quota is 0. */
  approved = true;
  /** The reference says a button on an OFFER is ignored; a probe saw it refused. */
  ctaOnOffer: 'ignore' | 'reject' = 'ignore';
  /** Posts whose summary matches are REJECTED (Google's policy forbids phone numbers in posts). */
  rejectRule: (summary: string) => boolean = (s) => /\+?\d[\d\s().-]{7,}\d/.test(s);
  /** GETs of a new post before it turns LIVE; 0 = LIVE at once. */
  processingReads = 1;
  /** Per API per minute (https://developers.google.com/my-business/content/limits). */
  qpm = 300;
  /** Local post writes per location per minute. */
  writesPerMinute = 10;
  now: () => number = () => Date.now();

  constructor(private readonly options: FakeGoogleOptions) {
    super('google');
    const user = this.addUser();
    this.loginAs = user.id;
    this.registerRoutes();
  }

  /** The base URLs for Herald's Google settings. */
  settings(): {
    authUrl: string;
    tokenUrl: string;
    accountManagementUrl: string;
    businessInformationUrl: string;
    myBusinessUrl: string;
    performanceUrl: string;
  } {
    return {
      performanceUrl: `${this.url}/performance`,
      authUrl: `${this.url}/o/oauth2/v2/auth`,
      tokenUrl: `${this.url}/oauth2/token`,
      accountManagementUrl: `${this.url}/accountmanagement`,
      businessInformationUrl: `${this.url}/businessinformation`,
      myBusinessUrl: `${this.url}/mybusiness`,
    };
  }

  get user(): GoogleUser {
    return this.users.get(this.loginAs)!;
  }

  addUser(init: Partial<GoogleUser> = {}): GoogleUser {
    const n = this.users.size + 1;
    const id = String(100 + n);
    const user: GoogleUser = {
      id,
      email: `owner${n}@example.com`,
      accounts: [],
      grantScopes: null,
      denyLogin: false,
      ...init,
    };
    this.users.set(id, user);
    if (!init.accounts) user.accounts.push(this.addAccount({ accountName: `Owner ${n}`, type: 'PERSONAL' }).id);
    return user;
  }

  addAccount(init: Partial<GoogleAccount> = {}): GoogleAccount {
    const id = String(++this.seq * 7919);
    const account: GoogleAccount = { id, accountName: `Account ${id}`, type: 'LOCATION_GROUP', ...init };
    this.accounts.set(id, account);
    return account;
  }

  /** Each location's daily metrics (`locationId` → `YYYY-MM-DD` → DailyMetric → value). */
  readonly locationDaily = new Map<string, Map<string, Record<string, number>>>();
  /** DailyMetric names Google no longer accepts: asking for one is a 400 naming it. */
  readonly retiredMetrics = new Set<string>();

  /** An access token for a user with these scopes, as if the consent had happened. */
  accessToken(userId: string, scopes: string[] = [BUSINESS_MANAGE]): string {
    return (this.issue(userId, scopes, null, false) as { access_token: string }).access_token;
  }

  addLocation(accountId: string, init: Partial<GoogleLocation> = {}): GoogleLocation {
    const id = String(++this.seq * 104_729);
    const location: GoogleLocation = { id, accountId, title: `Location ${id}`, chain: false, ...init };
    this.locations.set(id, location);
    return location;
  }

  /** Local posts created at a location. */
  postsAt(locationId: string): FakeLocalPost[] {
    return this.posts.filter((p) => p.locationId === locationId);
  }

  /** As if the user removed the app's access: every token of theirs dies. */
  revokeUser(userId: string): void {
    for (const [value, t] of this.accessTokens) if (t.userId === userId) this.accessTokens.delete(value);
    for (const r of this.refreshTokens.values()) if (r.userId === userId) r.revoked = true;
  }

  expireAccessTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresAt = 0;
  }

  // ---------------------------------------------------------------------------------------------
  // OAuth (https://developers.google.com/identity/protocols/oauth2/web-server)

  private authorize(req: RecordedRequest): Reply {
    const q = req.query;
    const page = (m: string): Reply => ({ status: 400, text: `<html><body><h1>Error 400: ${m}</h1></body></html>` });
    if (q.client_id !== this.options.clientId) return page('invalid_client');
    const redirect = q.redirect_uri ?? '';
    try {
      new URL(redirect);
    } catch {
      return page('invalid_request: redirect_uri');
    }
    if (this.redirectUris && !this.redirectUris.includes(redirect)) return page('redirect_uri_mismatch');
    if (q.response_type !== 'code') return page('unsupported_response_type');
    const scopes = (q.scope ?? '').split(' ').filter(Boolean);
    if (scopes.length === 0 || scopes.some((s) => s.includes(','))) return page('invalid_scope');
    if (q.code_challenge && q.code_challenge_method !== 'S256') return page('invalid_request: code_challenge_method');
    const back = new URL(redirect);
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    const user = this.user;
    if (user.denyLogin) {
      back.searchParams.set('error', 'access_denied');
      return { status: 302, redirect: back.toString() };
    }
    const granted = user.grantScopes ? scopes.filter((s) => user.grantScopes!.includes(s)) : scopes;
    const key = `${user.id}|${this.options.clientId}`;
    const consent = (q.prompt ?? '').split(' ').includes('consent') || !this.consented.has(key);
    this.consented.add(key);
    const code = secret('4/0A');
    this.codes.set(code, {
      userId: user.id,
      scopes: granted,
      redirectUri: redirect,
      challenge: q.code_challenge ?? null,
      offline: q.access_type === 'offline',
      consent,
      expiresAt: this.now() + 10 * 60_000,
      used: false,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('scope', granted.join(' '));
    return { status: 302, redirect: back.toString() };
  }

  private token(req: RecordedRequest): Reply {
    if (!String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded'))
      return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.');
    const f = req.body as Record<string, string>;
    if (f.client_id !== this.options.clientId || f.client_secret !== this.options.clientSecret)
      return oauthError(401, 'invalid_client', 'Unauthorized');
    const now = this.now();
    if (f.grant_type === 'authorization_code') {
      const code = this.codes.get(f.code ?? '');
      if (!code || code.used || code.expiresAt < now) return oauthError(400, 'invalid_grant', 'Malformed auth code.');
      if (f.redirect_uri !== code.redirectUri) return oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
      if (code.challenge) {
        if (!f.code_verifier) return oauthError(400, 'invalid_grant', 'Missing code verifier.');
        if (createHash('sha256').update(f.code_verifier).digest('base64url') !== code.challenge)
          return oauthError(400, 'invalid_grant', 'Invalid code verifier.');
      }
      code.used = true;
      let refresh: string | null = null;
      if (code.offline && code.consent) {
        refresh = secret('1//0g');
        this.refreshTokens.set(refresh, {
          value: refresh,
          userId: code.userId,
          scopes: code.scopes,
          issuedAt: now,
          revoked: false,
        });
        // At most 100 refresh tokens per user and client; the oldest stops working silently.
        const mine = [...this.refreshTokens.values()].filter((r) => r.userId === code.userId && !r.revoked);
        for (const old of mine.slice(0, Math.max(0, mine.length - 100))) old.revoked = true;
      }
      return { json: this.issue(code.userId, code.scopes, refresh, true) };
    }
    if (f.grant_type === 'refresh_token') {
      const r = this.refreshTokens.get(f.refresh_token ?? '');
      const dead = !r || r.revoked || (this.testingMode && now - r.issuedAt > 7 * 24 * 3_600_000);
      if (dead) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
      // Refresh answers carry no new refresh token.
      return { json: this.issue(r!.userId, r!.scopes, r!.value, false) };
    }
    return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type.');
  }

  private issue(userId: string, scopes: string[], refresh: string | null, withRefresh: boolean): unknown {
    const access = secret('ya29.');
    this.accessTokens.set(access, { userId, scopes, expiresAt: this.now() + this.accessTtlSec * 1000, refresh });
    return {
      access_token: access,
      expires_in: this.accessTtlSec,
      scope: scopes.join(' '),
      token_type: 'Bearer',
      ...(withRefresh && refresh ? { refresh_token: refresh } : {}),
    };
  }

  private revoke(req: RecordedRequest): Reply {
    const token = req.query.token ?? (req.body as Record<string, string>).token;
    const r = this.refreshTokens.get(token ?? '');
    const a = this.accessTokens.get(token ?? '');
    if (!r && !a) return oauthError(400, 'invalid_token', 'Token expired or revoked');
    if (r) this.revokeUser(r.userId);
    if (a) this.revokeUser(a.userId);
    return { json: {} };
  }

  // ---------------------------------------------------------------------------------------------
  // The API guard: token, project approval, scope, per-API quota

  private guard(req: RecordedRequest, api: string): AccessToken {
    const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    const token = m ? this.accessTokens.get(m[1]!) : undefined;
    if (!token || token.expiresAt <= this.now())
      refuse(
        rpcError(
          401,
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials. ' +
            'Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        ),
      );
    if (this.disabledApis.has(api))
      refuse(
        rpcError(
          403,
          'PERMISSION_DENIED',
          `${api}.googleapis.com has not been used in project 1234567890 before or it is disabled. ` +
            'Enable it by visiting the Google Cloud console, then retry.',
          [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'SERVICE_DISABLED',
              domain: 'googleapis.com',
            },
          ],
        ),
      );
    if (!this.approved || this.limited(`qpm|${api}`, this.qpm))
      refuse(
        rpcError(
          429,
          'RESOURCE_EXHAUSTED',
          "Quota exceeded for quota metric 'Requests per minute' and limit 'Requests per minute per project' " +
            `of service '${api}.googleapis.com' for consumer 'project_number:1234567890'.`,
          [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'RATE_LIMIT_EXCEEDED',
              domain: 'googleapis.com',
              metadata: { service: `${api}.googleapis.com`, quota_limit_value: this.approved ? String(this.qpm) : '0' },
            },
          ],
        ),
      );
    if (!token!.scopes.includes(BUSINESS_MANAGE) && !token!.scopes.includes(LEGACY_BUSINESS_MANAGE))
      refuse(
        rpcError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
            domain: 'googleapis.com',
          },
        ]),
      );
    return token!;
  }

  private limited(key: string, limit: number): boolean {
    const now = this.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    recent.push(now);
    this.hits.set(key, recent);
    return recent.length > limit;
  }

  private manages(token: AccessToken, accountId: string): boolean {
    return this.users.get(token.userId)?.accounts.includes(accountId) ?? false;
  }

  private api(
    method: string,
    path: RegExp,
    api: string,
    handler: (req: RecordedRequest, token: AccessToken, m: RegExpExecArray) => Reply | Promise<Reply>,
  ): void {
    this.route(method, path, async (req) => {
      try {
        const token = this.guard(req, api);
        return await handler(req, token, path.exec(req.path)!);
      } catch (err) {
        if (err instanceof Refusal) return err.reply;
        throw err;
      }
    });
  }

  private registerRoutes(): void {
    this.route('GET', /^\/o\/oauth2\/v2\/auth$/, (req) => this.authorize(req));
    this.route('POST', /^\/oauth2\/token$/, (req) => this.token(req));
    this.route('POST', /^\/oauth2\/revoke$/, (req) => this.revoke(req));

    // accounts.list (https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts/list)
    this.api('GET', /^\/accountmanagement\/v1\/accounts$/, 'mybusinessaccountmanagement', (req, token) => {
      const { offset, size } = readPage(req, 20, 20);
      const ids = this.users.get(token.userId)!.accounts;
      const page = ids.slice(offset, offset + size).map((id) => {
        const a = this.accounts.get(id)!;
        return { name: `accounts/${a.id}`, accountName: a.accountName, type: a.type, role: 'OWNER' };
      });
      return {
        json: { accounts: page, ...(offset + size < ids.length ? { nextPageToken: pageToken(offset + size) } : {}) },
      };
    });

    // accounts.locations.list
    // (https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations/list)
    this.api(
      'GET',
      /^\/businessinformation\/v1\/accounts\/([^/]+)\/locations$/,
      'mybusinessbusinessinformation',
      (req, token, m) => {
        if (!req.query.readMask) return invalid('read_mask', 'Field is required.');
        const { offset, size } = readPage(req, 10, 100);
        if (!this.accounts.has(m[1]!)) return rpcError(404, 'NOT_FOUND', 'Requested entity was not found.');
        if (!this.manages(token, m[1]!))
          return rpcError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
        const all = [...this.locations.values()].filter((l) => l.accountId === m[1]);
        const fields = req.query.readMask.split(',');
        const page = all.slice(offset, offset + size).map((l) => this.locationJson(l, fields));
        return {
          json: {
            locations: page,
            totalSize: all.length,
            ...(offset + size < all.length ? { nextPageToken: pageToken(offset + size) } : {}),
          },
        };
      },
    );

    // locations.get
    this.api(
      'GET',
      /^\/businessinformation\/v1\/locations\/([^/]+)$/,
      'mybusinessbusinessinformation',
      (req, token, m) => {
        if (!req.query.readMask) return invalid('read_mask', 'Field is required.');
        const l = this.locations.get(m[1]!);
        if (!l) return rpcError(404, 'NOT_FOUND', 'Requested entity was not found.');
        if (!this.manages(token, l.accountId))
          return rpcError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
        return { json: this.locationJson(l, req.query.readMask.split(',')) };
      },
    );

    // locations.fetchMultiDailyMetricsTimeSeries
    // (https://developers.google.com/my-business/reference/performance/rest/v1/locations/
    // fetchMultiDailyMetricsTimeSeries)
    this.api(
      'GET',
      /^\/performance\/v1\/locations\/([^/:]+):fetchMultiDailyMetricsTimeSeries$/,
      'businessprofileperformance',
      (req, token, m) => {
        const metrics = req.queryAll.dailyMetrics ?? [];
        if (metrics.length === 0) return rpcError(400, 'INVALID_ARGUMENT', 'daily_metrics must be specified.');
        for (const [i, metric] of metrics.entries())
          if (!DAILY_METRICS.includes(metric) || this.retiredMetrics.has(metric))
            return rpcError(
              400,
              'INVALID_ARGUMENT',
              `Invalid value at 'daily_metrics[${i}]' ` +
                '(type.googleapis.com/google.business.performance.v1.DailyMetric), ' +
                `"${metric}"`,
            );
        const date = (which: string) => {
          const [y, mo, d] = ['year', 'month', 'day'].map((k) => Number(req.query[`dailyRange.${which}.${k}`]));
          return y && mo && d ? Date.UTC(y, mo - 1, d) : null;
        };
        const start = date('start_date');
        const end = date('end_date');
        if (start === null || end === null || end < start)
          return rpcError(400, 'INVALID_ARGUMENT', 'daily_range must have a valid start_date and end_date.');
        if (start < this.now() - 18 * 31 * 86_400_000)
          return rpcError(400, 'INVALID_ARGUMENT', 'start_date cannot be more than 18 months in the past.');
        const l = this.locations.get(m[1]!);
        if (!l) return rpcError(404, 'NOT_FOUND', 'Requested entity was not found.');
        if (!this.manages(token, l.accountId))
          return rpcError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
        const days: string[] = [];
        for (let t = start; t <= end; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
        const data = this.locationDaily.get(l.id);
        return {
          json: {
            multiDailyMetricTimeSeries: [
              {
                dailyMetricTimeSeries: metrics.map((metric) => ({
                  dailyMetric: metric,
                  timeSeries: {
                    datedValues: days.map((d) => {
                      const [y, mo, dd] = d.split('-').map(Number);
                      const value = data?.get(d)?.[metric] ?? 0;
                      // value is left out when it is 0.
                      return { date: { year: y, month: mo, day: dd }, ...(value ? { value: String(value) } : {}) };
                    }),
                  },
                })),
              },
            ],
          },
        };
      },
    );

    // v4 needs accounts/{a}/; a bare locations/{l} path is not found.
    this.route('POST', /^\/mybusiness\/v4\/locations\/[^/]+\/localPosts$/, () =>
      rpcError(404, 'NOT_FOUND', 'Requested entity was not found.'),
    );
    const POSTS = /^\/mybusiness\/v4\/accounts\/([^/]+)\/locations\/([^/]+)\/localPosts$/;
    const POST = /^\/mybusiness\/v4\/accounts\/([^/]+)\/locations\/([^/]+)\/localPosts\/([^/]+)$/;
    this.api('POST', POSTS, 'mybusiness', (req, token, m) => this.create(req, this.location(token, m)));
    this.api('GET', POSTS, 'mybusiness', (req, token, m) => {
      const loc = this.location(token, m);
      const { offset, size } = readPage(req, 20, 100);
      const all = this.postsAt(loc.id).slice().reverse();
      return {
        json: {
          localPosts: all.slice(offset, offset + size).map((p) => this.postJson(p)),
          ...(offset + size < all.length ? { nextPageToken: pageToken(offset + size) } : {}),
        },
      };
    });
    this.api('GET', POST, 'mybusiness', (_req, token, m) => {
      const post = this.find(token, m);
      if (post.state === 'PROCESSING' && --post.readsLeft <= 0) {
        post.state = 'LIVE';
        post.updateTime = new Date(this.now()).toISOString();
      }
      return { json: this.postJson(post) };
    });
    this.api('DELETE', POST, 'mybusiness', (_req, token, m) => {
      const post = this.find(token, m);
      this.posts.splice(this.posts.indexOf(post), 1);
      return { json: {} };
    });
  }

  private location(token: AccessToken, m: RegExpExecArray): GoogleLocation {
    const loc = this.locations.get(m[2]!);
    if (!loc || loc.accountId !== m[1]) return refuse(rpcError(404, 'NOT_FOUND', 'Requested entity was not found.'));
    if (!this.manages(token, m[1]!)) refuse(rpcError(403, 'PERMISSION_DENIED', 'The caller does not have permission'));
    return loc;
  }

  private find(token: AccessToken, m: RegExpExecArray): FakeLocalPost {
    const loc = this.location(token, m);
    const name = `accounts/${loc.accountId}/locations/${loc.id}/localPosts/${m[3]}`;
    return (
      this.posts.find((p) => p.name === name) ?? refuse(rpcError(404, 'NOT_FOUND', 'Requested entity was not found.'))
    );
  }

  private locationJson(l: GoogleLocation, fields: string[]): Record<string, unknown> {
    const full: Record<string, unknown> = {
      name: `locations/${l.id}`,
      title: l.title,
      storefrontAddress: { addressLines: ['1 Market Street'], locality: 'Springfield', regionCode: 'US' },
      metadata: { mapsUri: `https://maps.google.com/maps?cid=${l.id}`, placeId: `ChIJ${l.id}` },
    };
    return Object.fromEntries(Object.entries(full).filter(([k]) => fields.includes(k)));
  }

  private postJson(p: FakeLocalPost): Record<string, unknown> {
    return {
      ...p.body,
      name: p.name,
      createTime: p.createTime,
      updateTime: p.updateTime,
      state: p.state,
      searchUrl: `https://local.google.com/place?id=${p.locationId}&use=posts&lpsid=${p.name.split('/').pop()}`,
    };
  }

  /** localPosts.create
   * (https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts/create). */
  private async create(req: RecordedRequest, loc: GoogleLocation): Promise<Reply> {
    if (!String(req.headers['content-type'] ?? '').includes('application/json') || Buffer.isBuffer(req.body))
      return rpcError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    const body = { ...(req.body as Record<string, unknown>) };
    if (loc.chain)
      return rpcError(400, 'FAILED_PRECONDITION', 'Local posts are not allowed for this location.', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'LOCATION_DISABLED_FOR_LOCAL_POST_API',
          domain: 'mybusiness.googleapis.com',
        },
      ]);
    for (const out of ['name', 'createTime', 'updateTime', 'state', 'searchUrl'])
      if (out in body) return invalid(out, 'Output only field.');
    const topic = body.topicType;
    if (typeof topic !== 'string' || !TOPIC_TYPES.includes(topic)) return invalid('topic_type', 'Required field.');
    if (topic === 'ALERT') return invalid('alert_type', 'Alert posts cannot be created.');
    const summary = body.summary;
    if (summary !== undefined && typeof summary !== 'string') return invalid('summary', 'Invalid value.');
    if (typeof summary === 'string' && [...summary].length > 1500)
      return invalid('summary', 'Must be at most 1500 characters', 2);

    const cta = body.callToAction as { actionType?: unknown; url?: unknown } | undefined;
    if (cta !== undefined) {
      if (topic === 'OFFER') {
        if (this.ctaOnOffer === 'reject') return invalid('call_to_action', 'Call to action is not allowed for offers.');
        delete body.callToAction;
      } else {
        if (typeof cta.actionType !== 'string' || !ACTION_TYPES.includes(cta.actionType))
          return invalid('call_to_action.action_type', 'Invalid value.');
        if (cta.actionType === 'CALL' && cta.url !== undefined)
          return invalid('call_to_action.url', 'URL must not be set for CALL.');
        if (cta.actionType !== 'CALL') {
          if (typeof cta.url !== 'string') return invalid('call_to_action.url', 'Required field.');
          try {
            if (!/^https?:$/.test(new URL(cta.url).protocol)) throw new Error('scheme');
          } catch {
            return invalid('call_to_action.url', 'Invalid URL.');
          }
        }
      }
    }

    if (topic === 'EVENT' || topic === 'OFFER') {
      const problem = this.eventProblem(body.event);
      if (problem) return invalid(problem[0], problem[1]);
    }
    if (body.offer !== undefined && topic !== 'OFFER')
      return invalid('offer', 'Offer is only allowed for OFFER posts.');
    if (body.offer !== undefined) {
      const offer = body.offer as Record<string, unknown>;
      for (const k of Object.keys(offer))
        if (!['couponCode', 'redeemOnlineUrl', 'termsConditions'].includes(k))
          return invalid(`offer.${k}`, 'Unknown field.');
    }

    const media = body.media;
    if (media !== undefined) {
      if (!Array.isArray(media)) return invalid('media', 'Invalid value.');
      for (const item of media as Record<string, unknown>[]) {
        if (item.mediaFormat === 'VIDEO') return rpcError(500, 'INTERNAL', 'Internal error encountered.');
        if (item.mediaFormat !== 'PHOTO') return invalid('media.media_format', 'Invalid value.');
        if (typeof item.sourceUrl !== 'string')
          return invalid('media.source_url', 'sourceUrl is the only supported data field for post media.');
        // Google fetches the photo itself; a failure is a 400 with error detail 1000.
        const problem = await this.fetchPhoto(item.sourceUrl);
        this.mediaFetches.push({ url: item.sourceUrl, problem });
        if (problem) return invalid('media.source_url', 'Fetching image failed.', 1000);
      }
    }
    // Edits per profile are capped per minute (https://developers.google.com/my-business/content/limits).
    if (this.limited(`writes|${loc.id}`, this.writesPerMinute))
      return rpcError(429, 'RESOURCE_EXHAUSTED', 'Too many edits to this location; try again later.');
    return this.store(body, loc, summary as string | undefined);
  }

  private eventProblem(event: unknown): [string, string] | null {
    if (typeof event !== 'object' || event === null) return ['event', 'Required for EVENT and OFFER posts.'];
    const e = event as { title?: unknown; schedule?: Record<string, unknown> };
    if (typeof e.title !== 'string' || !e.title.trim()) return ['event.title', 'Required field.'];
    if ([...e.title].length > 58) return ['event.title', 'Must be at most 58 characters'];
    const s = e.schedule;
    if (!s) return ['event.schedule', 'Required field.'];
    for (const k of ['startDate', 'startTime', 'endDate', 'endTime'])
      if (typeof s[k] !== 'object' || s[k] === null) return [`event.schedule.${k}`, 'Required field.'];
    const d = (v: unknown) => {
      const x = v as { year?: number; month?: number; day?: number };
      return Number.isInteger(x.year) && x.month! >= 1 && x.month! <= 12 && x.day! >= 1 && x.day! <= 31
        ? Date.UTC(x.year!, x.month! - 1, x.day!)
        : null;
    };
    const t = (v: unknown) => {
      const x = v as { hours?: number; minutes?: number };
      const h = x.hours ?? 0;
      const mi = x.minutes ?? 0;
      return Number.isInteger(h) && h >= 0 && h <= 23 && Number.isInteger(mi) && mi >= 0 && mi <= 59
        ? (h * 60 + mi) * 60_000
        : null;
    };
    const [sd, st, ed, et] = [d(s.startDate), t(s.startTime), d(s.endDate), t(s.endTime)];
    if (sd === null || ed === null) return ['event.schedule', 'Invalid date.'];
    if (st === null || et === null) return ['event.schedule', 'Invalid time.'];
    if (ed + et < sd + st) return ['event.schedule', 'End must not be before start.'];
    return null;
  }

  private async fetchPhoto(url: string): Promise<string | null> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200) return `HTTP ${res.status}`;
      const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
      if (type !== 'image/jpeg' && type !== 'image/png') return `not a JPEG or PNG (${type})`;
      if (bytes.length === 0) return 'empty';
      return null;
    } catch (err) {
      return `unreachable: ${(err as Error).message}`;
    }
  }

  private store(body: Record<string, unknown>, loc: GoogleLocation, summary: string | undefined): Reply {
    const at = new Date(this.now()).toISOString();
    const scheduled = typeof body.scheduledTime === 'string' && Date.parse(body.scheduledTime) > this.now();
    const post: FakeLocalPost = {
      name: `accounts/${loc.accountId}/locations/${loc.id}/localPosts/${++this.seq}${randomBytes(4).toString('hex')}`,
      accountId: loc.accountId,
      locationId: loc.id,
      body,
      state:
        summary && this.rejectRule(summary)
          ? 'REJECTED'
          : scheduled
            ? 'SCHEDULED'
            : this.processingReads > 0
              ? 'PROCESSING'
              : 'LIVE',
      createTime: at,
      updateTime: at,
      readsLeft: this.processingReads,
    };
    this.posts.push(post);
    return { json: this.postJson(post) };
  }
}
