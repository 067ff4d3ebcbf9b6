// The HTTP side of LinkedIn: OAuth on www.linkedin.com, the versioned `/rest` API with its
// Rest.li headers, `/v2/userinfo`, and the pre-signed upload URLs. Callers get data or a
// PlatformError (LinkedInOAuthError from the token endpoint); nothing here logs tokens.
import { describeRequest, httpRequest, NetworkError, type HttpResponse } from '../http.js';
import { PlatformError } from '../types.js';
import { linkedInError, networkFailure, type ErrorBody } from './errors.js';
import type { LinkedInSettings } from './settings.js';

/**
 * A URN as a Rest.li 2.0 path key: fully percent-encoded, parentheses and commas included
 * (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/protocol-version).
 */
export function encodeUrn(urn: string): string {
  return encodeURIComponent(urn).replace(/[()!'*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The token endpoint's answer
 * (https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow).
 */
export interface TokenResponse {
  readonly access_token: string;
  readonly expires_in?: number;
  readonly refresh_token?: string;
  readonly refresh_token_expires_in?: number;
  readonly scope?: string;
}

/** `{error, error_description}` from the token endpoint. */
export class LinkedInOAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
    this.name = 'LinkedInOAuthError';
  }
}

export interface RestCall {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path under the API host, URNs already encoded with encodeUrn. */
  readonly path: string;
  readonly query?: Record<string, string | number | undefined>;
  readonly json?: unknown;
  /** The call publishes: unclear results are unknown outcomes, not "try again". */
  readonly sends?: boolean;
  /** Error statuses handed back as replies instead of thrown. */
  readonly accept?: readonly number[];
  readonly signal?: AbortSignal;
}

export interface RestReply<T> {
  readonly status: number;
  readonly data: T;
  readonly headers: Headers;
  /** Method and path for the post's log; never the query or headers. */
  readonly request: string;
  readonly durationMs: number;
}

export class LinkedInApi {
  constructor(
    readonly settings: LinkedInSettings,
    private readonly options: { readonly timeoutMs: number; readonly now: () => number },
  ) {}

  get configured(): boolean {
    return Boolean(this.settings.clientId && this.settings.clientSecret);
  }

  /** A versioned `/rest` call or `/v2/userinfo`, with the headers each needs (docs/platforms/linkedin.md#versions). */
  async rest<T>(token: string, call: RestCall): Promise<RestReply<T>> {
    const url = `${this.settings.apiUrl}${call.path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (call.path.startsWith('/rest/')) {
      headers['linkedin-version'] = this.settings.apiVersion;
      headers['x-restli-protocol-version'] = '2.0.0';
    }
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method: call.method,
        query: call.query,
        json: call.json,
        headers,
        signal: call.signal,
        timeoutMs: this.options.timeoutMs,
      });
    } catch (err) {
      if (err instanceof NetworkError) throw networkFailure(err, call.sends === true);
      throw err;
    }
    if ((res.status >= 200 && res.status < 300) || call.accept?.includes(res.status))
      return {
        status: res.status,
        data: res.json as T,
        headers: res.headers,
        request: describeRequest(call.method, url),
        durationMs: res.durationMs,
      };
    throw linkedInError(res.status, res.json as ErrorBody | null, res.headers, call.sends === true, this.options.now());
  }

  /** `POST {authUrl}/accessToken`, form-encoded, the secret in the body. */
  async token(form: Record<string, string>, signal?: AbortSignal): Promise<TokenResponse> {
    let res: HttpResponse;
    try {
      res = await httpRequest(`${this.settings.authUrl}/accessToken`, {
        method: 'POST',
        form: { ...form, client_id: this.settings.clientId ?? '', client_secret: this.settings.clientSecret ?? '' },
        signal,
        timeoutMs: this.options.timeoutMs,
      });
    } catch (err) {
      if (err instanceof NetworkError) throw networkFailure(err, false);
      throw err;
    }
    const body = (res.json ?? {}) as Record<string, unknown>;
    if (res.status === 200 && typeof body.access_token === 'string') return body as unknown as TokenResponse;
    if (res.status === 429 || res.status >= 500)
      throw linkedInError(res.status, body as ErrorBody, res.headers, false, this.options.now());
    throw new LinkedInOAuthError(
      res.status,
      typeof body.error === 'string' ? body.error : `http_${res.status}`,
      typeof body.error_description === 'string' ? body.error_description : String(body.message ?? ''),
    );
  }

  /** A PUT of raw bytes to an upload URL LinkedIn handed out; returns the answer's headers (ETag). */
  async upload(url: string, bytes: Uint8Array, token: string | null, signal?: AbortSignal): Promise<Headers> {
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method: 'PUT',
        body: bytes,
        headers: {
          'content-type': 'application/octet-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        signal,
        timeoutMs: Math.max(this.options.timeoutMs, 120_000),
      });
    } catch (err) {
      if (err instanceof NetworkError) throw networkFailure(err, false);
      throw err;
    }
    if (res.status >= 200 && res.status < 300) return res.headers;
    const err = linkedInError(res.status, res.json as ErrorBody | null, res.headers, false, this.options.now());
    throw new PlatformError(err.kind, `Uploading the file to LinkedIn failed: ${err.message}`, err.code, err.options);
  }
}
