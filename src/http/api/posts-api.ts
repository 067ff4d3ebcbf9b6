import { Hono } from 'hono';
import { z } from 'zod';
import { parseInput } from '../../domain/validation.js';
import { MAX_COMMENT_LENGTH, type PostAction } from '../../services/posts-service.js';
import type { AppDeps, AppEnv } from '../context.js';
import { postDto, postLogDto } from './dto.js';
import { limitOf, readJson } from './helpers.js';

const actionBody = z
  .object({
    comment: z.string().max(MAX_COMMENT_LENGTH, `must be at most ${MAX_COMMENT_LENGTH} characters`).optional(),
    scheduledAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO-8601 date-time with a zone' })
      .nullable()
      .optional(),
  })
  .strict();

export function postsApi(deps: AppDeps) {
  const { posts } = deps.services;
  const app = new Hono<AppEnv>()
    .post('/', async (c) => c.json(postDto(posts.create(await readJson(c), c.var.actor)), 201))
    .get('/', (c) => {
      const page = posts.list(c.req.query(), limitOf(c));
      return c.json({ data: page.data.map(postDto), nextCursor: page.nextCursor });
    })
    .get('/:id', (c) => c.json(postDto(posts.get(c.req.param('id')))))
    .patch('/:id', async (c) => c.json(postDto(posts.update(c.req.param('id'), await readJson(c), c.var.actor))))
    .get('/:id/logs', (c) => c.json({ data: posts.logs(c.req.param('id')).map(postLogDto), nextCursor: null }));
  for (const action of ['approve', 'reject', 'cancel', 'retry'] as const satisfies readonly PostAction[]) {
    app.post(`/:id/${action}`, async (c) => {
      const body = parseInput(actionBody, await readJson(c));
      return c.json(postDto(posts.act(c.req.param('id'), action, c.var.actor, body)));
    });
  }
  return app;
}
