import { randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';

/**
 * A strict fake of LinkedIn's OAuth, `/v2/userinfo` and the versioned `/rest` API that Herald uses:
 * organizationAcls, organizations, Images, Videos and Posts (docs/platforms/linkedin.md). Herald
 * points LINKEDIN_AUTH_URL at `<url>/oauth/v2` and LINKEDIN_API_URL at `<url>`.
 *
 * Where it is stricter than LinkedIn, it says so:
 * - unescaped reserved characters in `commentary`: LinkedIn accepts the post and silently cuts it
 *   at the first one; the fake refuses with 422 by default (`commentaryMode = 'truncate'` copies
 *   LinkedIn), so an escaping bug fails loudly.
 * - LinkedIn sends no Retry-After on 429; tests inject one to prove it is honoured when present.
 * - ETags may come back quoted or not; the fake hands them out quoted and compares without quotes.
 */

export const MiB = 1024 * 1024;
/** Video parts are 4 MiB except the last. */
export const VIDEO_PART = 4 * MiB;
const RESERVED = new Set(['\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~']);
/** Roles that may post as a Page (posts-api permissions). */
const POSTING_ROLES = new Set(['ADMINISTRATOR', 'DIRECT_SPONSORED_CONTENT_POSTER', 'CONTENT_ADMINISTRATOR']);

export interface LinkedInApp {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Scopes the app's products grant; asking for anything else fails at authorize. */
  scopes: string[];
  /** Only some approved apps get refresh tokens. */
  refreshTokens: boolean;
}

export interface LinkedInMember {
  sub: string;
  name: string;
  givenName: string;
  familyName: string;
  picture: string;
}

export interface OrganizationAcl {
  organization: string;
  role: string;
  state: string;
  roleAssignee: string;
}

interface Token {
  member: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

interface Media {
  urn: string;
  kind: 'image' | 'video';
  owner: string;
  status: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE' | 'PROCESSING_FAILED';
  readyAt: number;
  bytes: number;
  parts: Array<{ first: number; last: number; etag: string | null }>;
  uploadToken: string;
}

export interface FakePost {
  id: string;
  author: string;
  /** As LinkedIn would store it (after truncation in 'truncate' mode). */
  commentary: string;
  content: Record<string, any> | null;
  createdAt: number;
  lastModifiedAt: number;
  lifecycleState: string;
  deleted: boolean;
}

/** A comment on a post (first comments). */
export interface FakeComment {
  id: string;
  urn: string;
  actor: string;
  object: string;
  text: string;
  at: number;
}

/**
 * `totalShareStatistics`
 * (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics).
 */
export interface ShareStatistics {
  impressionCount: number;
  uniqueImpressionsCount: number;
  clickCount: number;
  likeCount: number;
  commentCount: number;
  shareCount: number;
  engagement: number;
}

const STATS_WINDOW_MS = 365 * 86_400_000;

function err(status: number, message: string, code?: string, headers?: Record<string, string>): Reply {
  return { status, json: { message, serviceErrorCode: status, status, ...(code ? { code } : {}) }, headers };
}

class Refusal extends Error {
  constructor(readonly reply: Reply) {
    super(String((reply.json as { message?: string })?.message ?? 'refused'));
  }
}
const refuse = (status: number, message: string, code?: string): never => {
  throw new Refusal(err(status, message, code));
};

/**
 * Where little text stops being valid: the index of the first reserved character that is neither
 * escaped nor part of a mention, `#hashtag` or `{hashtag|#|tag}` template; null when all is well.
 */
export function littleTextProblem(text: string): number | null {
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const rest = text.slice(i);
    if (ch === '\\') {
      if (i + 1 < text.length && RESERVED.has(text[i + 1]!)) {
        i += 2;
        continue;
      }
      return i;
    }
    if (ch === '@') {
      const m = /^@\[[^\]\\]+\]\(urn:li:(?:person|organization):[A-Za-z0-9_-]+\)/.exec(rest);
      if (m) {
        i += m[0].length;
        continue;
      }
    }
    if (ch === '#' && !/[\p{L}\p{N}]/u.test(text[i - 1] ?? ' ')) {
      const m = /^#[\p{L}\p{N}]+/u.exec(rest);
      if (m) {
        i += m[0].length;
        continue;
      }
    }
    if (ch === '{') {
      const m = /^\{hashtag\|\\?[#＃]\|[^|{}\\]+\}/.exec(rest);
      if (m) {
        i += m[0].length;
        continue;
      }
    }
    if (RESERVED.has(ch)) return i;
    i++;
  }
  return null;
}

export class FakeLinkedIn extends FakeServer {
  readonly members = new Map<string, LinkedInMember>();
  readonly organizations = new Map<string, { id: number; localizedName: string; vanityName: string }>();
  acls: OrganizationAcl[] = [];
  /** `LinkedIn-Version` values still served; others get 426. */
  activeVersions = ['202511', '202510', '202509', '202601'];
  /** Who signs in at the consent screen, and whether they accept. */
  consentAs: string;
  consent: 'grant' | 'cancel' = 'grant';
  commentaryMode: 'refuse' | 'truncate' = 'refuse';
  /** How long uploaded media stays PROCESSING (on `now`). */
  processingMs = 30;
  /** The next finalized video fails processing. */
  failNextVideo = false;
  readonly posts: FakePost[] = [];
  now: () => number = Date.now;
  /**
   * Daily call quotas per member and per app, reset at 00:00 UTC; LinkedIn publishes no numbers,
   * so tests set them. Over quota: 429 without Retry-After, as LinkedIn answers.
   */
  dailyLimits = { member: Number.POSITIVE_INFINITY, app: Number.POSITIVE_INFINITY };
  private readonly daily = new Map<string, number>();
  /** Lifetime statistics per post URN (`totalShareStatistics`). */
  readonly shareStats = new Map<string, ShareStatistics>();
  /** A Page's statistics per UTC day (`YYYY-MM-DD`). */
  readonly dailyStats = new Map<string, Map<string, ShareStatistics>>();
  /** Followers per organization URN. */
  readonly followerCounts = new Map<string, number>();

  private readonly tokens = new Map<string, Token>();
  private readonly refreshTokens = new Map<string, { member: string; scopes: string[]; expiresAt: number }>();
  private readonly codes = new Map<string, { member: string; scopes: string[]; redirectUri: string; at: number }>();
  private readonly grants = new Map<string, string>();
  private readonly media = new Map<string, Media>();
  private seq = 1000;

  constructor(readonly app: LinkedInApp) {
    super('linkedin');
    const jane: LinkedInMember = {
      sub: 'jAnE-42',
      name: 'Jane Doe',
      givenName: 'Jane',
      familyName: 'Doe',
      picture: 'https://media.licdn.example/jane.jpg',
    };
    this.members.set(jane.sub, jane);
    this.consentAs = jane.sub;
    this.organizations.set('2414183', { id: 2414183, localizedName: 'Acme Bakery', vanityName: 'acme-bakery' });
    this.organizations.set('5550001', { id: 5550001, localizedName: 'Acme Labs', vanityName: 'acme-labs' });
    this.organizations.set('7770007', { id: 7770007, localizedName: 'Someone Else Inc', vanityName: 'else' });
    const person = `urn:li:person:${jane.sub}`;
    this.acls = [
      { organization: 'urn:li:organization:2414183', role: 'ADMINISTRATOR', state: 'APPROVED', roleAssignee: person },
      { organization: 'urn:li:organization:5550001', role: 'ADMINISTRATOR', state: 'APPROVED', roleAssignee: person },
      { organization: 'urn:li:organization:7770007', role: 'ANALYST', state: 'APPROVED', roleAssignee: person },
    ];

    this.route('GET', /^\/oauth\/v2\/authorization$/, (req) => this.authorize(req));
    this.route('POST', /^\/oauth\/v2\/accessToken$/, (req) => this.token(req));
    this.route('GET', /^\/v2\/userinfo$/, (req) =>
      this.api(
        req,
        (t) => {
          if (!t.scopes.includes('openid'))
            refuse(403, 'Not enough permissions to access: userinfo.GET', 'ACCESS_DENIED');
          const m = this.members.get(t.member)!;
          return {
            json: { sub: m.sub, name: m.name, given_name: m.givenName, family_name: m.familyName, picture: m.picture },
          };
        },
        false,
      ),
    );
    this.route('GET', /^\/rest\/organizationAcls$/, (req) => this.api(req, (t) => this.listAcls(req, t)));
    this.route('GET', /^\/rest\/organizations\/[^/]+$/, (req) => this.api(req, (t) => this.organization(req, t)));
    this.route('POST', /^\/rest\/(images|videos)$/, (req) => this.api(req, (t) => this.mediaAction(req, t)));
    this.route('GET', /^\/rest\/(images|videos)\/[^/]+$/, (req) => this.api(req, (t) => this.mediaGet(req, t)));
    this.route('PUT', /^\/dms-uploads\//, (req) => this.upload(req));
    this.route('POST', /^\/rest\/posts$/, (req) => this.api(req, (t) => this.createPost(req, t)));
    this.route('GET', /^\/rest\/organizationalEntityShareStatistics$/, (req) =>
      this.api(req, (t) => this.shareStatistics(req, t)),
    );
    this.route('GET', /^\/rest\/networkSizes\/[^/]+$/, (req) => this.api(req, (t) => this.networkSize(req, t)));
    this.route('GET', /^\/rest\/posts$/, (req) => this.api(req, (t) => this.findPosts(req, t)));
    this.route('GET', /^\/rest\/posts\/[^/]+$/, (req) => this.api(req, (t) => this.getPost(req, t)));
    this.route('DELETE', /^\/rest\/posts\/[^/]+$/, (req) => this.api(req, (t) => this.deletePost(req, t)));
    // Comments (first comments) on a post.
    this.route('POST', /^\/rest\/socialActions\/[^/]+\/comments$/, (req) =>
      this.api(req, (t) => this.createComment(req, t)),
    );
    this.route('GET', /^\/rest\/socialActions\/[^/]+\/comments$/, (req) =>
      this.api(req, (t) => this.listComments(req, t)),
    );
  }

  // ---- comments (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api)

  /** Every comment made, in order: duplicates show here. */
  readonly comments: FakeComment[] = [];

  /** The next comment create is carried out and its answer lost (the connection is cut). */
  loseNextCommentResponse(): void {
    this.inject({ method: 'POST', path: /^\/rest\/socialActions\/[^/]+\/comments$/, fault: { kind: 'lose-response' } });
  }

  /** The post URN in `/rest/socialActions/{urn}/comments`, which must arrive percent-encoded. */
  private socialUrn(req: RecordedRequest): string {
    const raw = req.path.split('/')[3]!;
    if (/[:(),]/.test(raw)) refuse(400, 'Syntax exception in path variables', 'ILLEGAL_ARGUMENT');
    return decodeURIComponent(raw);
  }

  private commentElement(c: FakeComment) {
    return {
      id: c.id,
      commentUrn: c.urn,
      $URN: c.urn,
      actor: c.actor,
      object: c.object,
      message: { text: c.text },
      created: { actor: c.actor, time: c.at },
      lastModified: { actor: c.actor, time: c.at },
    };
  }

  /**
   * Create: `actor` (a Page the member may post for, or the member), `object` (the post, equal to the
   * path's) and `message.text` are required; the text is stored as sent, plain (no little-text
   * parsing: a backslash shows). 201 with the comment and `x-restli-id`.
   */
  private createComment(req: RecordedRequest, t: Token): Reply {
    const urn = this.socialUrn(req);
    const b = req.body as Record<string, any>;
    if (b.__invalidJson !== undefined) refuse(400, 'Malformed JSON', 'ILLEGAL_ARGUMENT');
    for (const field of ['actor', 'object', 'message'])
      if (b[field] === undefined) refuse(422, `/${field} is required`, 'FIELD_REQUIRED');
    if (typeof b.message?.text !== 'string' || !b.message.text.trim())
      refuse(422, '/message/text is required', 'FIELD_REQUIRED');
    if (b.object !== urn) refuse(400, 'object must be the entity in the path', 'INVALID_VALUE_FOR_FIELD');
    this.requireActor(t, String(b.actor));
    const post = this.livePosts().find((p) => p.id === urn);
    if (!post) return err(404, `${urn} not found`);
    if ([...String(b.message.text)].length > 1250)
      refuse(422, 'message/text is longer than 1250 characters', 'FIELD_LENGTH_TOO_LONG');
    const id = String(this.seq++);
    const comment: FakeComment = {
      id,
      urn: `urn:li:comment:(${urn},${id})`,
      actor: String(b.actor),
      object: urn,
      text: b.message.text,
      at: this.now(),
    };
    this.comments.push(comment);
    return { status: 201, json: this.commentElement(comment), headers: { 'x-restli-id': id } };
  }

  /** The post's comments, oldest first, `start`/`count` (≤ 100); reading needs the post author's read scope. */
  private listComments(req: RecordedRequest, t: Token): Reply {
    const urn = this.socialUrn(req);
    const post = this.livePosts().find((p) => p.id === urn);
    if (!post) return err(404, `${urn} not found`);
    this.requireReader(t, post.author);
    const count = Number(req.query.count ?? 10);
    const start = Number(req.query.start ?? 0);
    if (!(count >= 1 && count <= 100)) refuse(400, 'count must be between 1 and 100', 'ILLEGAL_ARGUMENT');
    const all = this.comments.filter((c) => c.object === urn);
    return {
      json: {
        elements: all.slice(start, start + count).map((c) => this.commentElement(c)),
        paging: { start, count, total: all.length },
      },
    };
  }

  /** Posts that exist (not deleted). */
  livePosts(): FakePost[] {
    return this.posts.filter((p) => !p.deleted);
  }

  /** Revokes every token of a member (the member removed the app). */
  revoke(member = this.consentAs): void {
    for (const t of this.tokens.values()) if (t.member === member) t.revoked = true;
    for (const [k, r] of this.refreshTokens) if (r.member === member) this.refreshTokens.delete(k);
  }

  /** Makes an access token expire now. */
  expire(token: string): void {
    const t = this.tokens.get(token);
    if (t) t.expiresAt = this.now() - 1;
  }

  mediaStatus(urn: string): string | undefined {
    return this.media.get(urn)?.status;
  }

  // ---- OAuth ------------------------------------------------------------------------------

  private authorize(req: RecordedRequest): Reply {
    const q = req.query;
    if (q.response_type !== 'code') return { status: 400, text: 'response_type must be code' };
    if (q.client_id !== this.app.clientId) return { status: 401, text: 'Invalid client_id' };
    const redirect = q.redirect_uri ?? '';
    if (redirect.includes('#')) return { status: 401, text: 'Invalid redirect_uri' };
    // Query parameters on the registered URL are ignored when matching.
    const bare = (u: string) => u.split('?')[0];
    if (!this.app.redirectUris.some((r) => bare(r) === bare(redirect)))
      return { status: 401, text: 'The redirect_uri does not match the registered value' };
    const scopes = (q.scope ?? '').split(' ').filter(Boolean);
    if (scopes.length === 0 || (q.scope ?? '').includes(','))
      return { status: 400, text: 'scope must be space-delimited' };
    const unknown = scopes.filter((s) => !this.app.scopes.includes(s));
    if (unknown.length) return { status: 401, text: `Invalid scope: ${unknown.join(', ')}` };
    const back = new URL(redirect);
    if (this.consent === 'cancel') {
      back.searchParams.set('error', 'user_cancelled_authorize');
      back.searchParams.set('error_description', 'The user cancelled the authorization');
    } else {
      const code = `code-${randomBytes(8).toString('hex')}`;
      this.codes.set(code, { member: this.consentAs, scopes, redirectUri: redirect, at: this.now() });
      back.searchParams.set('code', code);
    }
    if (q.state) back.searchParams.set('state', q.state);
    return { redirect: back.toString() };
  }

  private token(req: RecordedRequest): Reply {
    const oauthError = (status: number, error: string, description: string): Reply => ({
      status,
      json: { error, error_description: description },
    });
    if (!String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded'))
      return oauthError(400, 'invalid_request', 'The request must be form-encoded');
    const f = req.body as Record<string, string>;
    if (req.query.client_secret) return oauthError(400, 'invalid_request', 'client_secret must not be in the URL');
    if (f.client_id !== this.app.clientId || f.client_secret !== this.app.clientSecret)
      return oauthError(401, 'invalid_client', 'Client authentication failed');
    const now = this.now();
    if (f.grant_type === 'authorization_code') {
      const grant = this.codes.get(f.code ?? '');
      if (!grant)
        return oauthError(400, 'invalid_request', 'Unable to retrieve access token: authorization code not found');
      this.codes.delete(f.code!);
      if (!f.redirect_uri) return oauthError(400, 'invalid_request', 'A required parameter "redirect_uri" is missing');
      if (f.redirect_uri !== grant.redirectUri || now - grant.at > 30 * 60_000)
        return oauthError(
          400,
          'invalid_redirect_uri',
          'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. ' +
            'Or authorization code expired.',
        );
      // A grant with a different scope set invalidates the member's earlier tokens.
      const scopeKey = [...grant.scopes].sort().join(' ');
      if (this.grants.has(grant.member) && this.grants.get(grant.member) !== scopeKey) this.revoke(grant.member);
      this.grants.set(grant.member, scopeKey);
      return { json: this.issue(grant.member, grant.scopes, null) };
    }
    if (f.grant_type === 'refresh_token') {
      const r = this.refreshTokens.get(f.refresh_token ?? '');
      if (!r || r.expiresAt <= now)
        return oauthError(
          400,
          'invalid_request',
          'The provided authorization grant or refresh token is invalid, expired or revoked.',
        );
      return { json: this.issue(r.member, r.scopes, f.refresh_token!) };
    }
    return oauthError(400, 'unsupported_grant_type', 'Unsupported grant type');
  }

  private issue(member: string, scopes: string[], refreshToken: string | null): Record<string, unknown> {
    const now = this.now();
    const access = `AQV${randomBytes(24).toString('hex')}`;
    this.tokens.set(access, { member, scopes, expiresAt: now + 5_184_000_000, revoked: false });
    const out: Record<string, unknown> = { access_token: access, expires_in: 5_184_000, scope: scopes.join(' ') };
    if (this.app.refreshTokens) {
      let rt = refreshToken;
      if (!rt) {
        rt = `AQX${randomBytes(24).toString('hex')}`;
        this.refreshTokens.set(rt, { member, scopes, expiresAt: now + 31_536_000_000 });
      }
      // Refreshing does not extend the refresh token: the remaining time is reported.
      out.refresh_token = rt;
      out.refresh_token_expires_in = Math.floor((this.refreshTokens.get(rt)!.expiresAt - now) / 1000);
    }
    return out;
  }

  // ---- the API gate -------------------------------------------------------------------------

  private api(req: RecordedRequest, handler: (t: Token) => Reply, versioned = true): Reply {
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('Bearer ') || auth.length <= 7) return err(401, 'Empty oauth2_access_token');
    const token = this.tokens.get(auth.slice(7));
    if (!token) return err(401, 'Invalid access token');
    if (token.revoked) return err(401, 'The token used in the request has been revoked by the user');
    if (token.expiresAt <= this.now()) return err(401, 'The token used in the request has expired');
    if (versioned) {
      const version = req.headers['linkedin-version'];
      if (!version)
        return {
          ...err(
            400,
            'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
            'VERSION_MISSING',
          ),
          headers: { 'x-restli-gateway-error': 'true' },
        };
      if (!this.activeVersions.includes(String(version)))
        return err(426, `Requested version ${version} is not active`, 'NONEXISTENT_VERSION');
      // Stricter than documented answers: the fake refuses Rest.li 1.0 outright.
      if (req.headers['x-restli-protocol-version'] !== '2.0.0')
        return err(400, 'X-Restli-Protocol-Version must be 2.0.0', 'ILLEGAL_ARGUMENT');
    }
    const day = Math.floor(this.now() / 86_400_000);
    const memberKey = `${day}:${token.member}`;
    const appKey = `${day}:app`;
    const memberCalls = (this.daily.get(memberKey) ?? 0) + 1;
    const appCalls = (this.daily.get(appKey) ?? 0) + 1;
    this.daily.set(memberKey, memberCalls);
    this.daily.set(appKey, appCalls);
    if (memberCalls > this.dailyLimits.member || appCalls > this.dailyLimits.app)
      return err(429, 'Resource level throttle limit for calls to this resource is reached.', 'TOO_MANY_REQUESTS');
    try {
      return handler(token);
    } catch (e) {
      if (e instanceof Refusal) return e.reply;
      throw e;
    }
  }

  /** The URN path key, which must arrive percent-encoded. */
  private pathUrn(req: RecordedRequest): string {
    const raw = req.path.split('/').pop()!;
    if (/[:(),]/.test(raw)) refuse(400, 'Syntax exception in path variables', 'ILLEGAL_ARGUMENT');
    return decodeURIComponent(raw);
  }

  private roleOn(member: string, org: string): string | null {
    const acl = this.acls.find(
      (a) => a.organization === org && a.roleAssignee === `urn:li:person:${member}` && a.state === 'APPROVED',
    );
    return acl?.role ?? null;
  }

  /** May this token act as `urn` (post, upload)? */
  private requireActor(t: Token, urn: string): void {
    if (/^urn:li:organization:\d+$/.test(urn)) {
      if (!t.scopes.includes('w_organization_social'))
        refuse(403, 'Not enough permissions: w_organization_social', 'ACCESS_DENIED');
      const role = this.roleOn(t.member, urn);
      if (!role || !POSTING_ROLES.has(role)) refuse(403, `Member is not an administrator of ${urn}`, 'ACCESS_DENIED');
      return;
    }
    if (/^urn:li:person:[A-Za-z0-9_-]+$/.test(urn)) {
      if (!t.scopes.includes('w_member_social'))
        refuse(403, 'Not enough permissions: w_member_social', 'ACCESS_DENIED');
      if (urn !== `urn:li:person:${t.member}`) refuse(403, 'Author must be the authenticated member', 'ACCESS_DENIED');
      return;
    }
    refuse(400, `Invalid URN: ${urn}`, 'INVALID_VALUE_FOR_FIELD');
  }

  // ---- organizations ----------------------------------------------------------------------------

  private listAcls(req: RecordedRequest, t: Token): Reply {
    if (!t.scopes.some((s) => s === 'rw_organization_admin' || s === 'r_organization_admin'))
      refuse(403, 'Not enough permissions to access: organizationAcls.FINDER-roleAssignee', 'ACCESS_DENIED');
    const q = req.query;
    if (q.q !== 'roleAssignee') refuse(400, 'Finder q=roleAssignee is required', 'ILLEGAL_ARGUMENT');
    const start = Number(q.start ?? 0);
    const count = Number(q.count ?? 10);
    const mine = this.acls.filter(
      (a) =>
        a.roleAssignee === `urn:li:person:${t.member}` &&
        (!q.role || a.role === q.role) &&
        (!q.state || a.state === q.state),
    );
    return { json: { elements: mine.slice(start, start + count), paging: { start, count, total: mine.length } } };
  }

  private organization(req: RecordedRequest, t: Token): Reply {
    if (!t.scopes.some((s) => s === 'rw_organization_admin' || s === 'r_organization_admin'))
      refuse(403, 'Not enough permissions to access: organizations.GET', 'ACCESS_DENIED');
    const id = req.path.split('/').pop()!;
    const org = this.organizations.get(id);
    if (!org) return err(404, `Organization ${id} not found`);
    return { json: org };
  }

  // ---- media ------------------------------------------------------------------------------

  private mediaAction(req: RecordedRequest, t: Token): Reply {
    const kind = req.path.endsWith('images') ? 'image' : 'video';
    const body = req.body as Record<string, any>;
    if (req.query.action === 'initializeUpload') {
      const init = body.initializeUploadRequest;
      if (!init?.owner) refuse(400, 'initializeUploadRequest.owner is required', 'INVALID_VALUE_FOR_FIELD');
      this.requireActor(t, init.owner);
      const n = ++this.seq;
      const urn = `urn:li:${kind}:C4D${n}`;
      if (kind === 'image') {
        this.media.set(urn, {
          urn,
          kind,
          owner: init.owner,
          status: 'WAITING_UPLOAD',
          readyAt: 0,
          bytes: 0,
          parts: [],
          uploadToken: '',
        });
        return {
          json: {
            value: {
              uploadUrlExpiresAt: this.now() + 86_400_000,
              uploadUrl: `${this.url}/dms-uploads/image/${n}`,
              image: urn,
            },
          },
        };
      }
      const size = Number(init.fileSizeBytes);
      if (!Number.isInteger(size) || size <= 0)
        refuse(400, 'initializeUploadRequest.fileSizeBytes is required', 'INVALID_VALUE_FOR_FIELD');
      const parts: Media['parts'] = [];
      for (let first = 0; first < size; first += VIDEO_PART)
        parts.push({ first, last: Math.min(first + VIDEO_PART, size) - 1, etag: null });
      const uploadToken = `ut-${n}`;
      this.media.set(urn, {
        urn,
        kind,
        owner: init.owner,
        status: 'WAITING_UPLOAD',
        readyAt: 0,
        bytes: size,
        parts,
        uploadToken,
      });
      return {
        json: {
          value: {
            video: urn,
            uploadToken,
            uploadUrlsExpireAt: this.now() + 86_400_000,
            uploadInstructions: parts.map((p, i) => ({
              uploadUrl: `${this.url}/dms-uploads/video/${n}/part/${i}`,
              firstByte: p.first,
              lastByte: p.last,
            })),
          },
        },
      };
    }
    if (req.query.action === 'finalizeUpload' && kind === 'video') {
      const fin = body.finalizeUploadRequest;
      const video = this.media.get(fin?.video ?? '');
      if (!video) refuse(400, `Unknown video ${fin?.video}`, 'INVALID_VALUE_FOR_FIELD');
      this.requireActor(t, video!.owner);
      if (fin.uploadToken !== video!.uploadToken) refuse(400, 'uploadToken does not match', 'INVALID_VALUE_FOR_FIELD');
      const strip = (e: string) => e.replace(/^"|"$/g, '');
      const sent = Array.isArray(fin.uploadedPartIds) ? fin.uploadedPartIds.map((e: string) => strip(String(e))) : [];
      const expected = video!.parts.map((p) => (p.etag ? strip(p.etag) : null));
      if (expected.includes(null) || JSON.stringify(sent) !== JSON.stringify(expected))
        refuse(400, 'uploadedPartIds must list every part ETag in order', 'INVALID_VALUE_FOR_FIELD');
      video!.status = 'PROCESSING';
      video!.readyAt = this.now() + this.processingMs;
      if (this.failNextVideo) {
        this.failNextVideo = false;
        video!.status = 'PROCESSING_FAILED';
      }
      return { status: 200, json: {} };
    }
    return err(400, `Unsupported action ${req.query.action}`, 'ILLEGAL_ARGUMENT');
  }

  private upload(req: RecordedRequest): Reply {
    const m = /^\/dms-uploads\/(image|video)\/(\d+)(?:\/part\/(\d+))?$/.exec(req.path);
    const media = m ? this.media.get(`urn:li:${m[1]}:C4D${m[2]}`) : undefined;
    if (!m || !media) return err(404, 'Unknown upload URL');
    const bytes = Buffer.isBuffer(req.body) ? req.body.length : req.raw.length;
    if (media.kind === 'image') {
      const auth = String(req.headers.authorization ?? '');
      const token = this.tokens.get(auth.replace(/^Bearer /, ''));
      if (!token || token.revoked) return err(401, 'Invalid access token');
      if (bytes === 0) return err(400, 'Empty upload');
      media.bytes = bytes;
      media.status = 'PROCESSING';
      media.readyAt = this.now() + this.processingMs;
      return { status: 201, text: '' };
    }
    const part = media.parts[Number(m[3])];
    if (!part) return err(400, 'Unknown part');
    if (bytes !== part.last - part.first + 1)
      return err(
        400,
        `Part ${m[3]} must be exactly bytes ${part.first}-${part.last} ` +
          `(${part.last - part.first + 1} bytes), got ${bytes}`,
      );
    part.etag = `"${randomBytes(6).toString('hex')}-${m[3]}"`;
    return { status: 200, text: '', headers: { etag: part.etag } };
  }

  private settle(media: Media): void {
    if (media.status === 'PROCESSING' && media.readyAt <= this.now()) media.status = 'AVAILABLE';
  }

  private mediaGet(req: RecordedRequest, t: Token): Reply {
    const urn = this.pathUrn(req);
    const media = this.media.get(urn);
    if (!media) return err(404, `${urn} not found`);
    if (media.owner.startsWith('urn:li:person:')) {
      // Member tokens cannot read images back; videos they own they can.
      if (media.kind === 'image' || media.owner !== `urn:li:person:${t.member}`)
        return err(
          403,
          'Accessing this resource is forbidden. Please check your permissions for this resource',
          'ACCESS_DENIED',
        );
    } else if (!this.roleOn(t.member, media.owner)) {
      return err(
        403,
        'Accessing this video resource is forbidden. Please check your permissions for this resource',
        'ACCESS_DENIED',
      );
    }
    this.settle(media);
    return {
      json: {
        id: urn,
        owner: media.owner,
        status: media.status,
        ...(media.status === 'PROCESSING_FAILED' ? { processingFailureReason: 'Video could not be transcoded' } : {}),
      },
    };
  }

  // ---- posts ------------------------------------------------------------------------------

  private createPost(req: RecordedRequest, t: Token): Reply {
    const b = req.body as Record<string, any>;
    if (b.__invalidJson !== undefined) refuse(400, 'Malformed JSON', 'ILLEGAL_ARGUMENT');
    for (const field of ['author', 'commentary', 'visibility', 'distribution', 'lifecycleState'])
      if (b[field] === undefined) refuse(422, `/${field} is required`, 'FIELD_REQUIRED');
    this.requireActor(t, String(b.author));
    if (!b.distribution?.feedDistribution) refuse(422, '/distribution/feedDistribution is required', 'FIELD_REQUIRED');
    if (b.lifecycleState !== 'PUBLISHED') refuse(422, 'lifecycleState must be PUBLISHED', 'INVALID_VALUE_FOR_FIELD');
    let commentary = String(b.commentary);
    if (commentary.length > 3000) refuse(422, 'commentary is longer than 3000 characters', 'FIELD_LENGTH_TOO_LONG');
    const problem = littleTextProblem(commentary);
    if (problem !== null) {
      if (this.commentaryMode === 'refuse')
        refuse(
          422,
          `commentary has an unescaped reserved character '${commentary[problem]}' at ${problem} ` +
            '(LinkedIn would cut the post there)',
          'INVALID_VALUE_FOR_FIELD',
        );
      commentary = commentary.slice(0, problem);
    }
    const content = b.content ?? null;
    let video = false;
    const checkMedia = (id: unknown, images: boolean, altText?: unknown) => {
      if (altText !== undefined && (typeof altText !== 'string' || altText.length > 4086))
        refuse(422, 'altText must be a string of at most 4086 characters', 'INVALID_VALUE_FOR_FIELD');
      const media = this.media.get(String(id));
      if (!media) refuse(400, `Unknown media ${String(id)}`, 'INVALID_VALUE_FOR_FIELD');
      if (images && media!.kind !== 'image') refuse(400, 'multiImage takes images only', 'INVALID_VALUE_FOR_FIELD');
      if (media!.owner !== b.author)
        refuse(400, `${String(id)} does not belong to ${b.author}`, 'INVALID_VALUE_FOR_FIELD');
      this.settle(media!);
      if (media!.status === 'PROCESSING_FAILED')
        refuse(400, 'MEDIA_ASSET_PROCESSING_FAILED', 'MEDIA_ASSET_PROCESSING_FAILED');
      if (media!.status !== 'AVAILABLE')
        refuse(400, `${String(id)} is not AVAILABLE yet`, 'MEDIA_ASSET_WAITING_UPLOAD');
      video ||= media!.kind === 'video';
    };
    if (content) {
      const kinds = Object.keys(content);
      if (kinds.length !== 1) refuse(422, 'content holds exactly one kind', 'INVALID_VALUE_FOR_FIELD');
      if (content.media) checkMedia(content.media.id, false, content.media.altText);
      else if (content.multiImage) {
        const images = content.multiImage.images;
        if (!Array.isArray(images) || images.length < 2 || images.length > 20)
          refuse(422, 'multiImage holds 2 to 20 images', 'INVALID_VALUE_FOR_FIELD');
        for (const image of images) checkMedia(image?.id, true, image?.altText);
      } else if (content.article) {
        if (!/^https?:\/\//.test(String(content.article.source ?? '')))
          refuse(422, '/content/article/source must be a URL', 'INVALID_VALUE_FOR_FIELD');
        if (!content.article.title) refuse(422, '/content/article/title is required', 'FIELD_REQUIRED');
      } else refuse(422, `Unsupported content ${kinds[0]}`, 'INVALID_VALUE_FOR_FIELD');
    }
    const id = `urn:li:${video ? 'ugcPost' : 'share'}:${7_000_000_000_000 + ++this.seq}`;
    const now = this.now();
    this.posts.push({
      id,
      author: String(b.author),
      commentary,
      content,
      createdAt: now,
      lastModifiedAt: now,
      lifecycleState: 'PUBLISHED',
      deleted: false,
    });
    return { status: 201, text: '', headers: { 'x-restli-id': id, 'content-type': 'application/json' } };
  }

  private element(p: FakePost): Record<string, unknown> {
    return {
      id: p.id,
      author: p.author,
      commentary: p.commentary,
      ...(p.content ? { content: p.content } : {}),
      visibility: 'PUBLIC',
      lifecycleState: p.lifecycleState,
      createdAt: p.createdAt,
      publishedAt: p.createdAt,
      lastModifiedAt: p.lastModifiedAt,
    };
  }

  private requireReader(t: Token, author: string): void {
    if (author.startsWith('urn:li:organization:')) {
      if (!t.scopes.includes('r_organization_social'))
        refuse(403, 'Not enough permissions: r_organization_social', 'ACCESS_DENIED');
      if (!this.roleOn(t.member, author)) refuse(403, `Member has no role on ${author}`, 'ACCESS_DENIED');
    } else if (!t.scopes.includes('r_member_social')) {
      // r_member_social is restricted to approved partners.
      refuse(403, 'Not enough permissions: r_member_social', 'ACCESS_DENIED');
    }
  }

  private findPosts(req: RecordedRequest, t: Token): Reply {
    const q = req.query;
    if (q.q !== 'author' || !q.author) refuse(400, 'Finder q=author with author is required', 'ILLEGAL_ARGUMENT');
    if (!/^urn:li:(organization|person):[A-Za-z0-9_-]+$/.test(q.author!))
      refuse(400, 'Invalid author URN', 'ILLEGAL_ARGUMENT');
    const count = Number(q.count ?? 10);
    const start = Number(q.start ?? 0);
    if (!(count >= 1 && count <= 100)) refuse(400, 'count must be between 1 and 100', 'ILLEGAL_ARGUMENT');
    if (q.sortBy && q.sortBy !== 'CREATED' && q.sortBy !== 'LAST_MODIFIED')
      refuse(400, 'Unknown sortBy', 'ILLEGAL_ARGUMENT');
    this.requireReader(t, q.author!);
    const key = q.sortBy === 'CREATED' ? 'createdAt' : 'lastModifiedAt';
    const all = this.livePosts()
      .filter((p) => p.author === q.author)
      .sort((a, b) => b[key] - a[key]);
    return {
      json: {
        elements: all.slice(start, start + count).map((p) => this.element(p)),
        paging: { start, count, total: all.length },
      },
    };
  }

  private getPost(req: RecordedRequest, t: Token): Reply {
    const urn = this.pathUrn(req);
    const post = this.livePosts().find((p) => p.id === urn);
    if (!post) return err(404, `${urn} not found`);
    this.requireReader(t, post.author);
    return { json: this.element(post) };
  }

  private deletePost(req: RecordedRequest, t: Token): Reply {
    if (req.headers['x-restli-method'] !== 'DELETE')
      refuse(400, 'X-RestLi-Method: DELETE is required', 'ILLEGAL_ARGUMENT');
    const urn = this.pathUrn(req);
    const post = this.posts.find((p) => p.id === urn);
    if (post) {
      this.requireActor(t, post.author);
      post.deleted = true;
    }
    return { status: 204, text: '' };
  }

  // ---- statistics -------------------------------------------------------------------------------

  /** Statistics and follower counts: rw_organization_admin, and the member an ADMINISTRATOR of the Page. */
  private requireAdmin(t: Token, org: string): void {
    if (!t.scopes.includes('rw_organization_admin'))
      refuse(403, 'Not enough permissions to access: organizationalEntityShareStatistics', 'ACCESS_DENIED');
    if (this.roleOn(t.member, org) !== 'ADMINISTRATOR')
      refuse(403, `Member is not an ADMINISTRATOR of ${org}`, 'ACCESS_DENIED');
  }

  /**
   * `GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=…`
   * with `shares=List(…)` or `ugcPosts=List(…)` (lifetime per post), or `timeIntervals=(…)` (per
   * day); organic only, the past 12 months only.
   */
  private shareStatistics(req: RecordedRequest, t: Token): Reply {
    const q = req.query;
    // Rest.li 1.0 array parameters are refused with a 403, as LinkedIn does.
    const indexed = /(?:^|&)((?:shares|ugcPosts)(?:\[|%5B)\d+)/i.exec(req.rawQuery);
    if (indexed)
      refuse(
        403,
        'Unpermitted fields present in PARAMETER: Data Processing Exception while processing fields ' +
          `[/${decodeURIComponent(indexed[1]!)}]]`,
        'ACCESS_DENIED',
      );
    if (q.q !== 'organizationalEntity' || !q.organizationalEntity)
      refuse(400, 'Finder q=organizationalEntity with organizationalEntity is required', 'ILLEGAL_ARGUMENT');
    const org = q.organizationalEntity!;
    if (!/^urn:li:organization:\d+$/.test(org)) refuse(400, 'Invalid organizationalEntity', 'ILLEGAL_ARGUMENT');
    if (/List%28|%28timeRange/i.test(req.rawQuery))
      refuse(400, 'Syntax exception in query parameters: List and ( ) must not be encoded', 'ILLEGAL_ARGUMENT');
    this.requireAdmin(t, org);
    if (q.shares && q.ugcPosts) refuse(400, 'shares and ugcPosts cannot be combined', 'ILLEGAL_ARGUMENT');
    const oldest = this.now() - STATS_WINDOW_MS;
    const list = q.shares ?? q.ugcPosts;
    if (list !== undefined) {
      const items = /^List\((.*)\)$/.exec(list)?.[1];
      if (items === undefined) refuse(400, 'shares/ugcPosts must be List(...)', 'ILLEGAL_ARGUMENT');
      const urns = items!.split(',').filter(Boolean);
      const kind = q.shares ? 'share' : 'ugcPost';
      for (const urn of urns)
        if (!urn.startsWith(`urn:li:${kind}:`)) refuse(400, `${urn} is not a ${kind} URN`, 'ILLEGAL_ARGUMENT');
      const elements = urns.flatMap((urn) => {
        const post = this.livePosts().find((p) => p.id === urn && p.author === org && p.createdAt >= oldest);
        if (!post) return [];
        const stats = this.shareStats.get(urn) ?? zeroStats();
        return [{ organizationalEntity: org, [kind]: urn, totalShareStatistics: stats }];
      });
      return { json: { elements, paging: { start: 0, count: 10, links: [] } } };
    }
    if (q.timeIntervals !== undefined) {
      const m = /^\(timeRange:\(start:(\d+),end:(\d+)\),timeGranularityType:(DAY|MONTH)\)$/.exec(q.timeIntervals);
      if (!m) refuse(400, 'Invalid timeIntervals', 'ILLEGAL_ARGUMENT');
      const [start, end] = [Number(m![1]), Number(m![2])];
      if (m![3] !== 'DAY') refuse(400, 'The fake serves DAY granularity only', 'ILLEGAL_ARGUMENT');
      const days = this.dailyStats.get(org) ?? new Map<string, ShareStatistics>();
      const elements = [];
      for (let at = start; at < end; at += 86_400_000) {
        if (at < oldest) continue;
        const day = new Date(at).toISOString().slice(0, 10);
        elements.push({
          organizationalEntity: org,
          timeRange: { start: at, end: at + 86_400_000 },
          totalShareStatistics: days.get(day) ?? zeroStats(),
        });
      }
      return { json: { elements, paging: { start: 0, count: 10, links: [] } } };
    }
    const all = zeroStats();
    for (const post of this.livePosts().filter((p) => p.author === org)) {
      const s = this.shareStats.get(post.id);
      if (!s) continue;
      for (const k of Object.keys(all) as (keyof ShareStatistics)[]) if (k !== 'engagement') all[k] += s[k];
    }
    return { json: { elements: [{ organizationalEntity: org, totalShareStatistics: all }] } };
  }

  /** `GET /rest/networkSizes/{encoded org urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`. */
  private networkSize(req: RecordedRequest, t: Token): Reply {
    const urn = this.pathUrn(req);
    if (req.query.edgeType !== 'COMPANY_FOLLOWED_BY_MEMBER')
      refuse(400, 'edgeType=COMPANY_FOLLOWED_BY_MEMBER is required', 'ILLEGAL_ARGUMENT');
    if (!/^urn:li:organization:\d+$/.test(urn)) refuse(400, 'Invalid organization URN', 'ILLEGAL_ARGUMENT');
    if (!t.scopes.some((s) => s === 'rw_organization_admin' || s === 'r_organization_admin'))
      refuse(403, 'Not enough permissions to access: networkSizes', 'ACCESS_DENIED');
    return { json: { firstDegreeSize: this.followerCounts.get(urn) ?? 0 } };
  }
}

function zeroStats(): ShareStatistics {
  return {
    impressionCount: 0,
    uniqueImpressionsCount: 0,
    clickCount: 0,
    likeCount: 0,
    commentCount: 0,
    shareCount: 0,
    engagement: 0,
  };
}
