import { Hono } from 'hono';
import { heldClients } from '../../../services/list-scope.js';
import { scopeOf } from '../../client-reach.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { csvResponse } from '../../csv-response.js';
import { filtersOf, listFilterOf, zoneOf } from './pipeline.js';

/** The posts CSV downloads (docs/planning.md#export): the pipeline as filtered, a client's posts and history. */
export function postExportRoutes(deps: AppDeps) {
  const { repos, services } = deps;
  return (
    new Hono<AppEnv>()
      // The pipeline's own filters, read as its list reads them (dates in the chosen client's zone).
      .get('/pipeline/export.csv', (c) => {
        const params = new URL(c.req.url).searchParams;
        const filters = filtersOf((k) => params.getAll(k));
        const clientIds = heldClients(scopeOf(c), filters.clientId);
        const filter = { ...listFilterOf(filters, zoneOf(repos, filters.clientId)), clientIds };
        return csvResponse(services.postsExport.posts(filter));
      })
      .get('/clients/:id/posts.csv', (c) => csvResponse(services.postsExport.posts({ clientId: c.req.param('id') })))
      .get('/clients/:id/logs.csv', (c) => csvResponse(services.postsExport.logs(c.req.param('id'))))
  );
}
