import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { brotliCompress, constants, createBrotliCompress, createGzip, gzip } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';

/** Under this many bytes the encoding's framing and the CPU cost outweigh what is saved. */
export const COMPRESSION_THRESHOLD = 1024;

/**
 * Brotli quality for responses produced per request. Measured on a 13 KB dashboard: quality 4 gave
 * 2,348 bytes in 0.16 ms, 5 gave 2,207 bytes in 0.19 ms, 6 no smaller; gzip -6 2,522 bytes in 0.08 ms.
 * Quality 11 (used once, at start-up, for the static files) costs far too much per request.
 */
const DYNAMIC_BROTLI_QUALITY = 5;

/** Text formats worth compressing. Images, video and archives are compressed by their own format. */
const COMPRESSIBLE = new RegExp(
  [
    String.raw`^(text\/(html|css|plain|csv|javascript|xml|calendar|markdown)`,
    String.raw`|application\/(json|javascript|xml|[\w.-]+\+(json|xml))`,
    String.raw`|image\/svg\+xml)\b`,
  ].join(''),
  'i',
);

export type Encoding = 'br' | 'gzip' | 'identity';

export function isCompressible(contentType: string | null): boolean {
  return COMPRESSIBLE.test(contentType ?? '');
}

/**
 * The encoding a client's Accept-Encoding asks for (RFC 9110 §12.5.3): the highest q-value among br
 * and gzip, br on a tie; `*` stands for any coding not named; q=0 refuses. No header means identity:
 * a client that sends none may not decode anything.
 */
export function negotiateEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) weight = Number(m[1]);
    }
    q.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(weight) ? weight : 0);
  }
  const star = q.get('*');
  const br = q.get('br') ?? star ?? 0;
  const gzip = q.get('gzip') ?? star ?? 0;
  if (br <= 0 && gzip <= 0) return 'identity';
  return br >= gzip ? 'br' : 'gzip';
}

/**
 * A body that has ended within this many bytes is compressed in one call instead of as a stream. Pages
 * are 5-100 KB: streaming them through three stream layers cost more than compressing them did.
 */
const WHOLE_BODY_LIMIT = 512 * 1024;

/**
 * Brotli's window sized to the body (the default, 4 MB, is for bodies that large): a window at least as
 * large as the body compresses it just as well, and each encoder's memory follows the window.
 */
function brotliParams(size: number | undefined): Record<number, number> {
  const params: Record<number, number> = {
    [constants.BROTLI_PARAM_QUALITY]: DYNAMIC_BROTLI_QUALITY,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
  };
  if (size) {
    params[constants.BROTLI_PARAM_SIZE_HINT] = size;
    params[constants.BROTLI_PARAM_LGWIN] = Math.min(
      constants.BROTLI_DEFAULT_WINDOW,
      Math.max(constants.BROTLI_MIN_WINDOW_BITS, Math.ceil(Math.log2(size + 1))),
    );
  }
  return params;
}

function encoder(encoding: 'br' | 'gzip', sizeHint: number | undefined) {
  if (encoding === 'gzip') return createGzip();
  return createBrotliCompress({ params: brotliParams(sizeHint) });
}

const brotliOnce = promisify(brotliCompress);
const gzipOnce = promisify(gzip);

/** A whole body compressed on the thread pool, so the event loop does not wait for it. */
function compressWhole(encoding: 'br' | 'gzip', body: Uint8Array): Promise<Buffer> {
  return encoding === 'gzip' ? gzipOnce(body) : brotliOnce(body, { params: brotliParams(body.length) });
}

function appendVary(headers: Headers): void {
  const vary = headers.get('vary');
  if (!vary) headers.set('vary', 'Accept-Encoding');
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary)) headers.set('vary', `${vary}, Accept-Encoding`);
}

/** A strong validator names exact bytes; the compressed bytes differ, so it becomes weak (RFC 9110 §8.8.1). */
function weakenEtag(headers: Headers): void {
  const etag = headers.get('etag');
  if (etag && !etag.startsWith('W/')) headers.set('etag', `W/${etag}`);
}

/** Replaces the response outright: assigning over c.res would copy the old headers back (Content-Length). */
function replace(c: Context<AppEnv>, res: Response): void {
  c.res = undefined;
  c.res = res;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Compresses text responses with Node's zlib. A body that ends within WHOLE_BODY_LIMIT (every page and
 * API answer) is compressed in one call on the thread pool and sent with its length; a longer one (a
 * CSV export) is piped through the encoder chunk by chunk, so it keeps streaming and the event loop
 * never waits on a whole body. A body under the threshold goes out as it is. Skipped: HEAD, 204/206/304,
 * bodies already encoded (the precompressed static files), `Cache-Control: no-transform`, ranges (partial
 * media), and anything not text.
 */
export function compression(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (c.req.method === 'HEAD' || !res.body) return;
    if (res.status === 204 || res.status === 206 || res.status === 304) return;
    if (!isCompressible(res.headers.get('content-type'))) return;
    if (res.headers.has('content-encoding') || res.headers.has('content-range')) return;
    if (/\bno-transform\b/i.test(res.headers.get('cache-control') ?? '')) return;
    if (c.req.header('range')) return;

    const headers = new Headers(res.headers);
    // Every compressible response varies by Accept-Encoding, compressed this time or not, so a shared
    // cache never hands the identity copy to a client that asked for brotli, or the reverse.
    appendVary(headers);
    const length = res.headers.get('content-length');
    const known = length === null ? undefined : Number(length);
    const encoding = negotiateEncoding(c.req.header('accept-encoding'));
    if (encoding === 'identity' || (known !== undefined && known < COMPRESSION_THRESHOLD)) {
      replace(c, new Response(res.body, { status: res.status, statusText: res.statusText, headers }));
      return;
    }

    // Read ahead up to WHOLE_BODY_LIMIT: a body that ends under the threshold goes out as it is; one that
    // ends under the limit (every page) is compressed in one call; a longer one (an export) streams.
    const reader = res.body.getReader();
    const head: Uint8Array[] = [];
    let size = 0;
    while (size < WHOLE_BODY_LIMIT) {
      const next = await reader.read();
      if (next.done) {
        const whole = concat(head, size);
        if (size < COMPRESSION_THRESHOLD) {
          headers.set('content-length', String(size));
          replace(c, new Response(whole, { status: res.status, statusText: res.statusText, headers }));
          return;
        }
        const packed = await compressWhole(encoding, whole);
        headers.set('content-length', String(packed.length));
        headers.set('content-encoding', encoding);
        weakenEtag(headers);
        replace(c, new Response(new Uint8Array(packed), { status: res.status, statusText: res.statusText, headers }));
        return;
      }
      head.push(next.value);
      size += next.value.length;
    }

    async function* chunks() {
      try {
        yield* head;
        for (;;) {
          const next = await reader.read();
          if (next.done) return;
          yield next.value;
        }
      } finally {
        // The client went away mid-stream: stop the producer (a cursor over an export) too.
        reader.cancel().catch(() => {});
      }
    }
    const zip = encoder(encoding, known);
    const source = Readable.from(chunks(), { objectMode: false });
    source.on('error', (err) => zip.destroy(err));
    source.pipe(zip);
    headers.delete('content-length');
    headers.set('content-encoding', encoding);
    weakenEtag(headers);
    const body = Readable.toWeb(zip) as unknown as ReadableStream<Uint8Array>;
    replace(c, new Response(body, { status: res.status, statusText: res.statusText, headers }));
  };
}
