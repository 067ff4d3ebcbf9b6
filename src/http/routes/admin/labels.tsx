import { Hono, type Context } from 'hono';
import { LABEL_PALETTE } from '../../../domain/composer.js';
import { HeraldError, ValidationError } from '../../../domain/errors.js';
import { DeleteLabelPage, LabelsPage, type LabelsData } from '../../../../views/pages/labels.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { formOf, pageContext, render, setFlash } from '../../render.js';
import { redirectTo } from '../../session.js';

/** Settings → Labels: create, rename, recolour and delete the agency's labels. */
export function labelRoutes(deps: AppDeps) {
  const { labels } = deps.services;
  const app = new Hono<AppEnv>();

  function page(c: Context<AppEnv>, extra: Partial<LabelsData> = {}, status: 200 | 409 | 422 = 200) {
    return render(
      c,
      <LabelsPage page={pageContext(c)} data={{ labels: labels.list(), palette: LABEL_PALETTE, ...extra }} />,
      status,
    );
  }

  /** Runs a change; a refused one shows the page again with that form's errors and values. */
  async function attempt(
    c: Context<AppEnv>,
    failed: string,
    action: (values: { name: string; color: string }) => string,
  ) {
    const form = await formOf(c);
    const values = { name: form.name ?? '', color: form.color ?? '' };
    try {
      setFlash(c, 'ok', action(values));
      return redirectTo(c, '/settings/labels');
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      c.header('HX-Push-Url', 'false');
      const errors = err instanceof ValidationError ? err.fields : {};
      const message = err instanceof ValidationError ? undefined : err.message;
      return page(c, { failed, errors, ...(message ? { message } : {}), values }, 422);
    }
  }

  app.get('/settings/labels', (c) => page(c));

  app.post('/settings/labels', (c) =>
    attempt(c, 'new', (values) => `Label "${labels.create(values, c.var.actor).name}" created.`),
  );

  app.get('/settings/labels/:id/delete', (c) => {
    const label = labels.get(c.req.param('id'));
    const posts = labels.list().find((l) => l.id === label.id)?.posts ?? 0;
    return render(c, <DeleteLabelPage page={pageContext(c)} label={label} posts={posts} />);
  });

  app.post('/settings/labels/:id/delete', (c) => {
    const label = labels.get(c.req.param('id'));
    labels.delete(label.id, c.var.actor);
    setFlash(c, 'ok', `Label "${label.name}" deleted.`);
    return redirectTo(c, '/settings/labels');
  });

  app.post('/settings/labels/:id', (c) => {
    const id = c.req.param('id');
    labels.get(id);
    return attempt(c, id, (values) => `Label "${labels.update(id, values, c.var.actor).name}" saved.`);
  });

  return app;
}
