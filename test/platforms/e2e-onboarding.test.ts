import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMeta } from '../fakes/meta.js';
import { FakeTikTok } from '../fakes/tiktok.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { waitFor } from '../helpers/processes.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';
import { connectThroughPortal } from '../helpers/onboarding.js';
import { PageClient } from '../helpers/page-client.js';

// The whole chain through the real server: invite link → portal → OAuth with each vendor (the
// vendors' consent pages are the fakes) → accounts → posts published by the running engine →
// tokens refreshed before they lapse → a revoked token stops publishing.

const META = { appId: '424242', appSecret: 'meta-secret' };
const TIKTOK = { clientKey: 'tt-key', clientSecret: 'tt-secret' };

let meta: FakeMeta;
let tiktok: FakeTikTok;
let live: LiveHerald;
let portal: PageClient;
let clientId: string;

const connect = (browser: PageClient, vendor: 'meta' | 'tiktok') => connectThroughPortal(live, browser, vendor);

beforeAll(async () => {
  meta = new FakeMeta(META);
  tiktok = new FakeTikTok(TIKTOK);
  const metaUrl = await meta.start();
  const tiktokUrl = await tiktok.start();
  meta.addPage({ name: 'Acme Bakery Page', instagram: { username: 'acme.bakery' } });
  meta.addPage({ name: 'Acme Catering' });
  tiktok.audited = false;
  live = await startLiveHerald(
    {
      META_APP_ID: META.appId,
      META_APP_SECRET: META.appSecret,
      META_GRAPH_URL: `${metaUrl}/v25.0`,
      META_DIALOG_URL: `${metaUrl}/v25.0/dialog/oauth`,
      TIKTOK_CLIENT_KEY: TIKTOK.clientKey,
      TIKTOK_CLIENT_SECRET: TIKTOK.clientSecret,
      TIKTOK_API_URL: tiktokUrl,
      TIKTOK_AUTH_URL: `${tiktokUrl}/v2/auth/authorize/`,
    },
    {
      platformOptions: {
        meta: { pollIntervalMs: 30, pollTimeoutMs: 3000 },
        tiktok: { pollIntervalMs: 30, confirmTimeoutMs: 3000 },
      },
      engine: { backoffBaseMs: 50, backoffCapMs: 200, settleMs: 200 },
    },
  );
  live.herald.services.settings.updateAgency({ agencyName: 'Sunny Agency' });
  clientId = live.herald.services.clients.create({
    name: 'Acme Bakery',
    timezone: 'Europe/Berlin',
    approvalMode: 'none',
  }).id;
  const { url } = live.herald.services.clients.createInvite(clientId);
  portal = new PageClient(live.herald.app, live.url);
  await portal.request(new URL(url).pathname);
  await portal.get('/portal');
});

afterAll(async () => {
  await live?.close();
  await meta?.stop();
  await tiktok?.stop();
});

const accounts = () => live.herald.services.accounts.listByClient(clientId);

