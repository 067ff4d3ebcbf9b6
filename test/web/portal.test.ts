import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import type { ConnectResult, Connector } from '../../src/platforms/types.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

/** A stand-in vendor connector: consent is a redirect carrying the state, then fixed accounts. */
class VendorStandIn implements Connector {
  readonly id = 'tiktok' as const;
  readonly label = 'TikTok';
  readonly platforms = ['tiktok'] as const;
  completions = 0;
  async authorizationUrl(request: { state: string; redirectUri: string }) {
    return `https://vendor.test/authorize?state=${encodeURIComponent(request.state)}&redirect_uri=${encodeURIComponent(request.redirectUri)}`;
  }
  async complete(): Promise<ConnectResult> {
    this.completions++;
    return { accounts: [{ platform: 'tiktok', externalId: 'open-1', name: 'acmebakes', accessToken: 'act.1', refreshToken: 'rft.1', tokenExpiresAt: Date.now() + 86_400_000, refreshExpiresAt: Date.now() + 365 * 86_400_000, scopes: ['video.publish'] }], warnings: [] };
  }
  async refresh() {
    return null;
  }
}

const clock = new ManualClock(Date.now());
let t: TestHerald;
let acme: ReturnType<typeof seedClient>;
let other: ReturnType<typeof seedClient>;
const vendor = new VendorStandIn();

async function portalFor(clientId: string): Promise<PageClient> {
  const { url } = t.herald.services.clients.createInvite(clientId);
  const browser = new PageClient(t.herald.app);
  const res = await browser.request(new URL(url).pathname);
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/portal');
  await browser.get('/portal');
  return browser;
}

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' }, { clock, connectors: [vendor] });
  await t.herald.services.auth.ensureConfiguredAdmin();
  t.herald.services.settings.updateAgency({ agencyName: 'Sunny Agency' });
  acme = seedClient(t, { approvalMode: 'client' });
  other = seedClient(t, { name: 'Other Co', approvalMode: 'client' });
});
afterAll(() => t.close());

describe('client portal', () => {
  it('opens from the invite link with its own session and shows the agency and the client', async () => {
    const browser = await portalFor(acme.client.id);
    expect(browser.cookies.has('herald_portal')).toBe(true);
    expect(browser.cookies.has('herald_session')).toBe(false);
    const { html } = await browser.get('/portal');
    expect(html).toContain('Sunny Agency');
    expect(html).toContain('Welcome, Acme Bakery');
    expect(html).toContain('href="/auth/tiktok/start"');
    expect(html).toContain('Not available yet: Sunny Agency has not set this up.');
  });

  it('refuses unknown, expired and revoked links', async () => {
    expect((await new PageClient(t.herald.app).request('/invite/not-a-real-token')).status).toBe(404);
    const { url, invite } = t.herald.services.clients.createInvite(acme.client.id, 1);
    const browser = new PageClient(t.herald.app);
    await browser.request(new URL(url).pathname);
    expect((await browser.get('/portal')).res.status).toBe(200);
    // Revoking the link ends the sessions opened with it.
    t.herald.services.clients.revokeInvite(acme.client.id, invite.id);
    expect((await browser.get('/portal')).res.status).toBe(401);
    expect((await new PageClient(t.herald.app).request(new URL(url).pathname)).status).toBe(404);
    const late = t.herald.services.clients.createInvite(acme.client.id, 1);
    clock.advance(2 * 86_400_000);
    expect((await new PageClient(t.herald.app).request(new URL(late.url).pathname)).status).toBe(404);
    clock.set(Date.now());
  });

  it('sees and changes only its own client', async () => {
    const browser = await portalFor(acme.client.id);
    const theirs = t.herald.services.posts.create({ accountId: other.facebook.id, caption: 'not yours', scheduledAt: new Date(clock.now() + 86_400_000).toISOString(), status: 'scheduled' }, { kind: 'system' });
    expect((await browser.post(`/portal/posts/${theirs.id}/approve`, {})).status).toBe(404);
    expect(t.herald.services.posts.get(theirs.id).status).toBe('pending_approval');
    expect((await browser.post(`/portal/accounts/${other.facebook.id}/disable`, {})).status).toBe(404);
    expect(t.herald.services.accounts.get(other.facebook.id).status).toBe('connected');
    const { html } = await browser.get('/portal/posts');
    expect(html).not.toContain('not yours');
    // The admin area stays closed.
    const admin = await browser.request('/clients');
    expect(admin.status).toBe(303);
    expect(admin.headers.get('location')).toMatch(/^\/login/);
    expect((await browser.request(`/api/v1/clients/${other.client.id}`)).status).toBe(401);
  });

  it('the client approves, or asks for changes with a comment', async () => {
    const browser = await portalFor(acme.client.id);
    const when = new Date(clock.now() + 86_400_000).toISOString();
    const yes = t.herald.services.posts.create({ accountId: acme.facebook.id, caption: 'Sourdough Saturday', scheduledAt: when, status: 'scheduled' }, { kind: 'system' });
    const no = t.herald.services.posts.create({ accountId: acme.facebook.id, caption: 'Buy buy buy', scheduledAt: when, status: 'scheduled' }, { kind: 'system' });
    const { html } = await browser.get('/portal/posts');
    expect(html).toContain('Sourdough Saturday');
    expect((await browser.post(`/portal/posts/${yes.id}/approve`, {})).status).toBe(303);
    expect((await browser.post(`/portal/posts/${no.id}/reject`, { comment: 'Too pushy, please soften' })).status).toBe(303);
    expect(t.herald.services.posts.get(yes.id)).toMatchObject({ status: 'scheduled', approvedBy: 'the client (portal)' });
    expect(t.herald.services.posts.get(no.id)).toMatchObject({ status: 'rejected', reviewComment: 'Too pushy, please soften' });
    expect(t.herald.services.posts.logs(no.id).at(-1)!.message).toBe('Rejected: Too pushy, please soften (the client (portal))');
  });

  it('portal forms need the portal session\'s CSRF token', async () => {
    const browser = await portalFor(acme.client.id);
    expect((await browser.post(`/portal/accounts/${acme.tiktok.id}/disable`, {}, { csrf: false })).status).toBe(403);
    expect((await browser.post(`/portal/accounts/${acme.tiktok.id}/disable`, {}, { origin: 'https://evil.example' })).status).toBe(403);
  });
});

