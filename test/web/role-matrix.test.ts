import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/domain/roles.js';
import { API_ACCESS, PAGE_ACCESS } from '../../src/http/route-access.js';
import { UnsubscribeTokens } from '../../src/notify/unsubscribe-token.js';
import { json, makeHerald, seedClient, TEST_ORIGIN } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { PageClient } from '../helpers/page-client.js';

// The role matrix over every admin page and API route the app has, read from the app's own route list like the CSRF
// matrix (route-tables.test.ts): each route says below who may use it, so a route added later without an entry fails
// "every route has an expectation". Each role signs in (pages) and makes a token (API); editors and viewers are
// assigned client A, never B. A refused request must change nothing.

const PASSWORD = 'correct horse battery staple';
const t = await makeHerald({ ADMIN_EMAIL: 'owner@agency.test', ADMIN_PASSWORD: PASSWORD });
const owner = (await t.herald.services.auth.ensureConfiguredAdmin())!;
const { services, repos } = t.herald;
const SYSTEM = { kind: 'system' } as const;

async function clientFixtures(name: string) {
  const seeded = seedClient(t, { name, approvalMode: 'admin' });
  const clientId = seeded.client.id;
  const media = await services.media.ingest([await makeImage(64, 64)], { clientId });
  const invite = services.clients.createInvite(clientId);
  const post = services.posts.create({ accountId: seeded.facebook.id, caption: `${name} post` }, SYSTEM).id;
  const group = services.groups.create({ clientId, caption: 'x', members: [{ accountId: seeded.facebook.id }] }, SYSTEM)
    .group.id;
  const imported = await services.imports.dryRun(
    { clientId, fileName: 'plan.csv', bytes: Buffer.from('network,account_name\nfacebook,x\n') },
    SYSTEM,
  );
  // A loopback address not listed in OUTBOUND_PRIVATE_HOSTS: refused at once, nothing is fetched.
  const feed = await services.feeds.create(clientId, {
    url: 'http://127.0.0.1:9/feed.xml',
    accountIds: [seeded.facebook.id],
  });
  const ids = {
    'clients/:id': clientId,
    'clients/:clientId': clientId,
    'accounts/:id': seeded.facebook.id,
    'rules/:id': services.rules.create(clientId, { name: 'R', cron: '0 9 * * *' }).id,
    'posts/:id': post,
    'groups/:id': group,
    'post-groups/:id': group,
    'media/:id': media.id,
    'media/:mediaId': media.id,
    'snippets/:id': services.snippets.create(clientId, { name: 'Tags', text: '#bread' }).id,
    'imports/:id': imported.id,
    'import/:importId': imported.id,
    'feeds/:id': feed.id,
    'invites/:inviteId': invite.invite.id,
  };
  return { clientId, ids };
}

const A = await clientFixtures('Client A');
const B = await clientFixtures('Client B');

const runId = (await json<{ runId: string }>(await t.api('POST', '/jobs/maintenance/run'))).runId;
const backup = await services.backups.create();
const channel = services.channels.create({
  kind: 'slack',
  name: 'Ops',
  url: 'https://hooks.slack.com/services/T/B/x',
}).channel;
const webhook = services.channels.create({ kind: 'webhook', url: 'https://hooks.example.com/herald' }).channel;
const formNetwork = t.herald.networks.list.find((n) => n.descriptor.connect.form)?.descriptor.id ?? 'bluesky';

/** Members of each role (the owner is the configured admin); editors and viewers work on client A. */
const members: Record<Role, { id: string; email: string }> = { owner, admin: owner, editor: owner, viewer: owner };
for (const role of ROLES.filter((r) => r !== 'owner')) {
  const row = await services.auth.createAdmin({ email: `${role}@agency.test`, password: PASSWORD, role });
  if (role === 'editor' || role === 'viewer') repos.auth.setMemberClients(row.id, [A.clientId]);
  members[role] = row;
}
// A second session of the editor's, for signing out one session.
await new PageClient(t.herald.app).post('/login', { email: members.editor.email, password: PASSWORD });
const editorSession = repos.auth.sessionsOfAdmin(members.editor.id)[0]!.idHash;
const removable = await services.auth.createAdmin({ email: 'someone@agency.test', password: PASSWORD, role: 'viewer' });
const memberInvite = services.members.invite(SYSTEM, { email: 'new@agency.test', role: 'editor', clientIds: [] }).invite
  .id;

