import { afterEach, describe, expect, it } from 'vitest';
import { FakePlatform } from '../fakes/fake-platform.js';
import { makeHerald, seedClient, TEST_SECRET, type TestHerald } from '../helpers/herald.js';
import { startEngineProcess, waitFor, type HeraldProcess } from '../helpers/processes.js';

// A real process killed while it checks a refused token: the refused attempt was settled and the
// account paused in one commit before the check, so after a restart nothing is unconfirmed, nothing lost.

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

describe('a process killed during the token check', () => {
  it('SIGKILL while checking: the posts wait (not unconfirmed), then each goes out once', async () => {
    platform = new FakePlatform();
    await platform.start();
    let refreshed = 0;
    platform.route('POST', /^\/refresh$/, () => ({ json: { accessToken: `fresh-${++refreshed}` } }));
    seeder = await makeHerald();
    const seeded = seedClient(seeder);
    const { accounts, posts } = seeder.herald.services;
    accounts.storeTokens(seeded.facebook.id, { accessToken: 'old', refreshToken: 'refresh', tokenExpiresAt: null });
    const sqlite = seeder.herald.database.sqlite;
    sqlite.prepare('UPDATE accounts SET last_refreshed_at = NULL WHERE id = ?').run(seeded.facebook.id);
    const at = new Date(Date.now() + 1_000).toISOString();
    const ids = ['first', 'second'].map(
      (caption) =>
        posts.create(
          { accountId: seeded.facebook.id, caption, scheduledAt: at, status: 'scheduled' },
          { kind: 'system' },
        ).id,
    );
    const env = {
      DATA_DIR: seeder.dataDir,
      SECRET_KEY: TEST_SECRET,
      LEASE_TTL_SECONDS: '3',
      PUBLISH_CONCURRENCY: '2',
      FAKE_PLATFORM_URL: platform.url,
      TEST_REFRESH_URL: platform.url,
    };
    const rows = () =>
      ids.map(
        (id) =>
          sqlite.prepare('SELECT status, sends FROM posts WHERE id = ?').get(id) as { status: string; sends: number },
      );
    const publishes = () => platform!.requests.filter((r) => r.path === '/publish').length;

    platform.inject({ method: 'POST', path: /^\/publish$/, fault: { kind: 'status', status: 401, body: {} } });
    platform.inject({ method: 'POST', path: /^\/refresh$/, fault: { kind: 'hang' } });
    const first = startEngineProcess(env);
    children.push(first);
    await waitFor(() => platform!.requests.some((r) => r.path === '/refresh'), 30_000, 'the token check');
    await new Promise((r) => setTimeout(r, 300));
    expect(publishes()).toBe(1);
    first.child.kill('SIGKILL');
    await first.exited;
    children.splice(0);

    // Settled before the check: both wait as scheduled, the account paused for a bounded time.
    expect(rows().map((r) => r.status)).toEqual(['scheduled', 'scheduled']);
    const account = sqlite
      .prepare('SELECT status, paused_until AS pausedUntil, pause_reason AS reason FROM accounts WHERE id = ?')
      .get(seeded.facebook.id) as { status: string; pausedUntil: number; reason: string };
    expect(account).toMatchObject({ status: 'connected', reason: 'Herald is checking its access token.' });
    expect(account.pausedUntil).toBeGreaterThan(Date.now());
    expect(account.pausedUntil).toBeLessThanOrEqual(Date.now() + 2 * 60_000);

    // The bound passes (moved here rather than waited for): the restarted process sends each once.
    sqlite.prepare('UPDATE accounts SET paused_until = ? WHERE id = ?').run(Date.now() - 1, seeded.facebook.id);
    children.push(startEngineProcess(env));
    await waitFor(
      () => rows().every((r) => r.status === 'published'),
      30_000,
      `both published (now ${JSON.stringify(rows())})`,
    );
    expect(platform.publishCounts()).toEqual(new Map(ids.map((id) => [id, 1])));
    expect(publishes()).toBe(3);
  }, 90_000);
});
