import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import type { NetworkDescriptor } from '../../src/platforms/network.js';
import { NETWORKS } from '../../src/platforms/registry.js';
import type { Connector } from '../../src/platforms/types.js';
import { makeHerald, type TestHerald } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { PageClient } from '../helpers/page-client.js';

// Account pictures through the real app: fetched once from the picture's host (a local server,
// listed in MEDIA_FETCH_HOSTS as the safe client requires for a private address), kept in
// DATA_DIR/avatars, the initial when there is none, and each page's <img> pointing at Herald.

const ADMIN = { email: 'admin@agency.test', password: 'correct horse battery staple' };
const clock = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
let t: TestHerald;
let host: Server;
let hostUrl: string;
const hits: string[] = [];
let jpeg: Buffer;
let picture: Buffer;

beforeAll(async () => {
  jpeg = await makeImage(32, 32);
  picture = jpeg;
  host = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url?.startsWith('/face')) return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(picture);
    // Says it is an image; its bytes are a page.
    if (req.url === '/liar') return void res.writeHead(200, { 'content-type': 'image/png' }).end('<html>hi</html>');
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const port = (host.address() as AddressInfo).port;
  hostUrl = `http://127.0.0.1:${port}`;
  t = await makeHerald(
    { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, MEDIA_FETCH_HOSTS: '127.0.0.1' },
    { clock },
  );
  await t.herald.services.auth.ensureConfiguredAdmin();
});
afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => host?.close(() => resolve()));
});

function client(name: string) {
  return t.herald.services.clients.create({ name, timezone: 'Europe/Berlin', approvalMode: 'none' });
}

function account(clientId: string, name: string, avatarUrl?: string) {
  return t.herald.services.accounts.connect({
    clientId,
    platform: 'facebook',
    externalId: `ext-${name}-${Math.random()}`,
    name,
    accessToken: 'token',
    tokenExpiresAt: null,
    scopes: [],
    ...(avatarUrl ? { platformData: { avatarUrl } } : {}),
  });
}

async function admin(): Promise<PageClient> {
  const browser = new PageClient(t.herald.app);
  expect((await browser.post('/login', ADMIN)).status).toBe(303);
  return browser;
}

async function portalFor(clientId: string): Promise<PageClient> {
  const { url } = t.herald.services.clients.createInvite(clientId);
  const browser = new PageClient(t.herald.app);
  expect((await browser.request(new URL(url).pathname)).status).toBe(303);
  return browser;
}

const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());

