// The lists of a member who sees a few clients of many: 40 clients with 1,000 posts each (40,000 posts), listed
// by an owner (every client), an editor of 2 clients and an editor of 20, through the pages (pipeline, dashboard,
// calendar) and the API (GET /posts, first page and a deep page). Each figure is the server's whole answer,
// measured in-process through app.request; the query plans of the filtered list are printed too. The clients keep
// the default approval mode, so nine posts in ten await approval: the dashboard's approval count is at its worst
// (an editor's count reads each awaiting post's client from the table; an owner's is counted off the index).
// Usage: node --import tsx bench/assigned-lists.ts
import { makeHerald } from '../test/helpers/herald.js';
import { PageClient } from '../test/helpers/page-client.js';

const CLIENTS = 40;
const POSTS_PER_CLIENT = 1_000;
const RUNS = 40;
const HOUR = 3_600_000;
const PASSWORD = 'correct horse battery staple';

const t = await makeHerald();
const { services, repos, database } = t.herald;
const seeding = performance.now();
const clientIds: string[] = [];
database.immediate(() => {
  for (let c = 0; c < CLIENTS; c++) {
    const client = services.clients.create({ name: `Client ${String(c).padStart(2, '0')}`, timezone: 'UTC' });
    clientIds.push(client.id);
    const account = services.accounts.connect({
      clientId: client.id,
      platform: 'facebook',
      externalId: `fb-${c}`,
      name: `Page ${c}`,
      accessToken: 'x',
      refreshToken: null,
      tokenExpiresAt: null,
      scopes: [],
    });
    for (let i = 0; i < POSTS_PER_CLIENT; i++)
      services.posts.create(
        {
          accountId: account.id,
          caption: `Post ${c}-${i}`,
          scheduledAt: new Date(Date.now() + (1 + ((i * CLIENTS + c) % 40_000)) * HOUR).toISOString(),
          status: i % 10 === 0 ? 'draft' : 'scheduled',
        },
        { kind: 'system' },
      );
  }
});
console.log(`seeded ${CLIENTS * POSTS_PER_CLIENT} posts in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

async function member(email: string, role: 'owner' | 'editor', assigned: readonly string[]) {
  const row = await services.auth.createAdmin({ email, password: PASSWORD, role });
  if (role !== 'owner') repos.auth.setMemberClients(row.id, assigned);
  const page = new PageClient(t.herald.app);
  await page.post('/login', { email, password: PASSWORD });
  const token = services.apiTokens.create({ name: email, scope: 'read' }, row.id).token;
  return { page, token };
}

const who = {
  owner: await member('owner@agency.test', 'owner', []),
  'editor of 2': await member('two@agency.test', 'editor', clientIds.slice(0, 2)),
  'editor of 20': await member('twenty@agency.test', 'editor', clientIds.slice(0, 20)),
};

async function time(run: () => Promise<Response>): Promise<number> {
  const first = await run();
  if (first.status !== 200) throw new Error(`status ${first.status}`);
  await first.text();
  const start = performance.now();
  for (let i = 0; i < RUNS; i++) await (await run()).text();
  return (performance.now() - start) / RUNS;
}

async function deepCursor(token: string): Promise<string> {
  let cursor = '';
  for (let i = 0; i < 5; i++) {
    const res = await t.herald.app.request(`/api/v1/posts?limit=200${cursor ? `&cursor=${cursor}` : ''}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { nextCursor: string | null };
    if (!body.nextCursor) break;
    cursor = encodeURIComponent(body.nextCursor);
  }
  return cursor;
}

console.log('\nmilliseconds per answer (mean of', RUNS, 'runs)');
console.log(
  'who'.padEnd(14),
  'pipeline'.padStart(9),
  'dashboard'.padStart(10),
  'calendar'.padStart(9),
  'API /posts'.padStart(11),
  'API deep'.padStart(9),
);
for (const [name, m] of Object.entries(who)) {
  const api = (path: string) => () =>
    Promise.resolve(t.herald.app.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${m.token}` } }));
  const deep = await deepCursor(m.token);
  const figures = [
    await time(() => m.page.request('/pipeline')),
    await time(() => m.page.request('/')),
    await time(() => m.page.request('/calendar?clientId=all&view=month')),
    await time(api('/posts?limit=50')),
    await time(api(`/posts?limit=50&cursor=${deep}`)),
  ];
  console.log(name.padEnd(14), ...figures.map((f, i) => f.toFixed(2).padStart([9, 10, 9, 11, 9][i]!)));
}

console.log('\nquery plan of the filtered posts list (2 clients):');
const plan = database.sqlite
  .prepare(
    'EXPLAIN QUERY PLAN SELECT p.id FROM posts p WHERE p.client_id IN (SELECT value FROM json_each(?)) ' +
      'ORDER BY p.scheduled_at, p.id LIMIT 51',
  )
  .all(JSON.stringify(clientIds.slice(0, 2))) as Array<{ detail: string }>;
for (const row of plan) console.log(' ', row.detail);
await t.close();
