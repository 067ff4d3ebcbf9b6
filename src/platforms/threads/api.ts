// The HTTP side of Threads: versioned Graph calls with the Graph error envelope, the three token
// endpoints (docs/platforms/threads.md#tokens), the rate-limit headers, and what a network failure
// means for the one publishing call. Tokens travel as the documented `access_token` parameter and
// are never logged (describeRequest drops the query).
import { parseRetryAfter } from '../../lib/backoff.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../log.js';
import { describeRequest, httpRequest, NetworkError, type HttpResponse } from '../http.js';
import { PlatformError } from '../types.js';
import { DEFAULT_RATE_LIMIT_WAIT_MS, mapThreadsError, type ThreadsErrorBody } from './errors.js';
import type { ThreadsSettings } from './settings.js';

export type Params = Record<string, string | number | boolean | undefined>;

export interface ThreadsRequest {
  readonly method?: 'GET' | 'POST';
  /** Under the versioned base: `/me`, `/{user-id}/threads`. */
  readonly path: string;
  readonly token: string;
  readonly params?: Params;
  /** The profile the call counts against, for the rate-limit pause. */
  readonly userId?: string;
  /**
   * The one call that publishes: once it has left, anything but a clear refusal is an unknown
   * outcome (docs/platforms/threads.md#publishing).
   */
  readonly publishing?: boolean;
  readonly signal?: AbortSignal;
}

export interface ThreadsResult<T> {
  readonly data: T;
  readonly status: number;
  /** Method and path for step logs. */
  readonly request: string;
  readonly durationMs: number;
}

/** A refusal from the token endpoints, in Threads' words. */
export class ThreadsOAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ThreadsOAuthError';
  }
}

