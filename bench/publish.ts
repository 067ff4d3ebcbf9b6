// Publishing throughput and lateness against a local fake platform answering in 100 ms.
//  1. 10,000 posts due at once over 1,000 accounts: throughput beside the bound
//     PUBLISH_CONCURRENCY / latency, and the server's event-loop delay (monitorEventLoopDelay at
//     1 ms resolution, preloaded from bench/loop-delay.mjs) while idle and during the burst; then
//     a second burst with the dashboard loaded (10 connections).
//  2. A steady 5 posts/s for 60 s: lateness p50/p99 (platform receipt minus scheduled time).
// Usage: node --import tsx bench/publish.ts
//   BENCH_BURST=<n>        posts in the first burst (default 10,000)
//   BENCH_CPU_PROF=<dir>   write a CPU profile of the server there (node --cpu-prof)
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { SecretBox } from '../src/lib/crypto.js';
import { appPath } from '../src/paths.js';
import { FakePlatform } from '../test/fakes/fake-platform.js';
import { startEngineProcess } from '../test/helpers/processes.js';
// @ts-expect-error plain JS helper shared with bench/pages.mjs
import { id, seed } from './seed.mjs';

const SECRET = 'c'.repeat(64);
const LATENCY_MS = 100;
const CONCURRENCY = 8;
const BURST = Number(process.env.BENCH_BURST ?? 10_000);
const ACCOUNTS = 1_000;

const dir = mkdtempSync(join(tmpdir(), 'herald-bench-publish-'));
const database = openDatabase(join(dir, 'herald.db'));
migrate(database, appPath('migrations'));
// An agency's worth of clients and connected accounts (no history: the burst is the load).
const { admin } = await seed(database.sqlite, {
  clients: 200,
  accountsPerClient: ACCOUNTS / 200,
  posts: 0,
  logsPerPost: 0,
});
database.sqlite.exec("UPDATE accounts SET platform = 'facebook', status = 'connected'");
const accounts = database.sqlite.prepare('SELECT id, client_id AS clientId FROM accounts').all() as Array<{
  id: string;
  clientId: string;
}>;
// Tokens sealed with the server's key, as OAuth would have stored them.
const box = new SecretBox(Buffer.from(SECRET, 'hex'));
const seal = database.sqlite.prepare('UPDATE accounts SET access_token_enc = ? WHERE id = ?');
database.sqlite.transaction(() => {
  for (const a of accounts) seal.run(box.encrypt(`token-${a.id}`, `accounts:${a.id}:access`), a.id);
})();

const insert = database.sqlite.prepare(
  'INSERT INTO posts (id, client_id, account_id, status, caption, scheduled_at, due_at, attempts, source, version, ' +
    "created_at, updated_at) VALUES (?, ?, ?, 'scheduled', ?, ?, ?, 0, 'manual', 1, ?, ?)",
);
function schedule(at: number, n: number, spacingMs: number, prefix: string): void {
  database.sqlite.transaction(() => {
    for (let i = 0; i < n; i++) {
      const a = accounts[i % accounts.length]!;
      const when = at + i * spacingMs;
      insert.run(id('post', when), a.clientId, a.id, `${prefix} ${i}`, when, when, Date.now(), Date.now());
    }
  })();
}

const platform = new FakePlatform({ latencyMs: LATENCY_MS });
await platform.start();
const port = 39400 + Math.floor(Math.random() * 500);
const base = `http://127.0.0.1:${port}`;
const delayFile = join(dir, 'loop-delay.json');
const profileDir = process.env.BENCH_CPU_PROF;
const server = startEngineProcess(
  {
    DATA_DIR: dir,
    SECRET_KEY: SECRET,
    // One platform call per post, so the bound below is the engine's, not the test publisher's.
    TEST_SKIP_PREPARE_CALL: 'true',
    PORT: String(port),
    PUBLIC_URL: base,
    FAKE_PLATFORM_URL: platform.url,
    PUBLISH_CONCURRENCY: String(CONCURRENCY),
    LOG_LEVEL: 'warn',
    TEST_REQUEST_TIMEOUT_MS: '10000',
    BENCH_LOOP_DELAY_FILE: delayFile,
  },
  ['--import', appPath('bench/loop-delay.mjs'), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
);
for (;;) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {
    await new Promise((r) => setTimeout(r, 100));
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
interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}
/** The server's event-loop delay since the last reading (bench/loop-delay.mjs answers SIGUSR2). */
async function loopDelay(): Promise<LoopDelay> {
  const before = (() => {
    try {
      return statSync(delayFile).mtimeMs;
    } catch {
      return 0;
    }
  })();
  server.child.kill('SIGUSR2');
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    try {
      if (statSync(delayFile).mtimeMs !== before) return JSON.parse(readFileSync(delayFile, 'utf8')) as LoopDelay;
    } catch {
      // not written yet
    }
  }
}
const shown = (d: LoopDelay) => `p50 ${d.p50} ms, p99 ${d.p99} ms, max ${d.max} ms`;
const published = () =>
  (database.sqlite.prepare("SELECT count(*) AS n FROM posts WHERE status = 'published'").get() as { n: number }).n;
