import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.js';
import { COMPRESSION_THRESHOLD, isCompressible, negotiateEncoding } from './middleware/compression.js';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
// An old page asking for an asset by a hash that is no longer current still gets the file, but
// must ask again next time: the asset it wants may change once more.
const REVALIDATE = 'no-cache';

interface Variant {
  body: Uint8Array;
  etag: string;
}

interface Asset {
  type: string;
  hash: string;
  identity: Variant;
  br?: Variant;
  gzip?: Variant;
}

export interface StaticAssets {
  /** File path under the root (`vendor/htmx.min.js`) → its content hash. */
  versions: ReadonlyMap<string, string>;
  /** Serves `/static/<path>` from memory; anything else falls through. */
  middleware(): MiddlewareHandler<AppEnv>;
}

function walk(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(root, path, out);
    else out.push(relative(root, path).split(sep).join('/'));
  }
  return out;
}

/**
 * Reads every file under `root` once and hashes it (the hash goes into the pages' URLs, so it is
 * needed before the first page renders). The brotli (quality 11) and gzip (level 9) copies of the
 * text files are made in the background on zlib's thread pool and awaited by the first request that
 * wants one; public/ is small enough to hold all three copies in memory.
 */
export function loadStaticAssets(root: string): StaticAssets {
  const assets = new Map<string, Asset>();
  for (const path of walk(root)) {
    const body = readFileSync(join(root, path));
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
    const type = TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
    assets.set(path, { type, hash, identity: { body, etag: `"${hash}"` } });
  }
  let compressed: Promise<void> | undefined;
  const compressAll = () => {
    compressed ??= Promise.all(
      [...assets.values()].map(async (asset) => {
        const body = asset.identity.body;
        if (!isCompressible(asset.type) || body.length < COMPRESSION_THRESHOLD) return;
        const [br, gz] = await Promise.all([
          brotliAsync(body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          }),
          gzipAsync(body, { level: constants.Z_BEST_COMPRESSION }),
        ]);
        asset.br = { body: br, etag: `"${asset.hash}-br"` };
        asset.gzip = { body: gz, etag: `"${asset.hash}-gz"` };
      }),
    ).then(() => undefined);
    return compressed;
  };
  // Started now, so the first page's styles rarely have to wait for it.
  void compressAll();

  return {
    versions: new Map([...assets].map(([path, asset]) => [path, asset.hash])),
    middleware() {
      return async (c, next) => {
        if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
        const asset = assets.get(decodeURIComponent(c.req.path.replace(/^\/static\//, '')));
        if (!asset) return next();
        await compressAll();
        const encoding = negotiateEncoding(c.req.header('accept-encoding'));
        const variant = (encoding !== 'identity' && asset[encoding]) || asset.identity;
        const headers: Record<string, string> = {
          'content-type': asset.type,
          'cache-control': c.req.query('v') === asset.hash ? IMMUTABLE : REVALIDATE,
          etag: variant.etag,
        };
        if (asset.br) headers.vary = 'Accept-Encoding';
        if (variant !== asset.identity) headers['content-encoding'] = encoding;
        const inm = c.req.header('if-none-match');
        if (inm?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === variant.etag))
          return c.body(null, 304, headers);
        headers['content-length'] = String(variant.body.length);
        if (c.req.method === 'HEAD') return c.body(null, 200, headers);
        return c.body(variant.body as Uint8Array<ArrayBuffer>, 200, headers);
      };
    },
  };
}

let shared: { root: string; assets: StaticAssets } | undefined;

/** The app's own public/ folder, loaded once per process however many apps are created (tests make many). */
export function sharedStaticAssets(root: string): StaticAssets {
  if (shared?.root !== root) shared = { root, assets: loadStaticAssets(root) };
  return shared.assets;
}
