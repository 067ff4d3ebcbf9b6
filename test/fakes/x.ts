// A strict fake of the X API v2 (docs/platforms/x.md): OAuth 2.0 with PKCE and rotating refresh
// tokens, the v2 media upload (initialize/append/finalize/status; the legacy command form is
// refused, as the vendor's current reference has only dedicated paths), POST /2/tweets with
// unknown fields refused, duplicate content refused, x-rate-limit-* headers, the user timeline.
import { createHash, randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';
import { xWeightedLength } from '../../src/platforms/x/text.js';

export interface FakeXUser {
  id: string;
  username: string;
  name: string;
}
interface Tweet {
  id: string;
  text: string;
  authorId: string;
  createdAt: number;
  replyTo: string | null;
  mediaIds: string[];
}
interface Media {
  id: string;
  owner: string;
  total: number;
  received: number;
  segments: number;
  state: 'uploading' | 'pending' | 'in_progress' | 'succeeded' | 'failed';
  polls: number;
  category: string;
}

const problem = (status: number, type: string, title: string, detail: string): Reply => ({
  status,
  json: { type, title, detail, status },
  headers: { 'content-type': 'application/problem+json' },
});

const PUBLIC_METRICS = [
  'retweet_count',
  'reply_count',
  'like_count',
  'quote_count',
  'bookmark_count',
  'impression_count',
] as const;
const TWEET_FIELDS = ['attachments', 'author_id', 'created_at', 'edit_history_tweet_ids', 'id', 'lang', 'text'].concat([
  'public_metrics',
  'non_public_metrics',
  'organic_metrics',
  'conversation_id',
  'entities',
]);
const USER_FIELDS = ['created_at', 'description', 'id', 'name', 'profile_image_url', 'public_metrics', 'username'];

export class FakeX {
  readonly server = new FakeServer('x');
  readonly users: FakeXUser[] = [];
  readonly tweets: Tweet[] = [];
  readonly media = new Map<string, Media>();
  nextConsent: { userId: string; deny?: boolean; scopes?: string[] } | null = null;
  /** Polls a video stays in_progress. */
  processingPolls = 1;
  private codes = new Map<
    string,
    { userId: string; challenge: string; redirect: string; scopes: string[]; at: number }
  >();
  private access = new Map<string, { userId: string; expires: number; scopes: string[] }>();
  /** Public metrics people made of each post, by id (absent: all 0). */
  readonly metrics = new Map<string, Partial<Record<(typeof PUBLIC_METRICS)[number], number>>>();
  /** Followers of each user, by id. */
  readonly followers = new Map<string, number>();
  private refresh = new Map<string, { userId: string; family: string; used: boolean; scopes: string[] }>();
  private revokedFamilies = new Set<string>();
  private seq = 1_800_000_000_000_000_000n;
  /** What is left of the 15-minute window of POST /2/tweets (100 per user). */
  postsLeft = 100;

  constructor(readonly app: { clientId: string; clientSecret: string; redirectUris: string[]; now: () => number }) {
    const s = this.server;
    s.route('GET', /^\/i\/oauth2\/authorize$/, (r) => this.authorize(r));
    s.route('POST', /^\/2\/oauth2\/token$/, (r) => this.token(r));
    s.route('GET', /^\/2\/users\/me$/, (r) => this.authed(r, (u) => this.me(r, u)));
    s.route('GET', /^\/2\/tweets$/, (r) => this.authed(r, () => this.lookup(r), ['tweet.read', 'users.read']));
    s.route('POST', /^\/2\/media\/upload\/initialize$/, (r) => this.authed(r, (u) => this.initialize(r, u)));
    s.route('POST', /^\/2\/media\/upload\/\d+\/append$/, (r) => this.authed(r, (u) => this.append(r, u)));
    s.route('POST', /^\/2\/media\/upload\/\d+\/finalize$/, (r) => this.authed(r, (u) => this.finalize(r, u)));
    s.route('GET', /^\/2\/media\/upload$/, (r) => this.authed(r, (u) => this.status(r, u)));
    s.route('POST', /^\/2\/media\/upload$/, () =>
      problem(404, 'about:blank', 'Not Found', 'The command form is gone.'),
    );
    s.route('POST', /^\/2\/media\/metadata$/, (r) =>
      this.authed(r, () => ({ json: { data: { associated_metadata: true } } })),
    );
    s.route('POST', /^\/2\/tweets$/, (r) => this.authed(r, (u) => this.create(r, u), ['tweet.write']));
    s.route('GET', /^\/2\/users\/\d+\/tweets$/, (r) =>
      this.authed(r, (u) => this.timeline(r, u), ['tweet.read', 'users.read']),
    );
  }

  // ---- replies (first comments) ---------------------------------------------------------------

  /** The app's tier gives no reads: the timeline answers 403 client-forbidden. */
  readsRefused = false;

  /** The next POST /2/tweets is carried out and its answer lost (the connection is cut). */
  loseNextTweetResponse(): void {
    this.server.inject({ method: 'POST', path: /^\/2\/tweets$/, fault: { kind: 'lose-response' } });
  }

  /** Replies to a post, in order: duplicates show here. */
  repliesTo(tweetId: string): Tweet[] {
    return this.tweets.filter((t) => t.replyTo === tweetId);
  }

  /**
   * `referenced_tweets` of a post when `tweet.fields` asks for it
   * (https://docs.x.com/x-api/fundamentals/data-dictionary).
   */
  private references(r: RecordedRequest, t: Tweet): Record<string, unknown> {
    const fields = (r.query['tweet.fields'] ?? r.query['post.fields'] ?? '').split(',');
    return fields.includes('referenced_tweets') && t.replyTo
      ? { referenced_tweets: [{ type: 'replied_to', id: t.replyTo }] }
      : {};
  }

  start(): Promise<string> {
    return this.server.start();
  }
  stop(): Promise<void> {
    return this.server.stop();
  }

  addUser(u: Omit<FakeXUser, 'id'>): FakeXUser {
    const user = { id: String(1000 + this.users.length), ...u };
    this.users.push(user);
    return user;
  }

  /** Every access token of a user stops working (the person revoked the app). */
  revoke(userId: string): void {
    for (const [k, v] of this.access) if (v.userId === userId) this.access.delete(k);
    for (const [k, v] of this.refresh) if (v.userId === userId) this.refresh.delete(k);
  }

  /** A token for tests that start from a connected account. */
  issue(userId: string): { access: string; refresh: string } {
    return this.pair(userId, randomBytes(4).toString('hex'), [
      'tweet.read',
      'tweet.write',
      'users.read',
      'media.write',
      'offline.access',
    ]);
  }

  private pair(userId: string, family: string, scopes: string[]) {
    const access = `at-${randomBytes(8).toString('hex')}`;
    const refresh = `rt-${randomBytes(8).toString('hex')}`;
    this.access.set(access, { userId, expires: this.app.now() + 7_200_000, scopes });
    this.refresh.set(refresh, { userId, family, used: false, scopes });
    return { access, refresh };
  }

  private authorize(r: RecordedRequest): Reply {
    const q = r.query;
    if (q.response_type !== 'code' || q.client_id !== this.app.clientId) return { status: 400, text: 'bad client' };
    if (!q.state || q.state.length > 500) return { status: 400, text: 'state required' };
    if (!q.code_challenge || !['S256', 'plain'].includes(q.code_challenge_method ?? ''))
      return { status: 400, text: 'PKCE required' };
    if (!this.app.redirectUris.includes(q.redirect_uri ?? '')) return { status: 400, text: 'redirect_uri mismatch' };
    const consent = this.nextConsent;
    this.nextConsent = null;
    const to = new URL(q.redirect_uri!);
    to.searchParams.set('state', q.state);
    if (!consent || consent.deny) to.searchParams.set('error', 'access_denied');
    else {
      const code = `code-${randomBytes(6).toString('hex')}`;
      this.codes.set(code, {
        userId: consent.userId,
        challenge:
          q.code_challenge_method === 'S256'
            ? q.code_challenge
            : createHash('sha256').update(q.code_challenge).digest('base64url'),
        redirect: q.redirect_uri!,
        scopes: consent.scopes ?? (q.scope ?? '').split(' '),
        at: this.app.now(),
      });
      to.searchParams.set('code', code);
    }
    return { redirect: to.toString() };
  }

  private token(r: RecordedRequest): Reply {
    const basic = `Basic ${Buffer.from(`${this.app.clientId}:${this.app.clientSecret}`).toString('base64')}`;
    if (r.headers.authorization !== basic)
      return {
        status: 401,
        json: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' },
      };
    const b = r.body as Record<string, string>;
    const answer = (userId: string, family: string, scopes: string[]): Reply => {
      const p = this.pair(userId, family, scopes);
      return {
        json: {
          token_type: 'bearer',
          expires_in: 7200,
          access_token: p.access,
          scope: scopes.join(' '),
          ...(scopes.includes('offline.access') ? { refresh_token: p.refresh } : {}),
        },
      };
    };
    if (b.grant_type === 'authorization_code') {
      const c = this.codes.get(b.code ?? '');
      this.codes.delete(b.code ?? '');
      if (!c || this.app.now() - c.at > 30_000 || c.redirect !== b.redirect_uri)
        return {
          status: 400,
          json: { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' },
        };
      if (
        createHash('sha256')
          .update(b.code_verifier ?? '')
          .digest('base64url') !== c.challenge
      )
        return { status: 400, json: { error: 'invalid_request', error_description: 'code_verifier mismatch' } };
      return answer(c.userId, randomBytes(4).toString('hex'), c.scopes);
    }
    if (b.grant_type === 'refresh_token') {
      const t = this.refresh.get(b.refresh_token ?? '');
      if (!t || t.used || this.revokedFamilies.has(t.family)) {
        // A rotated token presented again revokes its whole family.
        if (t) this.revokedFamilies.add(t.family);
        return {
          status: 400,
          json: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' },
        };
      }
      t.used = true;
      return answer(t.userId, t.family, t.scopes);
    }
    return { status: 400, json: { error: 'unsupported_grant_type' } };
  }

  private authed(
    r: RecordedRequest,
    then: (u: FakeXUser) => Reply | Promise<Reply>,
    scopes: string[] = [],
  ): Reply | Promise<Reply> {
    const token = String(r.headers.authorization ?? '').replace(/^Bearer /, '');
    const a = this.access.get(token);
    if (!a || a.expires < this.app.now()) return problem(401, 'about:blank', 'Unauthorized', 'Unauthorized');
    // Each endpoint lists the scopes a user token needs (https://docs.x.com/x-api/posts/lookup/introduction).
    if (scopes.some((s) => !a.scopes.includes(s))) return problem(403, 'about:blank', 'Forbidden', 'Forbidden');
    return then(this.users.find((u) => u.id === a.userId)!);
  }

  /** GET /2/users/me; `user.fields=public_metrics` adds the counts. */
  private me(r: RecordedRequest, u: FakeXUser): Reply {
    const fields = (r.query['user.fields'] ?? '').split(',').filter(Boolean);
    const bad = fields.filter((f) => !USER_FIELDS.includes(f));
    if (bad.length)
      return problem(400, 'https://api.x.com/2/problems/invalid-request', 'Invalid Request', `user.fields: ${bad}`);
    const metrics = {
      followers_count: this.followers.get(u.id) ?? 0,
      following_count: 0,
      tweet_count: this.tweets.filter((t) => t.authorId === u.id).length,
      listed_count: 0,
      like_count: 0,
      media_count: 0,
    };
    return {
      json: {
        data: {
          ...u,
          profile_image_url: `https://pbs.example/${u.id}.jpg`,
          ...(fields.includes('public_metrics') ? { public_metrics: metrics } : {}),
        },
      },
    };
  }

  /**
   * GET /2/tweets?ids= (https://docs.x.com/x-api/posts/lookup/introduction): 1 to 100 numeric ids;
   * a missing post is reported under `errors` (resource-not-found), not as an HTTP error.
   */
  private lookup(r: RecordedRequest): Reply {
    const invalid = (d: string) => problem(400, 'https://api.x.com/2/problems/invalid-request', 'Invalid Request', d);
    const ids = (r.query.ids ?? '').split(',').filter(Boolean);
    if (ids.length < 1 || ids.length > 100)
      return invalid(`The \`ids\` query parameter value [${r.query.ids ?? ''}] is not between 1 and 100`);
    if (ids.some((id) => !/^\d{1,19}$/.test(id))) return invalid('The `ids` query parameter value is not valid');
    const fields = (r.query['tweet.fields'] ?? '').split(',').filter(Boolean);
    const bad = fields.filter((f) => !TWEET_FIELDS.includes(f));
    if (bad.length)
      return invalid(`The query parameter [tweet.fields] value [${bad}] is not one of the allowed values`);
    const data = [];
    const errors = [];
    for (const id of ids) {
      const t = this.tweets.find((x) => x.id === id);
      if (!t) {
        errors.push({
          value: id,
          detail: `Could not find tweet with ids: [${id}].`,
          title: 'Not Found Error',
          resource_type: 'tweet',
          parameter: 'ids',
          resource_id: id,
          type: 'https://api.x.com/2/problems/resource-not-found',
        });
        continue;
      }
      const m = this.metrics.get(id) ?? {};
      data.push({
        id,
        text: t.text,
        edit_history_tweet_ids: [id],
        ...(fields.includes('public_metrics')
          ? { public_metrics: Object.fromEntries(PUBLIC_METRICS.map((k) => [k, m[k] ?? 0])) }
          : {}),
      });
    }
    return { json: { ...(data.length ? { data } : {}), ...(errors.length ? { errors } : {}) } };
  }

  /** A post as if it had been published before the test. */
  addTweet(authorId: string, text: string): string {
    const id = String(this.seq++);
    this.tweets.push({ id, text, authorId, createdAt: this.app.now(), replyTo: null, mediaIds: [] });
    return id;
  }

  /** A token with only some scopes (connected before results asked for more). */
  issueWith(userId: string, scopes: string[]): string {
    return this.pair(userId, randomBytes(4).toString('hex'), scopes).access;
  }

  private initialize(r: RecordedRequest, u: FakeXUser): Reply {
    const b = r.body as Record<string, unknown>;
    const keys = Object.keys(b).filter(
      (k) => !['media_type', 'total_bytes', 'media_category', 'additional_owners', 'shared'].includes(k),
    );
    if (keys.length || typeof b.total_bytes !== 'number' || b.total_bytes <= 0)
      return problem(400, 'https://api.x.com/2/problems/invalid-request', 'Invalid Request', 'bad initialize');
    if (
      !/^(image|video)\//.test(String(b.media_type)) ||
      !['tweet_image', 'tweet_gif', 'tweet_video', 'amplify_video'].includes(String(b.media_category))
    )
      return problem(
        400,
        'https://api.x.com/2/problems/invalid-request',
        'Invalid Request',
        'media_type or media_category',
      );
    const id = String(this.seq++);
    this.media.set(id, {
      id,
      owner: u.id,
      total: b.total_bytes,
      received: 0,
      segments: 0,
      state: 'uploading',
      polls: 0,
      category: String(b.media_category),
    });
    return { json: { data: { id, media_key: `3_${id}`, expires_after_secs: 86400 } } };
  }

  private async multipart(r: RecordedRequest): Promise<FormData | null> {
    const type = String(r.headers['content-type'] ?? '');
    if (!type.startsWith('multipart/form-data')) return null;
    return new Request('http://x/', {
      method: 'POST',
      body: new Uint8Array(r.raw),
      headers: { 'content-type': type },
    }).formData();
  }

  private append(r: RecordedRequest, u: FakeXUser): Reply | Promise<Reply> {
    const m = this.media.get(r.path.split('/')[4]!);
    if (!m || m.owner !== u.id || m.state !== 'uploading')
      return problem(400, 'https://api.x.com/2/problems/invalid-request', 'Invalid Request', 'unknown media');
    return this.pendingAppend(r, m);
  }

  private async pendingAppend(r: RecordedRequest, m: Media): Promise<Reply> {
    const form = await this.multipart(r);
    const media = form?.get('media');
    if (!form || !(media instanceof Blob) || Number(form.get('segment_index')) !== m.segments)
      return problem(
        400,
        'https://api.x.com/2/problems/invalid-request',
        'Invalid Request',
        'segment_index must be contiguous',
      );
    m.segments++;
    m.received += media.size;
    return { status: 200, json: { data: { expires_at: 0 } } };
  }

  private finalize(r: RecordedRequest, u: FakeXUser): Reply {
    const m = this.media.get(r.path.split('/')[4]!);
    if (!m || m.owner !== u.id || m.state !== 'uploading' || m.received !== m.total)
      return problem(
        400,
        'https://api.x.com/2/problems/invalid-request',
        'Invalid Request',
        'bytes received differ from total_bytes',
      );
    const video = m.category !== 'tweet_image';
    m.state = video ? 'pending' : 'succeeded';
    return {
      json: {
        data: {
          id: m.id,
          media_key: `3_${m.id}`,
          size: m.total,
          expires_after_secs: 86400,
          ...(video ? { processing_info: { state: 'pending', check_after_secs: 2 } } : {}),
        },
      },
    };
  }

  private status(r: RecordedRequest, u: FakeXUser): Reply {
    const m = this.media.get(r.query.media_id ?? '');
    if (!m || m.owner !== u.id)
      return problem(404, 'https://api.x.com/2/problems/resource-not-found', 'Not Found', 'media');
    if (m.state === 'pending' || m.state === 'in_progress')
      m.state = ++m.polls > this.processingPolls ? 'succeeded' : 'in_progress';
    return {
      json: { data: { id: m.id, processing_info: { state: m.state, check_after_secs: 2, progress_percent: 50 } } },
    };
  }

  private create(r: RecordedRequest, u: FakeXUser): Reply {
    const b = r.body as Record<string, any>;
    const invalid = (d: string) => problem(400, 'https://api.x.com/2/problems/invalid-request', 'Invalid Request', d);
    // CreatePostsRequest has additionalProperties: false.
    const unknown = Object.keys(b).filter(
      (k) => !['text', 'media', 'reply', 'reply_settings', 'made_with_ai'].includes(k),
    );
    if (unknown.length) return invalid(`unknown fields: ${unknown.join(',')}`);
    const text = typeof b.text === 'string' ? b.text : '';
    const mediaIds: string[] = b.media?.media_ids ?? [];
    if (!text && !mediaIds.length) return invalid('text or media required');
    if (xWeightedLength(text) > 280)
      return problem(403, 'about:blank', 'Forbidden', 'You are not permitted to perform this action.');
    if (b.media && (!Array.isArray(mediaIds) || mediaIds.length < 1 || mediaIds.length > 4))
      return invalid('media_ids 1-4');
    for (const id of mediaIds) {
      const m = this.media.get(id);
      if (!m || m.owner !== u.id || m.state !== 'succeeded') return invalid(`media ${id} is not ready`);
    }
    if (b.reply && !this.tweets.some((t) => t.id === b.reply.in_reply_to_tweet_id))
      return invalid('in_reply_to_tweet_id');
    const reset = String(Math.ceil(this.app.now() / 1000) + 900);
    if (this.postsLeft <= 0)
      return {
        ...problem(429, 'about:blank', 'Too Many Requests', 'Too Many Requests'),
        headers: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset },
      };
    if (text && this.tweets.some((t) => t.authorId === u.id && t.text === text))
      return problem(403, 'about:blank', 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
    this.postsLeft--;
    const tweet: Tweet = {
      id: String(this.seq++),
      text,
      authorId: u.id,
      createdAt: this.app.now(),
      replyTo: b.reply?.in_reply_to_tweet_id ?? null,
      mediaIds,
    };
    this.tweets.push(tweet);
    return {
      status: 201,
      json: { data: { id: tweet.id, text, edit_history_tweet_ids: [tweet.id] } },
      headers: {
        'x-rate-limit-limit': '100',
        'x-rate-limit-remaining': String(this.postsLeft),
        'x-rate-limit-reset': reset,
      },
    };
  }

  private timeline(r: RecordedRequest, u: FakeXUser): Reply {
    if (r.path.split('/')[3] !== u.id)
      return problem(403, 'https://api.x.com/2/problems/not-authorized-for-resource', 'Forbidden', 'not yours');
    if (this.readsRefused)
      return problem(403, 'https://api.x.com/2/problems/client-forbidden', 'Client Forbidden', 'reads not allowed');
    const since = r.query.start_time ? Date.parse(r.query.start_time) : 0;
    const excluded = (r.query.exclude ?? '').split(',');
    const data = this.tweets
      .filter((t) => t.authorId === u.id && t.createdAt >= since)
      .filter((t) => !(excluded.includes('replies') && t.replyTo))
      .reverse()
      .slice(0, Number(r.query.max_results ?? 10))
      .map((t) => ({
        id: t.id,
        text: t.text + (t.mediaIds.length ? ' https://t.co/abc' : ''),
        created_at: new Date(t.createdAt).toISOString(),
        ...this.references(r, t),
      }));
    return { json: { data, meta: { result_count: data.length } } };
  }
}