/** Path parameters outside any client. */
const AGENCY: Record<string, string | string[]> = {
  'do/:action': ['approve', 'reject', 'cancel', 'retry', 'submit'],
  'tokens/:id': services.apiTokens.create({ name: 'x' }).row.id,
  'labels/:id': services.labels.create({ name: 'Campaign', color: '#1971c2' }).id,
  'jobs/:id': 'maintenance',
  'jobs/:name': 'maintenance',
  'runs/:id': runId,
  'backups/:name': backup.name,
  'auth/:connector': 'tiktok',
  'team/:id': removable.id,
  'passkeys/:id': 'cred-editor',
  'sessions/:id': editorSession,
  'members/:id': removable.id,
  'channels/:id': channel.id,
  'webhooks/:id': webhook.id,
  'deliveries/:deliveryId': services.channels.sendTest(webhook.id).deliveryId,
  'deliveries/:id': services.channels.sendTest(channel.id).deliveryId,
  'unsubscribe/:token': new UnsubscribeTokens(t.config.secretKey).make('someone@client.test', 'digest'),
};

/** Query strings a route needs; `{client}` is the client under test. */
const QUERIES: Record<string, string> = {
  'GET /rules/preview': '?clientId={client}&name=R&cron=0+9+*+*+*',
  'POST /auth/:connector/start': '?clientId={client}',
  'POST /auth/:connector/form': '?clientId={client}',
  'POST /posts/media': '?clientId={client}',
  'GET /posts/new': '?accountId={account}',
  'GET /api/v1/media': '?clientId={client}',
};

// Who may use each route. `anyone`: every signed-in member; `readers`: every role, on its clients; `writers`:
// owners, admins and editors, on their clients; `managers`: owners and admins; `owners`: owners only.
type Who = 'anyone' | 'readers' | 'writers' | 'managers' | 'owners';
const MAY: Record<Who, readonly Role[]> = {
  anyone: ROLES,
  readers: ROLES,
  writers: ['owner', 'admin', 'editor'],
  managers: ['owner', 'admin'],
  owners: ['owner'],
};

