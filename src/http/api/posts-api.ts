import { Hono } from 'hono';
import { z } from 'zod';
import { ValidationError } from '../../domain/errors.js';
import { parseInput } from '../../domain/validation.js';
import { MAX_COMMENT_LENGTH, type PostAction } from '../../services/posts-service.js';
import type { AppDeps, AppEnv } from '../context.js';
import { postDto, postLogDto } from './dto.js';
import { scopeOf } from '../client-reach.js';
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

const queueBody = z.object({ front: z.boolean({ message: 'must be true or false' }).optional() }).strict();

/** `queue: true` on a new post asks the queue for its time; the rest is the post as usual. */
function queueFlag(body: unknown): { queue: boolean; rest: unknown } {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('queue' in body))
    return { queue: false, rest: body };
  const { queue, ...rest } = body as Record<string, unknown>;
  if (typeof queue !== 'boolean') throw ValidationError.field('queue', 'must be true or false');
  return { queue, rest };
}

export function postsApi(deps: AppDeps) {
  const { posts } = deps.services;
  const app = new Hono<AppEnv>()
    .post('/', async (c) => {
      const body = await readJson(c);
      const { queue, rest } = queueFlag(body);
      const post = queue ? deps.services.queue.create(rest, c.var.actor) : posts.create(rest, c.var.actor);
      return c.json(postDto(post), 201);
    })
    .get('/', (c) => {
      const page = posts.list(c.req.query(), limitOf(c), scopeOf(c));
      return c.json({ data: page.data.map(postDto), nextCursor: page.nextCursor });
    })
    .get('/:id', (c) => c.json(postDto(posts.get(c.req.param('id'), scopeOf(c)))))
    .patch('/:id', async (c) => c.json(postDto(posts.update(c.req.param('id'), await readJson(c), c.var.actor))))
    .post('/:id/queue', async (c) => {
      const { front } = parseInput(queueBody, await readJson(c));
      return c.json(postDto(deps.services.queue.place(c.req.param('id'), c.var.actor, { front: front === true })));
    })
    .get('/:id/logs', (c) =>
      c.json({ data: posts.logs(c.req.param('id'), scopeOf(c)).map(postLogDto), nextCursor: null }),
    );
  for (const action of ['approve', 'reject', 'cancel', 'retry'] as const satisfies readonly PostAction[]) {
    app.post(`/:id/${action}`, async (c) => {
      const body = parseInput(actionBody, await readJson(c));
      return c.json(postDto(posts.act(c.req.param('id'), action, c.var.actor, body)));
    });
  }
  return app;
}
