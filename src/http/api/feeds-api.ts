import { Hono } from 'hono';
import type { FeedRow } from '../../db/repos/feeds-repo.js';
import type { AppDeps, AppEnv } from '../context.js';
import { readJson } from './helpers.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function feedDto(f: FeedRow) {
  return {
    id: f.id,
    clientId: f.clientId,
    url: f.url,
    accountIds: f.accountIds,
    rewrite: f.rewrite,
    queue: f.queue,
    active: f.active,
    lastCheckedAt: iso(f.lastCheckedAt),
    lastError: f.lastError,
    createdAt: iso(f.createdAt),
    updatedAt: iso(f.updatedAt),
  };
}

/** `/clients/:clientId/feeds`: a client's RSS and Atom feeds (docs/planning.md#feeds). */
export function clientFeedsApi(deps: AppDeps) {
  const { feeds } = deps.services;
  return new Hono<AppEnv>()
    .get('/:clientId/feeds', (c) =>
      c.json({ data: feeds.list(c.req.param('clientId')).map(feedDto), nextCursor: null }),
    )
    .post('/:clientId/feeds', async (c) =>
      c.json(feedDto(await feeds.create(c.req.param('clientId'), await readJson(c), c.var.actor)), 201),
    );
}

/** `/feeds/:id`: one feed. */
export function feedsApi(deps: AppDeps) {
  const { feeds } = deps.services;
  return new Hono<AppEnv>()
    .get('/:id', (c) => c.json(feedDto(feeds.get(c.req.param('id')))))
    .patch('/:id', async (c) => c.json(feedDto(feeds.update(c.req.param('id'), await readJson(c), c.var.actor))))
    .delete('/:id', (c) => {
      feeds.delete(c.req.param('id'), c.var.actor);
      return c.body(null, 204);
    });
}
