import { createHash, createHmac, randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';

/**
 * A strict fake of the AT Protocol pieces Herald talks to (docs/platforms/bluesky.md):
 * - a handle resolver (`GET /xrpc/com.atproto.identity.resolveHandle`, as the public AppView answers it);
 * - a PLC directory under `/plc/<did>`;
 * - the accounts' PDS under `/pds/xrpc/...`: sessions, getServiceAuth, uploadBlob, create/put/getRecord, getProfile;
 * - Bluesky's video service under `/video/xrpc/app.bsky.video.*` (getUploadLimits, uploadVideo,
 *   getJobStatus), which takes only service tokens the PDS issued for its exact audience and method
 *   (https://docs.bsky.app/docs/tutorials/video).
 * The root `/xrpc/` answers only resolveHandle: a write sent there (an "entryway" instead of the PDS
 * the DID document names) is refused, so tests prove Herald follows `#atproto_pds`.
 *
 * Errors are `{"error","message"}` with the reference PDS's statuses; rate limits answer 429
 * RateLimitExceeded with `ratelimit-limit/-remaining/-reset/-policy` headers (reset in Unix seconds).
 * Where Bluesky's current reference and older notes disagree (image size 1 MB vs 2 MB), the fake takes
 * the stricter, documented-for-clients value and makes it configurable. The lexicon says uploadVideo
 * and getJobStatus answer `{"jobStatus": {...}}`, while the vendor's own tutorial reads uploadVideo's
 * answer as a flat job status: `uploadShape` serves either.
 */

export interface BlueskyAccount {
  did: string;
  handle: string;
  password: string;
  /** App passwords of the account; removing one revokes its sessions. */
  appPasswords: Set<string>;
  displayName: string;
  avatar: string | null;
  /** The main password then needs an emailed code: createSession answers AuthFactorTokenRequired. */
  emailAuthFactor: boolean;
  /** `takendown`, `suspended`, `deactivated`, or null when active. */
  status: string | null;
}

export interface StoredRecord {
  uri: string;
  cid: string;
  value: Record<string, unknown>;
  /** Which call wrote it (for tests). */
  via: 'createRecord' | 'putRecord';
}

interface Blob {
  mimeType: string;
  size: number;
  at: number;
}

/** A video processing job; each getJobStatus moves it one state on. */
export interface VideoJob {
  jobId: string;
  did: string;
  size: number;
  cid: string;
  /** Index into VIDEO_STATES. */
  step: number;
  /** A failureCode the job ends with instead of a blob. */
  failWith: string | null;
}

/** The lexicon's states, in the order the service passes them (app.bsky.video.defs). */
const VIDEO_STATES = [
  'JOB_STATE_CREATED',
  'JOB_STATE_ENCODING',
  'JOB_STATE_SCANNING',
  'JOB_STATE_UPLOADING',
  'JOB_STATE_COMPLETED',
];

class XrpcError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const invalid = (message: string) => new XrpcError(400, 'InvalidRequest', message);

const COLLECTION = 'app.bsky.feed.post';
const TID = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const FEATURES = ['app.bsky.richtext.facet#link', 'app.bsky.richtext.facet#mention', 'app.bsky.richtext.facet#tag'];
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (s: string) => [...segmenter.segment(s)].length;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** Canonical JSON (sorted keys), so one record always gets one CID. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function cidOf(prefix: string, bytes: Buffer | string): string {
  const digest = createHash('sha256').update(bytes).digest();
  const base32 = BigInt(`0x${digest.toString('hex')}`)
    .toString(32)
    .padStart(52, '0');
  return `${prefix}${base32}`;
}

export interface FakeBlueskyOptions {
  /** Access and refresh JWT lifetimes (the reference PDS: 120 minutes and 90 days). */
  accessTtlMs?: number;
  refreshTtlMs?: number;
  /** How long a rotated refresh JWT keeps working (2 hours). */
  refreshGraceMs?: number;
}

export class FakeBluesky extends FakeServer {
  readonly accounts = new Map<string, BlueskyAccount>();
  /** Records per DID, by rkey. */
  readonly records = new Map<string, Map<string, StoredRecord>>();
  readonly blobs = new Map<string, Blob>();
  /** Commits written (a no-op putRecord writes none). */
  commits = 0;
  /** The fake's time (JWT expiry, rate windows, blob garbage collection). */
  now: () => number = () => Date.now();
  /** The largest image blob a post may reference (Bluesky's client docs: 1,000,000 bytes). */
  imageMaxBytes = 1_000_000;
  /** The PDS's upload cap (reference PDS default 5 MB). */
  blobUploadLimit = 5_000_000;
  /** Unreferenced blobs are dropped after this. */
  blobTtlMs = 60 * MIN;
  /** Pages served at `/web/<name>` for link cards. */
  readonly pages = new Map<string, string>();
  /** Files served at `/files/<name>` (link-card images) with their Content-Type. */
  readonly files = new Map<string, { bytes: Buffer; type: string }>();
  /** Video jobs by id. */
  readonly videoJobs = new Map<string, VideoJob>();
  /** app.bsky.embed.video's blob limit (300 MB). */
  videoMaxBytes = 300_000_000;
  /** What getUploadLimits answers, per DID (default: allowed, 25 videos and 10 GB left today). */
  readonly videoLimits = new Map<
    string,
    { canUpload: boolean; remainingDailyVideos: number; remainingDailyBytes: number; message?: string }
  >();
  /** The failureCode the next uploaded video's job ends with. */
  failNextVideo: string | null = null;
  /** uploadVideo's answer: the lexicon's `{jobStatus}` or the flat status the tutorial reads. */
  uploadShape: 'lexicon' | 'flat' = 'lexicon';
  /** A PDS that issues no service tokens (some third-party PDSes): getServiceAuth answers this error. */
  serviceAuthRefused: string | null = null;
  readonly options: Required<FakeBlueskyOptions>;
  private readonly secret = randomBytes(32);
  /** Refresh JWT id → the session it belongs to; rotated ones keep their successor for the grace. */
  private readonly refreshTokens = new Map<
    string,
    {
      did: string;
      appPassword: string | null;
      next: { accessJwt: string; refreshJwt: string } | null;
      rotatedAt: number | null;
      revoked: boolean;
    }
  >();
  private readonly sessionCounts = new Map<string, number[]>();
  private readonly writePoints = new Map<string, Array<{ at: number; points: number }>>();

  constructor(options: FakeBlueskyOptions = {}) {
    super('bluesky');
    this.options = {
      accessTtlMs: options.accessTtlMs ?? 120 * MIN,
      refreshTtlMs: options.refreshTtlMs ?? 90 * DAY,
      refreshGraceMs: options.refreshGraceMs ?? 2 * HOUR,
    };
    this.defineRoutes();
  }

  /** The PDS base URL, as DID documents name it. */
  get pdsUrl(): string {
    return `${this.url}/pds`;
  }

  /**
   * The video service base URL (BLUESKY_VIDEO_URL). It is reached by another name than the PDS
   * (`localhost` rather than 127.0.0.1), so its did:web differs from the PDS's as video.bsky.app's
   * does from a PDS's, and a token for the wrong audience is refused.
   */
  get videoUrl(): string {
    return `${this.url.replace('127.0.0.1', 'localhost')}/video`;
  }

  /** The PLC directory base URL. */
  get plcUrl(): string {
    return `${this.url}/plc`;
  }

  /** `host:port` of the fake, for the allowance of plain HTTP. */
  get host(): string {
    return new URL(this.url).host;
  }

  /** Likes, reposts, replies and quotes people made, by post URI. */
  readonly engagement = new Map<string, { likes: number; reposts: number; replies: number; quotes: number }>();
  /** Followers by DID. */
  readonly followers = new Map<string, number>();

  addAccount(partial: Partial<BlueskyAccount> & { handle: string }): BlueskyAccount {
    const account: BlueskyAccount = {
      did: `did:plc:${randomBytes(12).toString('hex').slice(0, 24)}`,
      password: 'main-password-1',
      appPasswords: new Set(['abcd-efgh-ijkl-mnop']),
      displayName: '',
      avatar: null,
      emailAuthFactor: false,
      status: null,
      ...partial,
    };
    this.accounts.set(account.did, account);
    return account;
  }

  /** Every post of an account. */
  posts(did: string): StoredRecord[] {
    return [...(this.records.get(did)?.values() ?? [])];
  }

  /** Revokes an app password: every session made with it stops working. */
  revokeAppPassword(did: string, appPassword: string): void {
    this.accounts.get(did)?.appPasswords.delete(appPassword);
    for (const t of this.refreshTokens.values()) if (t.did === did && t.appPassword === appPassword) t.revoked = true;
  }

  // ---- JWTs ---------------------------------------------------------------------------------

  private sign(payload: Record<string, unknown>): string {
    const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const sig = createHmac('sha256', this.secret).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  private verify(token: string): Record<string, unknown> {
    const [head, body, sig] = token.split('.');
    const expected =
      head && body ? createHmac('sha256', this.secret).update(`${head}.${body}`).digest('base64url') : '';
    if (!sig || sig !== expected) throw new XrpcError(400, 'InvalidToken', 'Token could not be verified');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now())
      throw new XrpcError(400, 'ExpiredToken', 'Token has expired');
    return claims;
  }

  private issue(did: string, appPassword: string | null): { accessJwt: string; refreshJwt: string } {
    const now = this.now();
    const iat = Math.floor(now / 1000);
    const jti = randomBytes(16).toString('hex');
    const scope = appPassword === null ? 'com.atproto.access' : 'com.atproto.appPass';
    const accessJwt = this.sign({
      scope,
      sub: did,
      aud: 'did:web:pds.fake',
      iat,
      exp: Math.floor((now + this.options.accessTtlMs) / 1000),
      rjti: jti,
    });
    const refreshJwt = this.sign({
      scope: 'com.atproto.refresh',
      sub: did,
      aud: 'did:web:pds.fake',
      jti,
      iat,
      exp: Math.floor((now + this.options.refreshTtlMs) / 1000),
    });
    this.refreshTokens.set(jti, { did, appPassword, next: null, rotatedAt: null, revoked: false });
    return { accessJwt, refreshJwt };
  }

  private bearer(req: RecordedRequest): string {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer '))
      throw new XrpcError(401, 'AuthMissing', 'Authentication Required');
    return header.slice('Bearer '.length);
  }

  /** The account an access JWT signs in (app password or main password sessions). */
  private access(req: RecordedRequest): BlueskyAccount {
    const claims = this.verify(this.bearer(req));
    if (claims.scope !== 'com.atproto.access' && claims.scope !== 'com.atproto.appPass')
      throw new XrpcError(400, 'InvalidToken', 'Bad token scope');
    const session = this.refreshTokens.get(String(claims.rjti));
    if (!session || session.revoked) throw new XrpcError(400, 'InvalidToken', 'Token could not be verified');
    const account = this.accounts.get(String(claims.sub));
    if (!account) throw new XrpcError(400, 'InvalidToken', 'Token could not be verified');
    if (account.status === 'takendown') throw new XrpcError(400, 'AccountTakedown', 'Account has been taken down');
    return account;
  }

  /** The account's DID document: its handle and its PDS (https://atproto.com/specs/did). */
  private didDocument(account: BlueskyAccount): Record<string, unknown> {
    return {
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: account.did,
      alsoKnownAs: [`at://${account.handle}`],
      verificationMethod: [],
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: this.pdsUrl }],
    };
  }

  // ---- rate limits --------------------------------------------------------------------------

  private limit(
    store: Map<string, Array<{ at: number; points: number }>> | Map<string, number[]>,
    key: string,
    windows: Array<{ limit: number; ms: number }>,
    points = 1,
  ): Record<string, string> {
    const now = this.now();
    const entries = ((store as Map<string, unknown[]>).get(key) ?? []) as Array<
      { at: number; points: number } | number
    >;
    const norm = entries.map((e) => (typeof e === 'number' ? { at: e, points: 1 } : e));
    let headers: Record<string, string> = {};
    for (const w of windows) {
      const inWindow = norm.filter((e) => e.at > now - w.ms);
      const used = inWindow.reduce((n, e) => n + e.points, 0);
      const reset = Math.ceil(((inWindow[0]?.at ?? now) + w.ms) / 1000);
      const h = {
        'ratelimit-limit': String(w.limit),
        'ratelimit-remaining': String(Math.max(0, w.limit - used - points)),
        'ratelimit-reset': String(reset),
        'ratelimit-policy': `${w.limit};w=${w.ms / 1000}`,
      };
      if (used + points > w.limit) throw new XrpcError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', h);
      if (Object.keys(headers).length === 0) headers = h;
    }
    (store as Map<string, unknown[]>).set(key, [...norm.filter((e) => e.at > now - DAY), { at: now, points }]);
    return headers;
  }

  // ---- routes -------------------------------------------------------------------------------

  private xrpc(
    method: 'GET' | 'POST',
    path: string,
    handler: (req: RecordedRequest) => { json: unknown; headers?: Record<string, string> },
  ): void {
    this.route(method, new RegExp(`^${path.replace(/\./g, '\\.')}$`), (req): Reply => {
      try {
        const out = handler(req);
        return { json: out.json, ...(out.headers ? { headers: out.headers } : {}) };
      } catch (err) {
        if (err instanceof XrpcError)
          return { status: err.status, json: { error: err.error, message: err.message }, headers: err.headers };
        throw err;
      }
    });
  }

  private defineRoutes(): void {
    // The public resolver (AppView): handles only.
    this.xrpc('GET', '/xrpc/com.atproto.identity.resolveHandle', (req) => {
      const handle = req.query.handle;
      if (!handle) throw invalid('Error: Params must have the property "handle"');
      const account = [...this.accounts.values()].find((a) => a.handle === handle.toLowerCase());
      if (!account) throw new XrpcError(400, 'HandleNotFound', 'Unable to resolve handle');
      return { json: { did: account.did } };
    });
    this.route('GET', /^\/plc\/did:plc:[a-z0-9]+$/, (req) => {
      const did = req.path.slice('/plc/'.length);
      const account = this.accounts.get(did);
      if (!account) return { status: 404, json: { message: `DID not registered: ${did}` } };
      return { json: this.didDocument(account) };
    });
    // did:web:<this host> (the port written %3A), served from the host's well-known path.
    this.route('GET', /^\/\.well-known\/did\.json$/, () => {
      const account = this.accounts.get(`did:web:${encodeURIComponent(this.host)}`);
      return account ? { json: this.didDocument(account) } : { status: 404, text: 'not found' };
    });
    this.route('GET', /^\/web\/[\w-]+$/, (req) => {
      const page = this.pages.get(req.path.slice('/web/'.length));
      return page === undefined ? { status: 404, text: 'not found' } : { text: page };
    });

    this.xrpc('POST', '/pds/xrpc/com.atproto.server.createSession', (req) => {
      const body = req.body as Record<string, unknown>;
      if (!isObject(body) || typeof body.identifier !== 'string' || typeof body.password !== 'string')
        throw invalid('Input must have the properties "identifier" and "password"');
      const id = body.identifier.toLowerCase();
      const headers = this.limit(this.sessionCounts, id, [
        { limit: 30, ms: 5 * MIN },
        { limit: 300, ms: DAY },
      ]);
      const account = [...this.accounts.values()].find((a) => a.did === body.identifier || a.handle === id);
      const appPassword = account?.appPasswords.has(body.password) ? body.password : null;
      if (!account || (!appPassword && account.password !== body.password))
        throw new XrpcError(401, 'AuthenticationRequired', 'Invalid identifier or password', headers);
      if (account.status === 'takendown') throw new XrpcError(401, 'AccountTakedown', 'Account has been taken down');
      if (!appPassword && account.emailAuthFactor && !body.authFactorToken)
        throw new XrpcError(401, 'AuthFactorTokenRequired', 'A sign in code has been sent to your email address');
      return {
        json: {
          ...this.issue(account.did, appPassword),
          did: account.did,
          handle: account.handle,
          active: account.status === null,
          ...(account.status ? { status: account.status } : {}),
        },
        headers,
      };
    });
    this.xrpc('POST', '/pds/xrpc/com.atproto.server.refreshSession', (req) => {
      if (req.raw.length > 0) throw invalid('refreshSession takes no body');
      const claims = this.verify(this.bearer(req));
      if (claims.scope !== 'com.atproto.refresh') throw new XrpcError(400, 'InvalidToken', 'Invalid token type');
      const session = this.refreshTokens.get(String(claims.jti));
      if (!session || session.revoked) throw new XrpcError(400, 'InvalidToken', 'Token could not be verified');
      const account = this.accounts.get(session.did)!;
      if (session.next) {
        // A rotated token within its grace gets the same successor; after it, nothing.
        if (this.now() - session.rotatedAt! > this.options.refreshGraceMs)
          throw new XrpcError(400, 'ExpiredToken', 'Token has expired');
        return { json: { ...session.next, did: account.did, handle: account.handle, active: true } };
      }
      const next = this.issue(account.did, session.appPassword);
      session.next = next;
      session.rotatedAt = this.now();
      return { json: { ...next, did: account.did, handle: account.handle, active: account.status === null } };
    });
    this.xrpc('GET', '/pds/xrpc/com.atproto.server.getSession', (req) => {
      const a = this.access(req);
      return {
        json: { did: a.did, handle: a.handle, active: a.status === null, ...(a.status ? { status: a.status } : {}) },
      };
    });
    this.xrpc('POST', '/pds/xrpc/com.atproto.server.deleteSession', (req) => {
      const claims = this.verify(this.bearer(req));
      if (claims.scope !== 'com.atproto.refresh') throw new XrpcError(400, 'InvalidToken', 'Invalid token type');
      const session = this.refreshTokens.get(String(claims.jti));
      if (session) session.revoked = true;
      return { json: undefined };
    });
    this.xrpc('GET', '/pds/xrpc/app.bsky.actor.getProfile', (req) => {
      this.access(req);
      const a =
        this.accounts.get(req.query.actor ?? '') ??
        [...this.accounts.values()].find((x) => x.handle === req.query.actor);
      if (!a) throw invalid('Profile not found');
      return {
        json: {
          did: a.did,
          handle: a.handle,
          ...(a.displayName ? { displayName: a.displayName } : {}),
          ...(a.avatar ? { avatar: a.avatar } : {}),
          followersCount: this.followers.get(a.did) ?? 0,
          followsCount: 0,
          postsCount: this.posts(a.did).length,
        },
      };
    });
    // https://docs.bsky.app/docs/api/app-bsky-feed-get-posts: 1 to 25 AT-URIs; posts not found are left out.
    this.xrpc('GET', '/pds/xrpc/app.bsky.feed.getPosts', (req) => {
      this.access(req);
      const uris = req.queryAll.uris ?? [];
      if (uris.length === 0) throw invalid('Error: Params must have the property "uris"');
      if (uris.length > 25) throw invalid('Error: uris must not have more than 25 elements');
      const posts = uris.flatMap((uri) => {
        const m = /^at:\/\/(did:[^/]+)\/app\.bsky\.feed\.post\/([^/]+)$/.exec(uri);
        if (!m) throw invalid(`Error: uris/${uris.indexOf(uri)} must be a valid at-uri`);
        const record = this.records.get(m[1]!)?.get(m[2]!);
        const author = this.accounts.get(m[1]!);
        if (!record || !author) return [];
        const c = this.engagement.get(uri) ?? { likes: 0, reposts: 0, replies: 0, quotes: 0 };
        return [
          {
            uri,
            cid: record.cid,
            author: { did: author.did, handle: author.handle },
            record: record.value,
            likeCount: c.likes,
            repostCount: c.reposts,
            replyCount: c.replies,
            quoteCount: c.quotes,
            indexedAt: new Date(this.now()).toISOString(),
          },
        ];
      });
      return { json: { posts } };
    });
    this.route('GET', /^\/files\/[\w.-]+$/, (req) => {
      const file = this.files.get(req.path.slice('/files/'.length));
      if (!file) return { status: 404, text: 'not found' };
      return { raw: file.bytes, headers: { 'content-type': file.type } };
    });
    // A token for another service, signed for one audience and one method (com.atproto.server.getServiceAuth).
    this.xrpc('GET', '/pds/xrpc/com.atproto.server.getServiceAuth', (req) => {
      const account = this.access(req);
      if (this.serviceAuthRefused)
        throw new XrpcError(400, this.serviceAuthRefused, 'This server does not issue service tokens');
      const { aud, lxm, exp } = req.query;
      if (!aud?.startsWith('did:')) throw invalid('Params must have the property "aud" (a DID)');
      if (lxm !== undefined && !/^[a-z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+){2,}$/.test(lxm))
        throw invalid('Params/lxm must be an NSID');
      const now = Math.floor(this.now() / 1000);
      const expiry = exp === undefined ? now + 60 : Number(exp);
      if (!Number.isInteger(expiry)) throw invalid('Params/exp must be an integer');
      if (expiry <= now) throw new XrpcError(400, 'BadExpiration', 'expiration is in past');
      if (expiry - now > 3600) throw new XrpcError(400, 'BadExpiration', 'expiration is too far in the future');
      const token = this.sign({ iss: account.did, aud, ...(lxm ? { lxm } : {}), iat: now, exp: expiry });
      return { json: { token } };
    });
    this.xrpc('GET', '/video/xrpc/app.bsky.video.getUploadLimits', (req) => {
      const did = this.serviceToken(req, this.didWeb(this.videoUrl), 'app.bsky.video.getUploadLimits');
      return { json: this.limitsOf(did) };
    });
    this.xrpc('POST', '/video/xrpc/app.bsky.video.uploadVideo', (req) => {
      const did = this.serviceToken(req, this.didWeb(this.pdsUrl), 'com.atproto.repo.uploadBlob');
      if (!req.query.did) throw invalid('Params must have the property "did"');
      if (req.query.did !== did) throw new XrpcError(401, 'InvalidToken', 'Token issuer does not match did');
      if (req.headers['content-type'] !== 'video/mp4') throw invalid('Wrong type of file: must be video/mp4');
      const bytes = Buffer.isBuffer(req.body) ? req.body : req.raw;
      if (bytes.length === 0) throw invalid('No video was sent');
      if (bytes.length > this.videoMaxBytes) throw new XrpcError(413, 'PayloadTooLarge', 'request entity too large');
      const limits = this.limitsOf(did);
      if (!limits.canUpload || limits.remainingDailyVideos < 1 || limits.remainingDailyBytes < bytes.length)
        throw new XrpcError(400, 'UploadLimitExceeded', limits.message ?? 'Daily video upload limit reached');
      this.videoLimits.set(did, {
        ...limits,
        remainingDailyVideos: limits.remainingDailyVideos - 1,
        remainingDailyBytes: limits.remainingDailyBytes - bytes.length,
      });
      const job: VideoJob = {
        jobId: randomBytes(8).toString('hex'),
        did,
        size: bytes.length,
        cid: cidOf('bafkrei', bytes),
        step: 0,
        failWith: this.failNextVideo,
      };
      this.failNextVideo = null;
      this.videoJobs.set(job.jobId, job);
      const status = this.jobStatus(job);
      return { json: this.uploadShape === 'flat' ? status : { jobStatus: status } };
    });
    this.xrpc('GET', '/video/xrpc/app.bsky.video.getJobStatus', (req) => {
      if (!req.query.jobId) throw invalid('Params must have the property "jobId"');
      const job = this.videoJobs.get(req.query.jobId);
      if (!job) throw new XrpcError(404, 'NotFound', 'Job not found');
      if (job.step < VIDEO_STATES.length - 1) job.step++;
      if (job.step === VIDEO_STATES.length - 1 && !job.failWith)
        // The processed video is stored on the account's PDS as an ordinary blob.
        this.blobs.set(job.cid, { mimeType: 'video/mp4', size: job.size, at: this.now() });
      return { json: { jobStatus: this.jobStatus(job) } };
    });
    this.xrpc('POST', '/pds/xrpc/com.atproto.repo.uploadBlob', (req) => {
      this.access(req);
      const type = req.headers['content-type'];
      if (typeof type !== 'string' || !type || type.includes('json'))
        throw invalid('uploadBlob needs the blob’s Content-Type');
      if (req.raw.length > this.blobUploadLimit)
        throw new XrpcError(413, 'PayloadTooLarge', 'request entity too large');
      const cid = cidOf('bafkrei', req.raw);
      this.blobs.set(cid, { mimeType: type, size: req.raw.length, at: this.now() });
      return { json: { blob: { $type: 'blob', ref: { $link: cid }, mimeType: type, size: req.raw.length } } };
    });
    const write = (kind: 'createRecord' | 'putRecord') => (req: RecordedRequest) => {
      const account = this.access(req);
      const body = req.body as Record<string, unknown>;
      if (!isObject(body) || '__invalidJson' in body) throw invalid('Request body must be JSON');
      if (body.repo !== account.did && body.repo !== account.handle)
        throw new XrpcError(401, 'AuthRequired', 'Input/repo must match the signed-in account');
      if (body.collection !== COLLECTION) throw invalid(`Herald's fake knows only ${COLLECTION}`);
      const rkey = body.rkey;
      if (kind === 'putRecord' && typeof rkey !== 'string') throw invalid('Input must have the property "rkey"');
      if (rkey !== undefined && (typeof rkey !== 'string' || !TID.test(rkey)))
        throw invalid(`Invalid record key: ${String(rkey)}`);
      const record = this.validatePost(body.record);
      const key = (rkey as string | undefined) ?? this.mintTid();
      const repo = this.records.get(account.did) ?? new Map<string, StoredRecord>();
      this.records.set(account.did, repo);
      const uri = `at://${account.did}/${COLLECTION}/${key}`;
      const cid = cidOf('bafyrei', canonical(record));
      const existing = repo.get(key);
      // putRecord is charged as an update (2 points), createRecord as a create (3).
      const headers = this.limit(
        this.writePoints,
        account.did,
        [
          { limit: 5_000, ms: HOUR },
          { limit: 35_000, ms: DAY },
        ],
        kind === 'putRecord' ? 2 : 3,
      );
      if (kind === 'createRecord' && existing)
        // The reference PDS fails the MST insert with a plain error: an opaque 500.
        throw new XrpcError(500, 'InternalServerError', 'Internal Server Error');
      if (kind === 'putRecord' && 'swapRecord' in body && body.swapRecord === null && existing)
        throw new XrpcError(400, 'InvalidSwap', `Record was at ${existing.cid}`);
      if (existing && existing.cid === cid) return { json: { uri, cid }, headers };
      repo.set(key, { uri, cid, value: record, via: kind });
      this.commits++;
      return {
        json: {
          uri,
          cid,
          commit: { cid: cidOf('bafyrei', `${uri}${this.commits}`), rev: this.mintTid() },
          validationStatus: 'valid',
        },
        headers,
      };
    };
    this.xrpc('POST', '/pds/xrpc/com.atproto.repo.createRecord', write('createRecord'));
    this.xrpc('POST', '/pds/xrpc/com.atproto.repo.putRecord', write('putRecord'));
    // Replies (first comments) are found in the account's own repository.
    this.xrpc('GET', '/pds/xrpc/com.atproto.repo.listRecords', (req) => this.listRecords(req));
    this.xrpc('GET', '/pds/xrpc/com.atproto.repo.getRecord', (req) => {
      const { repo, collection, rkey } = req.query;
      if (!repo || !collection || !rkey)
        throw invalid('Params must have the properties "repo", "collection" and "rkey"');
      const record = this.records.get(repo)?.get(rkey);
      if (collection !== COLLECTION || !record)
        throw new XrpcError(400, 'RecordNotFound', `Could not locate record: at://${repo}/${collection}/${rkey}`);
      return { json: { uri: record.uri, cid: record.cid, value: record.value } };
    });
  }

  // ---- the video service ----------------------------------------------------------------------

  /** `did:web:<host>`, the port written %3A. */
  didWeb(serviceUrl: string): string {
    return `did:web:${encodeURIComponent(new URL(serviceUrl).host)}`;
  }

  /** A service token for exactly this audience and method; its issuer's DID. */
  private serviceToken(req: RecordedRequest, aud: string, lxm: string): string {
    const claims = this.verify(this.bearer(req));
    if (typeof claims.iss !== 'string' || 'scope' in claims)
      throw new XrpcError(401, 'InvalidToken', 'A service token is required, not a session token');
    if (claims.aud !== aud) throw new XrpcError(401, 'InvalidToken', `jwt audience does not match service did: ${aud}`);
    if (claims.lxm !== lxm) throw new XrpcError(401, 'InvalidToken', `bad token lxm: ${String(claims.lxm)}`);
    return claims.iss;
  }

  private limitsOf(did: string) {
    return (
      this.videoLimits.get(did) ?? { canUpload: true, remainingDailyVideos: 25, remainingDailyBytes: 10_000_000_000 }
    );
  }

  private jobStatus(job: VideoJob): Record<string, unknown> {
    const done = job.step === VIDEO_STATES.length - 1;
    if (done && job.failWith)
      return {
        jobId: job.jobId,
        did: job.did,
        state: 'JOB_STATE_FAILED',
        failureCode: job.failWith,
        error: `video processing failed: ${job.failWith}`,
      };
    return {
      jobId: job.jobId,
      did: job.did,
      state: VIDEO_STATES[job.step],
      progress: done ? 100 : job.step * 25,
      ...(done ? { blob: { $type: 'blob', ref: { $link: job.cid }, mimeType: 'video/mp4', size: job.size } } : {}),
    };
  }

  private lastTid = 0;
  private mintTid(): string {
    const alphabet = '234567abcdefghijklmnopqrstuvwxyz';
    let n = BigInt(Math.max(this.now() * 1000, this.lastTid + 1)) * 1024n;
    this.lastTid = Number(n / 1024n);
    let out = '';
    for (let i = 0; i < 13; i++) {
      out = alphabet[Number(n & 31n)]! + out;
      n >>= 5n;
    }
    return out;
  }

  // ---- app.bsky.feed.post -------------------------------------------------------------------

  private blob(value: unknown, where: string, options: { image: boolean; video?: boolean }): void {
    if (!isObject(value) || value.$type !== 'blob' || !isObject(value.ref) || typeof value.ref.$link !== 'string')
      throw invalid(`${where} must be a blob ref`);
    const stored = this.blobs.get(value.ref.$link);
    if (!stored || this.now() - stored.at > this.blobTtlMs) throw invalid(`Could not find blob: ${value.ref.$link}`);
    if (stored.mimeType !== value.mimeType)
      throw new XrpcError(400, 'InvalidMimeType', `${where}: mimeType does not match the blob`);
    if (stored.size !== value.size) throw invalid(`${where}: size does not match the blob`);
    if (options.image && !stored.mimeType.startsWith('image/'))
      throw new XrpcError(
        400,
        'InvalidMimeType',
        `Wrong type of file. It is ${stored.mimeType} but it must match image/*.`,
      );
    if (options.image && stored.size > this.imageMaxBytes)
      throw new XrpcError(
        400,
        'BlobTooLarge',
        `This file is too large. It is ${stored.size} bytes but the maximum size is ${this.imageMaxBytes} bytes.`,
      );
    if (options.video && stored.mimeType !== 'video/mp4')
      throw new XrpcError(
        400,
        'InvalidMimeType',
        `Wrong type of file. It is ${stored.mimeType} but it must be video/mp4.`,
      );
    if (options.video && stored.size > this.videoMaxBytes)
      throw new XrpcError(
        400,
        'BlobTooLarge',
        `This file is too large. The maximum size is ${this.videoMaxBytes} bytes.`,
      );
    stored.at = Number.POSITIVE_INFINITY; // referenced: kept
  }

  /** The lexicon's basics for app.bsky.feed.post (https://github.com/bluesky-social/atproto lexicons). */
  private validatePost(value: unknown): Record<string, unknown> {
    if (!isObject(value)) throw invalid('Input/record must be an object');
    const record = { ...value };
    if (record.$type === undefined) record.$type = COLLECTION;
    if (record.$type !== COLLECTION) throw invalid(`Invalid $type: must be ${COLLECTION}`);
    const text = record.text;
    if (typeof text !== 'string') throw invalid('Record must have the property "text"');
    if (graphemes(text) > 300) throw invalid('Record/text must not be longer than 300 graphemes');
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > 3000) throw invalid('Record/text must not be longer than 3000 characters');
    if (
      typeof record.createdAt !== 'string' ||
      !DATETIME.test(record.createdAt) ||
      Number.isNaN(Date.parse(record.createdAt))
    )
      throw invalid('Record/createdAt must be an valid atproto datetime');
    if (record.langs !== undefined && (!Array.isArray(record.langs) || record.langs.length > 3))
      throw invalid('Record/langs must not have more than 3 elements');
    if (record.facets !== undefined) {
      if (!Array.isArray(record.facets)) throw invalid('Record/facets must be an array');
      for (const [i, f] of record.facets.entries()) this.validateFacet(f, i, bytes);
    }
    if (record.embed !== undefined) this.validateEmbed(record.embed);
    if (record.reply !== undefined) this.validateReply(record.reply);
    return record;
  }

  /**
   * `reply: {root, parent}`, each a com.atproto.repo.strongRef `{uri, cid}`. Stricter than the PDS,
   * which checks only the shape: the parent must exist with that CID (the AppView drops a reply to a
   * post it cannot find, so a wrong CID would be an invisible comment).
   */
  private validateReply(reply: unknown): void {
    if (!isObject(reply)) throw invalid('Record/reply must be an object');
    for (const side of ['root', 'parent'] as const) {
      const ref = reply[side];
      if (!isObject(ref) || typeof ref.uri !== 'string' || typeof ref.cid !== 'string')
        throw invalid(`Record/reply/${side} must have the properties "uri" and "cid"`);
      const m = /^at:\/\/(did:[^/]+)\/app\.bsky\.feed\.post\/([^/]+)$/.exec(ref.uri);
      if (!m) throw invalid(`Record/reply/${side}/uri must be a valid at-uri`);
      const target = this.records.get(m[1]!)?.get(m[2]!);
      if (!target || target.cid !== ref.cid)
        throw invalid(`Record/reply/${side} does not name an existing post and its CID`);
    }
  }

  /** Replies (first comments) to a post, by the post's URI. */
  repliesTo(uri: string): StoredRecord[] {
    return [...this.records.values()]
      .flatMap((repo) => [...repo.values()])
      .filter((r) => (r.value.reply as { parent?: { uri?: string } } | undefined)?.parent?.uri === uri);
  }

  /** The next record write (createRecord or putRecord) is carried out and its answer lost. */
  loseNextWriteResponse(): void {
    this.inject({
      method: 'POST',
      path: /\/com\.atproto\.repo\.(createRecord|putRecord)$/,
      fault: { kind: 'lose-response' },
    });
  }

  /**
   * com.atproto.repo.listRecords (https://docs.bsky.app/docs/api/com-atproto-repo-list-records): a
   * repository's records of one collection, newest key first (oldest first with `reverse`), 1..100.
   */
  private listRecords(req: RecordedRequest): { json: unknown } {
    const { repo, collection } = req.query;
    if (!repo || !collection) throw invalid('Params must have the properties "repo" and "collection"');
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('limit must be an integer 1..100');
    const all = [...(this.records.get(repo)?.entries() ?? [])]
      .filter(() => collection === COLLECTION)
      .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0));
    if (req.query.reverse === 'true') all.reverse();
    const start = req.query.cursor ? all.findIndex(([k]) => k === req.query.cursor) + 1 : 0;
    const page = all.slice(start, start + limit);
    return {
      json: {
        records: page.map(([, r]) => ({ uri: r.uri, cid: r.cid, value: r.value })),
        ...(start + limit < all.length ? { cursor: page.at(-1)![0] } : {}),
      },
    };
  }

  private validateFacet(f: unknown, i: number, text: Buffer): void {
    const where = `Record/facets/${i}`;
    if (!isObject(f) || !isObject(f.index) || !Array.isArray(f.features) || f.features.length === 0)
      throw invalid(`${where} must have "index" and "features"`);
    const { byteStart, byteEnd } = f.index;
    if (!Number.isInteger(byteStart) || !Number.isInteger(byteEnd) || (byteStart as number) < 0)
      throw invalid(`${where}/index must hold integer byteStart and byteEnd`);
    const start = byteStart as number;
    const end = byteEnd as number;
    if (start >= end || end > text.length)
      throw invalid(`${where}/index is outside the text (${start}..${end} of ${text.length} bytes)`);
    // A range counted in UTF-16 units instead of UTF-8 bytes usually cuts a character in two.
    const continuation = (at: number) => at < text.length && (text[at]! & 0xc0) === 0x80;
    if (continuation(start) || continuation(end)) throw invalid(`${where}/index splits a UTF-8 character`);
    for (const feature of f.features) {
      if (!isObject(feature) || !FEATURES.includes(String(feature.$type)))
        throw invalid(`${where}: unknown feature type`);
      if (
        feature.$type === 'app.bsky.richtext.facet#link' &&
        (typeof feature.uri !== 'string' || !URL.canParse(feature.uri))
      )
        throw invalid(`${where}: a link needs a uri`);
      if (
        feature.$type === 'app.bsky.richtext.facet#mention' &&
        (typeof feature.did !== 'string' || !feature.did.startsWith('did:'))
      )
        throw invalid(`${where}: a mention needs a did`);
      if (
        feature.$type === 'app.bsky.richtext.facet#tag' &&
        (typeof feature.tag !== 'string' || !feature.tag || graphemes(feature.tag) > 64 || feature.tag.startsWith('#'))
      )
        throw invalid(`${where}: a tag needs a tag (without "#", at most 64 graphemes)`);
    }
  }

  private validateEmbed(embed: unknown): void {
    if (!isObject(embed)) throw invalid('Record/embed must be an object');
    if (embed.$type === 'app.bsky.embed.images') {
      const images = embed.images;
      if (!Array.isArray(images) || images.length === 0) throw invalid('Record/embed/images must be a non-empty array');
      if (images.length > 4) throw invalid('Record/embed/images must not have more than 4 elements');
      images.forEach((img, i) => {
        const where = `Record/embed/images/${i}`;
        if (!isObject(img) || typeof img.alt !== 'string') throw invalid(`${where} must have the property "alt"`);
        this.blob(img.image, `${where}/image`, { image: true });
        if (img.aspectRatio !== undefined) {
          const r = img.aspectRatio as Record<string, unknown>;
          if (
            !isObject(r) ||
            !Number.isInteger(r.width) ||
            !Number.isInteger(r.height) ||
            (r.width as number) < 1 ||
            (r.height as number) < 1
          )
            throw invalid(`${where}/aspectRatio must hold integer width and height of at least 1`);
        }
      });
      return;
    }
    if (embed.$type === 'app.bsky.embed.external') {
      const ext = embed.external;
      if (
        !isObject(ext) ||
        typeof ext.uri !== 'string' ||
        !URL.canParse(ext.uri) ||
        typeof ext.title !== 'string' ||
        typeof ext.description !== 'string'
      )
        throw invalid('Record/embed/external must have "uri", "title" and "description"');
      if (ext.thumb !== undefined) this.blob(ext.thumb, 'Record/embed/external/thumb', { image: true });
      return;
    }
    if (embed.$type === 'app.bsky.embed.video') {
      // app.bsky.embed.video: {video, alt?, aspectRatio?, captions?, presentation?}
      this.blob(embed.video, 'Record/embed/video', { image: false, video: true });
      if (embed.alt !== undefined && (typeof embed.alt !== 'string' || graphemes(embed.alt) > 1000))
        throw invalid('Record/embed/alt must be a string of at most 1000 graphemes');
      if (embed.aspectRatio !== undefined) {
        const r = embed.aspectRatio as Record<string, unknown>;
        if (!isObject(r) || !Number.isInteger(r.width) || !Number.isInteger(r.height))
          throw invalid('Record/embed/aspectRatio must hold integer width and height');
      }
      return;
    }
    throw invalid(`Record/embed: Herald's fake accepts images, external and video embeds, not ${String(embed.$type)}`);
  }
}
