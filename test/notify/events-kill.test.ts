import { afterEach, describe, expect, it } from 'vitest';
import { FakePlatform } from '../fakes/fake-platform.js';
import { makeHerald, seedClient, TEST_SECRET, type TestHerald } from '../helpers/herald.js';
import { startEngineProcess, waitFor, type HeraldProcess } from '../helpers/processes.js';

// kill -9 of the publishing leader at random moments: every published post has exactly one
// post.published event, and no event speaks of a post that is not published.

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

describe('events across kills', () => {
  it('kill -9 of the leader mid-publish, 5 times: one post.published per published post, none without', async () => {
    platform = new FakePlatform({ latencyMs: 80 });
    await platform.start();
    seeder = await makeHerald();
    const accountIds: string[] = [];
    for (let c = 0; c < 3; c++) accountIds.push(seedClient(seeder, { name: `Client ${c}` }).facebook.id);
    const at = new Date(Date.now() + 3000).toISOString();
    const ids = Array.from(
      { length: 60 },
      (_, i) =>
        seeder!.herald.services.posts.create(
          { accountId: accountIds[i % accountIds.length]!, caption: `post ${i}`, scheduledAt: at, status: 'scheduled' },
          { kind: 'system' },
        ).id,
    );
    const env = {
      DATA_DIR: seeder.dataDir,
      SECRET_KEY: TEST_SECRET,
      FAKE_PLATFORM_URL: platform.url,
      LEASE_TTL_SECONDS: '3',
      PUBLISH_CONCURRENCY: '4',
    };
    const sqlite = seeder.herald.database.sqlite;
    const published = () =>
      (sqlite.prepare("SELECT count(*) AS n FROM posts WHERE status = 'published'").get() as { n: number }).n;
    const leaderPid = () => {
      const row = sqlite.prepare("SELECT holder, expires_at AS e FROM leases WHERE name = 'scheduler'").get() as
        | { holder: string | null; e: number }
        | undefined;
      return row?.holder && row.e > Date.now() ? Number(row.holder.split(':')[1]) : null;
    };
    /** Published posts and post.published events must match one to one at every moment. */
    const check = () => {
      const events = sqlite
        .prepare("SELECT json_extract(data, '$.postId') AS postId FROM events WHERE type = 'post.published'")
        .all() as Array<{ postId: string }>;
      const posts = sqlite.prepare("SELECT id FROM posts WHERE status = 'published'").all() as Array<{ id: string }>;
      expect(events.map((e) => e.postId).sort()).toEqual(posts.map((p) => p.id).sort());
    };
    for (let i = 0; i < 2; i++) children.push(startEngineProcess(env));
    let kills = 0;
    while (kills < 5 && published() < ids.length) {
      await waitFor(() => leaderPid() !== null, 30_000, 'a leader');
      await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 600)));
      const victim = children.find((c) => c.child.pid === leaderPid() && c.child.exitCode === null);
      if (!victim) continue;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills++;
      check();
      children.splice(children.indexOf(victim), 1);
      children.push(startEngineProcess(env));
    }
    await waitFor(() => published() === ids.length, 120_000, 'all published');
    expect(kills).toBeGreaterThan(0);
    check();
    expect(platform.duplicates()).toEqual([]);
  }, 180_000);
});