const EXPECT: Record<string, Who> = {
  'GET /': 'readers',
  'GET /clients': 'readers',
  'GET /clients/new': 'managers',
  'POST /clients': 'managers',
  'GET /clients/:id': 'readers',
  'GET /clients/:id/edit': 'managers',
  'POST /clients/:id': 'managers',
  'POST /clients/:id/generate': 'writers',
  'POST /clients/:id/archive': 'managers',
  'POST /clients/:id/invites': 'managers',
  'POST /clients/:id/invites/:inviteId/revoke': 'managers',
  'POST /accounts/:id/enable': 'managers',
  'POST /accounts/:id/disable': 'managers',
  'GET /accounts/:id/avatar': 'readers',
  'POST /accounts/:id/settings': 'managers',
  'POST /accounts/:id/delete': 'managers',
  'GET /clients/:id/results/posts.csv': 'readers',
  'GET /clients/:id/results/accounts.csv': 'readers',
  'GET /pipeline/export.csv': 'readers',
  'GET /clients/:id/posts.csv': 'readers',
  'GET /clients/:id/logs.csv': 'readers',
  'GET /rules/preview': 'readers',
  'GET /clients/:id/rules/new': 'writers',
  'POST /clients/:id/rules': 'writers',
  'GET /rules/:id/edit': 'writers',
  'POST /rules/:id': 'writers',
  'POST /rules/:id/generate': 'writers',
  'POST /rules/:id/delete': 'writers',
  'POST /rules/:id/suggested-schedule': 'writers',
  'POST /clients/:id/guidance': 'writers',
  'GET /pipeline': 'readers',
  'POST /pipeline/bulk': 'writers',
  'GET /calendar': 'readers',
  'POST /calendar/move': 'writers',
  'GET /groups/:id/members': 'readers',
  'GET /clients/:id/results': 'readers',
  'GET /results': 'readers',
  'POST /posts/preview': 'writers',
  'POST /posts/media': 'writers',
  'GET /posts/new': 'writers',
  'POST /posts': 'writers',
  'GET /posts/:id': 'readers',
  'POST /posts/:id': 'writers',
  'POST /posts/:id/do/regenerate': 'writers',
  'POST /posts/:id/do/mark-published': 'writers',
  'POST /posts/:id/do/:action': 'writers',
  'GET /accounts/:id/queue': 'readers',
  'POST /accounts/:id/posting-times': 'writers',
  'POST /accounts/:id/posting-times/suggest': 'writers',
  'POST /posts/:id/evergreen': 'writers',
  'POST /posts/:id/queue': 'writers',
  'GET /groups/new': 'writers',
  'POST /groups/preview': 'writers',
  'POST /groups': 'writers',
  'GET /groups/:id': 'readers',
  'POST /groups/:id': 'writers',
  'GET /logs': 'readers',
  'GET /events': 'readers',
  'GET /system': 'managers',
  'POST /system/jobs/:id/run': 'managers',
  'POST /system/backups': 'managers',
  'GET /system/backups/:name': 'managers',
  'GET /settings': 'anyone',
  'POST /settings/agency': 'managers',
  'POST /settings/tokens': 'managers',
  'POST /settings/tokens/:id/revoke': 'managers',
  'POST /settings/password': 'anyone',
  'POST /settings/sign-out-everywhere': 'anyone',
  'GET /account/security': 'anyone',
  'GET /account/sessions': 'anyone',
  'POST /account/security/passkeys': 'anyone',
  'POST /account/security/passkeys/:id/remove': 'anyone',
  'POST /account/security/passkeys/:id/rename': 'anyone',
  'POST /account/security/passkeys/options': 'anyone',
  'POST /account/security/recovery-codes': 'anyone',
  'POST /account/security/totp': 'anyone',
  'POST /account/security/totp/confirm': 'anyone',
  'POST /account/security/totp/disable': 'anyone',
  'POST /account/sessions/:id/revoke': 'anyone',
  'POST /account/sessions/revoke-others': 'anyone',
  'POST /settings/require-mfa': 'owners',
  'GET /team': 'managers',
  'POST /team/invites': 'managers',
  'POST /team/invites/:inviteId/revoke': 'managers',
  'GET /team/:id': 'managers',
  'POST /team/:id': 'managers',
  'GET /team/:id/remove': 'managers',
  'POST /team/:id/remove': 'managers',
  'GET /audit': 'managers',
  'GET /audit.csv': 'managers',
  'GET /settings/labels': 'managers',
  'POST /settings/labels': 'managers',
  'GET /settings/labels/:id/delete': 'managers',
  'POST /settings/labels/:id/delete': 'managers',
  'POST /settings/labels/:id': 'managers',
  'GET /clients/:id/snippets': 'readers',
  'POST /clients/:id/snippets': 'writers',
  'POST /snippets/:id/delete': 'writers',
  'POST /snippets/:id': 'writers',
  'GET /clients/:id/import': 'writers',
  'GET /clients/:id/import/template.csv': 'readers',
  'GET /clients/:id/import/:importId': 'readers',
  'POST /clients/:id/import': 'writers',
  'POST /clients/:id/import/:importId/commit': 'writers',
  'GET /clients/:id/feeds': 'readers',
  'POST /clients/:id/feeds': 'writers',
  'POST /feeds/:id/delete': 'writers',
  'POST /feeds/:id/check': 'writers',
  'POST /feeds/:id': 'writers',
  'GET /clients/:id/media': 'readers',
  'POST /clients/:id/media': 'writers',
  'POST /clients/:id/media/:mediaId/delete': 'writers',
  'POST /clients/:id/media/:mediaId': 'writers',
  'GET /settings/notifications': 'managers',
  'POST /settings/notifications/channels': 'managers',
  'GET /settings/notifications/channels/:id/edit': 'managers',
  'POST /settings/notifications/channels/:id': 'managers',
  'GET /settings/notifications/channels/:id/remove': 'managers',
  'POST /settings/notifications/channels/:id/remove': 'managers',
  'POST /settings/notifications/channels/:id/resume': 'managers',
  'POST /settings/notifications/channels/:id/test': 'managers',
  'GET /settings/notifications/deliveries/:id/status': 'managers',
  'POST /settings/notifications/deliveries/:id/redeliver': 'managers',
  'GET /settings/notifications/email': 'anyone',
  'POST /settings/notifications/email': 'anyone',
  'POST /settings/notifications/email/test': 'anyone',
  'POST /auth/:connector/start': 'managers',
  'POST /auth/:connector/form': 'managers',

  'GET /api/v1/clients': 'readers',
  'GET /api/v1/clients/:id': 'readers',
  'GET /api/v1/clients/:id/accounts': 'readers',
  'GET /api/v1/clients/:clientId/rules': 'readers',
  'GET /api/v1/accounts/:id': 'readers',
  'GET /api/v1/rules/:id': 'readers',
  'GET /api/v1/rules/:id/slots': 'readers',
  'GET /api/v1/posts': 'readers',
  'GET /api/v1/posts/:id': 'readers',
  'GET /api/v1/posts/:id/logs': 'readers',
  'GET /api/v1/posts.csv': 'readers',
  'GET /api/v1/post-groups/:id': 'readers',
  'GET /api/v1/media': 'readers',
  'GET /api/v1/media/:id': 'readers',
  'GET /api/v1/jobs': 'managers',
  'GET /api/v1/members': 'managers',
  'POST /api/v1/members': 'managers',
  'PATCH /api/v1/members/:id': 'managers',
  'DELETE /api/v1/members/:id': 'managers',
  'GET /api/v1/audit': 'managers',
  'GET /api/v1/jobs/runs/:id': 'managers',
  'GET /api/v1/events': 'readers',
  'GET /api/v1/posts/:id/metrics': 'readers',
  'GET /api/v1/clients/:id/results': 'readers',
  'GET /api/v1/clients/:id/results/posts.csv': 'readers',
  'GET /api/v1/clients/:id/results/accounts.csv': 'readers',
  'GET /api/v1/labels': 'readers',
  'GET /api/v1/labels/:id': 'readers',
  'GET /api/v1/clients/:clientId/snippets': 'readers',
  'GET /api/v1/snippets/:id': 'readers',
  'GET /api/v1/clients/:clientId/media': 'readers',
  'GET /api/v1/imports/:id': 'readers',
  'GET /api/v1/clients/:clientId/feeds': 'readers',
  'GET /api/v1/feeds/:id': 'readers',
  'POST /api/v1/clients': 'managers',
  'PATCH /api/v1/clients/:id': 'managers',
  'DELETE /api/v1/clients/:id': 'managers',
  'POST /api/v1/clients/:id/invites': 'managers',
  'PATCH /api/v1/accounts/:id': 'managers',
  'DELETE /api/v1/accounts/:id': 'managers',
  'POST /api/v1/clients/:clientId/rules': 'writers',
  'PATCH /api/v1/rules/:id': 'writers',
  'DELETE /api/v1/rules/:id': 'writers',
  'POST /api/v1/posts': 'writers',
  'PATCH /api/v1/posts/:id': 'writers',
  'POST /api/v1/posts/:id/approve': 'writers',
  'POST /api/v1/posts/:id/reject': 'writers',
  'POST /api/v1/posts/:id/cancel': 'writers',
  'POST /api/v1/posts/:id/retry': 'writers',
  'POST /api/v1/posts/:id/queue': 'writers',
  'POST /api/v1/post-groups': 'writers',
  'PATCH /api/v1/post-groups/:id': 'writers',
  'POST /api/v1/media': 'writers',
  'DELETE /api/v1/media/:id': 'writers',
  'PATCH /api/v1/media/:id': 'writers',
  'POST /api/v1/labels': 'managers',
  'PATCH /api/v1/labels/:id': 'managers',
  'DELETE /api/v1/labels/:id': 'managers',
  'POST /api/v1/clients/:clientId/snippets': 'writers',
  'PATCH /api/v1/snippets/:id': 'writers',
  'DELETE /api/v1/snippets/:id': 'writers',
  'POST /api/v1/imports': 'writers',
  'POST /api/v1/imports/:id/commit': 'writers',
  'POST /api/v1/clients/:clientId/feeds': 'writers',
  'PATCH /api/v1/feeds/:id': 'writers',
  'DELETE /api/v1/feeds/:id': 'writers',
  'POST /api/v1/jobs/:name/run': 'managers',
  'GET /api/v1/webhooks': 'managers',
  'POST /api/v1/webhooks': 'managers',
  'GET /api/v1/webhooks/:id': 'managers',
  'PATCH /api/v1/webhooks/:id': 'managers',
  'DELETE /api/v1/webhooks/:id': 'managers',
  'GET /api/v1/webhooks/:id/deliveries': 'managers',
  'POST /api/v1/webhooks/:id/test': 'managers',
  'POST /api/v1/webhooks/:id/deliveries/:deliveryId/redeliver': 'managers',
};

