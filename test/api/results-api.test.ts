// The results API and the CSV exports: a post's snapshots by horizon, a client's period numbers,
// and downloads that spreadsheets open safely; plus the "reconnect to see results" line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { NETWORKS } from '../../src/platforms/registry.js';
import { boardNetwork, ScriptedReader } from '../helpers/insights-board.js';
import { json, makeHerald, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

const ADMIN = { email: 'admin@agency.test', password: 'correct horse battery staple' };
const T0 = Date.parse('2026-06-01T10:00:00.000Z');
const HOUR = 3_600_000;

let t: TestHerald;
let clock: ManualClock;
let clientId: string;
let boardId: string;
let postId: string;
let trickyId: string;

function published(at: number, caption: string, externalId: string): string {
  const post = t.herald.services.posts.create({ accountId: boardId, caption, status: 'draft' }, { kind: 'system' });
  t.herald.database.sqlite
    .prepare("UPDATE posts SET status = 'published', published_at = ?, external_id = ? WHERE id = ?")
    .run(at, externalId, post.id);
  return post.id;
}

beforeAll(async () => {
  clock = new ManualClock(T0);
  t = await makeHerald(
    { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    { clock, networks: [...NETWORKS, boardNetwork(new ScriptedReader())] },
  );
  await t.herald.services.auth.ensureConfiguredAdmin();
  clientId = t.herald.services.clients.create({ name: 'Acme', timezone: 'UTC', approvalMode: 'none' }).id;
  boardId = t.herald.services.accounts.connect({
    clientId,
    platform: 'board',
    externalId: 'b-1',
    name: '=HYPERLINK("http://evil")',
    accessToken: 'x',
    tokenExpiresAt: null,
    scopes: ['board.stats'],
  }).id;
  postId = published(T0, 'Fresh bread, "warm" from the oven\nsecond line', 'p-1');
  trickyId = published(T0 + 60_000, '@everyone +1 -2 =SUM(A1:A2)', 'p-2');
  clock.set(T0 + 2 * HOUR);
  await t.herald.collector.run(new AbortController().signal);
  clock.set(T0 + 25 * HOUR);
  await t.herald.collector.run(new AbortController().signal);
});
afterAll(() => t.close());

describe('results API', () => {
  it('GET /posts/:id/metrics lists the snapshots by horizon, null where not reported', async () => {
    const res = await t.api('GET', `/posts/${postId}/metrics`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.data.map((s: { horizon: string }) => s.horizon)).toEqual(['1h', '24h']);
    expect(body.data[0]).toEqual({
      horizon: '1h',
      collectedAt: new Date(T0 + 2 * HOUR).toISOString(),
      views: 100,
      reach: null,
      likes: 7,
      comments: 2,
      shares: null,
      saves: null,
      clicks: null,
    });
    expect((await t.api('GET', '/posts/post_nope/metrics')).status).toBe(404);
  });

  it('GET /clients/:id/results gives the period totals, the previous period, per platform and top posts', async () => {
    const res = await t.api('GET', `/clients/${clientId}/results?from=2026-05-20&to=2026-06-02`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.totals).toEqual({
      posts: 2,
      views: 400,
      reach: null,
      likes: 14,
      comments: 4,
      shares: null,
      saves: null,
      clicks: null,
      engagements: 18,
    });
    expect(body.previous.posts).toBe(0);
    expect(body.byPlatform.board.posts).toBe(2);
    expect(body.topPosts.map((p: { postId: string }) => p.postId).sort()).toEqual([postId, trickyId].sort());
    expect(body.bestTimes[0]).toMatchObject({ weekday: 1, hour: 10 });
    expect(typeof body.bestTimes[0].score).toBe('number');

    const bad = await t.api('GET', `/clients/${clientId}/results?from=yesterday&to=2026-06-02`);
    expect(bad.status).toBe(400);
    const error = await json(bad);
    expect(error.error.code).toBe('validation_failed');
    expect(Object.keys(error.error.details ?? error.error.fields ?? {})).toContain('from');
    expect((await t.api('GET', `/clients/${clientId}/results?from=2026-06-03&to=2026-06-01`)).status).toBe(400);
  });

  it('exports post snapshots and account days as CSV with quoting and formula protection', async () => {
    const res = await t.api('GET', `/clients/${clientId}/results/posts.csv?from=2026-05-20&to=2026-06-02`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/post-metrics-2026-05-20-to-2026-06-02\.csv/);
    const text = await res.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toMatch(/^post_id,published_at,platform,account,horizon,collected_at,views/);
    // Two posts × two horizons, and the caption's newline stays inside its quotes.
    expect(text.match(new RegExp(`^${postId},`, 'gm'))).toHaveLength(2);
    expect(text).toContain('"Fresh bread, ""warm"" from the oven\nsecond line"');
    expect(text).toContain(",'@everyone +1 -2 =SUM(A1:A2)");
    expect(text).toContain(`,"'=HYPERLINK(""http://evil"")",`);
    expect(text).not.toMatch(/,=HYPERLINK/);

    const days = await t.api('GET', `/clients/${clientId}/results/accounts.csv?from=2026-05-31&to=2026-06-01`);
    const dayLines = (await days.text()).trim().split('\r\n');
    expect(dayLines[0]).toBe('day,platform,account,account_id,followers,views,reach,engagements');
    expect(dayLines.slice(1).map((l) => l.split(',')[0])).toEqual(['2026-05-31', '2026-06-01']);
    expect(dayLines[2]).toContain(`,board,"'=HYPERLINK(""http://evil"")",${boardId},`);

    const bad = await t.api('GET', `/clients/${clientId}/results/accounts.csv?to=2026-13-01`);
    expect(bad.status).toBe(400);
  });

  it('an export longer than one piece streams every row', async () => {
    // Copies of a measured post and its snapshot, written in one transaction.
    const { sqlite } = t.herald.database;
    const many = Array.from({ length: 520 }, (_, i) => `post_copy_${String(i).padStart(3, '0')}`);
    const columns = (sqlite.prepare('PRAGMA table_info(posts)').all() as { name: string }[]).map((c) => c.name);
    sqlite.transaction(() => {
      for (const [i, id] of many.entries()) {
        const override: Record<string, string> = {
          id: '?',
          published_at: '?',
          external_id: '?',
          slot_key: 'NULL',
          current_attempt_id: 'NULL',
        };
        const values = columns.map((c) => override[c] ?? c).join(', ');
        sqlite
          .prepare(`INSERT INTO posts (${columns.join(', ')}) SELECT ${values} FROM posts WHERE id = ?`)
          .run(id, T0 - 3 * HOUR - i * 1000, `m-${i}`, postId);
        sqlite
          .prepare(`INSERT INTO post_metrics SELECT ? AS post_id, horizon, client_id, account_id, platform,
               collected_at, views, reach, likes, comments, shares, saves, clicks, follows, watch_time_ms, raw, error
             FROM post_metrics WHERE post_id = ? AND horizon = '1h'`)
          .run(id, postId);
      }
    })();
    const res = await t.api('GET', `/clients/${clientId}/results/posts.csv?from=2026-05-20&to=2026-06-02`);
    const text = await res.text();
    for (const id of [many[0]!, many[519]!]) expect(text).toContain(`${id},`);
    expect(text.trim().split('\r\n').length).toBeGreaterThan(520);
  });

  it('the admin downloads and the client and portal pages show "reconnect to see results"', async () => {
    const admin = new PageClient(t.herald.app);
    await admin.post('/login', ADMIN);
    const csv = await admin.request(`/clients/${clientId}/results/accounts.csv?from=2026-05-31&to=2026-06-01`);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toMatch(/^day,platform,account/);

    expect((await admin.get(`/clients/${clientId}`)).html).not.toContain('Reconnect to see results');
    t.herald.services.accounts.connect({
      clientId,
      platform: 'board',
      externalId: 'b-old',
      name: 'Old board',
      accessToken: 'x',
      tokenExpiresAt: null,
      scopes: [],
    });
    expect((await admin.get(`/clients/${clientId}`)).html).toContain('Reconnect to see results');
    const portal = new PageClient(t.herald.app);
    await portal.request(new URL(t.herald.services.clients.createInvite(clientId).url).pathname);
    expect((await portal.get('/portal')).html).toContain('Reconnect to see results');
  });
});
