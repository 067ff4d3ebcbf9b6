import { Hono } from 'hono';
import { ValidationError } from '../../domain/errors.js';
import type { ImportView } from '../../services/imports-service.js';
import type { AppDeps, AppEnv } from '../context.js';
import { readCsvUpload } from '../csv-upload.js';

/** The API's view of an import: each row's line and result (errors before the commit, the post after). */
function importDto(view: ImportView) {
  return {
    id: view.id,
    clientId: view.clientId,
    fileName: view.fileName,
    committed: view.committed,
    // Rows written so far: below rows.length on an uncommitted import means a commit was cut off;
    // committing again imports the rest.
    imported: view.imported,
    rows: view.rows.map((r) => ({
      line: r.line,
      ok: r.ok,
      ...(r.errors ? { errors: r.errors } : {}),
      ...(r.postId ? { postId: r.postId } : {}),
    })),
  };
}

/** `POST /imports` (multipart `file` + `clientId`): the dry run; `POST /imports/:id/commit` writes it. */
export function importsApi(deps: AppDeps) {
  const { imports } = deps.services;
  return new Hono<AppEnv>()
    .post('/', async (c) => {
      const upload = await readCsvUpload(c.req.raw);
      if (!upload.bytes) throw ValidationError.field('file', 'is required');
      const view = await imports.dryRun(
        { clientId: upload.fields.clientId ?? '', fileName: upload.fileName, bytes: upload.bytes },
        c.var.actor,
      );
      return c.json(importDto(view));
    })
    .get('/:id', (c) => c.json(importDto(imports.get(c.req.param('id')))))
    .post('/:id/commit', async (c) => c.json(importDto(await imports.commit(c.req.param('id'), c.var.actor))));
}
