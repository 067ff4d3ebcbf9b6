import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeFeedServer } from '../fakes/feed-server.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

let t: TestHerald;
let blog: FakeFeedServer;
let browser: PageClient;
let seeded: ReturnType<typeof seedClient>;

const feedsOf = (clientId: string) => t.herald.repos.feeds.listByClient(clientId);

beforeAll(async () => {
  blog = new FakeFeedServer();
  await blog.start();
  blog.add('rss', { guid: 'a', title: 'First', link: 'https://blog.acme.test/a', published: '2026-11-01T09:00:00Z' });
  t = await makeHerald({
    ADMIN_EMAIL: 'admin@agency.test',
    ADMIN_PASSWORD: 'correct horse battery staple',
    OUTBOUND_PRIVATE_HOSTS: '127.0.0.1',
  });
  await t.herald.services.auth.ensureConfiguredAdmin();
  seeded = seedClient(t);
  browser = new PageClient(t.herald.app);
  await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await browser.get('/');
});
afterAll(async () => {
  await t.close();
  await blog.stop();
});

describe('client page: feeds', () => {
  it('shows an empty Feeds section with an add form listing the accounts', async () => {
    const { html } = await browser.get(`/clients/${seeded.client.id}`);
    expect(html).toContain('<section class="card" id="feeds">');
    expect(html).toContain('No feeds yet.');
    expect(html).toContain(`action="/clients/${seeded.client.id}/feeds"`);
    expect(html).toContain(`name="accountIds" value="${seeded.instagram.id}"`);
  });

  it('shows a refused feed form again with its errors (422), and nothing is added', async () => {
    const res = await browser.post(`/clients/${seeded.client.id}/feeds`, { url: 'ftp://x.test/rss', latest: '0' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('must be an http(s) address');
    expect(html).toContain('needs at least one account');
    expect(html).toContain('value="ftp://x.test/rss"');
    expect(feedsOf(seeded.client.id)).toHaveLength(0);
  });

  it('adds a feed, edits it, checks it now and removes it', async () => {
    const url = `${blog.url}/rss.xml`;
    const res = await browser.post(`/clients/${seeded.client.id}/feeds`, {
      url,
      accountIds: [seeded.facebook.id, seeded.instagram.id],
      rewrite: 'true',
      latest: '0',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/clients/${seeded.client.id}#feeds`);
    const [feed] = feedsOf(seeded.client.id);
    expect(feed).toMatchObject({ url, rewrite: true, queue: false, active: true });
    expect(feed!.accountIds).toEqual([seeded.facebook.id, seeded.instagram.id]);
    let { html } = await browser.get(`/clients/${seeded.client.id}`);
    expect(html).toContain(`<strong>${url}</strong>`);
    expect(html).toContain('Last read:');
    expect(html).toContain(`action="/feeds/${feed!.id}/check"`);

    expect(
      (
        await browser.post(`/feeds/${feed!.id}`, {
          url,
          accountIds: [seeded.facebook.id],
          queue: 'true',
          active: 'true',
        })
      ).status,
    ).toBe(303);
    expect(t.herald.services.feeds.get(feed!.id)).toMatchObject({
      accountIds: [seeded.facebook.id],
      rewrite: false,
      queue: true,
    });

    blog.add('rss', {
      guid: 'b',
      title: 'Second',
      link: 'https://blog.acme.test/b',
      published: '2026-11-02T09:00:00Z',
    });
    expect((await browser.post(`/feeds/${feed!.id}/check`, {})).status).toBe(303);
    const drafts = t.herald.services.posts.list({ clientId: seeded.client.id }, 50).data;
    expect(drafts.map((p) => p.caption)).toEqual(['Second\n\nhttps://blog.acme.test/b']);

    // A broken address shows its error on the page.
    await browser.post(`/feeds/${feed!.id}`, {
      url: `${blog.url}/broken.xml`,
      accountIds: [seeded.facebook.id],
      active: 'true',
    });
    await browser.post(`/feeds/${feed!.id}/check`, {});
    ({ html } = await browser.get(`/clients/${seeded.client.id}`));
    expect(html).toContain('Last error:');
    expect(html).toContain('answered 500 (1 failed check in a row)');

    expect((await browser.post(`/feeds/${feed!.id}/delete`, {})).status).toBe(303);
    expect(feedsOf(seeded.client.id)).toHaveLength(0);
  });

  it('refuses a form post without the CSRF token', async () => {
    const res = await browser.post(
      `/clients/${seeded.client.id}/feeds`,
      { url: `${blog.url}/atom.xml`, accountIds: seeded.facebook.id },
      { csrf: false },
    );
    expect(res.status).toBe(403);
    expect(feedsOf(seeded.client.id)).toHaveLength(0);
  });
});
