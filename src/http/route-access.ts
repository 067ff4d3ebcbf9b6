import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Repos } from '../db/repos/index.js';
import type { Action } from '../domain/roles.js';

/** Any signed-in team member, whatever their role: their own password and sessions. */
export type RouteNeed = Action | 'member';

/**
 * What each admin page needs, keyed `METHOD path` as the route is declared. The client a route works on is read
 * from its path (see `clientsOfRoute`), so a route of an unassigned client is "not found" and a role that may not
 * act is "forbidden" (docs/teams.md). A test checks this table against the app's own routes; at run time a route
 * missing here needs `agency.manage`, the safe side.
 */
export const PAGE_ACCESS: Readonly<Record<string, RouteNeed>> = {
  'GET /': 'content.read',
  'GET /clients': 'content.read',
  'GET /clients/new': 'client.manage',
  'POST /clients': 'client.manage',
  'GET /clients/:id': 'content.read',
  'GET /clients/:id/edit': 'client.manage',
  'POST /clients/:id': 'client.manage',
  'POST /clients/:id/generate': 'content.write',
  'POST /clients/:id/archive': 'client.manage',
  'POST /clients/:id/invites': 'client.manage',
  'POST /clients/:id/invites/:inviteId/revoke': 'client.manage',
  'POST /accounts/:id/enable': 'account.manage',
  'POST /accounts/:id/disable': 'account.manage',
  'GET /accounts/:id/avatar': 'content.read',
  'POST /accounts/:id/settings': 'account.manage',
  'POST /accounts/:id/delete': 'account.manage',
  'GET /clients/:id/results/posts.csv': 'content.read',
  'GET /clients/:id/results/accounts.csv': 'content.read',
  'GET /pipeline/export.csv': 'content.read',
  'GET /clients/:id/posts.csv': 'content.read',
  'GET /clients/:id/logs.csv': 'content.read',
  'GET /rules/preview': 'content.read',
  'GET /clients/:id/rules/new': 'content.write',
  'POST /clients/:id/rules': 'content.write',
  'GET /rules/:id/edit': 'content.write',
  'POST /rules/:id': 'content.write',
  'POST /rules/:id/generate': 'content.write',
  'POST /rules/:id/delete': 'content.write',
  'POST /rules/:id/suggested-schedule': 'content.write',
  'POST /clients/:id/guidance': 'content.write',
  'GET /pipeline': 'content.read',
  'POST /pipeline/bulk': 'content.write',
  'GET /calendar': 'content.read',
  'POST /calendar/move': 'content.write',
  'GET /groups/:id/members': 'content.read',
  'GET /clients/:id/results': 'content.read',
  'GET /results': 'content.read',
  'POST /posts/preview': 'content.write',
  'POST /posts/media': 'content.write',
  'GET /posts/new': 'content.write',
  'POST /posts': 'content.write',
  'GET /posts/:id': 'content.read',
  'POST /posts/:id': 'content.write',
  'POST /posts/:id/do/regenerate': 'content.write',
  'POST /posts/:id/do/mark-published': 'content.write',
  // Approving and sending back need `post.approve` as well: the posts service asks (see mayApprove).
  'POST /posts/:id/do/:action': 'content.write',
  'GET /accounts/:id/queue': 'content.read',
  'POST /accounts/:id/posting-times': 'content.write',
  'POST /accounts/:id/posting-times/suggest': 'content.write',
  'POST /posts/:id/evergreen': 'content.write',
  'POST /posts/:id/queue': 'content.write',
  'GET /groups/new': 'content.write',
  'POST /groups/preview': 'content.write',
  'POST /groups': 'content.write',
  'GET /groups/:id': 'content.read',
  'POST /groups/:id': 'content.write',
  'GET /logs': 'content.read',
  'GET /events': 'content.read',
  'GET /system': 'agency.manage',
  'POST /system/jobs/:id/run': 'agency.manage',
  'POST /system/backups': 'agency.manage',
  'GET /system/backups/:name': 'agency.manage',
  // Every member changes their own password here; the agency's parts are shown to those who may change them.
  'GET /settings': 'member',
  'POST /settings/agency': 'agency.manage',
  'POST /settings/tokens': 'token.manage',
  'POST /settings/tokens/:id/revoke': 'token.manage',
  'POST /settings/password': 'member',
  'POST /settings/sign-out-everywhere': 'member',
  'GET /account/security': 'member',
  'GET /account/sessions': 'member',
  'POST /account/security/passkeys': 'member',
  'POST /account/security/passkeys/:id/remove': 'member',
  'POST /account/security/passkeys/:id/rename': 'member',
  'POST /account/security/passkeys/options': 'member',
  'POST /account/security/recovery-codes': 'member',
  'POST /account/security/totp': 'member',
  'POST /account/security/totp/confirm': 'member',
  'POST /account/security/totp/disable': 'member',
  'POST /account/sessions/:id/revoke': 'member',
  'POST /account/sessions/revoke-others': 'member',
  'POST /settings/require-mfa': 'instance.manage',
  'GET /team': 'member.manage',
  'POST /team/invites': 'member.manage',
  'POST /team/invites/:inviteId/revoke': 'member.manage',
  'GET /team/:id': 'member.manage',
  'POST /team/:id': 'member.manage',
  'GET /team/:id/remove': 'member.manage',
  'POST /team/:id/remove': 'member.manage',
  'GET /audit': 'audit.read',
  'GET /audit.csv': 'audit.read',
  'GET /settings/labels': 'agency.manage',
  'POST /settings/labels': 'agency.manage',
  'GET /settings/labels/:id/delete': 'agency.manage',
  'POST /settings/labels/:id/delete': 'agency.manage',
  'POST /settings/labels/:id': 'agency.manage',
  'GET /clients/:id/snippets': 'content.read',
  'POST /clients/:id/snippets': 'content.write',
  'POST /snippets/:id/delete': 'content.write',
  'POST /snippets/:id': 'content.write',
  'GET /clients/:id/import': 'content.write',
  'GET /clients/:id/import/template.csv': 'content.read',
  'GET /clients/:id/import/:importId': 'content.read',
  'POST /clients/:id/import': 'content.write',
  'POST /clients/:id/import/:importId/commit': 'content.write',
  'GET /clients/:id/feeds': 'content.read',
  'POST /clients/:id/feeds': 'content.write',
  'POST /feeds/:id/delete': 'content.write',
  'POST /feeds/:id/check': 'content.write',
  'POST /feeds/:id': 'content.write',
  'GET /clients/:id/media': 'content.read',
  'POST /clients/:id/media': 'content.write',
  'POST /clients/:id/media/:mediaId/delete': 'content.write',
  'POST /clients/:id/media/:mediaId': 'content.write',
  'GET /settings/notifications': 'agency.manage',
  'POST /settings/notifications/channels': 'agency.manage',
  'GET /settings/notifications/channels/:id/edit': 'agency.manage',
  'POST /settings/notifications/channels/:id': 'agency.manage',
  'GET /settings/notifications/channels/:id/remove': 'agency.manage',
  'POST /settings/notifications/channels/:id/remove': 'agency.manage',
  'POST /settings/notifications/channels/:id/resume': 'agency.manage',
  'POST /settings/notifications/channels/:id/test': 'agency.manage',
  'GET /settings/notifications/deliveries/:id/status': 'agency.manage',
  'POST /settings/notifications/deliveries/:id/redeliver': 'agency.manage',
  'GET /settings/notifications/email': 'member',
  'POST /settings/notifications/email': 'member',
  'POST /settings/notifications/email/test': 'member',
  // Connecting an account from a client's page (an admin session; the portal's own form is the client's).
  'POST /auth/:connector/start': 'account.manage',
  'POST /auth/:connector/form': 'account.manage',
};

