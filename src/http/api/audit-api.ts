import { Hono } from 'hono';
import type { AuditRow } from '../../db/repos/audit-repo.js';
import type { AppDeps, AppEnv } from '../context.js';
import { limitOf } from './helpers.js';

/** An audit entry as the API gives it. */
function auditDto(row: AuditRow) {
  return {
    id: String(row.id),
    at: new Date(row.at).toISOString(),
    actor: { kind: row.actorKind, id: row.actorId, label: row.actorLabel },
    clientId: row.clientId,
    kind: row.kind,
    targetId: row.targetId,
    summary: row.summary,
    before: row.before,
    after: row.after,
    ip: row.ip,
  };
}

/** `GET /audit?actorId=&clientId=&kind=&from=&to=&cursor=&limit=`: the audit trail, newest first (owners, admins). */
export function auditApi(deps: AppDeps) {
  const { services } = deps;
  return new Hono<AppEnv>().get('/', (c) => {
    const { actorId, clientId, kind, from, to, cursor } = c.req.query();
    const page = services.audit.list({ actorId, clientId, kind, from, to, cursor }, limitOf(c), c.var.actor);
    return c.json({ data: page.data.map(auditDto), nextCursor: page.nextCursor });
  });
}
