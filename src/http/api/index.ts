import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppDeps, AppEnv } from '../context.js';
import { apiError, apiErrorFrom } from '../errors.js';
import { accountsApi } from './accounts-api.js';
import { auditApi } from './audit-api.js';
import { clientsApi } from './clients-api.js';
import { eventsApi } from './events-api.js';
import { clientFeedsApi, feedsApi } from './feeds-api.js';
import { groupsApi } from './groups-api.js';
import { importsApi } from './imports-api.js';
import { requireApiToken } from './helpers.js';
import { jobsApi } from './jobs-api.js';
import { labelsApi } from './labels-api.js';
import { clientMediaApi, mediaApi } from './media-api.js';
import { membersApi } from './members-api.js';
import { postsApi } from './posts-api.js';
import { postsExportApi } from './posts-export-api.js';
import { clientResultsApi, postMetricsApi } from './results-api.js';
import { clientRulesApi, rulesApi } from './rules-api.js';
import { clientSnippetsApi, snippetsApi } from './snippets-api.js';
import { webhooksApi } from './webhooks-api.js';

const JSON_LIMIT = 1024 * 1024;

/** The JSON API, `/api/v1` (README.md#json-api). */
export function api(deps: AppDeps) {
  const jsonLimit = bodyLimit({
    maxSize: JSON_LIMIT,
    onError: (c) => apiError(c, 413, 'payload_too_large', 'The request body is larger than 1 MB.'),
  });
  const app = new Hono<AppEnv>();
  app.use('*', requireApiToken(deps));
  // Uploads stream to disk under their own caps; everything else (a PATCH of a file's alt text too) is JSON.
  const isUpload = (c: import('hono').Context) =>
    c.req.method === 'POST' && (c.req.path.startsWith('/api/v1/media') || c.req.path === '/api/v1/imports');
  app.use('*', async (c, next) => (isUpload(c) ? next() : jsonLimit(c, next)));
  app.route('/clients', clientsApi(deps));
  app.route('/clients', clientRulesApi(deps));
  app.route('/clients', clientResultsApi(deps));
  app.route('/accounts', accountsApi(deps));
  app.route('/rules', rulesApi(deps));
  app.route('/', postsExportApi(deps));
  app.route('/posts', postsApi(deps));
  app.route('/posts', postMetricsApi(deps));
  app.route('/post-groups', groupsApi(deps));
  app.route('/media', mediaApi(deps));
  app.route('/jobs', jobsApi(deps));
  app.route('/events', eventsApi(deps));
  app.route('/webhooks', webhooksApi(deps));
  app.route('/labels', labelsApi(deps));
  app.route('/clients', clientSnippetsApi(deps));
  app.route('/snippets', snippetsApi(deps));
  app.route('/clients', clientMediaApi(deps));
  app.route('/imports', importsApi(deps));

  app.route('/clients', clientFeedsApi(deps));
  app.route('/feeds', feedsApi(deps));
  app.route('/members', membersApi(deps));
  app.route('/audit', auditApi(deps));
  // A catch-all route, not notFound(): a mounted sub-app's notFound handler is not used by Hono.
  app.all('*', (c) => apiError(c, 404, 'not_found', `No API route ${c.req.method} ${c.req.path}.`));
  app.onError((err, c) => {
    const res = apiErrorFrom(c, err);
    if (res.status >= 500) c.var.log?.error({ err }, 'API request failed');
    return res;
  });
  return app;
}