/** Not part of the matrix: reached without a member (public, the portal, one-click unsubscribe) or middleware. */
const OUTSIDE = new Set([
  'GET /healthz',
  'GET /metrics',
  'GET /media/:key',
  'HEAD /media/:key',
  'GET /login',
  'POST /login',
  'GET /setup',
  'POST /setup',
  'POST /logout',
  'GET /auth/oidc/start',
  'GET /auth/oidc/callback',
  'GET /auth/:connector/start',
  'GET /auth/:connector/callback',
  'GET /invite/:token',
  'GET /join/:token',
  'GET /login/verify',
  'POST /login/verify',
  'POST /login/passkey',
  'POST /login/passkey/options',
  'POST /login/verify/passkey',
  'POST /login/verify/passkey/options',
  'POST /join/:token',
  'GET /unsubscribe/:token',
  'POST /unsubscribe/:token',
]);
const isOutside = (method: string, pattern: string) =>
  method === 'ALL' || OUTSIDE.has(`${method} ${pattern}`) || pattern === '/portal' || pattern.startsWith('/portal/');

interface Case {
  key: string;
  method: string;
  path: string;
  api: boolean;
  /** The client the path names: A (assigned to editors and viewers), B (not), or none. */
  client: 'A' | 'B' | null;
}

/** Concrete paths for a route with client X's fixtures; null when a parameter has none. */
function expand(key: string, pattern: string, fixtures: Record<string, string>): string[] | null {
  let paths = [''];
  const segments = pattern.split('/').slice(1);
  for (const [i, segment] of segments.entries()) {
    if (!segment.startsWith(':')) {
      paths = paths.map((p) => `${p}/${segment}`);
      continue;
    }
    const name = `${segments[i - 1] ?? ''}/${segment}`;
    const value =
      key === 'POST /auth/:connector/form' && name === 'auth/:connector'
        ? formNetwork
        : key.startsWith('POST /team/invites/')
          ? memberInvite // a teammate's invitation, not a client's portal link
          : (fixtures[name] ?? AGENCY[name]);
    if (value === undefined) return null;
    paths = paths.flatMap((p) => (Array.isArray(value) ? value : [value]).map((v) => `${p}/${encodeURIComponent(v)}`));
  }
  return paths;
}

