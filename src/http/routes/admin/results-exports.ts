import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../context.js';
import { csvResponse } from '../../csv-response.js';

/** The Results CSV downloads: every post snapshot, and every account day, of a client's period. */
export function resultsExportRoutes(deps: AppDeps) {
  const { resultsExport } = deps.services;
  const period = (c: { req: { query(k: string): string | undefined } }) => ({
    from: c.req.query('from'),
    to: c.req.query('to'),
  });
  return new Hono<AppEnv>()
    .get('/clients/:id/results/posts.csv', (c) => csvResponse(resultsExport.postMetrics(c.req.param('id'), period(c))))
    .get('/clients/:id/results/accounts.csv', (c) =>
      csvResponse(resultsExport.accountMetrics(c.req.param('id'), period(c))),
    );
}