/**
 * What each API route needs besides its scope (src/http/api/scopes.ts), keyed as the route is declared under
 * /api/v1. A route missing here needs `agency.manage`.
 */
export const API_ACCESS: Readonly<Record<string, Action>> = {
  'GET /clients': 'content.read',
  'GET /clients/:id': 'content.read',
  'GET /clients/:id/accounts': 'content.read',
  'GET /clients/:clientId/rules': 'content.read',
  'GET /accounts/:id': 'content.read',
  'GET /rules/:id': 'content.read',
  'GET /rules/:id/slots': 'content.read',
  'GET /posts': 'content.read',
  'GET /posts/:id': 'content.read',
  'GET /posts/:id/logs': 'content.read',
  'GET /posts.csv': 'content.read',
  'GET /post-groups/:id': 'content.read',
  'GET /media': 'content.read',
  'GET /media/:id': 'content.read',
  'GET /jobs': 'agency.manage',
  'GET /members': 'member.manage',
  'POST /members': 'member.manage',
  'PATCH /members/:id': 'member.manage',
  'DELETE /members/:id': 'member.manage',
  'GET /audit': 'audit.read',
  'GET /jobs/runs/:id': 'agency.manage',
  'GET /events': 'content.read',
  'GET /posts/:id/metrics': 'content.read',
  'GET /clients/:id/results': 'content.read',
  'GET /clients/:id/results/posts.csv': 'content.read',
  'GET /clients/:id/results/accounts.csv': 'content.read',
  // Editors apply labels to their posts: they may read the list, not change it.
  'GET /labels': 'content.read',
  'GET /labels/:id': 'content.read',
  'GET /clients/:clientId/snippets': 'content.read',
  'GET /snippets/:id': 'content.read',
  'GET /clients/:clientId/media': 'content.read',
  'GET /imports/:id': 'content.read',
  'GET /clients/:clientId/feeds': 'content.read',
  'GET /feeds/:id': 'content.read',
  'POST /clients': 'client.manage',
  'PATCH /clients/:id': 'client.manage',
  'DELETE /clients/:id': 'client.manage',
  'POST /clients/:id/invites': 'client.manage',
  'PATCH /accounts/:id': 'account.manage',
  'DELETE /accounts/:id': 'account.manage',
  'POST /clients/:clientId/rules': 'content.write',
  'PATCH /rules/:id': 'content.write',
  'DELETE /rules/:id': 'content.write',
  'POST /posts': 'content.write',
  'PATCH /posts/:id': 'content.write',
  'POST /posts/:id/approve': 'post.approve',
  'POST /posts/:id/reject': 'post.approve',
  'POST /posts/:id/cancel': 'content.write',
  'POST /posts/:id/retry': 'content.write',
  'POST /posts/:id/queue': 'content.write',
  'POST /post-groups': 'content.write',
  'PATCH /post-groups/:id': 'content.write',
  'POST /media': 'content.write',
  'DELETE /media/:id': 'content.write',
  'PATCH /media/:id': 'content.write',
  'POST /labels': 'agency.manage',
  'PATCH /labels/:id': 'agency.manage',
  'DELETE /labels/:id': 'agency.manage',
  'POST /clients/:clientId/snippets': 'content.write',
  'PATCH /snippets/:id': 'content.write',
  'DELETE /snippets/:id': 'content.write',
  'POST /imports': 'content.write',
  'POST /imports/:id/commit': 'content.write',
  'POST /clients/:clientId/feeds': 'content.write',
  'PATCH /feeds/:id': 'content.write',
  'DELETE /feeds/:id': 'content.write',
  'POST /jobs/:name/run': 'agency.manage',
  'GET /webhooks': 'agency.manage',
  'POST /webhooks': 'agency.manage',
  'GET /webhooks/:id': 'agency.manage',
  'PATCH /webhooks/:id': 'agency.manage',
  'DELETE /webhooks/:id': 'agency.manage',
  'GET /webhooks/:id/deliveries': 'agency.manage',
  'POST /webhooks/:id/test': 'agency.manage',
  'POST /webhooks/:id/deliveries/:deliveryId/redeliver': 'agency.manage',
};

