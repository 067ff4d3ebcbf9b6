// Replication's cost, side by side: the same Herald (engine-child, a fake platform answering in
// 100 ms) with REPLICA_URL off and on (Litestream to a file:// replica, 1 s sync interval).
//  1. Write throughput: one-row commits (synchronous=FULL, as Herald's) for 5 s from a second connection.
//  2. Publish lateness: a steady 5 posts/s for 20 s (platform receipt minus scheduled time), and
//     (replication on) the replica's lag p99 meanwhile.
//  3. A burst of 1,000 posts due at once: throughput, and (replication on) the replica's lag p99
//     read from /healthz every 100 ms while the burst publishes.
// Usage: node --import tsx bench/replication.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const BURST = 1000;

const pct = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Figures {
  commitsPerSecond: number;
  latenessP50: number;
  latenessP99: number;
  burstPerSecond: number;
  lagP99: number | null;
  lagMax: number | null;
  steadyLagP99: number | null;
}

async function run(replicated: boolean): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-replication-'));
  const replicaDir = mkdtempSync(join(tmpdir(), 'herald-bench-replica-'));
  const database = openDatabase(join(dir, 'herald.db'));
  migrate(database, appPath('migrations'));
  await seed(database.sqlite, { clients: 100, accountsPerClient: 5, posts: 0, logsPerPost: 0 });
  database.sqlite.exec("UPDATE accounts SET platform = 'facebook', status = 'connected'");
  const accounts = database.sqlite.prepare('SELECT id, client_id AS clientId FROM accounts').all() as Array<{
    id: string;
    clientId: string;
  }>;
  const box = new SecretBox(Buffer.from(SECRET, 'hex'));
  const seal = database.sqlite.prepare('UPDATE accounts SET access_token_enc = ? WHERE id = ?');
  database.sqlite.transaction(() => {
    for (const a of accounts) seal.run(box.encrypt(`token-${a.id}`, `accounts:${a.id}:access`), a.id);
  })();
  const insert = database.sqlite.prepare(
    'INSERT INTO posts (id, client_id, account_id, status, caption, scheduled_at, due_at, attempts, source, ' +
      "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'manual', 1, ?, ?)",
  );
  const schedule = (at: number, n: number, spacingMs: number, prefix: string) =>
    database.sqlite.transaction(() => {
      for (let i = 0; i < n; i++) {
        const a = accounts[i % accounts.length]!;
        const when = at + i * spacingMs;
        insert.run(
          id('post', when),
          a.clientId,
          a.id,
          'scheduled',
          `${prefix} ${i}`,
          when,
          when,
          Date.now(),
          Date.now(),
        );
      }
    })();

  const platform = new FakePlatform({ latencyMs: LATENCY_MS });
  await platform.start();
  const port = 39900 + Math.floor(Math.random() * 90);
  const base = `http://127.0.0.1:${port}`;
  const server = startEngineProcess({
    DATA_DIR: dir,
    SECRET_KEY: SECRET,
    TEST_SKIP_PREPARE_CALL: 'true',
    PORT: String(port),
    PUBLIC_URL: base,
    FAKE_PLATFORM_URL: platform.url,
    LOG_LEVEL: 'warn',
    TEST_REQUEST_TIMEOUT_MS: '10000',
    ...(replicated ? { REPLICA_URL: `file://${replicaDir}`, REPLICA_SYNC_INTERVAL: '1s' } : {}),
  });
  const health = async () =>
    (await (await fetch(`${base}/healthz`)).json()) as { replication: { position?: string | null; lagMs?: number } };
  for (;;) {
    try {
      const h = await health();
      if (!replicated || h.replication.position) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  const published = (prefix: string) =>
    (
      database.sqlite
        .prepare("SELECT count(*) AS n FROM posts WHERE status = 'published' AND caption LIKE ?")
        .get(`${prefix} %`) as { n: number }
    ).n;

  // 1. Write throughput.
  let commits = 0;
  const writeUntil = Date.now() + 5000;
  const far = Date.now() + 30 * 86_400_000;
  while (Date.now() < writeUntil) {
    const a = accounts[commits % accounts.length]!;
    insert.run(
      id('post', Date.now()),
      a.clientId,
      a.id,
      'draft',
      `write ${commits}`,
      far,
      null,
      Date.now(),
      Date.now(),
    );
    commits++;
  }

  // The replica catches up with the write phase first, so the next figures are the steady state's.
  const caughtUp = Date.now() + 60_000;
  while (replicated && (await health()).replication.lagMs !== 0 && Date.now() < caughtUp) await sleep(100);

  // 2. Steady lateness.
  const before = platform.posts.length;
  schedule(Date.now() + 2000, 100, 200, 'steady');
  const steadyLags: number[] = [];
  while (published('steady') < 100) {
    if (replicated) steadyLags.push((await health()).replication.lagMs ?? 0);
    await sleep(100);
  }
  const scheduledAt = new Map(
    (
      database.sqlite.prepare("SELECT id, scheduled_at AS at FROM posts WHERE caption LIKE 'steady %'").all() as {
        id: string;
        at: number;
      }[]
    ).map((r) => [r.id, r.at]),
  );
  const lateness = platform.posts.slice(before).map((p) => p.at - scheduledAt.get(p.key)!);

  // 3. Burst, with the replica's lag sampled throughout.
  const due = Date.now() + 2000;
  schedule(due, BURST, 0, 'burst');
  await sleep(due - Date.now());
  const lags: number[] = [];
  const started = Date.now();
  while (published('burst') < BURST) {
    if (replicated) lags.push((await health()).replication.lagMs ?? 0);
    await sleep(100);
  }
  const burstSeconds = (Date.now() - started) / 1000;
  if (platform.duplicates().length) throw new Error('duplicates');

  server.child.kill('SIGTERM');
  await server.exited;
  await platform.stop();
  database.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(replicaDir, { recursive: true, force: true });
  return {
    commitsPerSecond: commits / 5,
    latenessP50: pct(lateness, 0.5),
    latenessP99: pct(lateness, 0.99),
    burstPerSecond: BURST / burstSeconds,
    lagP99: replicated ? pct(lags, 0.99) : null,
    lagMax: replicated ? Math.max(...lags) : null,
    steadyLagP99: replicated ? pct(steadyLags, 0.99) : null,
  };
}

const off = await run(false);
const on = await run(true);
const row = (label: string, a: string, b: string) => console.log(`| ${label} | ${a} | ${b} |`);
console.log('| | replication off | replication on (file replica, 1 s) |');
console.log('|---|---|---|');
row('one-row commits/s (synchronous=FULL)', off.commitsPerSecond.toFixed(0), on.commitsPerSecond.toFixed(0));
row('steady 5 posts/s: lateness p50', `${off.latenessP50} ms`, `${on.latenessP50} ms`);
row('steady 5 posts/s: lateness p99', `${off.latenessP99} ms`, `${on.latenessP99} ms`);
row(`burst of ${BURST}: posts/s`, off.burstPerSecond.toFixed(1), on.burstPerSecond.toFixed(1));
row('replica lag at 5 posts/s: p99', '—', `${on.steadyLagP99} ms`);
row('replica lag during the burst: p99 / max', '—', `${on.lagP99} ms / ${on.lagMax} ms`);
