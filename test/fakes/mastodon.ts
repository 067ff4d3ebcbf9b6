import { createHash, randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';

/**
 * A fake Mastodon instance (docs/platforms/mastodon.md): app registration, the OAuth consent and
 * token endpoints, verify_credentials, /api/v2/instance, media upload with asynchronous processing
 * and status creation with the Idempotency-Key, strict about what Mastodon refuses. Every answer
 * carries the X-RateLimit-* headers.
 *
 * Where the fake has to choose what Mastodon does not document, it says so:
 * - processing of an uploaded file ends after `processingPolls` asks of GET /api/v1/media/:id;
 * - the consent page is skipped: GET /oauth/authorize answers the redirect for `signedIn` at once.
 */

export interface FakeMastodonOptions {
  /** The fake's time (idempotency window, rate-limit reset). */
  now?: () => number;
  maxCharacters?: number;
  maxMediaAttachments?: number;
}

interface App {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  scopes: string[];
}

export interface FakeMastodonUser {
  id: string;
  username: string;
  displayName: string;
  avatar: string;
}

interface Media {
  id: string;
  userId: string;
  mime: string;
  size: number;
  description: string | null;
  pollsLeft: number;
  usedBy: string | null;
}

export interface FakeStatus {
  id: string;
  userId: string;
  text: string;
  spoilerText: string;
  visibility: string;
  language: string | null;
  mediaIds: string[];
  at: number;
  /** The status it answers (`in_reply_to_id`), for replies. */
  inReplyToId?: string | null;
}

const HOUR = 3_600_000;

/**
 * A status's text as Mastodon renders `content`: escaped, links as anchors, paragraphs in <p>, line
 * breaks as <br /> (app/lib/text_formatter.rb).
 */
function contentHtml(text: string): string {
  const escaped = (t: string) =>
    t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  const linked = (t: string) =>
    escaped(t).replace(
      /https?:\/\/[^\s<]+/g,
      (url) => `<a href="${url}" rel="nofollow noopener" target="_blank"><span class="invisible"></span>${url}</a>`,
    );
  return text
    .split(/\n\n+/)
    .map((p) => `<p>${linked(p).replace(/\n/g, '<br />')}</p>`)
    .join('');
}
const SCOPES = new Set(['read', 'write', 'read:accounts', 'read:statuses', 'write:statuses', 'write:media', 'profile']);

export class FakeMastodon extends FakeServer {
  readonly apps: App[] = [];
  readonly users: FakeMastodonUser[] = [];
  readonly statuses: FakeStatus[] = [];
  readonly media = new Map<string, Media>();
  /** The person the consent page acts for. */
  signedIn: FakeMastodonUser | null = null;
  /** Asks of GET /api/v1/media/:id before a file is processed. */
  processingPolls = 1;
  private readonly codes = new Map<
    string,
    { clientId: string; redirectUri: string; userId: string; scopes: string[]; challenge: string | null }
  >();
  private readonly tokens = new Map<string, { userId: string; scopes: string[]; revoked: boolean }>();
  private readonly idempotency = new Map<string, { statusId: string; at: number }>();
  private nextId = 109_000_000_000_000_000n;
  remaining = 300;
  private readonly options: Required<FakeMastodonOptions>;
  /** The instance's limits, changeable while it runs. */
  readonly limits: { maxCharacters: number; maxMediaAttachments: number };

  constructor(options: FakeMastodonOptions = {}) {
    super('mastodon');
    this.options = { now: Date.now, maxCharacters: 500, maxMediaAttachments: 4, ...options };
    this.limits = { maxCharacters: this.options.maxCharacters, maxMediaAttachments: this.options.maxMediaAttachments };
    const r = (m: string, p: RegExp, h: (req: RecordedRequest) => Reply | Promise<Reply>) =>
      this.route(m, p, async (req) => this.withRateHeaders(await h(req)));
    r('POST', /^\/api\/v1\/apps$/, (req) => this.registerApp(req));
    r('GET', /^\/oauth\/authorize$/, (req) => this.authorize(req));
    r('POST', /^\/oauth\/token$/, (req) => this.token(req));
    r('GET', /^\/api\/v1\/accounts\/verify_credentials$/, (req) => this.verify(req));
    r('GET', /^\/api\/v2\/instance$/, () => ({ json: this.instance() }));
    r('POST', /^\/api\/v2\/media$/, (req) => this.upload(req));
    r('GET', /^\/api\/v1\/media\/[^/]+$/, (req) => this.mediaStatus(req));
    r('POST', /^\/api\/v1\/statuses$/, (req) => this.createStatus(req));
    r('GET', /^\/api\/v1\/statuses\/[^/]+$/, (req) => this.getStatus(req));
    // Replies (first comments): the thread of a status.
    r('GET', /^\/api\/v1\/statuses\/[^/]+\/context$/, (req) => this.context(req));
  }

  /** The next POST /api/v1/statuses is carried out and its answer lost (the connection is cut). */
  loseNextStatusResponse(): void {
    this.inject({ method: 'POST', path: /^\/api\/v1\/statuses$/, fault: { kind: 'lose-response' } });
  }

  /** Replies to a status, oldest first. */
  repliesTo(statusId: string): FakeStatus[] {
    return this.statuses.filter((s) => s.inReplyToId === statusId);
  }

  /**
   * GET /api/v1/statuses/:id/context (https://docs.joinmastodon.org/methods/statuses/#context): the
   * ancestors and descendants of a status, each with its `account` and `in_reply_to_id`. A token,
   * when given, must hold read:statuses; an unknown status is 404.
   */
  private context(req: RecordedRequest): Reply {
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (token) {
      const u = this.user(req, 'read:statuses');
      if (!('id' in u)) return u;
    }
    const id = req.path.split('/')[4]!;
    const s = this.statuses.find((x) => x.id === id);
    if (!s || this.counters.get(id)?.deleted) return this.fail(404, 'Record not found');
    const view = (x: FakeStatus) => ({
      ...this.statusJson(x),
      content: contentHtml(x.text),
      in_reply_to_id: x.inReplyToId ?? null,
      account: { id: x.userId, username: this.users.find((u) => u.id === x.userId)!.username },
    });
    const descendants: FakeStatus[] = [];
    const walk = (parent: string) => {
      for (const child of this.repliesTo(parent)) {
        descendants.push(child);
        walk(child.id);
      }
    };
    walk(id);
    const ancestors: FakeStatus[] = [];
    for (let up = s.inReplyToId; up; ) {
      const parent = this.statuses.find((x) => x.id === up);
      if (!parent) break;
      ancestors.unshift(parent);
      up = parent.inReplyToId;
    }
    return { json: { ancestors: ancestors.map(view), descendants: descendants.map(view) } };
  }

  /** Counters of a status as people made them (favourites, boosts, replies); a deleted one answers 404. */
  readonly counters = new Map<string, { favourites: number; reblogs: number; replies: number; deleted?: boolean }>();
  /** Followers of each user, by user id. */
  readonly followers = new Map<string, number>();

  /**
   * GET /api/v1/statuses/:id (https://docs.joinmastodon.org/methods/statuses/#get): a token, when
   * given, must hold read:statuses; an unknown or deleted status is 404 "Record not found".
   */
  private getStatus(req: RecordedRequest): Reply {
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (token) {
      const u = this.user(req, 'read:statuses');
      if (!('id' in u)) return u;
    }
    const id = req.path.split('/').pop()!;
    const s = this.statuses.find((x) => x.id === id);
    const c = this.counters.get(id) ?? { favourites: 0, reblogs: 0, replies: 0 };
    if (!s || c.deleted) return this.fail(404, 'Record not found');
    return {
      json: {
        ...this.statusJson(s),
        favourites_count: c.favourites,
        reblogs_count: c.reblogs,
        replies_count: c.replies,
      },
    };
  }

  private id(): string {
    this.nextId += 1n;
    return String(this.nextId);
  }

  addUser(username: string): FakeMastodonUser {
    const user = {
      id: this.id(),
      username,
      displayName: `${username} (display)`,
      avatar: `${this.url}/avatars/${username}.png`,
    };
    this.users.push(user);
    return user;
  }

  /** A token for a user as if it had gone through the OAuth flow. */
  issueToken(userId: string, scopes = ['read:accounts', 'write:statuses', 'write:media']): string {
    const token = randomBytes(20).toString('base64url');
    this.tokens.set(token, { userId, scopes, revoked: false });
    return token;
  }

  revokeAll(userId: string): void {
    for (const t of this.tokens.values()) if (t.userId === userId) t.revoked = true;
  }

  /** Mastodon's rate-limit headers (https://docs.joinmastodon.org/api/rate-limits/). */
  private withRateHeaders(reply: Reply): Reply {
    this.remaining = Math.max(0, this.remaining - 1);
    const reset = new Date(Math.ceil(this.options.now() / 300_000) * 300_000 + 300_000).toISOString();
    return {
      ...reply,
      headers: {
        'x-ratelimit-limit': '300',
        'x-ratelimit-remaining': String(this.remaining),
        'x-ratelimit-reset': reset,
        ...reply.headers,
      },
    };
  }

  private fail(status: number, error: string): Reply {
    return { status, json: { error } };
  }

  private registerApp(req: RecordedRequest): Reply {
    const b = req.body as Record<string, string>;
    if (!b.client_name) return this.fail(422, "Validation failed: Application name can't be blank");
    if (!b.redirect_uris || !/^https?:\/\//.test(b.redirect_uris))
      return this.fail(422, 'Validation failed: Redirect URI must be an absolute URI.');
    const scopes = (b.scopes ?? 'read').split(' ');
    if (scopes.some((s) => !SCOPES.has(s))) return this.fail(422, 'Validation failed: Scopes are invalid');
    const app: App = {
      clientId: randomBytes(16).toString('hex'),
      clientSecret: randomBytes(16).toString('hex'),
      redirectUris: b.redirect_uris.split('\n'),
      scopes,
    };
    this.apps.push(app);
    return {
      json: {
        id: this.id(),
        name: b.client_name,
        website: b.website ?? null,
        scopes,
        redirect_uri: b.redirect_uris,
        redirect_uris: app.redirectUris,
        client_id: app.clientId,
        client_secret: app.clientSecret,
      },
    };
  }

  private authorize(req: RecordedRequest): Reply {
    const q = req.query;
    const app = this.apps.find((a) => a.clientId === q.client_id);
    if (!app || q.response_type !== 'code' || !app.redirectUris.includes(q.redirect_uri ?? ''))
      return { status: 400, text: 'The redirect uri included is not valid.' };
    const scopes = (q.scope ?? 'read').split(' ');
    if (scopes.some((s) => !app.scopes.includes(s))) return { status: 400, text: 'The requested scope is invalid.' };
    if (!this.signedIn) return { status: 200, text: '<form>Log in</form>' };
    const code = randomBytes(16).toString('hex');
    if (q.code_challenge && q.code_challenge_method !== 'S256')
      return { status: 400, text: 'The code challenge method must be S256.' };
    const challenge = q.code_challenge ?? null;
    this.codes.set(code, {
      clientId: app.clientId,
      redirectUri: q.redirect_uri!,
      userId: this.signedIn.id,
      scopes,
      challenge,
    });
    const back = new URL(q.redirect_uri!);
    back.searchParams.set('code', code);
    if (q.state) back.searchParams.set('state', q.state);
    return { status: 302, redirect: back.toString() };
  }

  private token(req: RecordedRequest): Reply {
    const b = req.body as Record<string, string>;
    const app = this.apps.find((a) => a.clientId === b.client_id && a.clientSecret === b.client_secret);
    if (!app)
      return { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    const code = this.codes.get(b.code ?? '');
    if (
      b.grant_type !== 'authorization_code' ||
      !code ||
      code.clientId !== app.clientId ||
      code.redirectUri !== b.redirect_uri
    )
      return {
        status: 400,
        json: { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid' },
      };
    // PKCE (4.3+): a code asked for with a challenge needs its verifier.
    const verified = createHash('sha256')
      .update(b.code_verifier ?? '')
      .digest('base64url');
    if (code.challenge !== null && verified !== code.challenge)
      return { status: 400, json: { error: 'invalid_grant', error_description: 'The code verifier does not match' } };
    this.codes.delete(b.code!);
    const token = this.issueToken(code.userId, code.scopes);
    return { json: { access_token: token, token_type: 'Bearer', scope: code.scopes.join(' '), created_at: 1 } };
  }

  private user(req: RecordedRequest, scope: string): FakeMastodonUser | Reply {
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const t = token ? this.tokens.get(token) : undefined;
    if (!t || t.revoked) return this.fail(401, 'The access token is invalid');
    const [group] = scope.split(':');
    if (!t.scopes.includes(scope) && !t.scopes.includes(group!))
      return this.fail(403, 'This action is outside the authorized scopes');
    return this.users.find((u) => u.id === t.userId)!;
  }

  private verify(req: RecordedRequest): Reply {
    const u = this.user(req, 'read:accounts');
    if (!('id' in u)) return u;
    return {
      json: {
        id: u.id,
        username: u.username,
        acct: u.username,
        display_name: u.displayName,
        avatar: u.avatar,
        url: `${this.url}/@${u.username}`,
        followers_count: this.followers.get(u.id) ?? 0,
        following_count: 0,
        statuses_count: this.statuses.filter((s) => s.userId === u.id).length,
      },
    };
  }

  instance() {
    return {
      domain: new URL(this.url).host,
      configuration: {
        statuses: {
          max_characters: this.limits.maxCharacters,
          max_media_attachments: this.limits.maxMediaAttachments,
          characters_reserved_per_url: 23,
        },
        media_attachments: {
          supported_mime_types: ['image/jpeg', 'image/png', 'image/webp', 'video/mp4'],
          image_size_limit: 16_777_216,
          video_size_limit: 103_809_024,
        },
      },
    };
  }

  private async upload(req: RecordedRequest): Promise<Reply> {
    const u = this.user(req, 'write:media');
    if (!('id' in u)) return u;
    const type = String(req.headers['content-type'] ?? '');
    if (!type.startsWith('multipart/form-data')) return this.fail(422, 'Validation failed: File is invalid');
    const form = await new Response(new Uint8Array(req.raw), { headers: { 'content-type': type } }).formData();
    const file = form.get('file');
    if (!(file instanceof Blob) || file.size === 0) return this.fail(422, 'Validation failed: File is invalid');
    if (!this.instance().configuration.media_attachments.supported_mime_types.includes(file.type))
      return this.fail(422, 'Validation failed: File content type is invalid');
    const description = form.get('description');
    const media: Media = {
      id: this.id(),
      userId: u.id,
      mime: file.type,
      size: file.size,
      description: typeof description === 'string' ? description : null,
      pollsLeft: this.processingPolls,
      usedBy: null,
    };
    this.media.set(media.id, media);
    return { status: media.pollsLeft > 0 ? 202 : 200, json: this.attachment(media) };
  }

  private attachment(m: Media) {
    const done = m.pollsLeft <= 0;
    return {
      id: m.id,
      type: m.mime.startsWith('video/') ? 'video' : 'image',
      url: done ? `${this.url}/media/${m.id}` : null,
      preview_url: `${this.url}/media/${m.id}/small`,
      description: m.description,
    };
  }

  private mediaStatus(req: RecordedRequest): Reply {
    const u = this.user(req, 'write:media');
    if (!('id' in u)) return u;
    const m = this.media.get(req.path.split('/').pop()!);
    if (!m || m.userId !== u.id) return this.fail(404, 'Record not found');
    if (m.pollsLeft > 0) {
      m.pollsLeft--;
      if (m.pollsLeft > 0) return { status: 206, json: this.attachment(m) };
    }
    return { json: this.attachment(m) };
  }

  private statusJson(s: FakeStatus) {
    return {
      id: s.id,
      created_at: new Date(s.at).toISOString(),
      url: `${this.url}/@${this.users.find((u) => u.id === s.userId)!.username}/${s.id}`,
      content: `<p>${s.text}</p>`,
      spoiler_text: s.spoilerText,
      visibility: s.visibility,
      language: s.language,
      media_attachments: s.mediaIds.map((id) => this.attachment(this.media.get(id)!)),
    };
  }

  private createStatus(req: RecordedRequest): Reply {
    const u = this.user(req, 'write:statuses');
    if (!('id' in u)) return u;
    const key = req.headers['idempotency-key'];
    const seen = typeof key === 'string' ? this.idempotency.get(`${u.id}:${key}`) : undefined;
    // Mastodon keeps the key for an hour and answers the same status (app/controllers/api/v1/statuses_controller.rb).
    if (seen && this.options.now() - seen.at < HOUR)
      return { json: this.statusJson(this.statuses.find((s) => s.id === seen.statusId)!) };
    const b = req.body as Record<string, unknown>;
    if (b.__invalidJson !== undefined) return this.fail(400, 'Invalid JSON');
    const text = typeof b.status === 'string' ? b.status : '';
    const mediaIds = Array.isArray(b.media_ids) ? (b.media_ids as unknown[]).map(String) : [];
    if (!text && mediaIds.length === 0) return this.fail(422, "Validation failed: Text can't be blank");
    const spoiler = typeof b.spoiler_text === 'string' ? b.spoiler_text : '';
    // Every URL counts as characters_reserved_per_url (23), whatever its length.
    const urls = text.match(/https?:\/\/\S+/g) ?? [];
    const length = [...text.replace(/https?:\/\/\S+/g, '')].length + urls.length * 23 + [...spoiler].length;
    if (length > this.limits.maxCharacters)
      return this.fail(422, `Validation failed: Text character limit of ${this.limits.maxCharacters} exceeded`);
    if (mediaIds.length > this.limits.maxMediaAttachments)
      return this.fail(422, 'Validation failed: Media attachments limit exceeded');
    const visibility = b.visibility ?? 'public';
    if (!['public', 'unlisted', 'private', 'direct'].includes(String(visibility)))
      return this.fail(422, 'Validation failed: Visibility is not included in the list');
    // A reply names a status that exists (PostStatusService finds it or answers 404).
    const inReplyTo = b.in_reply_to_id === undefined || b.in_reply_to_id === null ? null : String(b.in_reply_to_id);
    if (inReplyTo !== null && !this.statuses.some((x) => x.id === inReplyTo && !this.counters.get(x.id)?.deleted))
      return this.fail(404, 'Record not found');
    const files = mediaIds.map((id) => this.media.get(id));
    if (files.some((m) => !m || m.userId !== u.id || m.usedBy))
      return this.fail(422, 'Validation failed: Media is invalid');
    if (files.some((m) => m!.pollsLeft > 0))
      return this.fail(422, 'Cannot attach files that have not finished processing. Try again in a moment!');
    const status: FakeStatus = {
      id: this.id(),
      userId: u.id,
      text,
      spoilerText: spoiler,
      visibility: String(visibility),
      language: typeof b.language === 'string' ? b.language : null,
      mediaIds,
      at: this.options.now(),
      inReplyToId: inReplyTo,
    };
    for (const m of files) m!.usedBy = status.id;
    this.statuses.push(status);
    if (typeof key === 'string') this.idempotency.set(`${u.id}:${key}`, { statusId: status.id, at: status.at });
    return { json: this.statusJson(status) };
  }
}
