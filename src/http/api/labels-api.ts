import { Hono } from 'hono';
import type { LabelRow } from '../../db/repos/labels-repo.js';
import type { AppDeps, AppEnv } from '../context.js';
import { readJson } from './helpers.js';

function labelDto(l: LabelRow & { posts?: number }) {
  return {
    id: l.id,
    name: l.name,
    color: l.color,
    ...(l.posts === undefined ? {} : { posts: l.posts }),
    createdAt: new Date(l.createdAt).toISOString(),
    updatedAt: new Date(l.updatedAt).toISOString(),
  };
}

/** `/labels`: the agency's labels (no client: one list for all). */
export function labelsApi(deps: AppDeps) {
  const { labels } = deps.services;
  return new Hono<AppEnv>()
    .get('/', (c) => c.json({ data: labels.list().map(labelDto), nextCursor: null }))
    .post('/', async (c) => c.json(labelDto(labels.create(await readJson(c), c.var.actor)), 201))
    .get('/:id', (c) => c.json(labelDto(labels.get(c.req.param('id')))))
    .patch('/:id', async (c) => c.json(labelDto(labels.update(c.req.param('id'), await readJson(c), c.var.actor))))
    .delete('/:id', (c) => {
      labels.delete(c.req.param('id'), c.var.actor);
      return c.body(null, 204);
    });
}
