import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HeraldError } from '../domain/errors.js';
import { appPath } from '../paths.js';
import { useAssetVersions } from '../../views/asset-url.js';
import { ErrorPage } from '../../views/pages/error.js';
import { ForbiddenPage } from '../../views/pages/forbidden.js';
import { api } from './api/index.js';
import type { AppDeps, AppEnv } from './context.js';
import { STATUS_OF } from './errors.js';
import { compression } from './middleware/compression.js';
import { browserSession } from './middleware/browser-session.js';
import { csrfProtection } from './middleware/csrf.js';
import { requestContext, requestIds } from './middleware/request-context.js';
import { securityHeaders } from './middleware/security-headers.js';
import { render } from './render.js';
import { adminRoutes } from './routes/admin/index.js';
import { sharedStaticAssets } from './static-assets.js';
import { authRoutes } from './routes/auth-routes.js';
import { joinRoutes } from './routes/join-routes.js';
import { oauthRoutes } from './routes/oauth-routes.js';
import { portalRoutes } from './routes/portal-routes.js';
import { publicRoutes } from './routes/public-routes.js';
import { unsubscribeRoutes } from './routes/unsubscribe-routes.js';

/** Browser forms are a few fields of text: 64 KB leaves room for the longest caption and more. */
const FORM_BODY_LIMIT = 64 * 1024;

const TOO_LARGE =
  `This form sent more than ${FORM_BODY_LIMIT / 1024} KB, which is more than any form in Herald needs. ` +
  'Shorten what you typed and try again.';

/** Multipart uploads to these paths stream to disk (src/http/multipart.ts) instead of the form cap. */
const UPLOAD_PATHS = new Set(['/posts/media']);
/** The media library's upload (src/http/routes/admin/media.tsx) and the CSV import (imports.tsx, 5 MB cap). */
const LIBRARY_UPLOAD = /^\/clients\/[^/]+\/(media|import)$/;

function isUpload(c: Context): boolean {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const path = c.req.path;
  const upload = UPLOAD_PATHS.has(path) || LIBRARY_UPLOAD.test(path);
  return c.req.method === 'POST' && upload && type.startsWith('multipart/form-data');
}

/** The whole web surface: public endpoints, the JSON API, and the server-rendered pages. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const assets = sharedStaticAssets(appPath('public'));
  useAssetVersions(assets.versions);
  app.use('*', requestIds());
  // Outermost but for the ids: it sees every response, the error pages included (docs/operations.md).
  app.use('*', compression());
  app.use('*', requestContext(deps));
  app.use('*', securityHeaders(deps.config.secureCookies));
  // Before anything reads a body (the CSRF check parses forms): browser forms are small. A
  // Content-Length over the limit is refused unread; a chunked body is counted as it streams and
  // never held past the limit. The API caps its own bodies; uploads stream to disk under their
  // own per-type caps.
  const formLimit = bodyLimit({
    maxSize: FORM_BODY_LIMIT,
    onError: (c) => render(c, <ErrorPage status={413} title="Too much to send" message={TOO_LARGE} />, 413),
  });
  app.use('*', (c, next) => (c.req.path.startsWith('/api/') || isUpload(c) ? next() : formLimit(c, next)));

  app.use('*', browserSession(deps));
  app.use('*', csrfProtection(new URL(deps.config.publicUrl).origin));

  // Order matters: sub-apps mounted at "/" see every later path, so the admin area, whose guard
  // redirects to /login, comes last.
  app.use('/static/*', assets.middleware());
  app.route('/', publicRoutes(deps));
  app.route('/api/v1', api(deps));
  app.route('/', authRoutes(deps));
  app.route('/', joinRoutes(deps));
  app.route('/', oauthRoutes(deps));
  app.route('/', portalRoutes(deps));
  app.route('/', unsubscribeRoutes(deps));
  for (const extend of deps.extensions ?? []) extend(app);
  app.route('/', adminRoutes(deps));

  app.notFound((c) =>
    render(c, <ErrorPage status={404} title="Not found" message="There is nothing at this address." />, 404),
  );
  app.onError((err, c) => {
    if (err instanceof HeraldError) {
      // A member's role refused by a service: the same page as the route table's refusal.
      if (err.code === 'forbidden' && c.var.actor?.kind === 'admin')
        return render(c, <ForbiddenPage role={c.var.actor.access.role} message={err.message} />, 403);
      const status = STATUS_OF[err.code];
      return render(
        c,
        <ErrorPage status={status} title={status === 404 ? 'Not found' : 'That did not work'} message={err.message} />,
        status,
      );
    }
    c.var.log?.error({ err }, 'page request failed');
    return render(
      c,
      <ErrorPage
        status={500}
        title="Something went wrong"
        message="The error has been logged. Try again, and if it keeps happening, check the server log."
      />,
      500,
    );
  });
  return app;
}
