import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { FakeFeedServer } from '../fakes/feed-server.js';
import { FakeGroq } from '../fakes/groq.js';
import { userMessage } from '../helpers/ai-harness.js';
import { makeHerald, seedClient, tempDir, type TestHerald } from '../helpers/herald.js';

const MIN = 60_000;
const GROQ_KEY = 'gsk_feeds_key';

let t: TestHerald | null = null;
let blog: FakeFeedServer | null = null;
let groq: FakeGroq | null = null;
afterEach(async () => {
  await t?.close();
  await blog?.stop();
  await groq?.stop();
  t = blog = groq = null;
});

interface Setup {
  t: TestHerald;
  blog: FakeFeedServer;
  clock: ManualClock;
  seeded: ReturnType<typeof seedClient>;
}

async function setup(env: Record<string, string> = {}, dataDir?: string): Promise<Setup> {
  blog ??= new FakeFeedServer();
  if (!blog.url) await blog.start();
  const clock = new ManualClock(Date.now());
  t = await makeHerald({ OUTBOUND_PRIVATE_HOSTS: '127.0.0.1', ...env }, { clock, ...(dataDir ? { dataDir } : {}) });
  const seeded = seedClient(t);
  return { t, blog, clock, seeded };
}

const item = (n: number, extra: Record<string, unknown> = {}) => ({
  guid: `post-${n}`,
  title: `Article ${n}`,
  link: `https://blog.acme.test/${n}`,
  description: `All about loaf ${n}.`,
  published: new Date(Date.UTC(2026, 10, n, 9)).toISOString(),
  ...extra,
});

const posts = (s: Setup) =>
  s.t.herald.services.posts.list({ clientId: s.seeded.client.id }, 200).data.filter((p) => p.status !== 'cancelled');

/** Fifteen minutes on, then the job's own pass over every due feed. */
async function nextRun(s: Setup) {
  s.clock.advance(15 * MIN);
  return s.t.herald.services.feeds.checkDue();
}

