import { Hono, type Context } from 'hono';
import type { ClientRow } from '../../../db/repos/index.js';
import { HeraldError } from '../../../domain/errors.js';
import type { ImportView } from '../../../services/imports-service.js';
import { ImportPage } from '../../../../views/pages/import.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { readCsvUpload } from '../../csv-upload.js';
import { pageContext, render } from '../../render.js';

/** `/clients/:id/import`: upload a CSV, read the dry run, confirm; the template to start from. */
export function importRoutes(deps: AppDeps) {
  const { services } = deps;
  const app = new Hono<AppEnv>();

  function page(
    c: Context<AppEnv>,
    client: ClientRow,
    more: { current?: ImportView; error?: string } = {},
    status: 200 | 400 | 409 | 413 | 415 = 200,
  ) {
    const data = { client, recent: services.imports.recent(client.id), ...more };
    return render(c, <ImportPage page={pageContext(c)} data={data} />, status);
  }

  /** A refusal of the whole file (encoding, size, header) or of the commit: the page again, saying why. */
  const refused = (err: unknown) => {
    if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
    const status = ({ validation_failed: 400, conflict: 409, payload_too_large: 413 } as const)[err.code as string];
    return { error: err.message, status: status ?? 415 } as const;
  };

  app.get('/clients/:id/import', (c) => page(c, services.clients.get(c.req.param('id'))));

  app.get('/clients/:id/import/template.csv', (c) => {
    const template = services.imports.template(services.clients.get(c.req.param('id')).id);
    c.header('Content-Disposition', 'attachment; filename="herald-import-template.csv"');
    return c.body(template, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  app.get('/clients/:id/import/:importId', (c) => {
    const client = services.clients.get(c.req.param('id'));
    return page(c, client, { current: services.imports.get(c.req.param('importId'), { clientId: client.id }) });
  });

  app.post('/clients/:id/import', async (c) => {
    const client = services.clients.get(c.req.param('id'));
    try {
      const upload = await readCsvUpload(c.req.raw);
      if (!upload.bytes) return page(c, client, { error: 'Choose a CSV file to upload.' }, 400);
      const current = await services.imports.dryRun(
        { clientId: client.id, fileName: upload.fileName, bytes: upload.bytes },
        c.var.actor,
      );
      return page(c, client, { current });
    } catch (err) {
      const { error, status } = refused(err);
      return page(c, client, { error }, status);
    }
  });

  app.post('/clients/:id/import/:importId/commit', async (c) => {
    const client = services.clients.get(c.req.param('id'));
    const id = c.req.param('importId');
    try {
      return page(c, client, { current: await services.imports.commit(id, c.var.actor, { clientId: client.id }) });
    } catch (err) {
      const { error, status } = refused(err);
      return page(c, client, { error, current: services.imports.get(id, { clientId: client.id }) }, status);
    }
  });

  return app;
}
