// A small Graph API client for the Meta module: versioned base URL, the error envelope, the usage
// headers and what network failures mean for a publishing call (docs/platforms/meta.md: #errors,
// #rate-limits, #network-failures-and-unknown-outcomes).
import { createHmac } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../log.js';
import { describeRequest, httpRequest, NetworkError, type HttpResponse } from '../http.js';
import { PlatformError, type AttemptContext } from '../types.js';
import { DEFAULT_RATE_LIMIT_WAIT_MS, mapGraphError, type GraphErrorBody, type MetaSurface } from './errors.js';

export type Params = Record<string, string | number | boolean | undefined>;

export interface GraphClientOptions {
  /** `config.meta.graphUrl`, version included: always send one (docs/platforms/meta.md#versions-and-base-urls). */
  readonly graphUrl: string;
  readonly appId: string | null;
  readonly appSecret: string | null;
  readonly log: Logger;
  readonly requestTimeoutMs: number;
  /** Pause before the next call when usage is just over 80 %, growing to this at 100 %. */
  readonly slowDownMaxMs: number;
  /** The usage windows' time, and the pauses before calls. */
  readonly clock: Clock;
}

export interface GraphRequest {
  readonly method?: 'GET' | 'POST' | 'DELETE';
  /** A path under the versioned base (`/me/accounts`), or an absolute `paging.next` URL. */
  readonly path: string;
  /** The user, Page or app token; absent only for the OAuth code and token exchanges. */
  readonly token?: string;
  readonly params?: Params;
  /** Whose words the errors use. */
  readonly surface: MetaSurface;
  /** The business object (Page or Instagram user id) the call counts against (docs/platforms/meta.md#rate-limits). */
  readonly objectId?: string;
  /**
   * The one call that publishes: once it has left, anything but a clear refusal (4xx with an
   * error envelope) is an unknown outcome, never "not published"
   * (docs/platforms/meta.md#network-failures-and-unknown-outcomes).
   */
  readonly publishing?: boolean;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** A request made for a publish attempt: token, account and signal come from the attempt. */
export type AttemptRequest = Omit<GraphRequest, 'token' | 'surface' | 'objectId' | 'signal'>;

export interface GraphResult<T> {
  readonly data: T;
  readonly status: number;
  /** Method and path, for step logs (never the query: tokens travel there). */
  readonly request: string;
  readonly durationMs: number;
}

/** One rate-limit signal read from the usage headers. */
interface Usage {
  appPct: number;
  /** Per business object: the highest percentage and the longest regain estimate (minutes). */
  objects: Map<string, { pct: number; regainMinutes: number }>;
}

/** Reading Graph JSON without trusting its shape. */
export function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function pctOf(entry: Record<string, unknown> | null): number {
  if (!entry) return 0;
  return Math.max(
    0,
    ...['call_count', 'total_time', 'total_cputime'].map((k) =>
      typeof entry[k] === 'number' ? (entry[k] as number) : 0,
    ),
  );
}

function parseHeader(headers: Headers, name: string): unknown {
  const raw = headers.get(name);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

/** `X-App-Usage`, `X-Business-Use-Case-Usage` and the legacy `X-Page-Usage` (docs/platforms/meta.md#rate-limits). */
export function readUsage(headers: Headers, objectId: string | undefined): Usage {
  const usage: Usage = { appPct: pctOf(record(parseHeader(headers, 'x-app-usage'))), objects: new Map() };
  const buc = record(parseHeader(headers, 'x-business-use-case-usage'));
  for (const [id, entries] of Object.entries(buc ?? {})) {
    for (const entry of Array.isArray(entries) ? entries : []) {
      const e = record(entry);
      const regain = typeof e?.estimated_time_to_regain_access === 'number' ? e.estimated_time_to_regain_access : 0;
      const prev = usage.objects.get(id) ?? { pct: 0, regainMinutes: 0 };
      usage.objects.set(id, { pct: Math.max(prev.pct, pctOf(e)), regainMinutes: Math.max(prev.regainMinutes, regain) });
    }
  }
  const page = record(parseHeader(headers, 'x-page-usage'));
  if (page && objectId) {
    const prev = usage.objects.get(objectId) ?? { pct: 0, regainMinutes: 0 };
    usage.objects.set(objectId, { pct: Math.max(prev.pct, pctOf(page)), regainMinutes: prev.regainMinutes });
  }
  return usage;
}

/**
 * A refused Graph call: the PlatformError publishing understands, plus Meta's own error body and
 * HTTP status for readers that must tell a retired metric from a missing permission
 * (docs/platforms/meta.md#results).
 */
export class GraphCallError extends PlatformError {
  constructor(
    base: PlatformError,
    readonly body: GraphErrorBody | null,
    readonly status: number,
  ) {
    super(base.kind, base.message, base.code, base.options);
  }
}

export class GraphClient {
  /**
   * The busiest usage percentage last seen, by 'app' or business object id, and when: results
   * collection stays away from an app or Page above half of it (docs/platforms/meta.md#results).
   */
  private readonly seen = new Map<string, { pct: number; at: number }>();
  /** Epoch ms until which calls stop, by scope: 'app' or a business object id. */
  private readonly blockedUntil = new Map<string, number>();
  /** Epoch ms before which the next call waits (usage over 80 %). */
  private readonly slowUntil = new Map<string, number>();
  private readonly base: URL;

  constructor(readonly options: GraphClientOptions) {
    this.base = new URL(options.graphUrl.replace(/\/+$/, ''));
  }

  /**
   * 0–1: the busier of the app's and this object's usage headers in the last hour (the window
   * X-App-Usage counts over), or null when no answer in that hour carried them.
   */
  usageOf(objectId: string): number | null {
    const since = this.options.clock.now() - 60 * 60_000;
    const fresh = [this.seen.get('app'), this.seen.get(objectId)].filter((u) => u !== undefined && u.at >= since);
    if (fresh.length === 0) return null;
    return Math.min(1, Math.max(...fresh.map((u) => u!.pct)) / 100);
  }

  /** The app access token `{app-id}|{app-secret}` for `/debug_token` (docs/platforms/meta.md#token-health-check). */
  appToken(): string {
    if (!this.options.appId || !this.options.appSecret)
      throw new PlatformError(
        'permanent',
        'Facebook is not set up on this server: set META_APP_ID and META_APP_SECRET.',
        'meta:not_configured',
      );
    return `${this.options.appId}|${this.options.appSecret}`;
  }

  /**
   * Whether an upload URL Graph handed back may receive the Page token: Meta's rupload host, or
   * the Graph host itself (a self-hosted stand-in). Anything else never sees a token.
   */
  isUploadHost(url: string): boolean {
    if (!URL.canParse(url)) return false;
    const target = new URL(url);
    return (
      (target.protocol === 'https:' && target.hostname === 'rupload.facebook.com') || target.origin === this.base.origin
    );
  }

  private url(path: string): string {
    if (/^https?:\/\//.test(path)) {
      // paging.next URLs carry the token: only ever follow them to the Graph host we were given.
      const next = new URL(path);
      if (next.origin !== this.base.origin)
        throw new PlatformError(
          'permanent',
          `Facebook returned a paging link to another host (${next.host}).`,
          'meta:paging',
        );
      return next.toString();
    }
    return `${this.base.toString()}${path.startsWith('/') ? path : `/${path}`}`;
  }

  /**
   * `appsecret_proof`: required when the app has "Require App Secret" on; harmless otherwise
   * (docs/platforms/meta.md#versions-and-base-urls).
   */
  private proof(token: string): string | undefined {
    const { appSecret } = this.options;
    if (!appSecret || token.includes('|')) return undefined;
    return createHmac('sha256', appSecret).update(token).digest('hex');
  }

  /** Stops or slows down before a call, as the last usage headers asked (docs/platforms/meta.md#rate-limits). */
  private async beforeCall(req: GraphRequest): Promise<void> {
    const now = this.options.clock.now();
    const app = this.blockedUntil.get('app') ?? 0;
    if (app > now) {
      throw new PlatformError(
        'rate_limited',
        'Herald’s Meta app reached its hourly request limit; calls wait until it recovers.',
        'meta:app_usage',
        { retryAfterMs: app - now, scope: 'platform' },
      );
    }
    const object = req.objectId ? (this.blockedUntil.get(req.objectId) ?? 0) : 0;
    if (object > now) {
      const label = req.surface === 'instagram' ? 'Instagram' : 'Facebook';
      throw new PlatformError(
        'rate_limited',
        `${label} says this account reached its request limit; calls wait until it recovers.`,
        'meta:buc_usage',
        { retryAfterMs: object - now, scope: 'account' },
      );
    }
    const slow = Math.max(this.slowUntil.get('app') ?? 0, req.objectId ? (this.slowUntil.get(req.objectId) ?? 0) : 0);
    if (slow > now) {
      // One short pause per high-usage answer; the next answer's headers decide again.
      this.slowUntil.delete('app');
      if (req.objectId) this.slowUntil.delete(req.objectId);
      try {
        await this.options.clock.sleep(slow - now, req.signal);
      } catch {
        // Aborted while pausing: nothing was sent.
        throw new PlatformError(
          'transient',
          'The request was cancelled while Herald was slowing down for Meta’s usage limits.',
          'meta:aborted',
        );
      }
    }
  }

  /** Remembers what the usage headers said; returns the limit hit, if any. */
  private afterCall(usage: Usage, req: GraphRequest): { retryAfterMs: number; scope: 'account' | 'platform' } | null {
    const now = this.options.clock.now();
    this.seen.set('app', { pct: usage.appPct, at: now });
    for (const [id, { pct }] of usage.objects) this.seen.set(id, { pct, at: now });
    const pause = (pct: number) => Math.ceil((this.options.slowDownMaxMs * Math.min(pct - 80, 20)) / 20);
    let hit: { retryAfterMs: number; scope: 'account' | 'platform' } | null = null;
    for (const [id, { pct, regainMinutes }] of usage.objects) {
      // A regain estimate above zero means the object is throttled now, whatever the percentages.
      if (pct >= 100 || regainMinutes > 0) {
        const wait = regainMinutes > 0 ? regainMinutes * 60_000 : DEFAULT_RATE_LIMIT_WAIT_MS;
        this.blockedUntil.set(id, now + wait);
        if (!hit || id === req.objectId) hit = { retryAfterMs: wait, scope: 'account' };
      } else if (pct > 80) {
        this.slowUntil.set(id, now + pause(pct));
      }
    }
    if (usage.appPct >= 100) {
      // X-App-Usage is a rolling hour and carries no estimate: wait the hour.
      this.blockedUntil.set('app', now + DEFAULT_RATE_LIMIT_WAIT_MS);
      hit = { retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS, scope: 'platform' };
    } else if (usage.appPct > 80) {
      this.slowUntil.set('app', now + pause(usage.appPct));
    }
    if (usage.appPct > 80 || [...usage.objects.values()].some((o) => o.pct > 80)) {
      this.options.log.warn(
        { appUsage: usage.appPct, objects: Object.fromEntries([...usage.objects].map(([k, v]) => [k, v.pct])) },
        'Meta usage is high; slowing down',
      );
    }
    return hit;
  }

  async call<T = Record<string, unknown>>(req: GraphRequest): Promise<GraphResult<T>> {
    const method = req.method ?? 'GET';
    const url = this.url(req.path);
    const request = describeRequest(method, url);
    await this.beforeCall(req);
    const params: Params = req.token
      ? { ...req.params, access_token: req.token, appsecret_proof: this.proof(req.token) }
      : { ...req.params };
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method,
        ...(method === 'POST' ? { form: params } : { query: params }),
        signal: req.signal,
        timeoutMs: req.timeoutMs ?? this.options.requestTimeoutMs,
      });
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      this.options.log.warn({ request, phase: err.phase }, 'Graph call failed without an answer');
      const label = req.surface === 'instagram' ? 'Instagram' : 'Facebook';
      if (req.publishing) {
        throw new PlatformError(
          'unknown_outcome',
          `${label} did not answer the publish request (${err.message}); ` +
            'Herald checks whether it went out before doing anything else.',
          `network:${err.phase}`,
        );
      }
      throw new PlatformError('transient', `${label} could not be reached (${err.message}).`, `network:${err.phase}`);
    }
    this.options.log.debug({ request, status: res.status, durationMs: res.durationMs }, 'Graph call');
    const hit = this.afterCall(readUsage(res.headers, req.objectId), req);
    const body = record(res.json);
    const envelope = record(body?.error);
    if (res.status >= 200 && res.status < 300 && !envelope && res.json !== null) {
      return { data: res.json as T, status: res.status, request, durationMs: res.durationMs };
    }
    throw this.failure(res, envelope as GraphErrorBody | null, req, hit);
  }

  /**
   * A call for one publish attempt, with the account's token and the attempt's signal, counted
   * against the account's object (docs/platforms/meta.md#rate-limits) and logged on the post unless `quiet`.
   */
  async forAttempt<T = Record<string, unknown>>(
    ctx: AttemptContext,
    surface: MetaSurface,
    step: string,
    req: AttemptRequest,
    quiet = false,
  ): Promise<GraphResult<T>> {
    const res = await this.call<T>({
      ...req,
      token: ctx.account.accessToken,
      surface,
      objectId: ctx.account.externalId,
      signal: ctx.signal,
    });
    if (!quiet) {
      const label = surface === 'instagram' ? 'Instagram' : 'Facebook';
      ctx.log({ step, message: `${label} answered ${res.status}.`, request: res.request, durationMs: res.durationMs });
    }
    return res;
  }

  private failure(
    res: HttpResponse,
    envelope: GraphErrorBody | null,
    req: GraphRequest,
    hit: { retryAfterMs: number; scope: 'account' | 'platform' } | null,
  ): PlatformError {
    const label = req.surface === 'instagram' ? 'Instagram' : 'Facebook';
    const clearRefusal = envelope !== null && res.status >= 400 && res.status < 500;
    if (req.publishing && !clearRefusal) {
      // A 5xx (codes 1/2 come as 500) or a garbled 2xx after the publish left: it may have worked.
      const what = envelope ? `${envelope.message ?? 'error'} (code ${envelope.code ?? '?'})` : `HTTP ${res.status}`;
      return new PlatformError(
        'unknown_outcome',
        `${label} answered the publish request unclearly (${what}); ` +
          'Herald checks whether it went out before doing anything else.',
        `meta:http_${res.status}`,
      );
    }
    const base = envelope
      ? mapGraphError(envelope, req.surface, { ...(hit ?? {}), httpStatus: res.status })
      : res.status >= 500 || res.status < 400
        ? new PlatformError(
            'transient',
            `${label} answered HTTP ${res.status}; it will be tried again.`,
            `meta:http_${res.status}`,
          )
        : new PlatformError(
            'permanent',
            `${label} refused the request (HTTP ${res.status}).`,
            `meta:http_${res.status}`,
          );
    return new GraphCallError(base, envelope, res.status);
  }

  /** Every item of a list edge, following `paging.next` until it is absent (docs/platforms/meta.md#listing-pages). */
  async collect<T = Record<string, unknown>>(req: GraphRequest, maxPages = 50): Promise<T[]> {
    const items: T[] = [];
    let path: string | undefined = req.path;
    let params: Params | undefined = req.params;
    for (let page = 0; path && page < maxPages; page++) {
      const res: GraphResult<{ data?: T[]; paging?: { next?: string } }> = await this.call({ ...req, path, params });
      const data = res.data;
      items.push(...(Array.isArray(data.data) ? data.data : []));
      path = typeof data.paging?.next === 'string' ? data.paging.next : undefined;
      // The next link repeats the query (fields, limit, cursor) itself.
      params = undefined;
    }
    if (path)
      throw new PlatformError('transient', `Facebook returned more than ${maxPages} pages of results.`, 'meta:paging');
    return items;
  }
}