describe('OAuth state', () => {
  async function begin(browser: PageClient): Promise<string> {
    const res = await browser.request('/auth/tiktok/start');
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!).searchParams.get('state')!;
  }

  it('a callback with the state this session started connects the accounts', async () => {
    const browser = await portalFor(acme.client.id);
    const state = await begin(browser);
    const res = await browser.request(`/auth/tiktok/callback?code=abc&state=${encodeURIComponent(state)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('acmebakes');
    const account = t.herald.services.accounts.listByClient(acme.client.id).find((a) => a.externalId === 'open-1')!;
    expect(account).toMatchObject({ platform: 'tiktok', status: 'connected' });
    expect(t.herald.services.accounts.tokens(account)).toEqual({ accessToken: 'act.1', refreshToken: 'rft.1' });
  });

  it.each([
    ['a made-up state', async (b: PageClient) => { await begin(b); return 'made-up'; }, /not one Herald started/],
    ['a reused state', async (b: PageClient) => { const s = await begin(b); await b.request(`/auth/tiktok/callback?code=x&state=${encodeURIComponent(s)}`); return s; }, /already used/],
    ['a state from another session', async () => begin(await portalFor(acme.client.id)), /another browser session/],
    ['a state older than 10 minutes', async (b: PageClient) => { const s = await begin(b); clock.advance(11 * 60_000); return s; }, /expired/],
  ])('refuses %s and connects nothing', async (_, makeState, message) => {
    const browser = await portalFor(acme.client.id);
    const state = await makeState(browser);
    const before = vendor.completions;
    const res = await browser.request(`/auth/tiktok/callback?code=x&state=${encodeURIComponent(state)}`);
    clock.set(Date.now());
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(message);
    expect(vendor.completions).toBe(before);
  });

  it('an admin connects for a chosen client; a stranger cannot start at all', async () => {
    expect((await new PageClient(t.herald.app).request('/auth/tiktok/start')).status).toBe(401);
    const admin = new PageClient(t.herald.app);
    await admin.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    const res = await admin.request(`/auth/tiktok/start?clientId=${other.client.id}`);
    const state = new URL(res.headers.get('location')!).searchParams.get('state')!;
    const done = await admin.request(`/auth/tiktok/callback?code=x&state=${encodeURIComponent(state)}`);
    expect(done.status).toBe(200);
    expect(t.herald.services.accounts.listByClient(other.client.id).some((a) => a.externalId === 'open-1')).toBe(true);
    expect((await admin.request('/auth/meta/start?clientId=' + other.client.id)).status).toBe(503);
  });
});
