import { Hono, type Context } from 'hono';
import type { ClientRow } from '../../../db/repos/index.js';
import { HeraldError, ValidationError } from '../../../domain/errors.js';
import type { SnippetValues, SnippetsView } from '../../../../views/components/snippets-section.js';
import { SnippetsPage } from '../../../../views/pages/snippets.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { formOf, pageContext, render, setFlash } from '../../render.js';
import { redirectTo } from '../../session.js';

/** A client's snippets from the admin pages: the section on the client page posts here. */
export function snippetRoutes(deps: AppDeps) {
  const { services } = deps;
  const app = new Hono<AppEnv>();

  function page(c: Context<AppEnv>, client: ClientRow, extra: Partial<SnippetsView> = {}, status: 200 | 422 = 200) {
    const view = { clientId: client.id, snippets: services.snippets.list(client.id), ...extra };
    return render(c, <SnippetsPage page={pageContext(c)} client={client} view={view} />, status);
  }

  async function attempt(
    c: Context<AppEnv>,
    client: ClientRow,
    failed: string,
    action: (input: SnippetValues) => string,
  ) {
    const form = await formOf(c);
    const values = { name: form.name ?? '', text: form.text ?? '', kind: form.kind || 'other', forAi: !!form.forAi };
    try {
      setFlash(c, 'ok', action(values));
      return redirectTo(c, `/clients/${client.id}#snippets`);
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      c.header('HX-Push-Url', 'false');
      const errors = err instanceof ValidationError ? err.fields : {};
      const message = err instanceof ValidationError ? undefined : err.message;
      return page(c, client, { failed, errors, values, ...(message ? { message } : {}) }, 422);
    }
  }

  app.get('/clients/:id/snippets', (c) => page(c, services.clients.get(c.req.param('id'))));

  app.post('/clients/:id/snippets', (c) => {
    const client = services.clients.get(c.req.param('id'));
    return attempt(
      c,
      client,
      'new',
      (v) => `Snippet "${services.snippets.create(client.id, v, c.var.actor).name}" added.`,
    );
  });

  app.post('/snippets/:id/delete', (c) => {
    const snippet = services.snippets.delete(c.req.param('id'), c.var.actor);
    setFlash(c, 'ok', `Snippet "${snippet.name}" deleted.`);
    return redirectTo(c, `/clients/${snippet.clientId}#snippets`);
  });

  app.post('/snippets/:id', (c) => {
    const snippet = services.snippets.get(c.req.param('id'));
    const client = services.clients.get(snippet.clientId);
    return attempt(
      c,
      client,
      snippet.id,
      (v) => `Snippet "${services.snippets.update(snippet.id, v, c.var.actor).name}" saved.`,
    );
  });

  return app;
}