describe('check-feeds', () => {
  it('records what a new feed holds, then turns each new item into one draft, once', async () => {
    const s = await setup();
    s.blog.add('rss', item(1));
    s.blog.add('rss', item(2));
    const feed = await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/rss.xml`,
      accountIds: [s.seeded.facebook.id],
      rewrite: false,
    });
    expect(feed.lastCheckedAt).not.toBeNull();
    expect(posts(s)).toHaveLength(0);

    s.blog.add('rss', item(3));
    expect(await nextRun(s)).toMatchObject({ feeds: 1, added: 1, failed: 0 });
    const [draft] = posts(s);
    expect(posts(s)).toHaveLength(1);
    expect(draft).toMatchObject({ status: 'draft', accountId: s.seeded.facebook.id, groupId: null });
    expect(draft!.caption).toBe('Article 3\n\nhttps://blog.acme.test/3');
    const history = s.t.herald.services.posts.logs(draft!.id).map((l) => l.message);
    expect(history.join('\n')).toContain(`From the feed ${s.blog.url}/rss.xml: "Article 3"`);

    // Nothing changed: a conditional request, a 304 and nothing new.
    expect(await nextRun(s)).toMatchObject({ feeds: 1, added: 0, notModified: 1 });
    expect(s.blog.notModified('rss')).toBe(1);
    expect(posts(s)).toHaveLength(1);
    // Not due yet: the job does not read it again within its interval.
    expect(await s.t.herald.services.feeds.checkDue()).toMatchObject({ feeds: 0 });
  });

  it('an edited item (same guid, new title) brings nothing new, and a restart reads nothing twice', async () => {
    const dataDir = tempDir();
    let s = await setup({}, dataDir);
    s.blog.add('rss', item(1));
    const feed = await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/rss.xml`,
      accountIds: [s.seeded.facebook.id],
    });
    s.blog.add('rss', item(2));
    await nextRun(s);
    expect(posts(s)).toHaveLength(1);

    s.blog.edit('rss', 'post-2', { title: 'Article 2 (corrected)', published: new Date().toISOString() });
    expect(await nextRun(s)).toMatchObject({ added: 0, notModified: 0, failed: 0 });
    expect(posts(s)).toHaveLength(1);

    // A restart on the same file: the items seen are still seen.
    const seeded = s.seeded;
    await s.t.close();
    const clock = new ManualClock(s.clock.now() + 15 * MIN);
    t = await makeHerald({ OUTBOUND_PRIVATE_HOSTS: '127.0.0.1' }, { clock, dataDir });
    s = { t, blog: s.blog, clock, seeded };
    expect(await s.t.herald.services.feeds.checkDue()).toMatchObject({ feeds: 1, added: 0 });
    s.blog.add('rss', item(3));
    expect(await nextRun(s)).toMatchObject({ added: 1 });
    expect(
      posts(s)
        .map((p) => p.caption.split('\n')[0])
        .sort(),
    ).toEqual(['Article 2', 'Article 3']);
    expect(s.t.herald.services.feeds.get(feed.id).lastError).toBeNull();
  });

  it('"bring in the latest N" turns the newest items of the first read into drafts', async () => {
    const s = await setup();
    for (const n of [1, 2, 3]) s.blog.add('rss', item(n));
    await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/rss.xml`,
      accountIds: [s.seeded.facebook.id],
      latest: 2,
    });
    expect(
      posts(s)
        .map((p) => p.caption.split('\n')[0])
        .sort(),
    ).toEqual(['Article 2', 'Article 3']);
  });

  it('a failure inside the transaction writes nothing, and the item comes back exactly once', async () => {
    const s = await setup();
    s.blog.add('rss', item(1));
    const feed = await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/rss.xml`,
      accountIds: [s.seeded.facebook.id, s.seeded.instagram.id],
    });
    s.blog.add('rss', item(2, { image: { path: '/img/2.png', as: 'enclosure' } }));
    s.blog.add('rss', item(3));
    // The commit fails after the drafts are written, as a crash before COMMIT would leave it.
    s.t.herald.database.sqlite.exec(
      "CREATE TRIGGER boom BEFORE INSERT ON feed_items WHEN NEW.title = 'Article 2' " +
        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    );
    const outcome = await nextRun(s);
    expect(outcome).toMatchObject({ added: 1, failed: 1 });
    expect(s.t.herald.services.feeds.get(feed.id).lastError).toContain('injected failure');
    expect(posts(s).map((p) => p.caption.split('\n')[0])).toEqual(['Article 3']);
    expect(s.t.herald.database.stmt('SELECT count(*) AS n FROM post_groups').get()).toEqual({ n: 0 });
    // Its image was not left behind either.
    expect(s.t.herald.database.stmt('SELECT count(*) AS n FROM media').get()).toEqual({ n: 0 });

    s.t.herald.database.sqlite.exec('DROP TRIGGER boom');
    // The validators were not kept: the feed is read in full again, not answered 304.
    s.clock.advance(15 * MIN);
    expect(await s.t.herald.services.feeds.check(feed.id)).toMatchObject({ added: 1, notModified: false });
    expect(await nextRun(s)).toMatchObject({ added: 0 });
    const second = posts(s).filter((p) => p.caption.startsWith('Article 2'));
    expect(second).toHaveLength(2);
    expect(new Set(second.map((p) => p.groupId)).size).toBe(1);
    expect(s.t.herald.services.feeds.get(feed.id).lastError).toBeNull();
  });

  it('a broken feed gets last_error and backs off; the other feeds are still read', async () => {
    const s = await setup();
    s.blog.add('rss', item(1));
    const broken = await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/broken.xml`,
      accountIds: [s.seeded.facebook.id],
    });
    expect(broken.lastError).toBe(`127.0.0.1:${new URL(s.blog.url).port} answered 500 (1 failed check in a row)`);
    const good = await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/rss.xml`,
      accountIds: [s.seeded.facebook.id],
    });
    s.blog.add('rss', item(2));
    s.blog.broken = 'garbage';
    expect(await nextRun(s)).toMatchObject({ feeds: 2, added: 1, failed: 1 });
    expect(s.t.herald.services.feeds.get(broken.id).lastError).toBe(
      'the answer is not well-formed XML (2 failed checks in a row)',
    );
    expect(s.t.herald.services.feeds.get(good.id).lastError).toBeNull();
    const reads = () => s.blog.calls(/^\/broken\.xml$/).length;
    expect(reads()).toBe(2);
    // Two failures: the next read waits 30 minutes, then an hour.
    await nextRun(s);
    expect(reads()).toBe(2);
    await nextRun(s);
    expect(reads()).toBe(3);
    for (let i = 0; i < 3; i++) await nextRun(s);
    expect(reads()).toBe(3);
    await nextRun(s);
    expect(reads()).toBe(4);
  });

  it('stops reading a feed larger than 2 MB', async () => {
    const s = await setup();
    const feed = await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/huge.xml`,
      accountIds: [s.seeded.facebook.id],
    });
    expect(feed.lastError).toBe('the file is larger than 2097152 bytes (1 failed check in a row)');
  });

  it('refuses a private address unless OUTBOUND_PRIVATE_HOSTS lists it', async () => {
    const s = await setup({ OUTBOUND_PRIVATE_HOSTS: '' });
    s.blog.add('rss', item(1));
    const feed = await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/rss.xml`,
      accountIds: [s.seeded.facebook.id],
    });
    expect(feed.lastError).toMatch(/^127\.0\.0\.1:\d+ is a private address/);
    expect(feed.lastCheckedAt).toBeNull();
    expect(s.blog.calls(/\.xml$/)).toHaveLength(0);
  });

  it("keeps the item's image as client media; two accounts make a group; one needing media is skipped", async () => {
    const s = await setup();
    s.blog.add('atom', item(1));
    await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/atom.xml`,
      accountIds: [s.seeded.facebook.id, s.seeded.instagram.id],
    });
    // An Atom entry whose picture is the first <img> of its summary, a relative address.
    s.blog.add('atom', item(2, { image: { path: '/img/loaf.png', as: 'img' } }));
    await nextRun(s);
    const group = posts(s);
    expect(group).toHaveLength(2);
    expect(group[0]!.groupId).not.toBeNull();
    expect(group[0]!.groupId).toBe(group[1]!.groupId);
    expect(group.every((p) => p.mediaIds.length === 1 && p.mediaIds[0] === group[0]!.mediaIds[0])).toBe(true);
    const [media] = s.t.herald.repos.media.getMany(group[0]!.mediaIds);
    expect(media).toMatchObject({ clientId: s.seeded.client.id, mime: 'image/png', width: 800, height: 600 });
    expect(s.blog.calls(/^\/img\/loaf\.png$/)).toHaveLength(1);

    // No picture: Instagram needs one, so only the Facebook draft is written, and it says why.
    s.blog.add('atom', item(3));
    await nextRun(s);
    const third = posts(s).filter((p) => p.caption.startsWith('Article 3'));
    expect(third).toHaveLength(1);
    expect(third[0]).toMatchObject({ accountId: s.seeded.facebook.id, groupId: null });
    const history = s.t.herald.services.posts.logs(third[0]!.id).map((l) => l.message);
    expect(history.join('\n')).toContain('Not written for acme.bakery (Instagram)');
    const row = s.t.herald.database.stmt('SELECT post_ids AS ids FROM feed_items WHERE item_key = ?').get('post-3') as {
      ids: string;
    };
    expect(JSON.parse(row.ids)).toEqual([third[0]!.id]);
  });

  it('a feed moved to a new address keeps its items seen', async () => {
    const s = await setup();
    s.blog.add('rss', item(1));
    s.blog.add('rss', item(2));
    const feed = await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/rss.xml`,
      accountIds: [s.seeded.facebook.id],
    });
    // The blog moves to Atom with the same ids, plus one new article.
    s.blog.add('atom', item(1));
    s.blog.add('atom', item(2));
    s.blog.add('atom', item(3));
    const moved = s.t.herald.services.feeds.update(feed.id, { url: `${s.blog.url}/atom.xml` });
    expect(moved.etag).toBeNull();
    expect(await nextRun(s)).toMatchObject({ added: 1 });
    expect(posts(s).map((p) => p.caption.split('\n')[0])).toEqual(['Article 3']);
  });

  it("rewrites each network's draft in the client's voice through Groq; on failure keeps title and link", async () => {
    groq = new FakeGroq({
      apiKey: GROQ_KEY,
      responder: (body) => {
        const user = userMessage(body);
        return JSON.stringify({
          posts: [{ caption: `Warm news: ${/Title: ([^.]+)\./.exec(user)?.[1]}`, hashtags: ['bread'] }],
        });
      },
    });
    await groq.start();
    const s = await setup({ GROQ_API_KEY: GROQ_KEY, GROQ_BASE_URL: groq.url, GROQ_MODEL: 'openai/gpt-oss-120b' });
    s.t.herald.services.clients.update(s.seeded.client.id, { brandVoice: 'Cosy and proud of the craft' });
    s.blog.add('rss', item(1));
    await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/rss.xml`,
      accountIds: [s.seeded.facebook.id],
      rewrite: true,
    });
    s.blog.add('rss', item(2));
    await nextRun(s);
    expect(posts(s).map((p) => p.caption)).toEqual(['Warm news: Article 2\n\n#bread\n\nhttps://blog.acme.test/2']);
    const prompt = userMessage(JSON.parse(groq.completionCalls()[0]!.raw.toString()));
    expect(prompt).toContain('Brand voice: Cosy and proud of the craft');

    groq.inject({ path: /completions/, fault: { kind: 'status', status: 400, body: { error: { message: 'nope' } } } });
    s.blog.add('rss', item(3));
    await nextRun(s);
    const plain = posts(s).find((p) => p.caption.startsWith('Article 3'))!;
    expect(plain.caption).toBe('Article 3\n\nhttps://blog.acme.test/3');
    const history = s.t.herald.services.posts.logs(plain.id).map((l) => l.message);
    expect(history.join('\n')).toContain('The AI rewrite failed');
  });

  it('puts each draft in its account’s queue when asked; an account without posting times keeps a draft', async () => {
    const s = await setup();
    const everyDay = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, time: '09:00' }));
    expect((await s.t.api('PATCH', `/accounts/${s.seeded.facebook.id}`, { postingTimes: everyDay })).status).toBe(200);
    s.blog.add('rss', item(1));
    await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/rss.xml`,
      accountIds: [s.seeded.facebook.id, s.seeded.instagram.id],
      queue: true,
    });
    s.blog.add('rss', item(2, { image: { path: '/img/2.png', as: 'media' } }));
    await nextRun(s);
    const written = posts(s);
    const fb = written.find((p) => p.accountId === s.seeded.facebook.id)!;
    expect(fb).toMatchObject({ status: 'scheduled', queued: true });
    expect(fb.scheduledAt).toBeGreaterThan(s.clock.now());
    const others = written.filter((p) => p.accountId !== s.seeded.facebook.id);
    expect(others).toHaveLength(1);
    for (const p of others) {
      expect(p.status).toBe('draft');
      const history = s.t.herald.services.posts.logs(p.id).map((l) => l.message);
      expect(history.join('\n')).toContain('Not put in the queue');
    }
  });

  it('is the check-feeds job: listed, and runnable on request', async () => {
    const s = await setup();
    s.blog.add('rss', item(1));
    await s.t.herald.services.feeds.create(s.seeded.client.id, {
      url: `${s.blog.url}/rss.xml`,
      accountIds: [s.seeded.facebook.id],
    });
    s.blog.add('rss', item(2));
    s.clock.advance(15 * MIN);
    const job = s.t.herald.scheduler.jobs.find((j) => j.id === 'check-feeds');
    expect(job).toMatchObject({ schedule: '0 */15 * * * *', leaderOnly: true });
    s.t.herald.lease.tick();
    s.t.herald.scheduler.start();
    const res = await s.t.api('POST', '/jobs/check-feeds/run');
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    await expect.poll(() => s.t.herald.repos.system.getRun(runId)?.status, { timeout: 10_000 }).toBe('ok');
    expect(s.t.herald.repos.system.getRun(runId)?.counts).toMatchObject({ feeds: 1, added: 1 });
  });
});
