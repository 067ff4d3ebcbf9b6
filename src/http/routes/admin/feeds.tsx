import { Hono, type Context } from 'hono';
import type { ClientRow } from '../../../db/repos/index.js';
import { HeraldError, ValidationError } from '../../../domain/errors.js';
import { nextCheckAt } from '../../../services/feeds-service.js';
import type { FeedValues, FeedsView } from '../../../../views/components/feeds-section.js';
import { FeedsPage } from '../../../../views/pages/feeds.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { formFields, pageContext, render, setFlash } from '../../render.js';
import { redirectTo } from '../../session.js';

/** What the client page's Feeds section shows. */
export function feedsView(deps: AppDeps, client: ClientRow): FeedsView {
  const feeds = deps.services.feeds.list(client.id);
  return {
    clientId: client.id,
    timezone: client.timezone,
    feeds,
    accounts: deps.repos.accounts.listByClient(client.id),
    nextChecks: Object.fromEntries(feeds.map((f) => [f.id, nextCheckAt(f)])),
  };
}

/** A client's feeds from the admin pages: the section on the client page posts here. */
export function feedRoutes(deps: AppDeps) {
  const { services } = deps;
  const app = new Hono<AppEnv>();

  function page(c: Context<AppEnv>, client: ClientRow, extra: Partial<FeedsView> = {}, status: 200 | 422 = 200) {
    const view = { ...feedsView(deps, client), ...extra };
    return render(c, <FeedsPage page={pageContext(c)} client={client} view={view} />, status);
  }

  async function attempt(
    c: Context<AppEnv>,
    client: ClientRow,
    failed: string,
    action: (input: FeedValues) => Promise<string> | string,
  ) {
    const form = await formFields(c);
    const values: FeedValues = {
      url: form.one('url').trim(),
      accountIds: form.many('accountIds'),
      rewrite: form.one('rewrite') === 'true',
      queue: form.one('queue') === 'true',
      latest: form.one('latest') || '0',
      active: form.one('active') === 'true',
    };
    try {
      setFlash(c, 'ok', await action(values));
      return redirectTo(c, `/clients/${client.id}#feeds`);
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      c.header('HX-Push-Url', 'false');
      const errors = err instanceof ValidationError ? err.fields : {};
      const message = err instanceof ValidationError ? undefined : err.message;
      return page(c, client, { failed, errors, values, ...(message ? { message } : {}) }, 422);
    }
  }

  const outcomeText = (lastError: string | null, added: number) =>
    lastError ? `The feed could not be read: ${lastError}.` : `${added} new item${added === 1 ? '' : 's'}.`;

  app.get('/clients/:id/feeds', (c) => page(c, services.clients.get(c.req.param('id'))));

  app.post('/clients/:id/feeds', (c) => {
    const client = services.clients.get(c.req.param('id'));
    return attempt(c, client, 'new', async (v) => {
      const { active: _active, ...fields } = v;
      const latest = /^\d+$/.test(v.latest) ? Number(v.latest) : v.latest;
      const feed = await services.feeds.create(client.id, { ...fields, latest }, c.var.actor);
      if (feed.lastError) return `Feed added; it could not be read yet: ${feed.lastError}.`;
      return latest ? 'Feed added; its latest items are drafts now.' : 'Feed added; what it holds now is recorded.';
    });
  });

  app.post('/feeds/:id/delete', (c) => {
    const feed = services.feeds.delete(c.req.param('id'), c.var.actor);
    setFlash(c, 'ok', `Feed ${feed.url} removed; its drafts stay.`);
    return redirectTo(c, `/clients/${feed.clientId}#feeds`);
  });

  app.post('/feeds/:id/check', async (c) => {
    const feed = services.feeds.get(c.req.param('id'));
    const outcome = await services.feeds.check(feed.id);
    setFlash(c, outcome.error ? 'error' : 'ok', `Checked ${feed.url}: ${outcomeText(outcome.error, outcome.added)}`);
    return redirectTo(c, `/clients/${feed.clientId}#feeds`);
  });

  app.post('/feeds/:id', async (c) => {
    const feed = services.feeds.get(c.req.param('id'));
    const client = services.clients.get(feed.clientId);
    return attempt(c, client, feed.id, (v) => {
      const { latest: _latest, ...fields } = v;
      return `Feed ${services.feeds.update(feed.id, fields, c.var.actor).url} saved.`;
    });
  });

  return app;
}
