#!/usr/bin/env node
// Page speed under an agency-sized history: 200 clients, 1,000 accounts, 100,000 posts, 500,000 post
// logs (three in five posts in groups of three, every fourth post labelled) and 24-hour and 7-day
// results for every published post. Beside Herald it runs a Hono hello-world on @hono/node-server in
// the same run and under the same load tool, so the figures can be read as ratios, which stay stable
// on a shared machine while absolute figures do not.
//
// For each page (dashboard, pipeline filtered three ways, calendar month, agency and client results)
// it prints p50/p99 and requests/s at 10 keep-alive connections, p99 at 1 connection, the page's
// size, and the server's RSS after all runs.
//
// Usage: npm run build && node bench/pages.mjs
//   BENCH_PAGES=dashboard,calendar  only the pages whose names start with these words
//   BENCH_SEEDED=<file>             reuse a database seeded by an earlier run (it is copied, not changed);
//                                   written there when missing
//   BENCH_CPU_PROF=<dir>            write a CPU profile of the server there (node --cpu-prof)
//   BENCH_SECONDS=<n>               seconds per 10-connection run (default 10)
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { seed } from './seed.mjs';

const root = join(import.meta.dirname, '..');
const port = 39211;
const helloPort = 39212;
const base = `http://127.0.0.1:${port}`;
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'herald-bench-pages-'));
const env = {
  ...process.env,
  DATA_DIR: dir,
  PORT: String(port),
  HOST: '127.0.0.1',
  PUBLIC_URL: base,
  LOG_LEVEL: 'warn',
  SECRET_KEY: 'b'.repeat(64),
};
const admin = { email: 'bench@agency.test', password: 'bench password 123' };

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/src/cli.js'), ...args], { env, stdio: 'inherit' });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`herald ${args.join(' ')} exited ${code}`)),
    );
  });
}

/** Results for every published post at two horizons, in one statement (the results pages read these). */
function seedResults(db) {
  for (const [horizon, after] of [
    ['24h', 86_400_000],
    ['7d', 7 * 86_400_000],
  ])
    db.prepare(
      'INSERT INTO post_metrics (post_id, horizon, client_id, account_id, platform, collected_at, views, reach, ' +
        'likes, comments, shares, saves, clicks, raw) ' +
        `SELECT p.id, '${horizon}', p.client_id, p.account_id, a.platform, p.published_at + ${after}, ` +
        '200 + (p.rowid * 7919) % 1800, 150 + (p.rowid * 31) % 900, (p.rowid * 13) % 90, (p.rowid * 7) % 12, ' +
        "(p.rowid * 3) % 9, (p.rowid * 5) % 7, (p.rowid * 11) % 30, '{}' " +
        "FROM posts p JOIN accounts a ON a.id = p.account_id WHERE p.status = 'published'",
    ).run();
}