/** The route that answers this request, relative to `base` (the mount point of the middleware asking). */
export function answeringRoute(c: Context, base = ''): { key: string; pattern: string } | null {
  const route = matchedRoutes(c)
    .slice(c.req.routeIndex + 1)
    .find((r) => r.method !== 'ALL' && (base === '' || r.path.startsWith(`${base}/`)));
  if (!route) return null;
  const pattern = route.path.slice(base.length) || '/';
  return { key: `${route.method} ${pattern}`, pattern };
}

/** The thing a path parameter names, by the segment before it, and how to find the client it belongs to. */
const CLIENT_OF: Readonly<
  Record<string, { what: string; clientOf: (repos: Repos, id: string) => string | undefined }>
> = {
  clients: { what: 'Client', clientOf: (repos, id) => repos.clients.get(id)?.id },
  accounts: { what: 'Account', clientOf: (repos, id) => repos.accounts.get(id)?.clientId },
  rules: { what: 'Rule', clientOf: (repos, id) => repos.rules.get(id)?.clientId },
  posts: { what: 'Post', clientOf: (repos, id) => repos.posts.get(id)?.clientId },
  groups: { what: 'Post group', clientOf: (repos, id) => repos.groups.get(id)?.clientId },
  'post-groups': { what: 'Post group', clientOf: (repos, id) => repos.groups.get(id)?.clientId },
  snippets: { what: 'Snippet', clientOf: (repos, id) => repos.snippets.get(id)?.clientId },
  feeds: { what: 'Feed', clientOf: (repos, id) => repos.feeds.get(id)?.clientId },
  imports: { what: 'Import', clientOf: (repos, id) => repos.imports.get(id)?.clientId },
  import: { what: 'Import', clientOf: (repos, id) => repos.imports.get(id)?.clientId },
  media: { what: 'Media', clientOf: (repos, id) => repos.media.get(id)?.clientId },
};

/**
 * The clients a request works on, read from its path parameters (`/posts/:id` → the post's client) and a
 * `clientId` or `accountId` in its query, each with the name of the thing that named it (for a "not found" that says no
 * more). A parameter naming nothing that exists is left to the route, which answers "not found" itself.
 */
export function clientsOfRoute(
  repos: Repos,
  pattern: string,
  url: string,
  base = '',
): Array<{ clientId: string; what: string }> {
  const { pathname, searchParams } = new URL(url);
  const actual = pathname.slice(base.length).split('/');
  const segments = pattern.split('/');
  const found: Array<{ clientId: string; what: string }> = [];
  for (const [i, segment] of segments.entries()) {
    if (!segment.startsWith(':')) continue;
    const kind = CLIENT_OF[segments[i - 1] ?? ''];
    const value = actual[i];
    if (!kind || !value) continue;
    const clientId = kind.clientOf(repos, safeDecode(value));
    if (clientId) found.push({ clientId, what: kind.what });
  }
  const queried = searchParams.get('clientId');
  if (queried && repos.clients.get(queried)) found.push({ clientId: queried, what: 'Client' });
  const account = searchParams.get('accountId');
  const ofAccount = account ? repos.accounts.get(account)?.clientId : undefined;
  if (ofAccount) found.push({ clientId: ofAccount, what: 'Account' });
  return found;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
