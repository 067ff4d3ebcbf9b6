import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FULL_ACCESS } from '../../src/domain/roles.js';
import { FakePlatform } from '../fakes/fake-platform.js';
import { runCli } from '../helpers/cli.js';
import { makeHerald, seedClient, TEST_SECRET, tempDir, type TestHerald } from '../helpers/herald.js';
import { startEngineProcess, waitFor, type HeraldProcess } from '../helpers/processes.js';

// The real Litestream binary against a file:// replica in a temp dir, real killed processes.

const REVIEWER = { kind: 'admin' as const, id: 'adm_1', email: 'reviewer@agency.test', access: FULL_ACCESS };
const SYNC_MS = 1000;

const children: HeraldProcess[] = [];
let platform: FakePlatform | null = null;
let seeder: TestHerald | null = null;

afterEach(async () => {
  for (const c of children.splice(0)) c.child.kill('SIGKILL');
  await platform?.stop();
  await seeder?.close();
  platform = null;
  seeder = null;
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const litestreamPid = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'litestream.pid'), 'utf8')) as { litestream: number }).litestream;

describe('replication to a file replica, kill -9, restore on a fresh data dir', () => {
  it('keeps every commit older than the sync interval; the engine resumes without duplicates', async () => {
    platform = new FakePlatform();
    await platform.start();
    const replica = `file://${tempDir('herald-replica-')}`;
    seeder = await makeHerald();
    const seeded = seedClient(seeder, { approvalMode: 'admin' });
    const dataDir = seeder.dataDir;
    const { posts } = seeder.herald.services;
    const env = {
      DATA_DIR: dataDir,
      SECRET_KEY: TEST_SECRET,
      LEASE_TTL_SECONDS: '3',
      FAKE_PLATFORM_URL: platform.url,
      REPLICA_URL: replica,
      REPLICA_SYNC_INTERVAL: `${SYNC_MS}ms`,
    };
    const herald = startEngineProcess(env);
    children.push(herald);
    const started = () => {
      try {
        return litestreamPid(dataDir) > 0;
      } catch {
        return false;
      }
    };
    await waitFor(started, 20_000, 'Litestream started');
    const lsPid = litestreamPid(dataDir);

    // Load: posts written and approved (two commits each) while the engine publishes the due ones;
    // one publish hangs, so a post is in flight at the kill.
    platform.inject({ method: 'POST', path: /^\/publish$/, fault: { kind: 'hang' } });
    const commits: { id: string; at: number; approved: boolean }[] = [];
    const until = Date.now() + 4000;
    let n = 0;
    while (Date.now() < until) {
      const due = n % 10 === 0;
      const post = posts.create(
        {
          accountId: seeded.facebook.id,
          caption: `load ${n++}`,
          scheduledAt: new Date(Date.now() + (due ? 300 : 86_400_000)).toISOString(),
          status: 'draft',
        },
        REVIEWER,
      );
      commits.push({ id: post.id, at: Date.now(), approved: false });
      posts.act(post.id, 'submit', REVIEWER);
      posts.act(post.id, 'approve', REVIEWER);
      commits.push({ id: post.id, at: Date.now(), approved: true });
      await new Promise((r) => setTimeout(r, 5));
    }
    const kill = Date.now();
    herald.child.kill('SIGKILL');
    process.kill(lsPid, 'SIGKILL');
    await herald.exited;
    children.splice(0);
    const sentBefore = platform.publishCounts();
    await seeder.close();
    seeder = null;
    rmSync(dataDir, { recursive: true, force: true });

    const restored = runCli(['restore', '--from', replica, '--to', dataDir], { DATA_DIR: dataDir });
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toMatch(/integrity ok/);
    expect(restored.stdout).toMatch(/secret\.key is NOT in/);
    // What the lost host may have sent in its last second is checked on the network first.
    expect(restored.stdout).toMatch(/\d+ post\(s\) were due or being sent when the copy was made/);
    expect(restored.status).toBe(0);

    const db = new BetterSqlite3(join(dataDir, 'herald.db'), { readonly: true });
    const rows = new Map(
      (db.prepare('SELECT id, status FROM posts').all() as { id: string; status: string }[]).map((r) => [r.id, r]),
    );
    db.close();
    const present = (c: (typeof commits)[number]) =>
      rows.has(c.id) && (!c.approved || !['draft', 'pending_approval'].includes(rows.get(c.id)!.status));
    const lost = commits.filter((c) => !present(c));
    const oldestLost = lost.length ? Math.min(...lost.map((c) => c.at)) : kill;
    console.log(
      `replication RPO: ${commits.length} commits in ${kill - commits[0]!.at} ms, ${lost.length} lost, ` +
        `all lost within the last ${kill - oldestLost} ms before the kill (sync interval ${SYNC_MS} ms)`,
    );
    // The bound: the sync interval, plus Litestream's 100 ms look at the WAL and the copy itself.
    expect(lost.filter((c) => c.at < kill - (SYNC_MS + 200))).toEqual([]);
    expect(commits.length).toBeGreaterThan(30);

    // The restored host, with the old key, publishes what is due; nothing is sent twice.
    const restarted = startEngineProcess(env);
    children.push(restarted);
    const check = new BetterSqlite3(join(dataDir, 'herald.db'), { readonly: true });
    const dueIds = [...new Set(commits.filter((c) => c.approved && rows.has(c.id)).map((c) => c.id))].filter(
      (id) =>
        (check.prepare('SELECT scheduled_at AS s FROM posts WHERE id = ?').get(id) as { s: number }).s < kill + 1000,
    );
    await waitFor(
      () =>
        dueIds.every(
          (id) =>
            (check.prepare('SELECT status FROM posts WHERE id = ?').get(id) as { status: string }).status ===
            'published',
        ),
      30_000,
      'every due post published after the restore',
    );
    check.close();
    expect(platform.duplicates()).toEqual([]);
    for (const [key, count] of sentBefore) expect(platform.publishCounts().get(key)).toBe(count);
    expect(alive(lsPid)).toBe(false);
  }, 60_000);
});
