// kill -9 of the leader while it reads a feed: the feed and the item's picture are downloaded and
// the AI rewrite is under way (the Groq fake holds the request), nothing is committed yet. The item
// comes back on the next check and becomes drafts exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeFeedServer } from '../fakes/feed-server.js';
import { FakeGroq } from '../fakes/groq.js';
import { makeHerald, seedClient, TEST_SECRET, type TestHerald } from '../helpers/herald.js';
import { startEngineProcess, waitFor, type HeraldProcess } from '../helpers/processes.js';

const GROQ_KEY = 'gsk_feeds_kill';
let child: HeraldProcess | null = null;
let seeder: TestHerald | null = null;
let blog: FakeFeedServer | null = null;
let groq: FakeGroq | null = null;

afterEach(async () => {
  child?.child.kill('SIGKILL');
  await seeder?.close();
  await blog?.stop();
  await groq?.stop();
  child = seeder = blog = groq = null;
});

const answer = () => JSON.stringify({ posts: [{ caption: 'Fresh out of the oven: our new article', hashtags: [] }] });

describe('check-feeds across a kill -9', () => {
  it('an item cut off between download and commit comes back on the next check, exactly once', async () => {
    blog = new FakeFeedServer();
    await blog.start();
    // The rewrite never answers while the first process works: it is killed waiting for it.
    groq = new FakeGroq({ apiKey: GROQ_KEY, responder: () => new Promise<string>(() => {}) });
    await groq.start();
    const env = {
      GROQ_API_KEY: GROQ_KEY,
      GROQ_BASE_URL: groq.url,
      GROQ_MODEL: 'openai/gpt-oss-120b',
      OUTBOUND_PRIVATE_HOSTS: '127.0.0.1',
    };
    seeder = await makeHerald(env);
    const { client, facebook, instagram } = seedClient(seeder);
    const { feeds } = seeder.herald.services;
    blog.add('rss', { guid: 'a', title: 'Old', link: 'https://blog.acme.test/a', published: '2026-11-01T09:00:00Z' });
    const feed = await feeds.create(client.id, {
      url: `${blog.url}/rss.xml`,
      accountIds: [facebook.id, instagram.id],
      rewrite: true,
    });
    blog.add('rss', {
      guid: 'b',
      title: 'New loaf',
      link: 'https://blog.acme.test/b',
      published: '2026-11-02T09:00:00Z',
      image: { path: '/img/b.png', as: 'enclosure' },
    });
    // Due now for the other process.
    seeder.herald.repos.feeds.update(feed.id, { lastCheckedAt: Date.now() - 20 * 60_000 });

    child = startEngineProcess({ ...env, DATA_DIR: seeder.dataDir, SECRET_KEY: TEST_SECRET, LOG_LEVEL: 'warn' });
    seeder.herald.scheduler.runNow('check-feeds');
    await waitFor(() => groq!.completionCalls().length >= 1, 60_000, 'the rewrite under way');
    expect(blog.calls(/^\/img\/b\.png$/)).toHaveLength(1);
    child.child.kill('SIGKILL');
    await child.exited;

    const sqlite = seeder.herald.database.sqlite;
    const count = (sql: string) => (sqlite.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM posts')).toBe(0);
    expect(count("SELECT count(*) AS n FROM feed_items WHERE item_key = 'b'")).toBe(0);

    groq.responder = answer;
    expect(await feeds.checkDue()).toMatchObject({ feeds: 1, added: 1, failed: 0 });
    expect(await feeds.check(feed.id)).toMatchObject({ added: 0 });
    const drafts = seeder.herald.services.posts.list({ clientId: client.id }, 50).data;
    expect(drafts).toHaveLength(2);
    expect(new Set(drafts.map((p) => p.groupId)).size).toBe(1);
    expect(drafts.every((p) => p.caption.endsWith('\n\nhttps://blog.acme.test/b'))).toBe(true);
    expect(count("SELECT count(*) AS n FROM feed_items WHERE item_key = 'b'")).toBe(1);
  }, 120_000);
});
