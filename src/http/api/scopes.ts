import type { Context } from 'hono';
import { baseRoutePath, matchedRoutes } from 'hono/route';
import type { ApiScope } from '../../domain/api-scope.js';

/**
 * The scope every API route needs, keyed `METHOD path` as the route is declared under /api/v1.
 * Reads need `read`; changes to clients, accounts, rules, posts and media need `write`; running
 * jobs and webhooks (their reads too: endpoints and delivery logs) need `admin`. A test checks
 * this table against the app's own routes, so a new route cannot be left out; at run time a route
 * missing here needs `admin`, the safe side.
 */
export const ROUTE_SCOPES: Readonly<Record<string, ApiScope>> = {
  'GET /clients': 'read',
  'GET /clients/:id': 'read',
  'GET /clients/:id/accounts': 'read',
  'GET /clients/:clientId/rules': 'read',
  'GET /accounts/:id': 'read',
  'GET /rules/:id': 'read',
  'GET /rules/:id/slots': 'read',
  'GET /posts': 'read',
  'GET /posts/:id': 'read',
  'GET /posts/:id/logs': 'read',
  'GET /posts.csv': 'read',
  'GET /post-groups/:id': 'read',
  'GET /media': 'read',
  'GET /media/:id': 'read',
  'GET /jobs': 'read',
  'GET /jobs/runs/:id': 'read',
  'GET /events': 'read',
  'GET /posts/:id/metrics': 'read',
  'GET /clients/:id/results': 'read',
  'GET /clients/:id/results/posts.csv': 'read',
  'GET /clients/:id/results/accounts.csv': 'read',
  'GET /labels': 'read',
  'GET /labels/:id': 'read',
  'GET /clients/:clientId/snippets': 'read',
  'GET /snippets/:id': 'read',
  'GET /clients/:clientId/media': 'read',
  'GET /imports/:id': 'read',

  'GET /clients/:clientId/feeds': 'read',
  'GET /feeds/:id': 'read',

  'POST /clients': 'write',
  'PATCH /clients/:id': 'write',
  'DELETE /clients/:id': 'write',
  'POST /clients/:id/invites': 'write',
  'PATCH /accounts/:id': 'write',
  'DELETE /accounts/:id': 'write',
  'POST /clients/:clientId/rules': 'write',
  'PATCH /rules/:id': 'write',
  'DELETE /rules/:id': 'write',
  'POST /posts': 'write',
  'PATCH /posts/:id': 'write',
  'POST /posts/:id/approve': 'write',
  'POST /posts/:id/reject': 'write',
  'POST /posts/:id/cancel': 'write',
  'POST /posts/:id/retry': 'write',
  'POST /posts/:id/queue': 'write',
  'POST /post-groups': 'write',
  'PATCH /post-groups/:id': 'write',
  'POST /media': 'write',
  'DELETE /media/:id': 'write',
  'PATCH /media/:id': 'write',
  'POST /labels': 'write',
  'PATCH /labels/:id': 'write',
  'DELETE /labels/:id': 'write',
  'POST /clients/:clientId/snippets': 'write',
  'PATCH /snippets/:id': 'write',
  'DELETE /snippets/:id': 'write',
  'POST /imports': 'write',
  'POST /imports/:id/commit': 'write',

  'POST /clients/:clientId/feeds': 'write',
  'PATCH /feeds/:id': 'write',
  'DELETE /feeds/:id': 'write',

  'POST /jobs/:name/run': 'admin',
  'GET /webhooks': 'admin',
  'POST /webhooks': 'admin',
  'GET /webhooks/:id': 'admin',
  'PATCH /webhooks/:id': 'admin',
  'DELETE /webhooks/:id': 'admin',
  'GET /webhooks/:id/deliveries': 'admin',
  'POST /webhooks/:id/test': 'admin',
  'POST /webhooks/:id/deliveries/:deliveryId/redeliver': 'admin',
  'GET /members': 'admin',
  'POST /members': 'admin',
  'PATCH /members/:id': 'admin',
  'DELETE /members/:id': 'admin',
  'GET /audit': 'admin',
};

/**
 * The scope the request's route needs, or null when no API route matches (the answer is then a
 * 404, which any valid token may see). Called from middleware mounted on the API's own `*`, so
 * its base path is the API's mount point.
 */
export function requiredScope(c: Context): ApiScope | null {
  const base = baseRoutePath(c);
  // Middleware is registered as ALL; the route that answers is the one with a real method.
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL' && r.path.startsWith(`${base}/`));
  if (!route) return null;
  return ROUTE_SCOPES[`${route.method} ${route.path.slice(base.length)}`] ?? 'admin';
}
