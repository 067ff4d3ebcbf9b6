// XRPC over Herald's HTTP client: `GET|POST <service>/xrpc/<nsid>`, JSON in and out, errors as
// `{"error","message"}` with an HTTP status (docs/platforms/bluesky.md#errors). Nothing here logs tokens.
import { describeRequest, httpRequest, type HttpResponse } from '../http.js';

/** An XRPC error answer, before it is judged (errors.ts turns it into words and a kind). */
export class XrpcFailure extends Error {
  constructor(
    readonly status: number,
    /** The `error` name ("ExpiredToken", "RecordNotFound"…), or `http_<status>` when the body had none. */
    readonly error: string,
    readonly vendorMessage: string,
    readonly headers: Headers,
  ) {
    super(`${error}: ${vendorMessage}`);
    this.name = 'XrpcFailure';
  }
}

export interface XrpcCall {
  readonly method: 'GET' | 'POST';
  readonly nsid: string;
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly json?: unknown;
  /** A raw body (uploadBlob, uploadVideo) and its Content-Type; a stream carries its length. */
  readonly body?: {
    readonly bytes: Uint8Array | ReadableStream<Uint8Array>;
    readonly contentType: string;
    readonly length?: number;
  };
  /** A JWT sent as `Authorization: Bearer`. */
  readonly token?: string;
  readonly signal?: AbortSignal;
}

export interface XrpcReply<T> {
  readonly data: T;
  /** Method and path for the post's log; never the query or headers. */
  readonly request: string;
  readonly durationMs: number;
}

/**
 * One XRPC call. Resolves with the JSON body of a 2xx answer; rejects with XrpcFailure for an error
 * answer and NetworkError when the service could not be reached or did not answer in time.
 */
export async function xrpc<T>(service: string, call: XrpcCall, timeoutMs: number): Promise<XrpcReply<T>> {
  const url = `${service.replace(/\/+$/, '')}/xrpc/${call.nsid}`;
  const headers: Record<string, string> = {};
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.body) headers['content-type'] = call.body.contentType;
  if (call.body?.length !== undefined) headers['content-length'] = String(call.body.length);
  const res: HttpResponse = await httpRequest(url, {
    method: call.method,
    ...(call.query ? { query: call.query } : {}),
    ...(call.json !== undefined ? { json: call.json } : {}),
    ...(call.body ? { body: call.body.bytes } : {}),
    headers,
    ...(call.signal ? { signal: call.signal } : {}),
    timeoutMs,
  });
  const body = res.json as { error?: unknown; message?: unknown } | null;
  if (res.status >= 200 && res.status < 300) {
    return { data: (body ?? {}) as T, request: describeRequest(call.method, url), durationMs: res.durationMs };
  }
  throw new XrpcFailure(
    res.status,
    typeof body?.error === 'string' && body.error ? body.error : `http_${res.status}`,
    typeof body?.message === 'string' ? body.message : '',
    res.headers,
  );
}
