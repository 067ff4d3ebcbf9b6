import { type Context, Hono } from 'hono';
import { ErrorPage } from '../../../views/pages/error.js';
import { UnsubscribePage } from '../../../views/pages/unsubscribe.js';
import type { AppDeps, AppEnv } from '../context.js';
import { render } from '../render.js';

/** Paths of the one-click unsubscribe POST, which the CSRF check lets through (see csrf.ts). */
export const UNSUBSCRIBE_PATH = /^\/unsubscribe\/[\w.-]+$/;

/**
 * The links in every mail (RFC 8058, https://www.rfc-editor.org/rfc/rfc8058): GET shows a button,
 * POST unsubscribes. A mail provider's one-click POST has body `List-Unsubscribe=One-Click` and no
 * cookie; the signed token in the path is the only authority, so no session is asked for.
 */
export function unsubscribeRoutes(deps: AppDeps) {
  const { services } = deps;
  const app = new Hono<AppEnv>();
  const invalid = (c: Context<AppEnv>) =>
    render(
      c,
      <ErrorPage
        status={404}
        title="This link is not valid"
        message="Open the unsubscribe link from the email again."
      />,
      404,
    );

  app.get('/unsubscribe/:token', (c) => {
    const token = c.req.param('token');
    const info = services.emailPrefs.unsubscribeInfo(token);
    if (!info) return invalid(c);
    return render(c, <UnsubscribePage {...info} action={`/unsubscribe/${token}`} />);
  });

  app.post('/unsubscribe/:token', async (c) => {
    const body = await c.req.parseBody();
    if (body['List-Unsubscribe'] !== 'One-Click')
      return c.text('An unsubscribe request has the body List-Unsubscribe=One-Click.', 400);
    const done = services.emailPrefs.unsubscribe(c.req.param('token'));
    if (!done) return invalid(c);
    return render(c, <UnsubscribePage {...done} done action="" />);
  });

  return app;
}