const seeded = process.env.BENCH_SEEDED;
const t0 = performance.now();
if (seeded && existsSync(seeded)) {
  copyFileSync(seeded, join(dir, 'herald.db'));
  await run(['migrate']);
  console.log(`copied the seeded database from ${seeded}`);
} else {
  await run(['migrate']);
  const db = new Database(join(dir, 'herald.db'));
  db.pragma('journal_mode = WAL');
  await seed(db, {
    clients: 200,
    accountsPerClient: 5,
    posts: 100_000,
    logsPerPost: 5,
    groups: true,
    labels: true,
    admin,
  });
  seedResults(db);
  db.pragma('optimize');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  if (seeded) copyFileSync(join(dir, 'herald.db'), seeded);
  console.log(
    `seeded 200 clients, 1,000 accounts, 100,000 posts, 500,000 logs and their results ` +
      `in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
const db = new Database(join(dir, 'herald.db'), { readonly: true });
const someClient = db.prepare('SELECT id FROM clients ORDER BY name LIMIT 1 OFFSET 57').get().id;
const someLabel = db.prepare('SELECT id FROM labels ORDER BY name LIMIT 1').get().id;
db.close();

function waitFor(url) {
  return (async () => {
    for (;;) {
      try {
        if ((await fetch(url)).ok) return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  })();
}

// The baseline: the same framework and adapter answering a fixed string, in its own process.
const hello = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    "import { Hono } from 'hono'; import { serve } from '@hono/node-server';" +
      "const app = new Hono(); app.get('/', (c) => c.text('Hello, world'));" +
      `serve({ fetch: app.fetch, port: ${helloPort}, hostname: '127.0.0.1' });`,
  ],
  { cwd: root, stdio: 'ignore' },
);
await waitFor(`http://127.0.0.1:${helloPort}/`);

const profileDir = process.env.BENCH_CPU_PROF;
const server = spawn(
  process.execPath,
  [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), join(root, 'dist/src/cli.js'), 'serve'],
  { env, stdio: 'ignore' },
);
await waitFor(`${base}/healthz`);
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

const month = new Date().toISOString().slice(0, 7);
const only = process.env.BENCH_PAGES?.split(',').map((s) => s.trim());
const pages = [
  ['dashboard', '/'],
  ['pipeline (client + status filter)', `/pipeline?clientId=${someClient}&status=scheduled,published`],
  ['pipeline (all clients)', '/pipeline'],
  ['pipeline (label filter)', `/pipeline?labelIds=${someLabel}`],
  ['calendar month', `/calendar?clientId=${someClient}&view=month&date=${month}-01`],
  ['results (agency, 30 days)', '/results'],
  ['results (one client, 30 days)', `/clients/${someClient}/results`],
].filter(([name]) => !only || only.some((o) => name.startsWith(o)));

function rssMb(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

/** A warm-up, then one measured run at 10 connections and one at 1. */
async function measure(url, headers) {
  await autocannon({ url, connections: 10, duration: 3, headers });
  const ten = await autocannon({ url, connections: 10, duration: seconds, headers });
  const one = await autocannon({ url, connections: 1, duration: Math.max(3, seconds / 2), headers });
  return {
    p50: ten.latency.p50,
    p99: ten.latency.p99,
    rps: ten.requests.average,
    p99one: one.latency.p99,
    errors: ten.errors + ten.non2xx + one.errors + one.non2xx,
  };
}

const helloRun = await measure(`http://127.0.0.1:${helloPort}/`, {});
const rows = [];
for (const [name, path] of pages) {
  const check = await fetch(`${base}${path}`, { headers: { cookie } });
  if (check.status !== 200) throw new Error(`${path} answered ${check.status}`);
  const kb = (await check.arrayBuffer()).byteLength / 1024;
  rows.push({ name, kb, ...(await measure(`${base}${path}`, { cookie })) });
}

const fmt = (n, d = 1) => n.toFixed(d);
console.log(`\nAt 10 connections for ${seconds} s (1 connection for ${Math.max(3, seconds / 2)} s), ${month}:`);
console.log('page | KB | p50 ms | p99 ms | req/s | ÷ hello-world req/s | p99 ms at 1 conn | errors');
console.log('---|---|---|---|---|---|---|---');
console.log(
  `hello-world | 0.0 | ${helloRun.p50} | ${helloRun.p99} | ${fmt(helloRun.rps, 0)} | 1 | ${helloRun.p99one} | ` +
    `${helloRun.errors}`,
);
for (const r of rows)
  console.log(
    `${r.name} | ${fmt(r.kb)} | ${r.p50} | ${r.p99} | ${fmt(r.rps, 0)} | ${fmt(helloRun.rps / r.rps)}× fewer | ` +
      `${r.p99one} | ${r.errors}`,
  );
console.log(`\nserver RSS after the runs: ${fmt(rssMb(server.pid))} MB (hello-world: ${fmt(rssMb(hello.pid))} MB)`);
hello.kill('SIGTERM');
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dir, { recursive: true, force: true });