describe('onboarding through the invite link', () => {
  it('connects every granted Page, the Instagram account linked to one, and the TikTok user', async () => {
    const first = await connect(portal, 'meta');
    expect(first.status).toBe(200);
    expect(first.html).toContain('Acme Bakery Page');
    expect(first.html).toContain('Acme Catering');
    expect(first.html).toContain('acme.bakery');
    const second = await connect(portal, 'tiktok');
    expect(second.status).toBe(200);
    const list = accounts();
    expect(list.map((a) => a.platform).sort()).toEqual(['facebook', 'facebook', 'instagram', 'tiktok']);
    const page = list.find((a) => a.name === 'Acme Bakery Page')!;
    const ig = list.find((a) => a.platform === 'instagram')!;
    expect(ig.parentAccountId).toBe(page.id);
    const tt = list.find((a) => a.platform === 'tiktok')!;
    expect(tt.tokenExpiresAt).toBeGreaterThan(Date.now());
    expect(tt.refreshExpiresAt).toBeGreaterThan(tt.tokenExpiresAt!);
    // The client is active now, and the portal lists what is connected.
    expect(live.herald.services.clients.get(clientId).status).toBe('active');
    expect((await portal.get('/portal')).html).toContain('Acme Catering');
    // No token in the database in the clear, none in the API.
    const dump = JSON.stringify(live.herald.database.sqlite.prepare('SELECT * FROM accounts').all());
    for (const a of list) expect(dump).not.toContain(live.herald.services.accounts.tokens(a).accessToken);
    const api = await (await live.api('GET', `/clients/${clientId}/accounts`)).text();
    for (const a of list) expect(api).not.toContain(live.herald.services.accounts.tokens(a).accessToken);
  });

  it('a denied consent says so and connects nothing more', async () => {
    meta.user.denyLogin = true;
    const before = accounts().length;
    const res = await connect(portal, 'meta');
    meta.user.denyLogin = false;
    expect(res.status).toBe(400);
    expect(res.html).toContain('Not connected');
    expect(accounts()).toHaveLength(before);
  });

  it('a tampered state is refused', async () => {
    const start = await portal.post('/auth/tiktok/start', {});
    const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    back.searchParams.set('state', 'forged');
    const res = await portal.request(`${back.pathname}${back.search}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not one Herald started');
  });
});

describe('publishing to what was connected', () => {
  async function post(which: string, caption: string, media: Buffer[] = []) {
    const account = accounts().find((a) => a.name === which || a.platform === which)!;
    const mediaIds: string[] = [];
    for (const file of media) mediaIds.push((await live.herald.services.media.ingest([file], { clientId })).id);
    return live.herald.services.posts.create(
      { accountId: account.id, caption, mediaIds, scheduledAt: new Date().toISOString(), status: 'scheduled' },
      { kind: 'system' },
    ).id;
  }
  const status = (id: string) => live.herald.services.posts.get(id).status;

  it(
    'a Facebook text post, an Instagram image and a TikTok video go out once each, ' + 'by the running engine',
    async () => {
      const fb = await post('Acme Catering', 'Catering for your party #catering');
      const ig = await post('instagram', 'Morning loaves #bread', [await makeImage(1080, 1350, 'png')]);
      const tt = await post('tiktok', 'Watch the dough rise', [makeMp4({ bytes: 200_000, durationMs: 9_000 })]);
      await waitFor(
        () => [fb, ig, tt].every((id) => status(id) === 'published'),
        20_000,
        `publishing (${[fb, ig, tt].map(status)})`,
      );
      expect(meta.published.map((p) => p.message)).toContain('Catering for your party #catering');
      expect(meta.igPublished.map((p) => p.caption)).toEqual(['Morning loaves #bread']);
      expect(tiktok.published).toHaveLength(1);
      expect(tiktok.published[0]).toMatchObject({ privacy: 'SELF_ONLY' });
      // Instagram got a JPEG made from the PNG upload.
      expect(meta.mediaFetches.some((f) => /\.jpg$/.test(f.url) && !f.problem && f.contentType === 'image/jpeg')).toBe(
        true,
      );
    },
  );

  it('a TikTok token about to expire is refreshed (and rotated) before the publish', async () => {
    const account = accounts().find((a) => a.platform === 'tiktok')!;
    const oldRefresh = live.herald.services.accounts.tokens(account).refreshToken;
    live.herald.repos.accounts.update(account.id, { tokenExpiresAt: Date.now() + 20 * 60_000 });
    const id = await post('tiktok', 'Second video', [makeMp4({ bytes: 150_000 })]);
    await waitFor(() => status(id) === 'published', 20_000, 'the refreshed publish');
    const fresh = live.herald.services.accounts.get(account.id);
    expect(fresh.tokenExpiresAt).toBeGreaterThan(Date.now() + 3_600_000);
    expect(live.herald.services.accounts.tokens(fresh).refreshToken).not.toBe(oldRefresh);
    expect(tiktok.calls(/\/v2\/oauth\/token\/$/).some((r) => r.body.grant_type === 'refresh_token')).toBe(true);
  });

  it('a revoked Facebook token: the Page needs reconnecting, its posts wait, nothing more is sent', async () => {
    const page = accounts().find((a) => a.name === 'Acme Catering')!;
    meta.revokeToken(live.herald.services.accounts.tokens(page).accessToken);
    const id = await post('Acme Catering', 'This one cannot go');
    await waitFor(
      () => live.herald.services.accounts.get(page.id).status === 'needs_reauth',
      20_000,
      'the account to need reconnecting',
    );
    const calls = meta.requests.length;
    const another = await post('Acme Catering', 'Nor this one');
    await new Promise((r) => setTimeout(r, 2500));
    expect(meta.requests.length).toBe(calls);
    expect([status(id), status(another)]).toEqual(['scheduled', 'scheduled']);
    expect(live.herald.services.posts.get(another).lastError).toMatch(/^Waiting: reconnect Acme Catering/);
    // The portal tells the client what to do.
    expect((await portal.get('/portal')).html).toContain('Please reconnect');
    // And the agency's dashboard lists the account to reconnect, with the reason.
    const admin = new PageClient(live.herald.app, live.url);
    await admin.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    const dashboard = await admin.get('/');
    expect(dashboard.html).toContain('Accounts to reconnect');
    expect(dashboard.html).toMatch(/Acme Catering.*no longer accepts this account/s);
  });
});
