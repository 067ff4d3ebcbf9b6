import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { accountDto, clientDto, iso } from './dto.js';
import { limitOf, readJson } from './helpers.js';

export function clientsApi(deps: AppDeps) {
  const { clients, accounts } = deps.services;
  return new Hono<AppEnv>()
    .post('/', async (c) => c.json(clientDto(clients.create(await readJson(c))), 201))
    .get('/', (c) => {
      const page = clients.list({ status: c.req.query('status'), q: c.req.query('q'), cursor: c.req.query('cursor'), limit: limitOf(c) });
      return c.json({ data: page.data.map(clientDto), nextCursor: page.nextCursor });
    })
    .get('/:id', (c) => c.json(clientDto(clients.get(c.req.param('id')))))
    .patch('/:id', async (c) => c.json(clientDto(clients.update(c.req.param('id'), await readJson(c), c.var.actor))))
    .delete('/:id', (c) => c.json(clientDto(clients.archive(c.req.param('id'), c.var.actor))))
    .post('/:id/invites', async (c) => {
      const body = (await readJson(c).catch(() => ({}))) as { days?: unknown };
      const days = typeof body.days === 'number' && body.days >= 1 && body.days <= 90 ? Math.floor(body.days) : undefined;
      const invite = clients.createInvite(c.req.param('id'), days);
      return c.json({ url: invite.url, expiresAt: iso(invite.expiresAt) }, 201);
    })
    .get('/:id/accounts', (c) => c.json({ data: accounts.listByClient(c.req.param('id')).map(accountDto), nextCursor: null }));
}
