// The HTTP side of Pinterest (docs/platforms/pinterest.md): Bearer calls under the v5 base with the
// `{code, message}` error envelope, the token endpoint with HTTP Basic app credentials, the
// rate-limit headers, the video upload to the storage URL Pinterest hands out, and what a network
// failure means for the one publishing call. Tokens are never logged.
import { parseRetryAfter } from '../../lib/backoff.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../log.js';
import { describeRequest, httpRequest, NetworkError, type HttpResponse } from '../http.js';
import { PlatformError } from '../types.js';
import { DEFAULT_RATE_LIMIT_WAIT_MS, mapPinterestError, type PinterestErrorBody } from './errors.js';
import type { PinterestSettings } from './settings.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface PinterestRequest {
  readonly method?: 'GET' | 'POST';
  /** Under the v5 base: `/user_account`, `/pins`. */
  readonly path: string;
  readonly token: string;
  readonly query?: Query;
  readonly json?: unknown;
  /** The account the call counts against, for the rate-limit pause. */
  readonly userId?: string;
  /** The call that creates the pin: once it has left, only a clear refusal proves nothing happened. */
  readonly publishing?: boolean;
  /** Error statuses the caller reads itself (a 404 that means "gone"): answered, not thrown. */
  readonly answer?: readonly number[];
  readonly signal?: AbortSignal;
}

export interface PinterestResult<T> {
  readonly data: T;
  readonly status: number;
  readonly request: string;
  readonly durationMs: number;
}

/** A refusal from the token endpoint, in Pinterest's words. */
export class PinterestOAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PinterestOAuthError';
  }
}

export interface TokenAnswer {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  /** Seconds. */
  readonly expiresIn: number | null;
  /** Epoch ms, from `refresh_token_expires_at` (seconds) or `refresh_token_expires_in`. */
  readonly refreshExpiresAt: number | null;
  readonly scopes: readonly string[];
}

export function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/**
 * How long a throttled answer asks us to wait: Retry-After when sent, else `x-ratelimit-reset`
 * (seconds until the window resets; docs/platforms/pinterest.md#rate-limits).
 */
function waitFromHeaders(headers: Headers, now: number): number | undefined {
  const retry = parseRetryAfter(headers.get('retry-after'), now);
  if (retry !== undefined) return retry;
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  // A value that looks like epoch seconds is a moment, anything smaller a number of seconds.
  return reset > 1e9 ? Math.max(1000, reset * 1000 - now) : reset * 1000;
}