describe('account pictures', () => {
  it('serves the fetched picture, keeps it, and fetches again only after a day', async () => {
    const c = client('Pictured');
    const a = account(c.id, 'Pictured Page', `${hostUrl}/face-1.jpg`);
    const browser = await admin();
    const before = hits.length;

    const first = await browser.request(`/accounts/${a.id}/avatar`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/jpeg');
    expect(first.headers.get('cache-control')).toBe('private, max-age=3600');
    expect((await bytesOf(first)).equals(jpeg)).toBe(true);
    expect(hits.slice(before)).toEqual(['/face-1.jpg']);

    const second = await browser.request(`/accounts/${a.id}/avatar`);
    expect((await bytesOf(second)).equals(jpeg)).toBe(true);
    expect(hits.length - before).toBe(1);

    // A day later the picture is fetched again: the new one replaces the copy.
    picture = await makeImage(16, 16, 'png');
    clock.advance(25 * 3_600_000);
    // (A new sign-in: the day outlived the session.)
    const later = await (await admin()).request(`/accounts/${a.id}/avatar`);
    expect(later.headers.get('content-type')).toBe('image/png');
    expect((await bytesOf(later)).equals(picture)).toBe(true);
    expect(hits.length - before).toBe(2);
    picture = jpeg;

    // Removing the account removes its copy.
    expect(existsSync(join(t.dataDir, 'avatars', a.id))).toBe(true);
    t.herald.services.accounts.delete(a.id, { kind: 'system' });
    expect(existsSync(join(t.dataDir, 'avatars', a.id))).toBe(false);
  });

  it('serves the initial, escaped, when there is no picture or it cannot be had', async () => {
    const c = client('Initials');
    const none = account(c.id, '<b>old & new');
    const failing = account(c.id, 'zeta', `${hostUrl}/broken`);
    const liar = account(c.id, '"quoted', `${hostUrl}/liar`);
    const browser = await admin();

    const plain = await browser.request(`/accounts/${none.id}/avatar`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    // Opened on its own, the SVG still runs nothing: the pages' headers apply to it too.
    expect(plain.headers.get('content-security-policy')).toMatch(/default-src 'none'|script-src 'self'/);
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    const svg = await plain.text();
    expect(svg).toContain('>&lt;</text>');
    expect(svg).not.toContain('<b>');

    const broken = await browser.request(`/accounts/${failing.id}/avatar`);
    expect(broken.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await broken.text()).toContain('>Z</text>');

    const notImage = await browser.request(`/accounts/${liar.id}/avatar`);
    expect(notImage.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await notImage.text()).toContain('>&quot;</text>');
  });

  it('lets a portal see only its own client’s account pictures', async () => {
    const mine = client('Mine');
    const theirs = client('Theirs');
    const own = account(mine.id, 'Own Page');
    const other = account(theirs.id, 'Other Page');
    const portal = await portalFor(mine.id);

    const ok = await portal.request(`/portal/accounts/${own.id}/avatar`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('>O</text>');
    expect((await portal.request(`/portal/accounts/${other.id}/avatar`)).status).toBe(404);
    // The admin route is not the portal's.
    expect((await portal.request(`/accounts/${own.id}/avatar`)).status).not.toBe(200);
  });

  it('shows each account’s picture on the admin client page and the portal', async () => {
    const c = client('Listed');
    const a = account(c.id, 'First Page');
    const b = account(c.id, 'Second Page', `${hostUrl}/face-2.jpg`);
    const before = hits.length;

    const adminPage = await (await (await admin()).request(`/clients/${c.id}`)).text();
    const portalPage = await (await (await portalFor(c.id)).request('/portal')).text();
    for (const id of [a.id, b.id]) {
      expect(adminPage).toMatch(new RegExp(`<img class="avatar" src="/accounts/${id}/avatar" alt=""`));
      expect(portalPage).toMatch(new RegExp(`<img class="avatar" src="/portal/accounts/${id}/avatar" alt=""`));
    }
    // The pages never wait for the picture's host: it is fetched by the picture's own request.
    expect(hits.length).toBe(before);
  });

  it('shows the pictures where accounts are picked or need reconnecting', async () => {
    const c = client('Elsewhere');
    const a = account(c.id, 'Picked Page');
    const browser = await admin();
    const img = `<img class="avatar" src="/accounts/${a.id}/avatar" alt=""`;
    expect(await (await browser.request(`/clients/${c.id}/rules/new`)).text()).toContain(img);
    const post = t.herald.services.posts.create({ accountId: a.id, caption: 'Hello' }, { kind: 'system' });
    expect(await (await browser.request(`/posts/${post.id}`)).text()).toContain(img);

    t.herald.services.accounts.markNeedsReauth(a.id, 'The token was revoked.');
    expect(await (await browser.request('/')).text()).toContain(img);
    expect(await (await (await portalFor(c.id)).request('/portal')).text()).toContain(
      `<img class="avatar" src="/portal/accounts/${a.id}/avatar" alt=""`,
    );
  });
});

describe('account pictures followed by the daily check', () => {
  /** A network made for this test: its picture is whatever `current` says when asked. */
  let current: string | null = 'https://cdn.example/first.jpg';
  let asked = 0;
  const connector: Connector = {
    id: 'postcard',
    label: 'Postcards',
    platforms: ['postcard'],
    async refresh() {
      return null;
    },
    async picture() {
      asked++;
      return current;
    },
  };
  const postcard: NetworkDescriptor<{ ready: boolean }, 'postcard'> = {
    id: 'postcard',
    label: 'Postcards',
    description: 'Your postcard rack.',
    connect: { oauth: { consoleName: 'Postcards return address' } },
    config: { env: {}, read: () => ({ ready: true }), configured: () => true, summary: () => 'ready' },
    setup: 'nothing',
    platforms: [
      {
        id: 'postcard',
        label: 'Postcards',
        limits: { characters: 40, hashtags: null, mentions: null, countsUtf16: false },
        media: { images: true, videos: false },
        check: () => null,
        ai: { style: 'x', hashtags: 0, image: { width: 600, height: 400, aspect: '1:1' }, needsImage: false },
      },
    ],
    create: () => ({ connector, publishers: [] }),
  };

  it('stores the picture the network gives now, and the initial follows when it has none', async () => {
    const own = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
    const h = await makeHerald({}, { clock: own, networks: [...NETWORKS, postcard] });
    try {
      const c = h.herald.services.clients.create({ name: 'Racks', timezone: 'UTC', approvalMode: 'none' });
      const a = h.herald.services.accounts.connect({
        clientId: c.id,
        platform: 'postcard',
        externalId: 'pc-1',
        name: 'Rack',
        accessToken: 'token',
        tokenExpiresAt: null,
        scopes: [],
        platformData: { avatarUrl: 'https://cdn.example/old.jpg' },
      });
      const stored = () => JSON.parse(h.herald.repos.accounts.get(a.id)!.platformData).avatarUrl;
      own.advance(2 * 86_400_000);
      await h.herald.tokens.refreshDue();
      expect(asked).toBe(1);
      expect(stored()).toBe('https://cdn.example/first.jpg');

      current = null;
      own.advance(2 * 86_400_000);
      await h.herald.tokens.refreshDue();
      expect(asked).toBe(2);
      expect(stored()).toBeNull();
    } finally {
      await h.close();
    }
  });
});
