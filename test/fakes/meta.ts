import { createHmac } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';
import { type Grant, HERALD_PERMISSIONS, MetaAuth, type MetaToken, type MetaUser } from './meta-auth.js';
import { FacebookStore, FacebookSurfacesStore, RuploadError } from './meta-facebook.js';
import {
  fetchMedia,
  type FetchedMedia,
  type FieldGetters,
  GraphError,
  type GraphErrorInit,
  graphError,
  type GraphParams,
  noSuchObject,
  paginate,
  readParams,
  selectFields,
  str,
} from './meta-graph.js';
import { InsightsStore } from './meta-insights.js';
import { type IgAccount, InstagramStore } from './meta-instagram.js';
import { CommentStore } from './meta-comments.js';

export type { MetaToken, MetaUser } from './meta-auth.js';

/**
 * A fake of Facebook Login + Graph API for Pages and Instagram (docs/platforms/meta.md). Herald points
 * META_GRAPH_URL at `<url>/v25.0` and META_DIALOG_URL at `<url>/v25.0/dialog/oauth`.
 */

export interface FakeMetaOptions {
  appId: string;
  appSecret: string;
}

export interface FakePage {
  id: string;
  name: string;
  category: string;
  /** The user's tasks on the Page; publishing needs CREATE_CONTENT or MANAGE (docs/platforms/meta.md#permissions). */
  tasks: string[];
  /** The never-expiring Page token (what a long-lived user token yields, docs/platforms/meta.md#token-lifetimes). */
  accessToken: string;
  instagram: IgAccount | null;
  /** Set for Pages reachable only through Business Manager (docs/platforms/meta.md#listing-pages). */
  businessId: string | null;
  relation: 'owned' | 'client' | null;
}

export interface FakeBusiness {
  id: string;
  name: string;
}

/** `X-App-Usage` percentages (docs/platforms/meta.md#rate-limits). */
export interface AppUsage {
  call_count: number;
  total_time: number;
  total_cputime: number;
}

/** One `X-Business-Use-Case-Usage` entry (docs/platforms/meta.md#rate-limits); minutes to wait when throttled. */
export interface BucUsage extends AppUsage {
  estimated_time_to_regain_access: number;
}

export interface MediaFetchLog {
  url: string;
  status: number;
  contentType: string;
  bytes: number;
  problem: string | null;
}

interface GraphFault {
  method?: string;
  path?: RegExp;
  left: number;
  error: GraphErrorInit;
  app?: Partial<AppUsage>;
  buc?: Partial<BucUsage>;
}

interface GraphCtx {
  req: RecordedRequest;
  p: GraphParams;
  /** Null only on unauthenticated routes (the code exchange). */
  token: MetaToken;
  version: string;
  /** Path captures (`:id`). */
  args: string[];
  /** Absolute URL of this path, for `paging.next`. */
  selfUrl: string;
}

type GraphHandler = (ctx: GraphCtx) => unknown;

type ThrottleCode = 4 | 17 | 32 | 613 | 80001 | 80002;

/** Rate-limit codes and what they say (docs/platforms/meta.md#graph-error-codes). */
const THROTTLES: Record<ThrottleCode, { message: string; scope: 'app' | 'buc' }> = {
  4: { message: '(#4) Application request limit reached', scope: 'app' },
  17: { message: '(#17) User request limit reached', scope: 'app' },
  613: { message: '(#613) Calls to this api have exceeded the rate limit.', scope: 'app' },
  32: { message: '(#32) Page request limit reached', scope: 'buc' },
  80001: {
    message: '(#80001) There have been too many calls to this Page account. Wait a bit and try again.',
    scope: 'buc',
  },
  80002: {
    message: '(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.',
    scope: 'buc',
  },
};

const NEEDS_PUBLISH =
  '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts ' +
  'as an admin with sufficient administrative permission';
const ALL_TASKS = ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'];

function bearer(header: string | string[] | undefined): string | undefined {
  const m = typeof header === 'string' ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header) : null;
  return m?.[1];
}