const CASES: Case[] = [];
const missing: string[] = [];
const seen = new Set<string>();
for (const { method, path: pattern } of t.herald.app.routes) {
  const key = `${method} ${pattern}`;
  if (seen.has(key) || isOutside(method, pattern)) continue;
  seen.add(key);
  if (!(key in EXPECT)) missing.push(`${key}: no expectation`);
  const variants = { A, B };
  const expanded = Object.fromEntries(
    Object.entries(variants).map(([name, v]) => [
      name,
      expand(key, pattern, v.ids)?.map((p) => {
        const query = (QUERIES[key] ?? '').replace('{client}', v.clientId).replace('{account}', v.ids['accounts/:id']);
        return `${p}${query}`;
      }),
    ]),
  ) as Record<'A' | 'B', string[] | undefined>;
  if (!expanded.A || !expanded.B) {
    missing.push(`${key}: a path parameter has no fixture`);
    continue;
  }
  const bound = expanded.A.join() !== expanded.B.join();
  for (const variant of bound ? (['A', 'B'] as const) : ([null] as const)) {
    for (const path of expanded[variant ?? 'A'] ?? []) {
      CASES.push({ key, method, path, api: pattern.startsWith('/api/'), client: variant });
    }
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The answer a role must get: 'ok' passes the access checks (the route then does its own work), or a status. */
function expected(c: Case, role: Role): 'ok' | 403 | 404 {
  if (c.client === 'B' && (role === 'editor' || role === 'viewer')) return 404;
  const who = EXPECT[c.key];
  // A route without an entry is reported by the first test below, not crashed on here.
  if (!who) return 'ok';
  return MAY[who].includes(role) ? 'ok' : 403;
}

/** Every row a refused request could have touched. */
function snapshot(): unknown {
  const db = t.herald.database.sqlite;
  const tables = [
    'clients',
    'accounts',
    'posts',
    'post_groups',
    'rules',
    'media',
    'snippets',
    'feeds',
    'post_imports',
    'labels',
    'invites',
    'admins',
    'settings',
    'notify_channels',
    'job_runs',
  ];
  return {
    ...Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all()])),
    // Not last_used_at: a token's first use is recorded whatever the answer.
    tokens: db.prepare('SELECT id, revoked_at FROM api_tokens ORDER BY id').all(),
  };
}

