import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';
import { publishedWithResults } from '../helpers/results-seed.js';

// Monday 7 December 2026, 07:00 in Berlin.
const NOW = Date.parse('2026-12-07T06:00:00Z');

let t: TestHerald;
let browser: PageClient;
let seeded: ReturnType<typeof seedClient>;
const actor = { kind: 'system' } as const;

beforeAll(async () => {
  t = await makeHerald(
    { ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' },
    { clock: new ManualClock(NOW) },
  );
  await t.herald.services.auth.ensureConfiguredAdmin();
  seeded = seedClient(t);
  browser = new PageClient(t.herald.app);
  await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await browser.get('/');
});
afterAll(() => t.close());

const account = () => t.herald.services.accounts.get(seeded.facebook.id);

describe('posting times on the client page', () => {
  it('lists each account in a Queues section with its posting times form', async () => {
    const { html } = await browser.get(`/clients/${seeded.client.id}`);
    expect(html).toContain('<h2>Queues</h2>');
    expect(html).toContain(`action="/accounts/${seeded.facebook.id}/posting-times"`);
    expect(html).toContain('no posting times');
  });

  it('refuses a time that is not one, keeping what was typed (422), and saves good ones', async () => {
    const bad = await browser.post(
      `/accounts/${seeded.facebook.id}/posting-times`,
      { times1: '09:00, 9h75', times3: '12:30 12:30' },
      { htmx: true },
    );
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('&quot;9h75&quot; is not a time');
    expect(html).toContain('12:30 is listed twice');
    expect(html).toContain('value="09:00, 9h75"');
    expect(account().postingTimes).toEqual([]);

    const ok = await browser.post(`/accounts/${seeded.facebook.id}/posting-times`, {
      times1: '9:00, 17:30',
      times3: '12:30',
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/accounts/${seeded.facebook.id}/queue`);
    expect(account().postingTimes).toEqual([
      { weekday: 1, time: '09:00' },
      { weekday: 1, time: '17:30' },
      { weekday: 3, time: '12:30' },
    ]);
    const { html: page } = await browser.get(`/clients/${seeded.client.id}`);
    expect(page).toContain('Mon 09:00 · Mon 17:30 · Wed 12:30');
  });

  it('"Suggest from results" says so without results, and fills the best hours from them', async () => {
    const none = await browser.post(`/accounts/${seeded.tiktok.id}/posting-times/suggest`, {}, { htmx: true });
    expect(await none.text()).toContain('has results yet');

    // Tuesdays at 19:00 in Berlin did far better than Mondays at 10:00.
    const fb = account();
    for (const [tuesday, monday] of [
      ['03', '02'],
      ['10', '09'],
      ['17', '16'],
      ['24', '23'],
    ]) {
      publishedWithResults(t, fb, Date.parse(`2026-11-${tuesday}T18:00:00Z`), { '24h': { reach: 100, likes: 60 } });
      publishedWithResults(t, fb, Date.parse(`2026-11-${monday}T09:00:00Z`), { '24h': { reach: 100, likes: 1 } });
    }
    const res = await browser.post(`/accounts/${fb.id}/posting-times/suggest`, {}, { htmx: true });
    const html = await res.text();
    expect(html).toContain('Suggested from 8 measured posts');
    // Three posting times now: three suggested; Tuesday 19:00 among them, not saved yet.
    expect(html).toMatch(/name="times2" value="19:00"/);
    expect(account().postingTimes).toHaveLength(3);
  });
});

describe('queue buttons and the queue page', () => {
  it('the editor offers Add to queue and Share next; each puts the post in the queue', async () => {
    const a = t.herald.services.posts.create({ accountId: seeded.facebook.id, caption: 'first' }, actor);
    const b = t.herald.services.posts.create({ accountId: seeded.facebook.id, caption: 'second' }, actor);
    const { html } = await browser.get(`/posts/${a.id}`);
    expect(html).toContain('Add to queue');
    expect(html).toContain('Share next');
    const res = await browser.post(`/posts/${a.id}/queue`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/posts/${a.id}`);
    expect(new Date(t.herald.services.posts.get(a.id).scheduledAt!).toISOString()).toBe('2026-12-07T08:00:00.000Z');
    const { html: after } = await browser.get(`/posts/${a.id}`);
    expect(after).toContain('Added to the queue: Mon, 7 Dec 2026, 09:00 (Europe/Berlin).');

    await browser.post(`/posts/${b.id}/queue`, { front: '1' });
    expect(new Date(t.herald.services.posts.get(b.id).scheduledAt!).toISOString()).toBe('2026-12-07T08:00:00.000Z');
    expect(new Date(t.herald.services.posts.get(a.id).scheduledAt!).toISOString()).toBe('2026-12-07T16:30:00.000Z');

    const { html: queue } = await browser.get(`/accounts/${seeded.facebook.id}/queue?count=4`);
    expect(queue).toContain('Next 4 posting times');
    expect(queue).toContain('(2 free)');
    expect(queue.indexOf('second')).toBeLessThan(queue.indexOf('first'));
    expect(queue).toContain('Europe/Berlin');
  });

  it('a new post can go straight to the queue, and the pipeline queues selected posts', async () => {
    const created = await browser.post('/posts', {
      clientId: seeded.client.id,
      accountId: seeded.facebook.id,
      caption: 'from the editor',
      intent: 'queue',
      scheduledAt: '',
    });
    expect(created.status).toBe(303);
    const id = created.headers.get('location')!.split('/').pop()!;
    expect(t.herald.services.posts.get(id)).toMatchObject({ status: 'scheduled', queued: true });

    const c = t.herald.services.posts.create({ accountId: seeded.facebook.id, caption: 'bulk' }, actor);
    const elsewhere = seedClient(t, { name: 'Other Co' }).facebook;
    const noTimes = t.herald.services.posts.create({ accountId: elsewhere.id, caption: 'tt' }, actor);
    const res = await browser.post('/pipeline/bulk', { action: 'queue', ids: [c.id, noTimes.id] });
    const html = await res.text();
    expect(html).toContain('1 added to the queue.');
    expect(html).toContain('Acme Page has no posting times');
    expect(t.herald.services.posts.get(c.id)).toMatchObject({ status: 'scheduled', queued: true });
  });
});

describe('evergreen on the post page', () => {
  it('marks a published post evergreen, shows when the next copy is due, and lists the copies', async () => {
    const { services, repos, evergreen } = t.herald;
    const post = services.posts.create({ accountId: seeded.facebook.id, caption: 'evergreen bread' }, actor);
    repos.posts.update(post.id, { status: 'published', publishedAt: NOW - 7 * 86_400_000 + 3_600_000 });
    const { html } = await browser.get(`/posts/${post.id}`);
    expect(html).toContain('Make evergreen');
    const version = services.posts.get(post.id).version;
    const bad = await browser.post(`/posts/${post.id}/evergreen`, { everyWeeks: '0', version: String(version) });
    expect(bad.status).toBe(303);
    expect((await browser.get(`/posts/${post.id}`)).html).toContain('must be at least 1 week');
    await browser.post(`/posts/${post.id}/evergreen`, { everyWeeks: '1', times: '2', version: String(version) });
    const { html: marked } = await browser.get(`/posts/${post.id}`);
    expect(marked).toContain('Evergreen: every 1 week, 2 times at most');
    expect(marked).toContain(', next <span class="when">');
    await evergreen.runDue();
    const [copy] = evergreen.copiesOf(post.id);
    expect(copy).toBeDefined();
    expect((await browser.get(`/posts/${post.id}`)).html).toContain(`href="/posts/${copy!.id}">Copy 1</a>`);
    expect((await browser.get(`/posts/${copy!.id}`)).html).toContain('Copy 1 of an evergreen post');
  });
});
