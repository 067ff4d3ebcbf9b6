// Results under two years of history: one client with 10,000 published posts across 5 accounts,
// 40,000 post snapshots (four horizons each) and 2,000 account days.
//  1. The results API and the Results page (when present) against the real server in a child
//     process, at 1 and 10 keep-alive connections, for the default period (30 days) and for two
//     years: p50/p99 and requests/s, then the server's RSS.
//  2. Collection throughput: 10,000 posts due at their first horizon, read by a test network whose
//     insights endpoint answers in 150 ms, under the default pacing (300 calls a run, a run every
//     5 minutes, 2 accounts of a network at once), with batches of 10 (Meta) and of 1 (Threads).
// BENCH_CPU_PROF=<dir> writes a CPU profile of the server (node --cpu-prof) there.
// Usage: node --import tsx bench/results.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { ManualClock } from '../src/lib/clock.js';
import { sha256 } from '../src/lib/crypto.js';
import { appPath } from '../src/paths.js';
import { NETWORKS } from '../src/platforms/registry.js';
import { boardNetwork, ScriptedReader } from '../test/helpers/insights-board.js';
import { makeHerald } from '../test/helpers/herald.js';
// @ts-expect-error plain JS helper shared with bench/pages.mjs
import { id, seed } from './seed.mjs';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const POSTS = 10_000;
const HORIZONS: Array<[string, number]> = [
  ['1h', HOUR],
  ['24h', DAY],
  ['7d', 7 * DAY],
  ['30d', 30 * DAY],
];
const ACCOUNT_DAYS = 2_000;
const LATENCY_MS = 150;
const root = join(import.meta.dirname, '..');
const port = 39_231;
const base = `http://127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), 'herald-bench-results-'));
const env = {
  ...process.env,
  DATA_DIR: dir,
  PORT: String(port),
  HOST: '127.0.0.1',
  PUBLIC_URL: base,
  LOG_LEVEL: 'warn',
  SECRET_KEY: 'c'.repeat(64),
};

// ---- 1. Seed two years of one client's results, in one transaction.
const t0 = performance.now();
const database = openDatabase(join(dir, 'herald.db'));
migrate(database, appPath('migrations'));
const sqlite = database.sqlite;
const { admin } = await seed(sqlite, { clients: 1, accountsPerClient: 5, posts: 0, logsPerPost: 0 });
sqlite.exec("UPDATE accounts SET status = 'connected'");
const clientId = (sqlite.prepare('SELECT id FROM clients').get() as { id: string }).id;
const accounts = sqlite.prepare('SELECT id, platform FROM accounts ORDER BY id').all() as Array<{
  id: string;
  platform: string;
}>;
const insPost = sqlite.prepare(
  'INSERT INTO posts (id, client_id, account_id, status, caption, scheduled_at, published_at, external_id, ' +
    "permalink, topic, attempts, source, version, created_at, updated_at) VALUES (?, ?, ?, 'published', ?, ?, ?, " +
    "?, ?, ?, 1, 'ai', 1, ?, ?)",
);
const insSnapshot = sqlite.prepare(
  'INSERT INTO post_metrics (post_id, horizon, client_id, account_id, platform, collected_at, views, reach, likes, ' +
    'comments, shares, saves, clicks, follows, watch_time_ms, raw, error) ' +
    'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, NULL)',
);
const insDay = sqlite.prepare(
  'INSERT INTO account_metrics (account_id, day, client_id, platform, collected_at, followers, views, reach, ' +
    "engagements, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')",
);
const now = Date.now();
const topics = ['how-to', 'news', 'offer', 'behind the scenes'];
sqlite.transaction(() => {
  for (let i = 0; i < POSTS; i++) {
    const account = accounts[i % accounts.length]!;
    // Two years back to 2 days ago, at varied hours, so every horizon up to 30 d exists for most.
    const at = now - 2 * DAY - Math.round((i / POSTS) * 728 * DAY) - (i % 13) * HOUR;
    const pid = id('post', at);
    insPost.run(
      pid,
      clientId,
      account.id,
      `Post ${i}: fresh bread and good coffee #bakery`,
      at,
      at,
      `ext-${i}`,
      `https://example.test/p/${i}`,
      topics[i % topics.length],
      at - DAY,
      at,
    );
    const base = 200 + ((i * 7919) % 1_800);
    HORIZONS.forEach(([horizon, after], h) => {
      const v = Math.round(base * (1 + h * 0.6));
      insSnapshot.run(
        pid,
        horizon,
        clientId,
        account.id,
        account.platform,
        at + after,
        v,
        Math.round(v * 0.7),
        Math.round(v * 0.04),
        Math.round(v * 0.006),
        Math.round(v * 0.003),
        Math.round(v * 0.002),
        Math.round(v * 0.01),
        JSON.stringify({ views: v }),
      );
    });
  }
  const perAccount = ACCOUNT_DAYS / accounts.length;
  accounts.forEach((account, a) => {
    for (let d = 0; d < perAccount; d++) {
      const day = new Date(now - (d + 1) * DAY).toISOString().slice(0, 10);
      insDay.run(account.id, day, clientId, account.platform, now, 5_000 + a * 100 - d, 900 + (d % 50), 600, 40);
    }
  });
})();
// A read-only API token, stored as the service stores one (its hash).
const token = 'hrld_bench-results-token';
sqlite
  .prepare(
    'INSERT INTO api_tokens (id, name, token_hash, prefix, scope, created_at) ' +
      "VALUES (?, 'bench', ?, 'hrld_b', 'read', ?)",
  )
  .run(id('tok', now), sha256(token), now);
