import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHerald, TEST_SECRET, tempDir, type TestHerald } from '../helpers/herald.js';
import { waitFor } from '../helpers/processes.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { spawnServe } from '../helpers/cli.js';
import { PageClient } from '../helpers/page-client.js';

const servers: ServeHandle[] = [];
let t: TestHerald | null = null;
afterEach(async () => {
  for (const s of servers.splice(0)) s.child.kill('SIGKILL');
  await t?.close();
  t = null;
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('one writer per replica', () => {
  it('a second host on the same replica refuses to start; a killed host leaves no Litestream behind', async () => {
    const replica = `file://${tempDir('herald-replica-')}`;
    const common = { SECRET_KEY: TEST_SECRET, REPLICA_URL: replica, LEASE_TTL_SECONDS: '3' };
    const firstDir = tempDir();
    const first = await startServe({ ...common, DATA_DIR: firstDir });
    servers.push(first);
    await waitFor(() => first.lines.some((l) => l.includes('snapshot written')), 10_000, 'the first snapshot');

    // A second process on the same data directory would run a second Litestream: it refuses.
    const twin = spawnServe({ ...common, DATA_DIR: firstDir, PORT: '0', HOST: '127.0.0.1' });
    let twinErr = '';
    twin.stderr!.on('data', (c: Buffer) => (twinErr += c.toString()));
    expect(await new Promise<number | null>((r) => twin.once('exit', r))).toBe(1);
    expect(twinErr).toMatch(/^herald: error: another Herald process \(pid \d+\) already replicates .*herald\.db/);

    // The second host: same replica, its own data directory.
    const second = spawnServe({ ...common, DATA_DIR: tempDir(), PORT: '0', HOST: '127.0.0.1' });
    let stderr = '';
    second.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => second.once('exit', r));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^herald: error: another Herald is writing to file:\/\/.* one host writes a replica/);

    // kill -9 of Herald: its Litestream follows within about a second (its -exec child watches Herald's pid).
    const { litestream } = JSON.parse(readFileSync(join(firstDir, 'litestream.pid'), 'utf8')) as { litestream: number };
    first.child.kill('SIGKILL');
    await first.exit;
    await waitFor(() => !alive(litestream), 5_000, 'the orphaned Litestream to end');
  }, 60_000);

  it('replication failing for the set time is told once as an event, and shown on /healthz and /system', async () => {
    // A replica path under a regular file: Litestream cannot create it, every sync fails.
    const blocker = join(tempDir(), 'not-a-directory');
    writeFileSync(blocker, 'x');
    t = await makeHerald(
      {
        REPLICA_URL: `file://${blocker}/replica`,
        LEASE_TTL_SECONDS: '3',
        ADMIN_EMAIL: 'admin@agency.test',
        ADMIN_PASSWORD: 'correct horse battery staple',
      },
      { replication: { failingAfterMs: 1500, pollMs: 100 } },
    );
    const { herald } = t;
    await herald.start();
    const failing = () =>
      herald.database.sqlite.prepare("SELECT data FROM events WHERE type = 'replication.failing'").all() as {
        data: string;
      }[];
    await waitFor(() => failing().length === 1, 20_000, 'the replication.failing event');
    await new Promise((r) => setTimeout(r, 1000));
    expect(failing()).toHaveLength(1);
    const data = JSON.parse(failing()[0]!.data) as Record<string, unknown>;
    expect(data).toMatchObject({ url: expect.stringMatching(/\/system$/), replicaUrl: `file://${blocker}/replica` });
    expect(String(data.error)).not.toBe('');
    const status = herald.replicator!.status();
    expect(status.failingSince).not.toBeNull();
    const page = await herald.app.request('/healthz');
    expect(page.status).toBe(200);
    expect(((await page.json()) as { replication: { failingSince: string } }).replication.failingSince).toMatch(/Z$/);
    const browser = new PageClient(herald.app);
    await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    const { html } = await browser.get('/system');
    expect(html).toContain('<h2>Replication</h2>');
    expect(html).toContain(`file://${blocker}/replica`);
    expect(html).toMatch(/failing since/);
  }, 30_000);

  it('without REPLICA_URL nothing runs and /healthz and /system say replication is off', async () => {
    t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
    expect(t.herald.replicator).toBeNull();
    const body = (await (await t.herald.app.request('/healthz')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', db: 'ok', replication: { enabled: false } });
    await t.herald.services.auth.ensureConfiguredAdmin();
    const browser = new PageClient(t.herald.app);
    await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    expect((await browser.get('/system')).html).toContain('Set REPLICA_URL');
  }, 30_000);
});