export class FakeMeta extends FakeServer {
  readonly user: MetaUser = {
    id: '100090000000001',
    name: 'Ada Lovelace',
    permissions: [...HERALD_PERMISSIONS],
    denyLogin: false,
  };
  readonly pages: FakePage[] = [];
  readonly businesses: FakeBusiness[] = [];
  /** Every media URL the fake downloaded, in order. */
  readonly mediaFetches: MediaFetchLog[] = [];
  /** Percentages sent in `X-App-Usage` on every Graph answer. */
  appUsage: AppUsage = { call_count: 1, total_time: 1, total_cputime: 1 };
  /** Percentages sent in `X-Business-Use-Case-Usage` on Page and Instagram calls. */
  bucUsage: BucUsage = { call_count: 1, total_time: 1, total_cputime: 1, estimated_time_to_regain_access: 0 };
  /** Enforce `appsecret_proof` ("Require App Secret", docs/platforms/meta.md#versions-and-base-urls). */
  requireAppSecretProof = false;
  mediaFetchTimeoutMs = 10_000;
  /** The fake's clock (epoch ms); replace it to age tokens, containers and quotas. */
  now: () => number = () => Date.now();
  readonly auth: MetaAuth;
  readonly fb: FacebookStore;
  readonly ig: InstagramStore;
  /** Facebook Reels and Page Stories (docs/platforms/meta-surfaces.md). */
  readonly fbSurfaces: FacebookSurfacesStore;
  /** Insights values, followers and engagement counters (docs/platforms/meta.md#results). */
  readonly insights: InsightsStore;
  /** Comments on Page posts and Instagram media (first comments). */
  readonly comments: CommentStore;
  private readonly graphFaults: GraphFault[] = [];
  private seq = 0;

  constructor(private readonly options: FakeMetaOptions) {
    super('meta');
    const now = (): number => this.now();
    const nextId = (): string => this.nextId();
    const fetch = (url: string): Promise<FetchedMedia> => this.fetchMedia(url);
    this.auth = new MetaAuth(options, this.user, now);
    this.fb = new FacebookStore({ now, nextId, fetch });
    this.ig = new InstagramStore({ now, nextId, fetch });
    this.fbSurfaces = new FacebookSurfacesStore({ now, nextId, origin: () => this.url, photos: this.fb.photos });
    this.insights = new InsightsStore(now);
    this.comments = new CommentStore(now);
    this.fb.engagementOf = (id) => this.insights.engagement.get(id);
    this.ig.countsOf = (id) => {
      const v = this.insights.lifetime.get(id) ?? {};
      const n = (x: unknown) => (typeof x === 'number' ? x : undefined);
      return { likes: n(v.likes), comments: n(v.comments), followers: this.insights.followers.get(id) };
    };
    this.registerRoutes();
  }

  /** Feed/photo/video posts that went out on a Page (assert "exactly once" on this). */
  get published() {
    return this.fb.published;
  }

  /** Instagram media that went out. */
  get igPublished() {
    return this.ig.published;
  }

  // -------------------------------------------------------------------------------------------
  // Setup

  /** A Page the user manages; with `business` it is only reachable through Business Manager. */
  addPage(init: {
    name: string;
    category?: string;
    tasks?: string[];
    instagram?: { username: string; name?: string };
    business?: string;
    relation?: 'owned' | 'client';
  }): {
    pageId: string;
    pageToken: string;
    igUserId: string | null;
  } {
    const id = this.nextId();
    const token = this.auth.issue({ type: 'PAGE', pageId: id, grant: null, longLived: true, ttlSec: null });
    let instagram: IgAccount | null = null;
    if (init.instagram) {
      instagram = {
        id: `1784${this.nextId().padStart(13, '0')}`,
        username: init.instagram.username,
        name: init.instagram.name ?? init.name,
        pageId: id,
      };
      this.ig.accounts.set(instagram.id, instagram);
    }
    if (init.business && !this.businesses.some((b) => b.id === init.business))
      throw new Error(`meta fake: unknown business ${init.business}`);
    this.pages.push({
      id,
      name: init.name,
      category: init.category ?? 'Marketing Agency',
      tasks: init.tasks ?? [...ALL_TASKS],
      accessToken: token.value,
      instagram,
      businessId: init.business ?? null,
      relation: init.business ? (init.relation ?? 'owned') : null,
    });
    return { pageId: id, pageToken: token.value, igUserId: instagram?.id ?? null };
  }

  addBusiness(name = 'Agency Business'): string {
    const id = this.nextId();
    this.businesses.push({ id, name });
    return id;
  }

  page(id: string): FakePage | undefined {
    return this.pages.find((p) => p.id === id);
  }

  /** Make the user decline these permissions at the next login (they show as `declined`). */
  declinePermissions(...names: string[]): void {
    this.user.permissions = this.user.permissions.filter((p) => !names.includes(p));
  }

  /** The post or media is deleted on the network. */
  deleteObject(id: string): void {
    this.fb.delete(id);
    this.ig.delete(id);
  }

  // -------------------------------------------------------------------------------------------
  // Failure controls

  /**
   * Every call with this token answers 190 with `subcode` (460 password changed, 463 expired, 458 app removed,
   * 467 logged out).
   */
  revokeToken(token: string, subcode = 460): void {
    this.auth.revoke(token, subcode);
  }