const stuck = () =>
  (
    database.sqlite
      .prepare("SELECT count(*) AS n FROM posts WHERE status IN ('failed', 'missed', 'unconfirmed')")
      .get() as { n: number }
  ).n;
async function until(target: number): Promise<void> {
  while (published() < target) {
    if (stuck() > 0) throw new Error(`${stuck()} posts failed or were missed; see the post logs in ${dir}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The dashboard under 10 connections, from a separate process so it does not slow the fake platform. */
function loadDashboard(seconds: number): Promise<{ p50: number; p99: number; rps: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const run = spawn(
      process.execPath,
      [
        appPath('node_modules/autocannon/autocannon.js'),
        '-c',
        '10',
        '-d',
        String(seconds),
        '-j',
        '-H',
        `cookie=${cookie}`,
        `${base}/`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    run.stdout.on('data', (c: Buffer) => (out += c.toString()));
    run.once('exit', () => {
      try {
        const r = JSON.parse(out) as {
          latency: { p50: number; p99: number };
          requests: { average: number };
          errors: number;
          non2xx: number;
        };
        resolve({ p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, errors: r.errors + r.non2xx });
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

// 1. The burst, publishing alone: throughput and the event-loop delay the engine causes.
await loopDelay(); // the histogram starts over: the next reading is the idle server's
let due = Date.now() + 3000;
schedule(due, BURST, 0, 'burst');
await new Promise((r) => setTimeout(r, due - Date.now()));
const idle = await loopDelay(); // and from here on, the burst's
console.error('burst due…');
const started = Date.now();
await until(BURST);
const burstSeconds = (Date.now() - started) / 1000;
const duringBurst = await loopDelay();
const bound = CONCURRENCY / (LATENCY_MS / 1000);
const rate = BURST / burstSeconds;
console.log(
  `burst: ${BURST} posts in ${burstSeconds.toFixed(1)} s = ${rate.toFixed(1)} posts/s, ` +
    `${((100 * rate) / bound).toFixed(1)} % of the bound ${CONCURRENCY} / ${LATENCY_MS / 1000} s = ${bound} posts/s`,
);
console.log(`event-loop delay (1 ms resolution), idle: ${shown(idle)}; during the burst: ${shown(duringBurst)}`);

// 1b. A second burst with the dashboard loaded meanwhile (10 connections, 20 s).
due = Date.now() + 2000;
schedule(due, 2000, 0, 'loaded');
await new Promise((r) => setTimeout(r, due - Date.now()));
await loopDelay();
const dash = await loadDashboard(20);
const loaded = await loopDelay();
await until(BURST + 2000);
console.log(
  `dashboard during a burst (10 connections, 20 s): p50 ${dash.p50} ms, p99 ${dash.p99} ms, ` +
    `${dash.rps.toFixed(0)} req/s, errors ${dash.errors}`,
);
console.log(`event-loop delay with both loads: ${shown(loaded)}`);
console.log(`duplicates: ${platform.duplicates().length}`);

// 2. Steady 5 posts/s for 60 s.
console.error('steady phase…');
const before = platform.posts.length;
const steadyStart = Date.now() + 2000;
schedule(steadyStart, 300, 200, 'steady');
await until(BURST + 2300);
const scheduledAt = new Map(
  (
    database.sqlite.prepare("SELECT id, scheduled_at AS at FROM posts WHERE caption LIKE 'steady %'").all() as Array<{
      id: string;
      at: number;
    }>
  ).map((r) => [r.id, r.at]),
);
const lateness = platform.posts
  .slice(before)
  .map((p) => p.at - scheduledAt.get(p.key)!)
  .sort((a, b) => a - b);
const pct = (q: number) => lateness[Math.min(lateness.length - 1, Math.floor(lateness.length * q))]!;
console.log(
  `steady 5 posts/s: lateness p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${lateness[lateness.length - 1]} ms ` +
    `(includes the ${LATENCY_MS} ms the platform takes to answer)`,
);

server.child.kill('SIGTERM');
await server.exited;
await platform.stop();
database.close();
rmSync(dir, { recursive: true, force: true });
