import { Hono } from 'hono';
import { LogsPage } from '../../../../views/pages/logs.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { heldClients } from '../../../services/list-scope.js';
import { scopeOf } from '../../client-reach.js';
import { pageContext, render } from '../../render.js';

const PAGE_SIZE = 100;
const LEVELS = ['info', 'ok', 'warn', 'error'] as const;

export function logRoutes(deps: AppDeps) {
  const { repos } = deps;
  return new Hono<AppEnv>().get('/logs', (c) => {
    const level = (LEVELS as readonly string[]).includes(c.req.query('level') ?? '')
      ? (c.req.query('level') as (typeof LEVELS)[number])
      : undefined;
    const clientId = c.req.query('clientId') || undefined;
    const held = heldClients(scopeOf(c), clientId);
    const before = Number(c.req.query('before'));
    const logs = repos.posts.listLogs({
      level,
      clientId,
      clientIds: held,
      beforeId: Number.isInteger(before) && before > 0 ? before : undefined,
      limit: PAGE_SIZE + 1,
    });
    const page = logs.slice(0, PAGE_SIZE);
    return render(
      c,
      <LogsPage
        page={pageContext(c)}
        logs={page}
        level={level ?? ''}
        clientId={clientId ?? ''}
        clients={repos.clients.options(held)}
        olderThan={logs.length > PAGE_SIZE ? page[page.length - 1]!.id : null}
      />,
    );
  });
}