  /** Password change: all user and Page tokens die at once. */
  revokeAll(subcode = 460): void {
    this.auth.revokeAll(subcode);
  }

  expireToken(token: string): void {
    this.auth.expire(token);
  }

  /** The next `times` matching Graph calls fail with a rate-limit error and usage headers at 100 %. */
  throttle(
    opts: { code?: ThrottleCode; times?: number; path?: RegExp; method?: string; minutesToRegain?: number } = {},
  ): void {
    const code = opts.code ?? 80001;
    const spec = THROTTLES[code];
    const full = { call_count: 100, total_time: 100, total_cputime: 100 };
    this.graphFaults.push({
      method: opts.method,
      path: opts.path,
      left: opts.times ?? 1,
      error: { code, message: spec.message, transient: true },
      app: spec.scope === 'app' ? full : undefined,
      buc:
        spec.scope === 'buc'
          ? { ...full, estimated_time_to_regain_access: opts.minutesToRegain ?? 5 }
          : { estimated_time_to_regain_access: opts.minutesToRegain ?? 5 },
    });
  }

  /** The next `times` matching Graph calls fail with this error (code 1/2 → HTTP 500, else 400). */
  failNext(opts: {
    code: number;
    subcode?: number;
    message?: string;
    userTitle?: string;
    userMsg?: string;
    transient?: boolean;
    times?: number;
    path?: RegExp;
    method?: string;
  }): void {
    this.graphFaults.push({
      method: opts.method,
      path: opts.path,
      left: opts.times ?? 1,
      error: {
        code: opts.code,
        subcode: opts.subcode,
        message: opts.message ?? `(#${opts.code}) Injected error`,
        userTitle: opts.userTitle,
        userMsg: opts.userMsg,
        transient: opts.transient,
      },
    });
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  private nextId(): string {
    this.seq += 1;
    return String(122000000000000 + this.seq);
  }

  private async fetchMedia(url: string): Promise<FetchedMedia> {
    const got = await fetchMedia(url, this.mediaFetchTimeoutMs);
    this.mediaFetches.push({
      url,
      status: got.status,
      contentType: got.contentType,
      bytes: got.bytes.length,
      problem: got.problem,
    });
    return got;
  }

  private on(method: string, pattern: string, handler: GraphHandler, auth = true): void {
    const re = new RegExp(`^/(v\\d+\\.\\d+)${pattern.replace(/:\w+/g, '([^/]+)')}/?$`);
    this.route(method, re, (req) => this.serve(req, re, handler, auth));
  }

  private async serve(req: RecordedRequest, re: RegExp, handler: GraphHandler, auth: boolean): Promise<Reply> {
    const m = re.exec(req.path)!;
    const args = m.slice(2).map((a) => decodeURIComponent(a ?? ''));
    let buc: { id: string; type: string } | null = null;
    try {
      const p = await readParams(req);
      const value = str(p, 'access_token') ?? bearer(req.headers.authorization);
      const token = auth ? this.auth.check(value) : ({ type: 'APP', grant: null } as MetaToken);
      if (auth && this.requireAppSecretProof && !this.auth.isAppToken(value!)) this.checkProof(p, value!);
      buc = this.bucTarget(args[0], token);
      const fault = this.takeGraphFault(req);
      if (fault) throw new GraphError({ ...fault.error, headers: this.usageHeaders(buc, fault) });
      const json = await handler({ req, p, token, version: m[1]!, args, selfUrl: `${this.url}${req.path}` });
      return { json, headers: this.usageHeaders(buc) };
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      const reply = err.reply();
      return { ...reply, headers: { ...this.usageHeaders(buc), ...reply.headers } };
    }
  }

  private checkProof(p: GraphParams, token: string): void {
    const proof = str(p, 'appsecret_proof');
    if (!proof) throw graphError(100, 'API calls from the server require an appsecret_proof argument');
    if (proof !== createHmac('sha256', this.options.appSecret).update(token).digest('hex')) {
      throw graphError(100, 'Invalid appsecret_proof provided in the API argument');
    }
  }

  private takeGraphFault(req: RecordedRequest): GraphFault | null {
    const rule = this.graphFaults.find(
      (f) => f.left > 0 && (!f.path || f.path.test(req.path)) && (!f.method || f.method === req.method),
    );
    if (!rule) return null;
    rule.left -= 1;
    if (rule.left === 0) this.graphFaults.splice(this.graphFaults.indexOf(rule), 1);
    return rule;
  }

  /**
   * Which business object a call counts against (docs/platforms/meta.md#rate-limits): a Page, or an
   * Instagram account.
   */
  private bucTarget(id: string | undefined, token: MetaToken): { id: string; type: string } | null {
    if (id && this.page(id)) return { id, type: 'pages' };
    const ig = id
      ? (this.ig.accounts.get(id)?.id ?? this.ig.containers.get(id)?.igUserId ?? this.ig.findMedia(id)?.igUserId)
      : undefined;
    if (ig) return { id: ig, type: 'instagram' };
    if (id?.includes('_')) return { id: id.split('_')[0]!, type: 'pages' };
    if (token.type === 'PAGE' && token.pageId) return { id: token.pageId, type: 'pages' };
    return null;
  }

  private usageHeaders(
    buc: { id: string; type: string } | null,
    over?: Pick<GraphFault, 'app' | 'buc'>,
  ): Record<string, string> {
    const headers: Record<string, string> = { 'x-app-usage': JSON.stringify({ ...this.appUsage, ...over?.app }) };
    if (buc)
      headers['x-business-use-case-usage'] = JSON.stringify({
        [buc.id]: [{ type: buc.type, ...this.bucUsage, ...over?.buc }],
      });
    return headers;
  }

  private scopes(t: MetaToken): string[] {
    return this.auth.scopesOf(t);
  }

  // -------------------------------------------------------------------------------------------
  // Access rules

  private requireUser(ctx: GraphCtx, edge: string): void {
    if (ctx.token.type === 'APP')
      throw graphError(2500, 'An active access token must be used to query information about the current user.');
    if (ctx.token.type !== 'USER')
      throw graphError(100, `(#100) Tried accessing nonexisting field (${edge}) on node type (Page)`);
  }

  private requireBusinessManagement(ctx: GraphCtx): void {
    this.requireUser(ctx, 'businesses');
    if (!this.scopes(ctx.token).includes('business_management'))
      throw graphError(200, '(#200) Requires business_management permission to manage the object');
  }

  /**
   * Publishing as a Page needs that Page's token, the two publishing permissions and a content task
   * (docs/platforms/meta.md#permissions).
   */
  private publishingPage(ctx: GraphCtx, extraScope?: string): FakePage {
    const page = this.page(ctx.args[0]!);
    if (!page) throw noSuchObject(ctx.args[0]!, 'post');
    if (ctx.token.type !== 'PAGE' || ctx.token.pageId !== page.id) throw graphError(200, NEEDS_PUBLISH);
    const scopes = this.scopes(ctx.token);
    if (!scopes.includes('pages_manage_posts') || !scopes.includes('pages_read_engagement'))
      throw graphError(200, NEEDS_PUBLISH);
    if (extraScope && !scopes.includes(extraScope)) throw graphError(200, `(#200) Requires ${extraScope} permission`);
    if (!page.tasks.some((t) => t === 'CREATE_CONTENT' || t === 'MANAGE')) {
      throw graphError(
        200,
        '(#200) The user does not have sufficient administrative permission for this action on this page.',
      );
    }
    return page;
  }

  /**
   * Instagram calls take the linked Page's token or the user token
   * (docs/platforms/meta.md#instagram-through-facebook-login).
   */
  private igAccount(
    ctx: GraphCtx,
    igUserId: string,
    scope: 'instagram_basic' | 'instagram_content_publish',
  ): IgAccount {
    const account = this.ig.accounts.get(igUserId);
    if (!account) throw noSuchObject(igUserId, ctx.req.method === 'POST' ? 'post' : 'get');
    if (ctx.token.type === 'APP' || (ctx.token.type === 'PAGE' && ctx.token.pageId !== account.pageId)) {
      throw graphError(10, '(#10) The token cannot act for this Instagram account');
    }
    if (!this.scopes(ctx.token).includes(scope))
      throw graphError(10, '(#10) Application does not have permission for this action');
    return account;
  }

  /**
   * Page tokens from a long-lived user token never expire; from a short-lived one they do
   * (docs/platforms/meta.md#token-lifetimes).
   */
  private pageTokenFor(page: FakePage, t: MetaToken): string | undefined {
    if (t.type === 'PAGE') return t.pageId === page.id ? t.value : undefined;
    if (t.type !== 'USER') return undefined;
    if (t.longLived) return page.accessToken;
    const ttl = Math.max(1, Math.round((t.expiresAt - this.now()) / 1000));
    return this.auth.issue({ type: 'PAGE', pageId: page.id, grant: t.grant, longLived: false, ttlSec: ttl }).value;
  }

  private pageFields(
    page: FakePage,
    t: MetaToken,
    fields: string | undefined,
    defaults = ['id', 'name'],
  ): Record<string, unknown> {
    const ig = page.instagram;
    const getters: FieldGetters = {
      id: () => page.id,
      name: () => page.name,
      category: () => page.category,
      tasks: () => page.tasks,
      username: () => page.name.toLowerCase().replace(/[^a-z0-9]+/g, ''),
      link: () => `https://www.facebook.com/${page.id}`,
      picture: () => ({
        data: { height: 200, width: 200, is_silhouette: false, url: `https://scontent.xx.fbcdn.net/${page.id}.jpg` },
      }),
      fan_count: () => 0,
      followers_count: () => this.insights.followers.get(page.id) ?? 0,
      access_token: () => this.pageTokenFor(page, t),
      // Absent (not null) when no Instagram account is linked, as Graph does.
      instagram_business_account: (sub) => (ig ? this.ig.accountFields(ig, sub ?? 'id') : undefined),
    };
    return selectFields('Page', getters, fields, defaults);
  }

  // -------------------------------------------------------------------------------------------
  // Routes

  private registerRoutes(): void {
    this.route('GET', /^\/v\d+\.\d+\/dialog\/oauth\/?$/, (req) => this.auth.dialog(req));
    const exchange: GraphHandler = (ctx) => this.auth.exchange(ctx.p);
    this.on('GET', '/oauth/access_token', exchange, false);
    this.on('POST', '/oauth/access_token', exchange, false);
    this.on('GET', '/debug_token', (ctx) => {
      if (ctx.token.type === 'PAGE')
        throw graphError(100, '(#100) debug_token needs an app token or a user token of the app');
      return this.auth.debug(
        str(ctx.p, 'input_token'),
        this.pages.map((p) => p.id),
      );
    });
    this.surfaceRoutes();
    this.userRoutes();
    this.businessRoutes();
    this.publishingRoutes();
    this.instagramRoutes();
    this.insightsRoutes();
    this.commentRoutes();
    this.on('GET', '/:id', (ctx) => this.node(ctx));
  }

  private userRoutes(): void {
    this.on('GET', '/me', (ctx) => {
      if (ctx.token.type === 'PAGE')
        return this.pageFields(this.page(ctx.token.pageId!)!, ctx.token, ctx.req.query.fields);
      this.requireUser(ctx, 'me');
      return selectFields('User', { id: () => this.user.id, name: () => this.user.name }, ctx.req.query.fields, [
        'id',
        'name',
      ]);
    });
    this.on('GET', '/me/accounts', (ctx) => {
      this.requireUser(ctx, 'accounts');
      // Without pages_show_list Graph shows no Pages rather than failing [UNVERIFIED]; check /me/permissions.
      const visible = this.scopes(ctx.token).includes('pages_show_list') ? this.pages.filter((p) => !p.businessId) : [];
      const rows = visible.map((p) =>
        this.pageFields(p, ctx.token, ctx.req.query.fields, ['access_token', 'category', 'name', 'id', 'tasks']),
      );
      return paginate(rows, ctx.req.query, ctx.selfUrl);
    });
    this.on('GET', '/me/permissions', (ctx) => {
      this.requireUser(ctx, 'permissions');
      const grant: Grant = ctx.token.grant ?? this.auth.currentGrant();
      return {
        data: [
          { permission: 'public_profile', status: 'granted' },
          ...grant.scopes.map((permission) => ({ permission, status: 'granted' })),
          ...grant.declined.map((permission) => ({ permission, status: 'declined' })),
        ],
      };
    });
  }

  private businessRoutes(): void {
    this.on('GET', '/me/businesses', (ctx) => {
      this.requireBusinessManagement(ctx);
      const rows = this.businesses.map((b) =>
        selectFields('Business', { id: () => b.id, name: () => b.name }, ctx.req.query.fields, ['id', 'name']),
      );
      return paginate(rows, ctx.req.query, ctx.selfUrl);
    });
    for (const relation of ['owned', 'client'] as const) {
      this.on('GET', `/:id/${relation}_pages`, (ctx) => {
        const business = this.businesses.find((b) => b.id === ctx.args[0]);
        if (!business) throw noSuchObject(ctx.args[0]!);
        this.requireBusinessManagement(ctx);
        const pages = this.pages.filter((p) => p.businessId === business.id && p.relation === relation);
        return paginate(
          pages.map((p) => this.pageFields(p, ctx.token, ctx.req.query.fields)),
          ctx.req.query,
          ctx.selfUrl,
        );
      });
    }
  }

  private publishingRoutes(): void {
    this.on('POST', '/:id/feed', (ctx) => {
      const page = this.publishingPage(ctx);
      const { id, permalink_url } = this.fb.feed(page.id, ctx.p);
      // Postiz asks for `?fields=id,permalink_url` on the POST itself (docs/platforms/meta.md#text-and-link-posts).
      return /permalink_url/.test(str(ctx.p, 'fields') ?? '') ? { id, permalink_url } : { id };
    });
    this.on('POST', '/:id/photos', (ctx) => this.fb.photo(this.publishingPage(ctx).id, ctx.p));
    this.on('POST', '/:id/videos', (ctx) => this.fb.video(this.publishingPage(ctx, 'publish_video').id, ctx.p));
    this.on('GET', '/:id/published_posts', (ctx) => {
      const page = this.page(ctx.args[0]!);
      if (!page) throw noSuchObject(ctx.args[0]!);
      if (ctx.token.type === 'APP' || (ctx.token.type === 'PAGE' && ctx.token.pageId !== page.id)) {
        throw graphError(
          200,
          '(#200) This method must be called with a Page Access Token or a user token with a role on the Page',
        );
      }
      if (!this.scopes(ctx.token).includes('pages_read_engagement'))
        throw graphError(10, '(#10) This endpoint requires the pages_read_engagement permission');
      return this.fb.publishedPosts(page.id, ctx.req.query, ctx.selfUrl);
    });
  }

  private instagramRoutes(): void {
    this.on('POST', '/:id/media', (ctx) =>
      this.ig.createContainer(this.igAccount(ctx, ctx.args[0]!, 'instagram_content_publish').id, ctx.p),
    );
    this.on('POST', '/:id/media_publish', (ctx) =>
      this.ig.publish(this.igAccount(ctx, ctx.args[0]!, 'instagram_content_publish').id, ctx.p),
    );
    this.on('GET', '/:id/content_publishing_limit', (ctx) =>
      this.ig.publishingLimit(this.igAccount(ctx, ctx.args[0]!, 'instagram_basic').id, ctx.req.query.fields),
    );
    this.on('GET', '/:id/media', (ctx) =>
      this.ig.mediaList(this.igAccount(ctx, ctx.args[0]!, 'instagram_basic').id, ctx.req.query, ctx.selfUrl),
    );
  }

  /**
   * Page insights need that Page's token (a user token gets 190), `read_insights` and
   * `pages_read_engagement`, and the ANALYZE task (https://developers.facebook.com/docs/graph-api/reference/insights).
   */
  private analyzingPage(ctx: GraphCtx, page: FakePage): void {
    if (ctx.token.type !== 'PAGE') throw graphError(190, '(#190) This method must be called with a Page Access Token');
    if (ctx.token.pageId !== page.id)
      throw graphError(200, '(#200) The Page access token does not belong to this Page');
    const scopes = this.scopes(ctx.token);
    for (const scope of ['read_insights', 'pages_read_engagement'])
      if (!scopes.includes(scope)) throw graphError(10, `(#10) This endpoint requires the '${scope}' permission.`);
    if (!page.tasks.some((t) => t === 'ANALYZE' || t === 'MANAGE'))
      throw graphError(200, '(#200) The user does not have the ANALYZE task on this Page');
  }

  /** Instagram insights need `instagram_manage_insights` besides access to the account. */
  private analyzingIg(ctx: GraphCtx, igUserId: string): void {
    this.igAccount(ctx, igUserId, 'instagram_basic');
    if (!this.scopes(ctx.token).includes('instagram_manage_insights'))
      throw graphError(10, '(#10) Application does not have permission for this action');
  }

  private insightsRoutes(): void {
    this.on('GET', '/:id/insights', (ctx) => {
      const id = ctx.args[0]!;
      const q = ctx.req.query;
      const page = this.page(id);
      if (page) {
        this.analyzingPage(ctx, page);
        return this.insights.page(page.id, q, ctx.selfUrl);
      }
      const post = this.fb.findPost(id);
      if (post) {
        this.analyzingPage(ctx, this.page(post.pageId)!);
        return this.insights.lifetimeInsights(post.id, 'insights', q);
      }
      if (this.fb.videos.has(id) || this.fb.photos.has(id))
        throw graphError(
          100,
          `(#100) Tried accessing nonexisting field (insights) on node type (${
            this.fb.videos.has(id) ? 'Video' : 'Photo'
          })`,
        );
      if (this.ig.accounts.has(id)) {
        this.analyzingIg(ctx, id);
        return this.insights.igUser(id, q);
      }
      const media = this.ig.findMedia(id);
      if (media) {
        this.analyzingIg(ctx, media.igUserId);
        return this.insights.media(media.mediaId, this.ig.productOf(media), media.createdAt, q);
      }
      throw noSuchObject(id);
    });
    this.on('GET', '/:id/video_insights', (ctx) => {
      const video = this.fb.videos.get(ctx.args[0]!);
      if (!video) throw noSuchObject(ctx.args[0]!);
      this.analyzingPage(ctx, this.page(video.pageId)!);
      return this.insights.lifetimeInsights(video.id, 'video_insights', ctx.req.query);
    });
  }

  // -------------------------------------------------------------------------------------------
  // First comments (docs/platforms/meta.md#first-comments)

  /** The next `times` comment POSTs create their comment, then the connection drops without an answer. */
  loseCommentAnswers(times = 1): void {
    this.inject({ method: 'POST', path: /\/comments$/, fault: { kind: 'lose-response' }, times });
  }

  /** A Page post, photo or video that takes comments, or undefined. */
  private fbCommentable(id: string): { pageId: string } | undefined {
    const post = this.fb.published.find((p) => p.id === id);
    if (post) return post;
    const photo = this.fb.photos.get(id);
    if (photo?.published) return photo;
    return this.fb.videos.get(id) ?? this.fbSurfaces.commentable(id);
  }

  /**
   * Commenting as a Page needs that Page's token, `pages_manage_engagement` and the MODERATE task
   * (https://developers.facebook.com/docs/graph-api/reference/object/comments).
   */
  private commentingPage(ctx: GraphCtx, pageId: string): void {
    const page = this.page(pageId)!;
    const needs = '(#200) Requires pages_manage_engagement permission to manage the object';
    if (ctx.token.type !== 'PAGE' || ctx.token.pageId !== pageId) throw graphError(200, needs);
    if (!this.scopes(ctx.token).includes('pages_manage_engagement')) throw graphError(200, needs);
    if (!page.tasks.some((t) => t === 'MODERATE' || t === 'MANAGE'))
      throw graphError(200, '(#200) The user does not have the MODERATE task on this Page');
  }

  /** Instagram comments need access to the account and `instagram_manage_comments`. */
  private commentingIg(ctx: GraphCtx, igUserId: string): void {
    this.igAccount(ctx, igUserId, 'instagram_basic');
    if (!this.scopes(ctx.token).includes('instagram_manage_comments'))
      throw graphError(10, '(#10) Application does not have permission for this action');
  }

  private commentRoutes(): void {
    this.on('POST', '/:id/comments', (ctx) => {
      const id = ctx.args[0]!;
      const fb = this.fbCommentable(id);
      let created: { id: string };
      if (fb) {
        this.commentingPage(ctx, fb.pageId);
        const message = this.comments.facebookMessage(ctx.p);
        const page = this.page(fb.pageId)!;
        created = this.comments.add({
          parentId: id,
          network: 'facebook',
          fromId: page.id,
          fromName: page.name,
          message,
        });
      } else {
        const media = this.ig.findMedia(id);
        // Containers, bare post ids (no Page prefix) and unknown ids do not exist as commentable objects.
        if (!media) throw noSuchObject(id, 'post');
        this.commentingIg(ctx, media.igUserId);
        if (this.ig.productOf(media) === 'STORY')
          throw graphError(100, '(#100) Comments are not supported on stories', { subcode: 2534023 });
        const message = str(ctx.p, 'message');
        if (!message) throw graphError(100, '(#100) The parameter message is required');
        const account = this.ig.accounts.get(media.igUserId)!;
        created = this.comments.add({
          parentId: id,
          network: 'instagram',
          fromId: account.id,
          fromName: account.username,
          message,
        });
        // Seen in the wild: `fields=` on this POST creates the comment, then fails the answer.
        if (str(ctx.p, 'fields') !== undefined)
          throw graphError(20, '(#20) The requested response format is not supported', { subcode: 1772107 });
      }
      if (this.comments.holdAnswers > 0) {
        this.comments.holdAnswers -= 1;
        return new Promise<never>(() => {});
      }
      return { id: created.id };
    });
    this.on('GET', '/:id/comments', (ctx) => {
      const id = ctx.args[0]!;
      const fb = this.fbCommentable(id);
      if (fb) {
        const page = this.page(fb.pageId)!;
        if (ctx.token.type === 'APP' || (ctx.token.type === 'PAGE' && ctx.token.pageId !== page.id))
          throw graphError(200, '(#200) Requires a Page access token of the Page');
        if (!this.scopes(ctx.token).includes('pages_read_engagement'))
          throw graphError(10, '(#10) This endpoint requires the pages_read_engagement permission');
        return this.comments.facebookList(id, ctx.req.query, ctx.selfUrl);
      }
      const media = this.ig.findMedia(id);
      if (!media) throw noSuchObject(id);
      this.commentingIg(ctx, media.igUserId);
      return this.comments.instagramList(id, ctx.req.query, ctx.selfUrl);
    });
  }

  /** `GET /{id}`: whatever node the id names. */
  private node(ctx: GraphCtx): unknown {
    const id = ctx.args[0]!;
    const fields = ctx.req.query.fields;
    const page = this.page(id);
    if (page) return this.pageFields(page, ctx.token, fields);
    const business = this.businesses.find((b) => b.id === id);
    if (business)
      return selectFields('Business', { id: () => business.id, name: () => business.name }, fields, ['id', 'name']);
    const account = this.ig.accounts.get(id);
    if (account) return this.ig.accountFields(this.igAccount(ctx, id, 'instagram_basic'), fields);
    const container = this.ig.containers.get(id);
    if (container) {
      this.igAccount(ctx, container.igUserId, 'instagram_basic');
      return this.ig.containerFields(container, fields);
    }
    const media = this.ig.findMedia(id);
    if (media) {
      this.igAccount(ctx, media.igUserId, 'instagram_basic');
      return this.ig.mediaFields(media, fields);
    }
    const post = this.fb.findPost(id);
    if (post) return this.fb.postFields(post, fields);
    const photo = this.fb.photos.get(id);
    if (photo) return this.fb.photoFields(photo, fields);
    const video = this.fb.videos.get(id);
    if (video) return this.fb.videoFields(video, fields);
    const surfaceVideo = this.fbSurfaces.videos.get(id);
    if (surfaceVideo) return this.fbSurfaces.videoFields(surfaceVideo, fields);
    throw noSuchObject(id);
  }

  // -------------------------------------------------------------------------------------------
  // Stories and Reels (docs/platforms/meta-surfaces.md)

  /**
   * The next rupload request keeps only its first `bytes` bytes and its connection drops before
   * the answer, as an interrupted upload does.
   */
  cutNextUpload(bytes: number): void {
    this.fbSurfaces.cutNextUploadAt = bytes;
    this.inject({ method: 'POST', path: /^\/video-upload\//, fault: { kind: 'lose-response' } });
  }

  private surfaceRoutes(): void {
    for (const edge of ['video_reels', 'video_stories'] as const) {
      this.on('POST', `/:id/${edge}`, (ctx) =>
        this.fbSurfaces.videoEdge(this.publishingPage(ctx).id, edge, ctx.p, ctx.version),
      );
    }
    this.on('POST', '/:id/photo_stories', (ctx) => this.fbSurfaces.photoStory(this.publishingPage(ctx).id, ctx.p));
    this.on('GET', '/:id/video_reels', (ctx) => {
      const page = this.readablePage(ctx);
      return this.fbSurfaces.reelsList(page.id, ctx.req.query, ctx.selfUrl);
    });
    // One path for both: a Page's stories, or an Instagram account's (never listed by /media).
    this.on('GET', '/:id/stories', (ctx) => {
      const id = ctx.args[0]!;
      if (this.ig.accounts.has(id))
        return this.ig.storiesList(this.igAccount(ctx, id, 'instagram_basic').id, ctx.req.query, ctx.selfUrl);
      return this.fbSurfaces.storiesList(this.readablePage(ctx).id, ctx.req.query, ctx.selfUrl);
    });
    // The rupload host: `Authorization: OAuth <page token>`, never a query token.
    this.route('POST', /^\/video-upload\/v\d+\.\d+\/([^/]+)\/?$/, (req) => {
      const videoId = /([^/]+)\/?$/.exec(req.path)![1]!;
      const m = /^OAuth\s+(.+)$/.exec(String(req.headers.authorization ?? ''));
      try {
        let pageId: string | null = null;
        try {
          const token = m ? this.auth.check(m[1]) : null;
          pageId = token?.type === 'PAGE' ? (token.pageId ?? null) : null;
        } catch {
          pageId = null;
        }
        return { json: this.fbSurfaces.upload(videoId, pageId, req.headers, req.body) };
      } catch (err) {
        if (err instanceof RuploadError) return err.reply();
        throw err;
      }
    });
  }

  /** Page lists need that Page's token (or a user token with a role) and pages_read_engagement. */
  private readablePage(ctx: GraphCtx): FakePage {
    const page = this.page(ctx.args[0]!);
    if (!page) throw noSuchObject(ctx.args[0]!);
    if (ctx.token.type === 'APP' || (ctx.token.type === 'PAGE' && ctx.token.pageId !== page.id))
      throw graphError(200, '(#200) This method must be called with a Page Access Token');
    if (!this.scopes(ctx.token).includes('pages_read_engagement'))
      throw graphError(10, '(#10) This endpoint requires the pages_read_engagement permission');
    return page;
  }
}
