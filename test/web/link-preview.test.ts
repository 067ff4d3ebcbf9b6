import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// A local site with OpenGraph tags, a huge page and a non-HTML answer; it counts what it serves.
const hits: string[] = [];
let site: Server;
let origin: string;

const OG_PAGE = `<!doctype html><html><head>
<title>Plain title</title>
<meta content="Spring &amp; bread &lt;b&gt;" property="og:title">
<meta property='og:description' content='Fresh every morning'>
<meta property="og:image" content="/images/bread.jpg">
<meta property="og:site_name" content="Acme Bakery">
</head><body><meta property="og:title" content="not in the head"></body></html>`;

beforeAll(async () => {
  site = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><head><title>big</title></head><body>${'x'.repeat(600 * 1024)}</body></html>`);
    } else if (req.url === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(OG_PAGE);
    }
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => site.close(() => resolve())));

describe('link previews (OpenGraph for the Facebook card)', () => {
  let t: TestHerald;
  const clock = new ManualClock(Date.parse('2026-11-30T12:00:00Z'));
  beforeAll(async () => {
    // The local site is on a private address: only listed hosts of OUTBOUND_PRIVATE_HOSTS are reached.
    t = await makeHerald(
      {
        OUTBOUND_PRIVATE_HOSTS: '127.0.0.1',
        ADMIN_EMAIL: 'admin@agency.test',
        ADMIN_PASSWORD: 'correct horse battery staple',
      },
      { clock },
    );
  });
  afterAll(() => t.close());

  it('reads og:title, description, image (made absolute) and site name from the head', async () => {
    const card = await t.herald.services.linkPreviews.forCaption(`New loaves! ${origin}/spring, come early.`);
    expect(card).toEqual({
      url: `${origin}/spring`,
      title: 'Spring & bread <b>',
      description: 'Fresh every morning',
      imageUrl: `${origin}/images/bread.jpg`,
      siteName: 'Acme Bakery',
      error: null,
    });
  });

  it('keeps a reading for a day, then reads the page again', async () => {
    hits.length = 0;
    await t.herald.services.linkPreviews.get(`${origin}/cached`);
    await t.herald.services.linkPreviews.get(`${origin}/cached`);
    clock.advance(23 * 3_600_000);
    await t.herald.services.linkPreviews.get(`${origin}/cached`);
    expect(hits).toEqual(['/cached']);
    clock.advance(2 * 3_600_000);
    await t.herald.services.linkPreviews.get(`${origin}/cached`);
    expect(hits).toEqual(['/cached', '/cached']);
  });

  it('reads one URL once however many previews ask at the same moment', async () => {
    hits.length = 0;
    await Promise.all([1, 2, 3].map(() => t.herald.services.linkPreviews.get(`${origin}/together`)));
    expect(hits).toEqual(['/together']);
  });

  it('refuses a page over 512 KB and a non-HTML answer, and remembers the error for an hour', async () => {
    const big = await t.herald.services.linkPreviews.get(`${origin}/huge`);
    expect(big.error).toMatch(/larger than 524288 bytes/);
    expect(big.title).toBeNull();
    expect((await t.herald.services.linkPreviews.get(`${origin}/json`)).error).toBe('the page is not HTML');
    hits.length = 0;
    await t.herald.services.linkPreviews.get(`${origin}/huge`);
    expect(hits).toEqual([]);
    clock.advance(61 * 60_000);
    await t.herald.services.linkPreviews.get(`${origin}/huge`);
    expect(hits).toEqual(['/huge']);
  });

  it('the post editor’s Facebook preview shows the card; an http og:image is left out', async () => {
    await t.herald.services.auth.ensureConfiguredAdmin();
    const { client, facebook } = seedClient(t);
    const b = new PageClient(t.herald.app);
    await b.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    await b.get(`/posts/new?accountId=${facebook.id}`);
    const res = await b.post(
      '/posts/preview',
      { clientId: client.id, accountId: facebook.id, caption: `Spring is here ${origin}/editor` },
      { htmx: true },
    );
    const html = await res.text();
    expect(html).toContain('class="pv-linkcard"');
    expect(html).toContain('Spring &amp; bread &lt;b&gt;');
    expect(html).toContain('ACME BAKERY');
    expect(html).not.toContain('/images/bread.jpg'); // the local page's image is http: not shown
  });

  it('a caption without a link has no card', async () => {
    expect(await t.herald.services.linkPreviews.forCaption('No link, javascript:alert(1) is not one')).toBeNull();
  });
});

describe('link previews refuse private addresses', () => {
  let t: TestHerald;
  beforeAll(async () => {
    t = await makeHerald();
  });
  afterAll(() => t.close());

  it.each([
    ['a private address written in the link', () => `${origin}/private`],
    ['a name that resolves to loopback', () => `${origin.replace('127.0.0.1', 'localhost')}/private`],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
  ])('%s is never fetched', async (_what, url) => {
    hits.length = 0;
    const card = await t.herald.services.linkPreviews.get(url());
    expect(card.error).toMatch(/private address/);
    expect(card.title).toBeNull();
    expect(hits).toEqual([]);
  });
});
