// The HTTP side of Google: bearer calls to the Business Profile APIs (google.rpc.Status errors) and
// the OAuth token endpoint (flat errors). Nothing here logs tokens.
import { parseRetryAfter } from '../../lib/backoff.js';
import { describeRequest, httpRequest, NetworkError, type HttpResponse } from '../http.js';
import { PlatformError } from '../types.js';
import { apiError, parseStatus } from './errors.js';
import type { GoogleSettings } from './settings.js';

/** The Google API a call goes to (docs/platforms/google-business.md#hosts). */
export type GoogleApiName = 'accounts' | 'locations' | 'posts' | 'performance';

/** Failures that happen before a byte of the request can have reached Google. */
const NEVER_LEFT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH/;

export function networkFailure(err: NetworkError, sent: boolean): PlatformError {
  const what =
    err.phase === 'timeout' ? 'Google did not answer in time' : `Google could not be reached (${err.message})`;
  if (sent && !(err.phase === 'connection' && NEVER_LEFT.test(err.message)))
    return new PlatformError('unknown_outcome', `${what}; the post may have been created.`, `network_${err.phase}`);
  return new PlatformError('transient', `${what}.`, `network_${err.phase}`);
}

export interface GoogleCall {
  readonly api: GoogleApiName;
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Starting with the version: `/v1/accounts`, `/v4/accounts/1/locations/2/localPosts`. */
  readonly path: string;
  readonly query?: Record<string, string | number | undefined>;
  readonly json?: unknown;
  /** The call publishes: unclear results are unknown outcomes, not "try again". */
  readonly sends?: boolean;
  readonly signal?: AbortSignal;
}

export interface GoogleReply<T> {
  readonly data: T;
  /** Method and path for the post's log; never the query or headers. */
  readonly request: string;
  readonly durationMs: number;
}

/** Success body of `POST /token` (docs/platforms/google-business.md#oauth). */
export interface TokenResponse {
  readonly access_token: string;
  readonly expires_in: number;
  readonly refresh_token: string | null;
  readonly scope: string;
}

export class GoogleOAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`${code}: ${description}`);
    this.name = 'GoogleOAuthError';
  }
}

export class GoogleApi {
  constructor(
    readonly settings: GoogleSettings,
    private readonly options: { readonly timeoutMs: number; readonly now?: () => number },
  ) {}

  private base(api: GoogleApiName): string {
    if (api === 'accounts') return this.settings.accountManagementUrl;
    if (api === 'locations') return this.settings.businessInformationUrl;
    if (api === 'performance') return this.settings.performanceUrl;
    return this.settings.myBusinessUrl;
  }

  async call<T = Record<string, unknown>>(token: string, call: GoogleCall): Promise<GoogleReply<T>> {
    const url = `${this.base(call.api)}${call.path}`;
    const request = describeRequest(call.method, url);
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method: call.method,
        ...(call.query ? { query: call.query } : {}),
        ...(call.json !== undefined ? { json: call.json } : {}),
        headers: { authorization: `Bearer ${token}` },
        ...(call.signal ? { signal: call.signal } : {}),
        timeoutMs: this.options.timeoutMs,
      });
    } catch (err) {
      if (err instanceof NetworkError) throw networkFailure(err, call.sends ?? false);
      throw err;
    }
    if (res.status >= 200 && res.status < 300 && (res.json !== null || res.text === '')) {
      return { data: (res.json ?? {}) as T, request, durationMs: res.durationMs };
    }
    throw apiError(
      parseStatus(res.status, res.json, parseRetryAfter(res.headers.get('retry-after'), this.options.now?.())),
      call.sends ?? false,
    );
  }

  /**
   * `POST {tokenUrl}`, form-encoded. Throws GoogleOAuthError for an error body (or an answer
   * without tokens) and NetworkError when Google could not be reached.
   */
  async token(form: Record<string, string>, signal?: AbortSignal): Promise<TokenResponse> {
    const res = await httpRequest(this.settings.tokenUrl, {
      method: 'POST',
      form: { client_id: this.settings.clientId ?? '', client_secret: this.settings.clientSecret ?? '', ...form },
      ...(signal ? { signal } : {}),
      timeoutMs: this.options.timeoutMs,
    });
    const body = (res.json ?? null) as Record<string, unknown> | null;
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.options.now?.());
    if (body && typeof body.error === 'string')
      throw new GoogleOAuthError(
        res.status,
        body.error,
        typeof body.error_description === 'string' ? body.error_description : '',
        retryAfterMs,
      );
    if (res.status !== 200 || !body || typeof body.access_token !== 'string' || typeof body.expires_in !== 'number')
      throw new GoogleOAuthError(res.status, `http_${res.status}`, 'Google answered without tokens.', retryAfterMs);
    return {
      access_token: body.access_token,
      expires_in: body.expires_in,
      refresh_token: typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : null,
      scope: typeof body.scope === 'string' ? body.scope : '',
    };
  }
}
