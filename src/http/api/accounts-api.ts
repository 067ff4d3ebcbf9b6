import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { accountDto } from './dto.js';
import { readJson } from './helpers.js';

export function accountsApi(deps: AppDeps) {
  const { accounts } = deps.services;
  return new Hono<AppEnv>()
    .get('/:id', (c) => c.json(accountDto(accounts.get(c.req.param('id')))))
    .patch('/:id', async (c) => c.json(accountDto(accounts.patch(c.req.param('id'), await readJson(c), c.var.actor))))
    .delete('/:id', (c) => {
      accounts.delete(c.req.param('id'), c.var.actor);
      return c.body(null, 204);
    });
}