export interface TokenAnswer {
  readonly accessToken: string;
  /** Seconds; absent on the short-lived answer, which lives one hour. */
  readonly expiresIn: number | null;
  /** The exchange's `user_id`, kept exact (it can be above 2^53). */
  readonly userId: string | null;
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
 * The answers that prove the publish was refused before anything went live: a bad token, the
 * not-yet-visible container, throttling. Everything else from `threads_publish` (code 10 among
 * them) may hide a published post (docs/platforms/threads.md#publishing).
 */
function clearPublishRefusal(res: HttpResponse, envelope: ThreadsErrorBody | null): boolean {
  // A 429 is turned away before the request is handled.
  if (res.status === 429) return true;
  if (!envelope || res.status < 400 || res.status >= 500) return false;
  const code = envelope.code;
  return (
    code === 190 ||
    code === 102 ||
    code === 4 ||
    code === 17 ||
    code === 32 ||
    code === 613 ||
    (code === 24 && envelope.error_subcode === 4279009)
  );
}

/** How long the answer asks us to wait: Retry-After, else Meta's usage headers. */
function waitFromHeaders(headers: Headers, now: number): number | undefined {
  const retry = parseRetryAfter(headers.get('retry-after'), now);
  if (retry !== undefined) return retry;
  let regainMinutes = 0;
  let full = false;
  for (const name of ['x-business-use-case-usage', 'x-app-usage']) {
    const raw = headers.get(name);
    if (!raw) continue;
    try {
      const parsed = JSON.parse(raw) as unknown;
      const entries = name === 'x-app-usage' ? [parsed] : Object.values(record(parsed) ?? {}).flat();
      for (const entry of entries) {
        const e = record(entry);
        if (!e) continue;
        if (typeof e.estimated_time_to_regain_access === 'number')
          regainMinutes = Math.max(regainMinutes, e.estimated_time_to_regain_access);
        if (['call_count', 'total_time', 'total_cputime'].some((k) => typeof e[k] === 'number' && e[k] >= 100))
          full = true;
      }
    } catch {
      // A garbled header says nothing.
    }
  }
  if (regainMinutes > 0) return regainMinutes * 60_000;
  return full ? DEFAULT_RATE_LIMIT_WAIT_MS : undefined;
}

export class ThreadsApi {
  /** Epoch ms until which calls for a profile wait, after a rate-limit answer. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly settings: ThreadsSettings,
    private readonly deps: { readonly log: Logger; readonly clock: Clock; readonly requestTimeoutMs: number },
  ) {}

  private base(): string {
    return this.settings.graphUrl.replace(/\/+$/, '');
  }

  private requireApp(): { appId: string; appSecret: string } {
    if (!this.settings.appId || !this.settings.appSecret)
      throw new PlatformError(
        'permanent',
        'Threads is not set up on this server: the Threads app id and secret are missing.',
        'threads:not_configured',
      );
    return { appId: this.settings.appId, appSecret: this.settings.appSecret };
  }

  async call<T = Record<string, unknown>>(req: ThreadsRequest): Promise<ThreadsResult<T>> {
    const method = req.method ?? 'GET';
    const url = `${this.base()}/${this.settings.apiVersion}${req.path.startsWith('/') ? req.path : `/${req.path}`}`;
    const request = describeRequest(method, url);
    const now = this.deps.clock.now();
    const blocked = req.userId ? (this.blockedUntil.get(req.userId) ?? 0) : 0;
    if (blocked > now)
      throw new PlatformError(
        'rate_limited',
        'Threads asked Herald to slow down for this account; calls wait until it recovers.',
        'threads:rate_limited',
        { retryAfterMs: blocked - now, scope: 'account' },
      );
    const params: Params = { ...req.params, access_token: req.token };
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method,
        ...(method === 'POST' ? { form: params } : { query: params }),
        signal: req.signal,
        timeoutMs: this.deps.requestTimeoutMs,
      });
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      this.deps.log.warn({ request, phase: err.phase }, 'Threads call failed without an answer');
      if (req.publishing)
        throw new PlatformError(
          'unknown_outcome',
          `Threads did not answer the publish request (${err.message}); ` +
            'Herald checks whether it went out before doing anything else.',
          `network:${err.phase}`,
        );
      throw new PlatformError('transient', `Threads could not be reached (${err.message}).`, `network:${err.phase}`);
    }
    this.deps.log.debug({ request, status: res.status, durationMs: res.durationMs }, 'Threads call');
    const body = record(res.json);
    const envelope = record(body?.error) as ThreadsErrorBody | null;
    if (res.status >= 200 && res.status < 300 && !envelope && body !== null)
      return { data: body as T, status: res.status, request, durationMs: res.durationMs };

    const retryAfterMs = waitFromHeaders(res.headers, this.deps.clock.now());
    if (req.publishing && !clearPublishRefusal(res, envelope)) {
      const what = envelope ? `${envelope.message ?? 'error'} (code ${envelope.code ?? '?'})` : `HTTP ${res.status}`;
      throw new PlatformError(
        'unknown_outcome',
        `Threads answered the publish request unclearly (${what}); ` +
          'Herald checks whether it went out before doing anything else.',
        `threads:http_${res.status}`,
      );
    }
    const error = envelope
      ? mapThreadsError(envelope, { httpStatus: res.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) })
      : res.status === 429
        ? new PlatformError('rate_limited', 'Threads asked Herald to slow down.', 'threads:http_429', {
            retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
            scope: 'account',
          })
        : res.status >= 500 || res.status < 400
          ? new PlatformError(
              'transient',
              `Threads answered HTTP ${res.status}; it will be tried again.`,
              `threads:http_${res.status}`,
            )
          : new PlatformError(
              'permanent',
              `Threads refused the request (HTTP ${res.status}).`,
              `threads:http_${res.status}`,
            );
    if (error.kind === 'rate_limited' && req.userId)
      this.blockedUntil.set(req.userId, this.deps.clock.now() + (error.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS));
    throw error;
  }

  /**
   * Code → short-lived token
   * (https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions).
   * `user_id` is a JSON number that can exceed 2^53, so it is read from the raw text.
   */
  async exchangeCode(code: string, redirectUri: string, signal?: AbortSignal): Promise<TokenAnswer> {
    const { appId, appSecret } = this.requireApp();
    return this.token('POST', '/oauth/access_token', {
      form: {
        client_id: appId,
        client_secret: appSecret,
        code,
        grant_type: 'authorization_code',
        redirect_uri: redirectUri,
      },
      signal,
    });
  }

  /**
   * Short-lived → long-lived, 60 days
   * (https://developers.facebook.com/docs/threads/get-started/long-lived-tokens).
   */
  async longLived(shortLived: string, signal?: AbortSignal): Promise<TokenAnswer> {
    const { appSecret } = this.requireApp();
    return this.token('GET', '/access_token', {
      query: { grant_type: 'th_exchange_token', client_secret: appSecret, access_token: shortLived },
      signal,
    });
  }

  /** A long-lived token at least a day old → a fresh one, 60 days from now (same page). */
  async refresh(longLived: string, signal?: AbortSignal): Promise<TokenAnswer> {
    return this.token('GET', '/refresh_access_token', {
      query: { grant_type: 'th_refresh_token', access_token: longLived },
      signal,
    });
  }

  private async token(
    method: 'GET' | 'POST',
    path: string,
    request: { form?: Params; query?: Params; signal?: AbortSignal | undefined },
  ): Promise<TokenAnswer> {
    const url = `${this.base()}${path}`;
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method,
        ...(request.form ? { form: request.form } : {}),
        ...(request.query ? { query: request.query } : {}),
        signal: request.signal,
        timeoutMs: this.deps.requestTimeoutMs,
      });
    } catch (err) {
      if (err instanceof NetworkError)
        throw new PlatformError('transient', `Threads could not be reached (${err.message}).`, `network:${err.phase}`);
      throw err;
    }
    const body = record(res.json);
    const accessToken = text(body?.access_token);
    if (res.status >= 200 && res.status < 300 && accessToken) {
      const exactUserId = /"user_id"\s*:\s*"?(\d+)"?/.exec(res.text)?.[1] ?? null;
      return {
        accessToken,
        expiresIn: typeof body?.expires_in === 'number' ? body.expires_in : null,
        userId: exactUserId,
      };
    }
    // The code exchange answers flat (`error_type`, `code`, `error_message`); the others with the envelope.
    const envelope = record(body?.error);
    const code = text(envelope?.code) ?? text(body?.code) ?? String(res.status);
    const message =
      text(envelope?.message) ?? text(body?.error_message) ?? text(body?.error_description) ?? `HTTP ${res.status}`;
    if (res.status === 429 || res.status >= 500)
      throw new PlatformError(
        res.status === 429 ? 'rate_limited' : 'transient',
        `Threads could not issue a token right now (${message}).`,
        `threads:oauth_${code}`,
        res.status === 429
          ? {
              retryAfterMs: waitFromHeaders(res.headers, this.deps.clock.now()) ?? DEFAULT_RATE_LIMIT_WAIT_MS,
              scope: 'account',
            }
          : {},
      );
    throw new ThreadsOAuthError(res.status, code, message);
  }
}
