import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { scopeOf } from '../client-reach.js';
import { csvResponse } from '../csv-response.js';

/** `GET /posts.csv`: the posts `GET /posts` would list, in the columns the import reads (docs/planning.md#export). */
export function postsExportApi(deps: AppDeps) {
  const { postsExport } = deps.services;
  return new Hono<AppEnv>().get('/posts.csv', (c) =>
    csvResponse(postsExport.postsFromQuery(c.req.query(), scopeOf(c))),
  );
}
