import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { metricsAccess } from '../middleware/metrics-access.js';
import { REPLICATION_OFF, type ReplicationStatus } from '../../replication/replication-state.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function replicationHealth(r: ReplicationStatus) {
  if (!r.enabled) return { enabled: false };
  return {
    enabled: true,
    url: r.url,
    running: r.running,
    position: r.replicaPosition,
    databasePosition: r.databasePosition,
    lagMs: r.lagMs,
    lastSyncAt: iso(r.lastSyncAt),
    lastError: r.lastError ? { at: iso(r.lastError.at), message: r.lastError.message } : null,
    failingSince: iso(r.failingSince),
  };
}

/** Health, metrics and the public media files the platforms fetch. No session, no CSRF. */
export function publicRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get('/healthz', (c) => {
    let db = 'ok';
    try {
      deps.repos.system.ping();
    } catch {
      db = 'error';
    }
    const body = {
      status: db === 'ok' ? 'ok' : 'error',
      db,
      leader: deps.lease.isLeader(),
      version: deps.config.version,
      // Replication's trouble is reported here and on /system but never makes the app unhealthy:
      // restarting Herald would not mend a replica that cannot be reached.
      replication: replicationHealth(deps.replication?.() ?? REPLICATION_OFF),
    };
    return c.json(body, db === 'ok' ? 200 : 503);
  });

  app.get('/metrics', metricsAccess(deps.config.metricsToken), async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  // Platforms fetch media from here: exact type and length, byte ranges, no redirects,
  // and a key nobody can guess.
  const serveMedia = (head: boolean) => (c: import('hono').Context<AppEnv>) => {
    const file = deps.services.media.fileOf(c.req.param('key') ?? '');
    if (!file) return c.text('Not found', 404);
    const size = statSync(file.path).size;
    c.header('Content-Type', file.mime);
    c.header('Accept-Ranges', 'bytes');
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('X-Content-Type-Options', 'nosniff');
    const range = /^bytes=(\d*)-(\d*)$/.exec(c.req.header('range') ?? '');
    let start = 0;
    let end = size - 1;
    if (range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      } else {
        start = Math.max(0, size - Number(range[2]));
      }
      if (start > end || start >= size) {
        c.header('Content-Range', `bytes */${size}`);
        return c.body(null, 416);
      }
      c.header('Content-Range', `bytes ${start}-${end}/${size}`);
      c.status(206);
    }
    c.header('Content-Length', String(end - start + 1));
    if (head) return c.body(null);
    return c.body(Readable.toWeb(createReadStream(file.path, { start, end })) as ReadableStream);
  };
  app.get('/media/:key', serveMedia(false));
  app.on('HEAD', '/media/:key', serveMedia(true));

  return app;
}
