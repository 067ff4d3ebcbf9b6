// The HTTP side of TikTok: the v2 business envelope, the flat OAuth body, uploads. Callers get
// data or a PlatformError (v2) / TikTokOAuthError (token endpoint); nothing here logs tokens.
import type { Config } from '../../config.js';
import { parseRetryAfter } from '../../lib/backoff.js';
import { describeRequest, httpRequest, NetworkError, type HttpResponse } from '../http.js';
import { PlatformError } from '../types.js';
import { byStatus, v2Error } from './errors.js';
import type { Endpoint, RateBudget } from './rate-budget.js';

/**
 * JSON.parse that keeps integers beyond 2^53 exact, as strings. TikTok post ids are int64 sent
 * as bare JSON numbers (`publicaly_available_post_id`, docs/platforms/tiktok.md#publish-status), which a
 * double would round.
 */
export function parseJsonExact(text: string): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      // Copy the string literal as is, escapes included.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      const literal = text.slice(i, j);
      out += /^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal)) ? `"${literal}"` : literal;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out);
}

function parseBody(text: string): Record<string, unknown> | null {
  if (!text.trim()) return null;
  try {
    const value = parseJsonExact(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Failures that happen before a byte of the request can have reached TikTok. */
const NEVER_LEFT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH/;

/** A network failure as a PlatformError: after a publishing call left, the outcome is unknown. */
export function networkFailure(err: NetworkError, sent: boolean): PlatformError {
  const what =
    err.phase === 'timeout' ? 'TikTok did not answer in time' : `TikTok could not be reached (${err.message})`;
  if (sent && !(err.phase === 'connection' && NEVER_LEFT.test(err.message))) {
    return new PlatformError('unknown_outcome', `${what}; the request may have gone through.`, `network_${err.phase}`);
  }
  return new PlatformError('transient', `${what}.`, `network_${err.phase}`);
}

export interface V2Call {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query?: Record<string, string>;
  /** JSON body; POSTs without one still say JSON, as the docs show (docs/platforms/tiktok.md#creator-info). */
  readonly json?: unknown;
  /** Counted against the local per-token budget. */
  readonly endpoint?: Endpoint;
  /** The call publishes (init): unclear results are unknown outcomes, not "try again". */
  readonly sends?: boolean;
  readonly signal?: AbortSignal;
}

export interface V2Reply<T> {
  readonly data: T;
  /** Method and path for the post's log; never the query or headers. */
  readonly request: string;
  readonly durationMs: number;
}

/** Flat success body of `/v2/oauth/token/` (docs/platforms/tiktok.md#token-endpoint). */
export interface TokenResponse {
  readonly open_id: string;
  readonly scope: string;
  readonly access_token: string;
  readonly expires_in: number;
  readonly refresh_token: string | null;
  readonly refresh_expires_in: number | null;
}

/** A flat OAuth error body `{error, error_description, log_id}` (docs/platforms/tiktok.md#token-endpoint). */
export class TikTokOAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`${code}: ${description}`);
    this.name = 'TikTokOAuthError';
  }
}

export class TikTokApi {
  constructor(
    private readonly tiktok: Config['tiktok'],
    private readonly options: { readonly timeoutMs: number; readonly budget: RateBudget },
  ) {}

  get apiUrl(): string {
    return this.tiktok.apiUrl.replace(/\/+$/, '');
  }

  /**
   * A Content Posting / user API call with a bearer token; success only when `error.code` is "ok"
   * (docs/platforms/tiktok.md#the-response-envelope).
   */
  async call<T = Record<string, unknown>>(token: string, call: V2Call): Promise<V2Reply<T>> {
    const url = `${this.apiUrl}${call.path}`;
    const request = describeRequest(call.method, url);
    if (call.endpoint) {
      try {
        await this.options.budget.take(token, call.endpoint, call.signal);
      } catch (err) {
        if (err instanceof PlatformError) throw err;
        // Aborted while waiting for a free slot: nothing was sent.
        throw new PlatformError(
          'transient',
          "The request was cancelled while Herald waited to keep within TikTok's rate limit; nothing was sent.",
          'aborted',
        );
      }
    }
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method: call.method,
        ...(call.query ? { query: call.query } : {}),
        // Sent raw so the charset the docs show is the only Content-Type header.
        ...(call.method === 'POST'
          ? { body: call.json === undefined ? new Uint8Array() : Buffer.from(JSON.stringify(call.json)) }
          : {}),
        headers: {
          authorization: `Bearer ${token}`,
          ...(call.method === 'POST' ? { 'content-type': 'application/json; charset=UTF-8' } : {}),
        },
        ...(call.signal ? { signal: call.signal } : {}),
        timeoutMs: this.options.timeoutMs,
      });
    } catch (err) {
      if (err instanceof NetworkError) throw networkFailure(err, call.sends ?? false);
      throw err;
    }
    const body = parseBody(res.text);
    const error = body?.error;
    if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
      const { code, message } = error as { code: string; message?: unknown };
      if (code === 'ok') return { data: (body!.data ?? {}) as T, request, durationMs: res.durationMs };
      throw v2Error(
        {
          status: res.status,
          code,
          message: typeof message === 'string' ? message : '',
          retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
        },
        call.sends ?? false,
      );
    }
    throw byStatus(
      res.status,
      `http_${res.status}`,
      `TikTok answered HTTP ${res.status} without a usable result.`,
      call.sends ?? false,
      parseRetryAfter(res.headers.get('retry-after')),
    );
  }

  /**
   * `POST /v2/oauth/token/`, form-encoded (docs/platforms/tiktok.md#token-endpoint). Throws
   * TikTokOAuthError for a flat error body (whatever the HTTP status) and NetworkError when TikTok
   * could not be reached.
   */
  async token(form: Record<string, string>, signal?: AbortSignal): Promise<TokenResponse> {
    const res = await httpRequest(`${this.apiUrl}/v2/oauth/token/`, {
      method: 'POST',
      form: { client_key: this.tiktok.clientKey ?? '', client_secret: this.tiktok.clientSecret ?? '', ...form },
      headers: { 'cache-control': 'no-cache' },
      ...(signal ? { signal } : {}),
      timeoutMs: this.options.timeoutMs,
    });
    const body = parseBody(res.text);
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    if (body && typeof body.error === 'string' && body.error) {
      throw new TikTokOAuthError(
        res.status,
        body.error,
        typeof body.error_description === 'string' ? body.error_description : '',
        retryAfterMs,
      );
    }
    if (res.status !== 200 || !body || typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new TikTokOAuthError(res.status, `http_${res.status}`, 'TikTok answered without tokens.', retryAfterMs);
    }
    return {
      open_id: typeof body.open_id === 'string' ? body.open_id : '',
      scope: typeof body.scope === 'string' ? body.scope : '',
      access_token: body.access_token,
      expires_in: body.expires_in,
      refresh_token: typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : null,
      refresh_expires_in: typeof body.refresh_expires_in === 'number' ? body.refresh_expires_in : null,
    };
  }

  /**
   * One chunk to an `upload_url` (docs/platforms/tiktok.md#chunked-upload). Network failures surface as
   * NetworkError for the uploader to judge.
   */
  put(
    uploadUrl: string,
    bytes: Uint8Array,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    return httpRequest(uploadUrl, {
      method: 'PUT',
      body: bytes,
      headers,
      ...(signal ? { signal } : {}),
      timeoutMs: Math.max(this.options.timeoutMs, 120_000),
    });
  }
}
