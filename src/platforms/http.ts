// A small HTTP client for the vendor modules: JSON or form bodies, query strings, a timeout per
// request, and network failures told apart from answers (which the vendor code classifies).

export class NetworkError extends Error {
  constructor(
    /** timeout: no answer in time; connection: could not connect or the connection broke. */
    readonly phase: 'timeout' | 'connection',
    message: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

export interface HttpRequest {
  method?: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string | number | boolean | undefined>;
  /** Sent as application/json. */
  json?: unknown;
  /** A raw body (uploads): bytes, or a stream read as it is sent (a large file). */
  body?: Uint8Array | ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else null. */
  json: unknown;
  text: string;
  durationMs: number;
}

function clean(values: Record<string, string | number | boolean | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = String(v);
  return out;
}

export async function httpRequest(url: string, request: HttpRequest): Promise<HttpResponse> {
  const target = new URL(url);
  for (const [k, v] of Object.entries(clean(request.query ?? {}))) target.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: BodyInit | undefined;
  if (request.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(clean(request.form)).toString();
  } else if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.body) {
    body = request.body as unknown as BodyInit;
  }
  const signals = [AbortSignal.timeout(request.timeoutMs), ...(request.signal ? [request.signal] : [])];
  const started = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(target, {
      method: request.method ?? 'GET',
      headers,
      body,
      signal: AbortSignal.any(signals),
      redirect: 'manual',
      // A streamed body needs half duplex (fetch's rule for request streams).
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
    text = await res.text();
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new NetworkError('timeout', `no answer within ${request.timeoutMs} ms`);
    throw new NetworkError('connection', (e.cause as Error | undefined)?.message ?? e.message);
  }
  let json: unknown = null;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  return { status: res.status, headers: res.headers, json, text, durationMs: Math.round(performance.now() - started) };
}

/** The request line for logs: method and path, never the query (tokens travel there). */
export function describeRequest(method: string, url: string): string {
  return `${method} ${new URL(url).pathname}`;
}
