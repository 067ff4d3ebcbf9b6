// The HTTP side of X (docs/platforms/x.md): bearer-token JSON calls under /2, the token endpoint
// with Basic client auth, and the x-rate-limit-* headers. Tokens are never logged.
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../log.js';
import { describeRequest, httpRequest, NetworkError, type HttpResponse } from '../http.js';
import { PlatformError } from '../types.js';
import type { XSettings } from './config.js';
import { isDuplicate, mapXError, problemOf } from './errors.js';

export interface XRequest {
  readonly method?: 'GET' | 'POST';
  /** From the host: `/2/tweets`. */
  readonly path: string;
  readonly token: string;
  readonly query?: Record<string, string | number | undefined>;
  readonly json?: unknown;
  /** A multipart body (an uploaded chunk). */
  readonly form?: FormData;
  /** The one call that publishes: anything but a clear refusal after it left is an unknown outcome. */
  readonly publishing?: boolean;
  /** The account the call counts against: a window it used up makes its next calls to the path wait. */
  readonly userId?: string;
  readonly signal?: AbortSignal;
}

export interface XResult {
  readonly data: Record<string, unknown>;
  readonly status: number;
  readonly request: string;
  readonly durationMs: number;
  /** What the rate-limit headers said of this endpoint's window. */
  readonly remaining: number | null;
}

export interface XTokens {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly expiresIn: number | null;
  readonly scopes: readonly string[];
}

/** A refusal from the token endpoint (`error`, `error_description`). */
export class XOAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'XOAuthError';
  }
}

export function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * How long to wait after a refusal, from the headers (docs/platforms/x.md#rate-limits): the
 * 15-minute window's `x-rate-limit-reset`, or the 24-hour user or app window when that one is spent.
 */
function limits(headers: Headers, now: number): { retryAfterMs?: number; appWide: boolean } {
  const at = (name: string) => {
    const v = Number(headers.get(name));
    return Number.isFinite(v) && v > 0 ? v * 1000 - now : undefined;
  };
  const appSpent = headers.get('x-app-limit-24hour-remaining') === '0';
  const userSpent = headers.get('x-user-limit-24hour-remaining') === '0';
  const wait = appSpent
    ? at('x-app-limit-24hour-reset')
    : userSpent
      ? at('x-user-limit-24hour-reset')
      : at('x-rate-limit-reset');
  return { ...(wait !== undefined ? { retryAfterMs: Math.max(1000, wait) } : {}), appWide: appSpent };
}

export class XApi {
  /** `<user> <method> <path>` → epoch ms until which that endpoint's window is used up. */
  private readonly spent = new Map<string, number>();

  constructor(
    private readonly settings: XSettings,
    private readonly deps: { readonly log: Logger; readonly clock: Clock; readonly requestTimeoutMs: number },
  ) {}

  private basic(): string {
    if (!this.settings.clientId || !this.settings.clientSecret)
      throw new PlatformError('permanent', 'X is not set up on this server.', 'x:not_configured');
    return `Basic ${Buffer.from(`${this.settings.clientId}:${this.settings.clientSecret}`).toString('base64')}`;
  }

  /** `POST /2/oauth2/token`: a code (with its PKCE verifier) or a refresh token for a new pair. */
  async token(form: Record<string, string>, signal?: AbortSignal): Promise<XTokens> {
    const url = `${this.settings.apiUrl}/2/oauth2/token`;
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method: 'POST',
        form,
        headers: { authorization: this.basic() },
        ...(signal ? { signal } : {}),
        timeoutMs: this.deps.requestTimeoutMs,
      });
    } catch (err) {
      if (err instanceof NetworkError)
        throw new PlatformError('transient', `X could not be reached (${err.message}).`, `network:${err.phase}`);
      throw err;
    }
    const body = record(res.json) ?? {};
    const access = str(body.access_token);
    if (res.status !== 200 || !access) {
      if (res.status >= 500)
        throw new PlatformError('transient', `X had a temporary problem (HTTP ${res.status}).`, 'x:token_5xx');
      throw new XOAuthError(
        res.status,
        str(body.error) ?? `http_${res.status}`,
        str(body.error_description) ?? str(body.error) ?? `HTTP ${res.status}`,
      );
    }
    return {
      accessToken: access,
      refreshToken: str(body.refresh_token) ?? null,
      expiresIn: typeof body.expires_in === 'number' ? body.expires_in : null,
      scopes: (str(body.scope) ?? '').split(/\s+/).filter(Boolean),
    };
  }

  async call(req: XRequest): Promise<XResult> {
    const method = req.method ?? 'GET';
    const url = `${this.settings.apiUrl}${req.path}`;
    const request = describeRequest(method, url);
    // Per user and endpoint, as X counts (docs/platforms/x.md#rate-limits); ids in paths are not endpoints.
    const window = req.userId ? `${req.userId} ${method} ${req.path.replace(/\/\d+(?=\/|$)/g, '/:id')}` : null;
    const until = window ? (this.spent.get(window) ?? 0) : 0;
    if (until > this.deps.clock.now())
      throw new PlatformError(
        'rate_limited',
        'X’s rate limit for this account is used up until its window resets; Herald waits.',
        'x:window_spent',
        { retryAfterMs: until - this.deps.clock.now(), scope: 'account' },
      );
    let res: HttpResponse;
    try {
      let body: Uint8Array | undefined;
      const headers: Record<string, string> = { authorization: `Bearer ${req.token}` };
      if (req.form) {
        const encoded = new Response(req.form);
        headers['content-type'] = encoded.headers.get('content-type')!;
        body = new Uint8Array(await encoded.arrayBuffer());
      }
      res = await httpRequest(url, {
        method,
        headers,
        ...(req.query ? { query: req.query } : {}),
        ...(req.json !== undefined ? { json: req.json } : {}),
        ...(body ? { body } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
        timeoutMs: this.deps.requestTimeoutMs,
      });
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      this.deps.log.warn({ request, phase: err.phase }, 'X call failed without an answer');
      if (req.publishing)
        throw new PlatformError(
          'unknown_outcome',
          `X did not answer the post request (${err.message}); Herald checks whether it went out before anything else.`,
          `network:${err.phase}`,
        );
      throw new PlatformError('transient', `X could not be reached (${err.message}).`, `network:${err.phase}`);
    }
    this.deps.log.debug({ request, status: res.status, durationMs: res.durationMs }, 'X call');
    const remainingHeader = res.headers.get('x-rate-limit-remaining');
    const remaining = remainingHeader === null ? null : Number(remainingHeader);
    const reset = Number(res.headers.get('x-rate-limit-reset'));
    if (window && remaining === 0 && reset > 0) this.spent.set(window, reset * 1000);
    if (res.status >= 200 && res.status < 300)
      return { data: record(res.json) ?? {}, status: res.status, request, durationMs: res.durationMs, remaining };
    const problem = problemOf(res.json);
    // A 5xx after the post left may hide a created post; 4xx answers (a duplicate among them) are refusals.
    if (req.publishing && res.status >= 500 && !isDuplicate(problem))
      throw new PlatformError(
        'unknown_outcome',
        `X answered the post request with HTTP ${res.status}; Herald checks whether it went out before anything else.`,
        `x:http_${res.status}`,
      );
    throw mapXError(problem, { status: res.status, ...limits(res.headers, this.deps.clock.now()) });
  }
}
