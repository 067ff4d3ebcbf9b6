import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { groupDto } from './dto.js';
import { readJson } from './helpers.js';

/** `/post-groups`: one idea composed for several accounts, one post each (docs/composer.md#api). */
export function groupsApi(deps: AppDeps) {
  const { groups } = deps.services;
  return new Hono<AppEnv>()
    .post('/', async (c) => c.json(groupDto(groups.create(await readJson(c), c.var.actor)), 201))
    .get('/:id', (c) => c.json(groupDto(groups.get(c.req.param('id')))))
    .patch('/:id', async (c) => c.json(groupDto(groups.update(c.req.param('id'), await readJson(c), c.var.actor))));
}
