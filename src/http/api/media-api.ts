import { Hono } from 'hono';
import { ValidationError } from '../../domain/errors.js';
import type { MediaRow } from '../../db/repos/index.js';
import type { MediaUse } from '../../db/repos/media-repo.js';
import { heldClients } from '../../services/list-scope.js';
import { scopeOf } from '../client-reach.js';
import type { AppDeps, AppEnv } from '../context.js';
import { readUpload } from '../multipart.js';
import { mediaDto } from './dto.js';
import { limitOf, readJson } from './helpers.js';

type Media = AppDeps['services']['media'];

/** A file as the library shows it: its name, thumbnail, poster and (when asked) where it is used. */
function libraryDto(media: Media, m: MediaRow, uses?: readonly MediaUse[]) {
  return {
    ...mediaDto(m, media.url(m.key)),
    name: m.name,
    thumbUrl: m.thumbKey ? media.url(m.thumbKey) : null,
    posterUrl: m.posterKey ? media.url(m.posterKey) : null,
    posterStatus: m.posterStatus,
    updatedAt: new Date(m.updatedAt).toISOString(),
    ...(uses ? { usedBy: uses.map((u) => ({ kind: u.kind, id: u.id })) } : {}),
  };
}

export function mediaApi(deps: AppDeps) {
  const { media } = deps.services;
  return new Hono<AppEnv>()
    .post('/', async (c) => {
      const upload = await readUpload(c.req.raw, media, deps.uploads);
      if (!upload.file) throw ValidationError.field('file', 'is required');
      const row = media.commit(upload.file, {
        actor: c.var.actor,
        clientId: upload.fields.clientId ?? '',
        originalName: upload.fileName,
        altText: upload.fields.altText ?? '',
      });
      return c.json(mediaDto(row, media.url(row.key)), 201);
    })
    .get('/', (c) => {
      const clientId = c.req.query('clientId');
      if (!clientId) throw ValidationError.field('clientId', 'is required');
      heldClients(scopeOf(c), clientId);
      deps.services.clients.get(clientId);
      const page = media.list(clientId, limitOf(c), c.req.query('cursor'));
      return c.json({ data: page.data.map((m) => mediaDto(m, media.url(m.key))), nextCursor: page.nextCursor });
    })
    .get('/:id', (c) => {
      const row = media.get(c.req.param('id'));
      return c.json(libraryDto(media, row));
    })
    .patch('/:id', async (c) =>
      c.json(libraryDto(media, media.update(c.req.param('id'), await readJson(c), c.var.actor))),
    )
    .delete('/:id', (c) => {
      media.delete(c.req.param('id'), c.var.actor);
      return c.body(null, 204);
    });
}

/** `/clients/:clientId/media?q=`: the library, searched by name and alt text, cursor paged. */
export function clientMediaApi(deps: AppDeps) {
  const { media } = deps.services;
  return new Hono<AppEnv>().get('/:clientId/media', (c) => {
    const page = media.search(c.req.param('clientId'), c.req.query('q') ?? '', limitOf(c), c.req.query('cursor'));
    const usage = media.usage(page.data.map((m) => m.id));
    return c.json({
      data: page.data.map((m) => libraryDto(media, m, usage.get(m.id) ?? [])),
      nextCursor: page.nextCursor,
    });
  });
}
