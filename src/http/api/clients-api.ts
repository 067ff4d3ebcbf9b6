import { Hono } from 'hono';
import { z } from 'zod';
import { parseInput } from '../../domain/validation.js';
import type { AppDeps, AppEnv } from '../context.js';
import { accountDto, clientDto, iso } from './dto.js';
import { heldOf } from '../client-reach.js';
import { limitOf, readJson } from './helpers.js';

const inviteBody = z
  .object({
    days: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(90, 'must be at most 90')
      .optional(),
  })
  .strict();

export function clientsApi(deps: AppDeps) {
  const { clients, accounts } = deps.services;
  return new Hono<AppEnv>()
    .post('/', async (c) => c.json(clientDto(clients.create(await readJson(c), c.var.actor)), 201))
    .get('/', (c) => {
      const page = clients.list({
        status: c.req.query('status'),
        q: c.req.query('q'),
        ids: heldOf(c),
        cursor: c.req.query('cursor'),
        limit: limitOf(c),
      });
      return c.json({ data: page.data.map(clientDto), nextCursor: page.nextCursor });
    })
    .get('/:id', (c) => c.json(clientDto(clients.get(c.req.param('id')))))
    .patch('/:id', async (c) => c.json(clientDto(clients.update(c.req.param('id'), await readJson(c), c.var.actor))))
    .delete('/:id', (c) => c.json(clientDto(clients.archive(c.req.param('id'), c.var.actor))))
    .post('/:id/invites', async (c) => {
      const { days } = parseInput(inviteBody, await readJson(c));
      const invite = clients.createInvite(c.req.param('id'), days, c.var.actor);
      return c.json({ url: invite.url, expiresAt: iso(invite.expiresAt) }, 201);
    })
    .get('/:id/accounts', (c) =>
      c.json({ data: accounts.listByClient(c.req.param('id')).map(accountDto), nextCursor: null }),
    );
}
