import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreDatabase, RestoreError } from '../../src/replication/restore.js';
import { runCli } from '../helpers/cli.js';
import { TEST_SECRET, tempDir } from '../helpers/herald.js';
import { waitFor } from '../helpers/processes.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';

// `herald serve` with REPLICA_URL against the real Litestream binary and a file:// replica.

const servers: ServeHandle[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.child.kill('SIGKILL');
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pids = (dir: string): { litestream: number; herald: number } => {
  try {
    return JSON.parse(readFileSync(join(dir, 'litestream.pid'), 'utf8')) as { litestream: number; herald: number };
  } catch {
    return { litestream: 0, herald: 0 }; // not written yet, or being rewritten by a restart
  }
};
const health = async (s: ServeHandle) =>
  (await (await fetch(`${s.url}/healthz`)).json()) as { status: string; replication: Record<string, unknown> };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A row written by a second connection, as any commit of Herald's would be. */
function mark(dbPath: string, name: string): void {
  const db = new BetterSqlite3(dbPath);
  db.pragma('busy_timeout = 5000');
  db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run(
    name,
    JSON.stringify(name),
    Date.now(),
  );
  db.close();
}
function marks(dbPath: string): string[] {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  const rows = db.prepare("SELECT key FROM settings WHERE key LIKE 'mark-%' ORDER BY key").all() as { key: string }[];
  db.close();
  return rows.map((r) => r.key);
}

describe('herald serve with REPLICA_URL', () => {
  it('reports the replica, restarts a killed Litestream, ships the last commit on SIGTERM; restores', async () => {
    const dir = tempDir();
    const replicaDir = tempDir('herald-replica-');
    const replica = `file://${replicaDir}`;
    const env = { DATA_DIR: dir, SECRET_KEY: TEST_SECRET, REPLICA_URL: replica, LEASE_TTL_SECONDS: '3' };
    const server = await startServe(env);
    servers.push(server);
    const dbPath = join(dir, 'herald.db');
    await waitFor(() => pids(dir).litestream > 0, 10_000, 'the pid file');
    // The replica (a URL may carry a password) is in a 0600 file, never on Litestream's command line.
    expect(readFileSync(join(dir, 'litestream.yml'), 'utf8')).toContain(replica);
    expect(statSync(join(dir, 'litestream.yml')).mode & 0o777).toBe(0o600);
    expect(readFileSync(`/proc/${pids(dir).litestream}/cmdline`, 'utf8')).not.toContain(replicaDir);

    // Position and lag reach /healthz; it stays 200.
    let h = await health(server);
    for (let i = 0; i < 50 && h.replication.position == null; i++) {
      await sleep(200);
      h = await health(server);
    }
    expect(h).toMatchObject({
      status: 'ok',
      replication: { enabled: true, url: replica, running: true, lastError: null, failingSince: null },
    });
    expect(h.replication.position).toMatch(/^[0-9a-f]{16}\/[0-9a-f]{8}:\d+$/);

    // A command run beside the server (same environment) starts no Litestream and leaves the server's pid file.
    const listed = runCli(['admin', 'list'], env);
    expect(listed.status).toBe(0);
    expect(pids(dir).litestream).toBeGreaterThan(0);

    // A killed Litestream is noticed, reported and restarted.
    const first = pids(dir).litestream;
    process.kill(first, 'SIGKILL');
    await waitFor(() => ![0, first].includes(pids(dir).litestream), 10_000, 'Litestream restarted');
    h = await health(server);
    expect((h.replication.lastError as { message: string }).message).toMatch(/Litestream stopped \(SIGKILL\)/);

    mark(dbPath, 'mark-a');
    await sleep(2500);
    const pointInTime = new Date().toISOString();
    await sleep(1500);
    mark(dbPath, 'mark-b');
    // Straight to SIGTERM: the last commit reaches the replica in Litestream's final sync.
    const litestream = pids(dir).litestream;
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    expect(alive(litestream)).toBe(false);

    // Never over a database that exists.
    const refused = runCli(['restore', '--from', replica, '--to', dir], {});
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/herald\.db exists: restore never overwrites a database/);

    // The rest through the command's own module (the CLI around it is proven above and in replica-restore).
    const newest = tempDir();
    const all = await restoreDatabase({ from: replica, dataDir: newest });
    expect(all).toMatchObject({ path: join(newest, 'herald.db'), secretKeyPresent: false });
    expect(marks(all.path)).toEqual(['mark-a', 'mark-b']);

    const earlier = tempDir();
    await restoreDatabase({ from: replica, dataDir: earlier, timestamp: pointInTime });
    expect(marks(join(earlier, 'herald.db'))).toEqual(['mark-a']);

    const keyed = tempDir();
    writeFileSync(join(keyed, 'secret.key'), `${TEST_SECRET}\n`);
    expect((await restoreDatabase({ from: replica, dataDir: keyed })).secretKeyPresent).toBe(true);
  }, 60_000);

  it('a missing, corrupt or wrong replica and a bad time each get one line', async () => {
    const refused = async (request: Parameters<typeof restoreDatabase>[0]) => {
      const err = await restoreDatabase(request).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(RestoreError);
      expect(err!.message).not.toContain('\n');
      return err!.message;
    };
    const corrupt = tempDir('herald-replica-');
    const snapshots = join(corrupt, 'generations', '0123456789abcdef', 'snapshots');
    mkdirSync(snapshots, { recursive: true });
    writeFileSync(join(snapshots, '00000000.snapshot.lz4'), 'not a snapshot');
    const to = tempDir();
    expect(await refused({ from: `file://${corrupt}`, dataDir: to })).toMatch(/cannot restore from .*lz4/);
    expect(existsSync(join(to, 'herald.db'))).toBe(false);
    expect(existsSync(join(to, 'herald.db.restoring'))).toBe(false);
    expect(await refused({ from: 'http://example.com/x', dataDir: tempDir() })).toMatch(/--from must be a replica URL/);
    expect(await refused({ from: `file://${corrupt}`, dataDir: tempDir(), timestamp: 'yesterday' })).toMatch(
      /--timestamp must be an RFC 3339/,
    );

    // Through the command: one line on stderr, exit 1.
    const missing = runCli(['restore', '--from', `file://${tempDir()}/nothing`, '--to', tempDir()], {});
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^herald: error: no copy of the database at file:\/\/\S+ \(wrong URL[^\n]*\n$/);
    // A bad REPLICA_URL stops start-up with one line.
    const bad = runCli(['migrate'], { REPLICA_URL: 'ftp://host/x', DATA_DIR: tempDir() });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^herald: configuration error: REPLICA_URL: must be a replica URL[^\n]*\n$/);
  }, 60_000);
});