sqlite.pragma('optimize');
database.close();
console.log(
  `seeded 1 client, 5 accounts, ${POSTS} posts, ${POSTS * 4} snapshots, ${ACCOUNT_DAYS} account days ` +
    `in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const profile = process.env.BENCH_CPU_PROF;
const server = spawn(
  process.execPath,
  [
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    '--import',
    'tsx',
    join(root, 'src/cli.ts'),
    'serve',
  ],
  { env, stdio: 'ignore' },
);
server.once('exit', (code) => {
  if (code !== 0 && code !== null) throw new Error(`herald serve exited ${code}`);
});
for (;;) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {
    await new Promise((r) => setTimeout(r, 50));
  }
}
const login = await fetch(`${base}/login`, {
  method: 'POST',
  redirect: 'manual',
  headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ email: admin.email, password: admin.password }),
});
const cookie = login.headers
  .getSetCookie()
  .map((c) => c.split(';')[0])
  .join('; ');
if (!cookie.includes('herald_session')) throw new Error('sign-in failed');

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const twoYears = `from=${day(now - 729 * DAY)}&to=${day(now)}`;
const targets: Array<[string, string, Record<string, string>]> = [
  ['API, 30 days', `/api/v1/clients/${clientId}/results`, { authorization: `Bearer ${token}` }],
  ['API, 2 years', `/api/v1/clients/${clientId}/results?${twoYears}`, { authorization: `Bearer ${token}` }],
  ['page, 30 days', `/clients/${clientId}/results`, { cookie }],
  ['page, 2 years', `/clients/${clientId}/results?${twoYears}`, { cookie }],
];

console.log('target | connections | p50 ms | p99 ms | req/s | errors');
for (const [name, path, headers] of targets) {
  const check = await fetch(`${base}${path}`, { headers });
  if (check.status === 404 && name.startsWith('page')) {
    console.log(`${name} | - | (no Results page on this build)`);
    continue;
  }
  if (check.status !== 200) throw new Error(`${path} answered ${check.status}`);
  for (const connections of [1, 10]) {
    const r = await autocannon({ url: `${base}${path}`, connections, duration: 5, headers });
    const errors = r.errors + r.non2xx;
    console.log(
      `${name} | ${connections} | ${r.latency.p50} | ${r.latency.p99} | ${r.requests.average.toFixed(0)} | ${errors}`,
    );
  }
}
const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]) / 1024;
console.log(`server RSS after the runs: ${rss.toFixed(1)} MB`);
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dir, { recursive: true, force: true });

// ---- 2. Collection throughput at the default pacing.
async function collection(batchSize: number): Promise<void> {
  const T0 = Date.parse('2026-06-01T10:00:00.000Z');
  const clock = new ManualClock(T0);
  const reader = new ScriptedReader();
  reader.batchSize = batchSize;
  // A realistic insights endpoint: each call answers after LATENCY_MS.
  reader.script = () => new Promise((r) => setTimeout(() => r(undefined), LATENCY_MS));
  const t = await makeHerald({}, { clock, networks: [...NETWORKS, boardNetwork(reader)] });
  try {
    const { clients, accounts: accountsService } = t.herald.services;
    const client = clients.create({ name: 'Acme', timezone: 'Europe/Berlin', approvalMode: 'none' });
    const boards = Array.from({ length: 5 }, (_, a) =>
      accountsService.connect({
        clientId: client.id,
        platform: 'board',
        externalId: `b-${a}`,
        name: `Board ${a}`,
        accessToken: `token-${a}`,
        tokenExpiresAt: null,
        scopes: ['board.stats'],
      }),
    );
    const ins = t.herald.database.sqlite.prepare(
      'INSERT INTO posts (id, client_id, account_id, status, caption, scheduled_at, published_at, external_id, ' +
        "attempts, source, version, created_at, updated_at) VALUES (?, ?, ?, 'published', 'Fresh bread', ?, ?, ?, " +
        "1, 'ai', 1, ?, ?)",
    );
    t.herald.database.sqlite.transaction(() => {
      for (let i = 0; i < POSTS; i++) {
        const at = T0 - HOUR - 60_000 - i;
        ins.run(id('post', at), client.id, boards[i % boards.length]!.id, at, at, `ext-${i}`, at, at);
      }
    })();
    const started = performance.now();
    const counts = await t.herald.collector.run(new AbortController().signal);
    const seconds = (performance.now() - started) / 1000;
    const runs = Math.ceil(POSTS / Math.max(1, counts.snapshots));
    console.log(
      `batch ${batchSize} | ${counts.calls} | ${counts.snapshots} | ${seconds.toFixed(1)} | ` +
        `${(counts.snapshots / 5).toFixed(0)} | ${runs} runs, ~${runs * 5} min`,
    );
  } finally {
    await t.close();
  }
}
console.log(
  `\ncollection (${POSTS} posts due, ${LATENCY_MS} ms an insights call, default pacing: a run every 5 minutes)`,
);
console.log('reader | calls in a run | posts measured | run s | posts/min at the pacing | 10,000 posts take');
await collection(10);
await collection(1);