const browsers = {} as Record<Role, PageClient>;
const tokens = {} as Record<Role, string>;
beforeAll(async () => {
  for (const role of ROLES) {
    const browser = new PageClient(t.herald.app);
    const res = await browser.post('/login', { email: members[role].email, password: PASSWORD });
    expect(res.status, role).toBe(303);
    await browser.get('/settings');
    browsers[role] = browser;
    tokens[role] = services.apiTokens.create({ name: role, scope: 'admin' }, members[role].id).token;
  }
  // The editor's own passkey (a stored row is enough to rename or remove it), added once they are signed in: with
  // a passkey, a password sign-in would ask for the second step.
  repos.passkeys.insert({
    id: 'cred-editor',
    adminId: members.editor.id,
    publicKey: 'AQID',
    counter: 0,
    transports: ['internal'],
    deviceType: 'singleDevice',
    backedUp: false,
    name: 'Laptop',
    createdAt: Date.now(),
    lastUsedAt: null,
  });
});
afterAll(() => t.close());

async function send(role: Role, c: Case): Promise<Response> {
  if (c.api) {
    const init: RequestInit = { method: c.method, headers: { authorization: `Bearer ${tokens[role]}` } };
    if (MUTATING.has(c.method)) {
      init.body = '{}';
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    return t.herald.app.request(`${TEST_ORIGIN}${c.path}`, init);
  }
  const browser = browsers[role];
  // A form naming the client under test (and its account), so a route's own lookup of an empty field is not taken
  // for the access check's "not found".
  const fixtures = c.client === 'B' ? B : A;
  const form = { clientId: fixtures.clientId, accountId: fixtures.ids['accounts/:id'] };
  return MUTATING.has(c.method) ? browser.post(c.path, form) : browser.request(c.path, { method: c.method });
}

describe('the role matrix', () => {
  it('has an expectation and fixtures for every route of the app', () => {
    expect(missing).toEqual([]);
    expect(Object.keys(EXPECT).filter((key) => !seen.has(key))).toEqual([]);
    expect(CASES.filter((c) => c.client === 'B').length).toBeGreaterThan(50);
  });

  it('the route table enforced at run time names every route, and no route that is gone', () => {
    const table = [
      ...Object.keys(PAGE_ACCESS),
      ...Object.keys(API_ACCESS).map((key) => key.replace(' /', ' /api/v1/').replace(/\/$/, '')),
    ];
    expect([...seen].filter((key) => !table.includes(key))).toEqual([]);
    expect(table.filter((key) => !seen.has(key))).toEqual([]);
  });

  const refused = ROLES.flatMap((role) =>
    CASES.filter((c) => expected(c, role) !== 'ok').map((c) => ({ role, ...c, status: expected(c, role) })),
  );
  it.each(refused)('$role: $method $path → $status, and nothing changes', async (c) => {
    const before = snapshot();
    const res = await send(c.role, c);
    expect(res.status).toBe(c.status);
    if (c.api) {
      const code = (await json<{ error: { code: string } }>(res)).error.code;
      expect(code).toMatch(c.status === 404 ? /^not_found$/ : /^(forbidden|insufficient_scope)$/);
    }
    expect(snapshot()).toEqual(before);
  });

  const reads = ROLES.flatMap((role) =>
    CASES.filter((c) => !MUTATING.has(c.method) && expected(c, role) === 'ok').map((c) => ({ role, ...c })),
  );
  it.each(reads)('$role: $method $path → 200', async (c) => {
    const res = await send(c.role, c);
    expect(res.status).toBe(200);
  });

  // An editor's allowed changes of client A pass the access checks (the route then answers for itself: a form
  // without its fields is a 4xx other than 403/404). Removals go last so that every other route still finds its
  // fixture. The owner's and admin's changes are the rest of the suite's subject.
  const editorChanges = CASES.filter((c) => MUTATING.has(c.method) && expected(c, 'editor') === 'ok').sort(
    (a, b) => lateness(a) - lateness(b),
  );
  it.each(editorChanges)('editor: $method $path passes the access checks', async (c) => {
    const res = await send('editor', lateness(c) === 1 ? await withFreshItem(c) : c);
    expect([401, 403, 404, 500]).not.toContain(res.status);
    // Still signed in: a redirect to the sign-in page would pass the line above without proving anything.
    if (!c.path.endsWith('/sign-out-everywhere')) expect(res.headers.get('location') ?? '').not.toMatch(/^\/login/);
  });
});

/** A removal's own item of client A (the page and the API both remove one: the second would find nothing). */
async function withFreshItem(c: Case): Promise<Case> {
  const fresh: Record<string, () => Promise<string>> = {
    'rules/:id': async () => services.rules.create(A.clientId, { name: 'Another', cron: '0 9 * * *' }).id,
    'snippets/:id': async () => services.snippets.create(A.clientId, { name: `S${Math.random()}`, text: 'x' }).id,
    'feeds/:id': async () =>
      (
        await services.feeds.create(A.clientId, {
          url: `http://127.0.0.1:9/${Math.random()}.xml`,
          accountIds: [A.ids['accounts/:id']],
        })
      ).id,
    'media/:id': async () => (await services.media.ingest([await makeImage(32, 32)], { clientId: A.clientId })).id,
  };
  fresh['media/:mediaId'] = fresh['media/:id']!;
  for (const [name, make] of Object.entries(fresh)) {
    const old = A.ids[name as keyof typeof A.ids];
    if (c.path.includes(old)) return { ...c, path: c.path.replace(old, await make()) };
  }
  return c;
}

/** Removals after every other change; signing out everywhere (which ends the editor's session) last of all. */
function lateness(c: Case): number {
  const path = c.path.split('?')[0]!;
  if (/\/(sign-out-everywhere|password|revoke-others)$/.test(path)) return 2;
  return c.method === 'DELETE' || /\/(delete|archive|remove)$/.test(path) ? 1 : 0;
}