function multipart(
  fields: Readonly<Record<string, string>>,
  file: Buffer,
  mime: string,
): { body: Buffer; type: string } {
  const boundary = `----herald${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  // The file goes last: a storage POST policy ignores fields after it.
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="video"\r\nContent-Type: ${mime}\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

export class PinterestApi {
  /** Epoch ms until which calls for an account wait, after a rate-limit answer. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly settings: PinterestSettings,
    private readonly deps: {
      readonly log: Logger;
      readonly clock: Clock;
      readonly requestTimeoutMs: number;
      readonly uploadTimeoutMs: number;
    },
  ) {}

  private base(): string {
    return this.settings.apiUrl.replace(/\/+$/, '');
  }

  async call<T = Record<string, unknown>>(req: PinterestRequest): Promise<PinterestResult<T>> {
    const method = req.method ?? 'GET';
    const url = `${this.base()}${req.path.startsWith('/') ? req.path : `/${req.path}`}`;
    const request = describeRequest(method, url);
    const now = this.deps.clock.now();
    const blocked = req.userId ? (this.blockedUntil.get(req.userId) ?? 0) : 0;
    if (blocked > now)
      throw new PlatformError(
        'rate_limited',
        'Pinterest asked Herald to slow down for this account; calls wait until it recovers.',
        'pinterest:rate_limited',
        { retryAfterMs: blocked - now, scope: 'account' },
      );
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method,
        ...(req.query ? { query: req.query } : {}),
        ...(req.json !== undefined ? { json: req.json } : {}),
        headers: { authorization: `Bearer ${req.token}` },
        signal: req.signal,
        timeoutMs: this.deps.requestTimeoutMs,
      });
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      this.deps.log.warn({ request, phase: err.phase }, 'Pinterest call failed without an answer');
      if (req.publishing)
        throw new PlatformError(
          'unknown_outcome',
          `Pinterest did not answer the request to create the pin (${err.message}); ` +
            'Herald checks the board before doing anything else.',
          `network:${err.phase}`,
        );
      throw new PlatformError('transient', `Pinterest could not be reached (${err.message}).`, `network:${err.phase}`);
    }
    this.deps.log.debug({ request, status: res.status, durationMs: res.durationMs }, 'Pinterest call');
    if (res.status >= 200 && res.status < 300 && res.json !== null)
      return { data: res.json as T, status: res.status, request, durationMs: res.durationMs };

    if (req.answer?.includes(res.status))
      return { data: (res.json ?? {}) as T, status: res.status, request, durationMs: res.durationMs };
    const body = record(res.json) as PinterestErrorBody | null;
    // A 5xx (or an answer that is not Pinterest's) after the create left may hide a pin; a 4xx is
    // a refusal before anything was made (docs/platforms/pinterest.md#lookup-after-a-lost-response).
    if (req.publishing && (res.status >= 500 || res.status < 400 || body === null)) {
      throw new PlatformError(
        'unknown_outcome',
        `Pinterest answered the request to create the pin unclearly (HTTP ${res.status}); ` +
          'Herald checks the board before doing anything else.',
        `pinterest:http_${res.status}`,
      );
    }
    const retryAfterMs = waitFromHeaders(res.headers, this.deps.clock.now());
    const error = mapPinterestError(body, {
      httpStatus: res.status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
    if (error.kind === 'rate_limited' && req.userId)
      this.blockedUntil.set(req.userId, this.deps.clock.now() + (error.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS));
    throw error;
  }

  /** Code → tokens (https://developers.pinterest.com/docs/api/v5/oauth-token). */
  exchangeCode(code: string, redirectUri: string, signal?: AbortSignal): Promise<TokenAnswer> {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, signal);
  }

  /**
   * A continuous refresh: new access and refresh tokens, the refresh token's 60 days counted from
   * now (docs/platforms/pinterest.md#tokens). `continuous_refresh` is for apps made before
   * 2025-09-25; later apps get it anyway.
   */
  refresh(refreshToken: string, signal?: AbortSignal): Promise<TokenAnswer> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken, continuous_refresh: true }, signal);
  }

  private async token(form: Query, signal?: AbortSignal): Promise<TokenAnswer> {
    if (!this.settings.appId || !this.settings.appSecret)
      throw new PlatformError(
        'permanent',
        'Pinterest is not set up on this server: the Pinterest app id and secret are missing.',
        'pinterest:not_configured',
      );
    const basic = Buffer.from(`${this.settings.appId}:${this.settings.appSecret}`).toString('base64');
    let res: HttpResponse;
    try {
      res = await httpRequest(`${this.base()}/oauth/token`, {
        method: 'POST',
        form,
        headers: { authorization: `Basic ${basic}` },
        signal,
        timeoutMs: this.deps.requestTimeoutMs,
      });
    } catch (err) {
      if (err instanceof NetworkError)
        throw new PlatformError(
          'transient',
          `Pinterest could not be reached (${err.message}).`,
          `network:${err.phase}`,
        );
      throw err;
    }
    const body = record(res.json);
    const accessToken = text(body?.access_token);
    if (res.status >= 200 && res.status < 300 && accessToken) {
      const now = this.deps.clock.now();
      const at = typeof body?.refresh_token_expires_at === 'number' ? body.refresh_token_expires_at * 1000 : null;
      const inS = typeof body?.refresh_token_expires_in === 'number' ? body.refresh_token_expires_in : null;
      return {
        accessToken,
        refreshToken: text(body?.refresh_token) ?? null,
        expiresIn: typeof body?.expires_in === 'number' ? body.expires_in : null,
        refreshExpiresAt: at ?? (inS !== null ? now + inS * 1000 : null),
        scopes: (text(body?.scope) ?? '').split(/[,\s]+/).filter(Boolean),
      };
    }
    const code = text(body?.code) ?? String(res.status);
    const message = text(body?.message) ?? text(body?.error_description) ?? `HTTP ${res.status}`;
    if (res.status === 429 || res.status >= 500)
      throw new PlatformError(
        res.status === 429 ? 'rate_limited' : 'transient',
        `Pinterest could not issue a token right now (${message}).`,
        `pinterest:oauth_${code}`,
        res.status === 429
          ? {
              retryAfterMs: waitFromHeaders(res.headers, this.deps.clock.now()) ?? DEFAULT_RATE_LIMIT_WAIT_MS,
              scope: 'account',
            }
          : {},
      );
    throw new PinterestOAuthError(res.status, code, message);
  }

  /**
   * The video file to the storage URL `POST /media` gave, as a multipart POST carrying every
   * `upload_parameters` field and the file last (https://developers.pinterest.com/docs/api/v5/media-create).
   * Nothing becomes public here, so a failure is transient: the next attempt uploads again.
   */
  async upload(
    uploadUrl: string,
    fields: Readonly<Record<string, string>>,
    file: Buffer,
    mime: string,
    signal?: AbortSignal,
  ): Promise<{ status: number; durationMs: number }> {
    const { body, type } = multipart(fields, file, mime);
    let res: HttpResponse;
    try {
      res = await httpRequest(uploadUrl, {
        method: 'POST',
        body,
        headers: { 'content-type': type },
        signal,
        timeoutMs: this.deps.uploadTimeoutMs,
      });
    } catch (err) {
      if (err instanceof NetworkError)
        throw new PlatformError(
          'transient',
          `The video upload to Pinterest failed (${err.message}).`,
          `network:${err.phase}`,
        );
      throw err;
    }
    if (res.status >= 200 && res.status < 300) return { status: res.status, durationMs: res.durationMs };
    throw new PlatformError(
      res.status >= 500 ? 'transient' : 'permanent',
      `Pinterest’s storage refused the video upload (HTTP ${res.status}).`,
      `pinterest:upload_${res.status}`,
    );
  }
}
