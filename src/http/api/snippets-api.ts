import { Hono } from 'hono';
import type { SnippetRow } from '../../db/repos/snippets-repo.js';
import type { AppDeps, AppEnv } from '../context.js';
import { readJson } from './helpers.js';

function snippetDto(s: SnippetRow) {
  return {
    id: s.id,
    clientId: s.clientId,
    name: s.name,
    text: s.text,
    kind: s.kind,
    forAi: s.forAi,
    createdAt: new Date(s.createdAt).toISOString(),
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}

/** `/clients/:clientId/snippets`: list and create a client's snippets. */
export function clientSnippetsApi(deps: AppDeps) {
  const { snippets } = deps.services;
  return new Hono<AppEnv>()
    .get('/:clientId/snippets', (c) =>
      c.json({ data: snippets.list(c.req.param('clientId')).map(snippetDto), nextCursor: null }),
    )
    .post('/:clientId/snippets', async (c) =>
      c.json(snippetDto(snippets.create(c.req.param('clientId'), await readJson(c), c.var.actor)), 201),
    );
}

/** `/snippets/:id`: one snippet. */
export function snippetsApi(deps: AppDeps) {
  const { snippets } = deps.services;
  return new Hono<AppEnv>()
    .get('/:id', (c) => c.json(snippetDto(snippets.get(c.req.param('id')))))
    .patch('/:id', async (c) => c.json(snippetDto(snippets.update(c.req.param('id'), await readJson(c), c.var.actor))))
    .delete('/:id', (c) => {
      snippets.delete(c.req.param('id'), c.var.actor);
      return c.body(null, 204);
    });
}
