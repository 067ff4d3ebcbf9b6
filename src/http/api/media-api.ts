import { Hono } from 'hono';
import { ValidationError } from '../../domain/errors.js';
import type { AppDeps, AppEnv } from '../context.js';
import { readUpload } from '../multipart.js';
import { mediaDto } from './dto.js';
import { limitOf } from './helpers.js';

export function mediaApi(deps: AppDeps) {
  const { media } = deps.services;
  return new Hono<AppEnv>()
    .post('/', async (c) => {
      const upload = await readUpload(c.req.raw, media, deps.uploads);
      if (!upload.file) throw ValidationError.field('file', 'is required');
      const row = media.commit(upload.file, {
        clientId: upload.fields.clientId ?? '',
        originalName: upload.fileName,
        altText: upload.fields.altText ?? '',
      });
      return c.json(mediaDto(row, media.url(row.key)), 201);
    })
    .get('/', (c) => {
      const clientId = c.req.query('clientId');
      if (!clientId) throw ValidationError.field('clientId', 'is required');
      deps.services.clients.get(clientId);
      const page = media.list(clientId, limitOf(c), c.req.query('cursor'));
      return c.json({ data: page.data.map((m) => mediaDto(m, media.url(m.key))), nextCursor: page.nextCursor });
    })
    .get('/:id', (c) => {
      const row = media.get(c.req.param('id'));
      return c.json(mediaDto(row, media.url(row.key)));
    })
    .delete('/:id', (c) => {
      media.delete(c.req.param('id'));
      return c.body(null, 204);
    });
}
