import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { HeraldError } from '../domain/errors.js';
import { appPath } from '../paths.js';
import { ErrorPage } from '../../views/pages/error.js';
import { api } from './api/index.js';
import type { AppDeps, AppEnv } from './context.js';
import { STATUS_OF } from './errors.js';
import { browserSession } from './middleware/browser-session.js';
import { csrfProtection } from './middleware/csrf.js';
import { requestContext, requestIds } from './middleware/request-context.js';
import { securityHeaders } from './middleware/security-headers.js';
import { render } from './render.js';
import { adminRoutes } from './routes/admin/index.js';
import { authRoutes } from './routes/auth-routes.js';
import { oauthRoutes } from './routes/oauth-routes.js';
import { portalRoutes } from './routes/portal-routes.js';
import { publicRoutes } from './routes/public-routes.js';

/** The whole web surface: public endpoints, the JSON API, and the server-rendered pages. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestIds());
  app.use('*', requestContext(deps));
  app.use('*', securityHeaders(deps.config.secureCookies));

  app.use('*', browserSession(deps));
  app.use('*', csrfProtection(new URL(deps.config.publicUrl).origin));

  // Order matters: sub-apps mounted at "/" see every later path, so the admin area, whose guard
  // redirects to /login, comes last.
  app.use(
    '/static/*',
    serveStatic({ root: appPath('public'), rewriteRequestPath: (path) => path.replace(/^\/static/, '') }),
  );
  app.route('/', publicRoutes(deps));
  app.route('/api/v1', api(deps));
  app.route('/', authRoutes(deps));
  app.route('/', oauthRoutes(deps));
  app.route('/', portalRoutes(deps));
  for (const extend of deps.extensions ?? []) extend(app);
  app.route('/', adminRoutes(deps));

  app.notFound((c) => render(c, <ErrorPage status={404} title="Not found" message="There is nothing at this address." />, 404));
  app.onError((err, c) => {
    if (err instanceof HeraldError) {
      const status = STATUS_OF[err.code];
      return render(c, <ErrorPage status={status} title={status === 404 ? 'Not found' : 'That did not work'} message={err.message} />, status);
    }
    c.var.log?.error({ err }, 'page request failed');
    return render(c, <ErrorPage status={500} title="Something went wrong" message="The error has been logged. Try again, and if it keeps happening, check the server log." />, 500);
  });
  return app;
}
