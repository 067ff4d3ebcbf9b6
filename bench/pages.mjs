#!/usr/bin/env node
// Page speed under an agency-sized history: 200 clients, 1,000 accounts, 100,000 posts and
// 500,000 post logs (three in five posts in groups of three, every fourth post labelled). Loads the
// dashboard, pipeline pages (filtered by client and status, unfiltered, by label) and a calendar
// month with 10 concurrent connections against the built server, and prints p50/p99, requests/s and RSS.
// Usage: npm run build && node bench/pages.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { seed } from './seed.mjs';

const root = join(import.meta.dirname, '..');
const port = 39211;
const base = `http://127.0.0.1:${port}`;
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

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/src/cli.js'), ...args], { env, stdio: 'inherit' });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`herald ${args.join(' ')} exited ${code}`)),
    );
  });
}

await run(['migrate']);
const t0 = performance.now();
const db = new Database(join(dir, 'herald.db'));
db.pragma('journal_mode = WAL');
const { admin } = await seed(db, {
  clients: 200,
  accountsPerClient: 5,
  posts: 100_000,
  logsPerPost: 5,
  groups: true,
  labels: true,
});
const someClient = db.prepare('SELECT id FROM clients ORDER BY name LIMIT 1 OFFSET 57').get().id;
const someLabel = db.prepare('SELECT id FROM labels ORDER BY name LIMIT 1').get().id;
db.pragma('optimize');
db.close();
console.log(
  `seeded 200 clients, 1,000 accounts, 100,000 posts, 500,000 logs ` +
    `in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const server = spawn(process.execPath, [join(root, 'dist/src/cli.js'), 'serve'], { env, stdio: 'ignore' });
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

const month = new Date().toISOString().slice(0, 7);
const pages = [
  ['dashboard', '/'],
  ['pipeline (client + status filter)', `/pipeline?clientId=${someClient}&status=scheduled,published`],
  ['pipeline (all clients)', '/pipeline'],
  ['pipeline (label filter)', `/pipeline?labelIds=${someLabel}`],
  ['calendar month', `/calendar?clientId=${someClient}&view=month&date=${month}-01`],
];

function rssMb() {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;
}

console.log('page | p50 ms | p99 ms | req/s | errors');
for (const [name, path] of pages) {
  const check = await fetch(`${base}${path}`, { headers: { cookie } });
  if (check.status !== 200) throw new Error(`${path} answered ${check.status}`);
  await autocannon({ url: `${base}${path}`, connections: 10, duration: 3, headers: { cookie } });
  const r = await autocannon({ url: `${base}${path}`, connections: 10, duration: 10, headers: { cookie } });
  console.log(
    `${name} | ${r.latency.p50} | ${r.latency.p99} | ${r.requests.average.toFixed(0)} | ${r.errors + r.non2xx}`,
  );
}
console.log(`server RSS after the runs: ${rssMb().toFixed(1)} MB`);
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dir, { recursive: true, force: true });
