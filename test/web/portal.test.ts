import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { FakeTikTok } from '../fakes/tiktok.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// TikTok is the vendor here (its fake, through Herald's real connector): the portal's OAuth
// state handling is the same for both vendors, and TikTok's consent is one redirect.
const TIKTOK = { clientKey: 'tt-portal-key', clientSecret: 'tt-portal-secret' };

const clock = new ManualClock(Date.now());
let t: TestHerald;
let tiktok: FakeTikTok;
let acme: ReturnType<typeof seedClient>;
let other: ReturnType<typeof seedClient>;
const tokenExchanges = () =>
  tiktok.calls(/\/v2\/oauth\/token\//).filter((r) => r.body?.grant_type === 'authorization_code').length;

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
  tiktok = new FakeTikTok(TIKTOK);
  const tiktokUrl = await tiktok.start();
  t = await makeHerald(
    {
      ADMIN_EMAIL: 'admin@agency.test',
      ADMIN_PASSWORD: 'correct horse battery staple',
      TIKTOK_CLIENT_KEY: TIKTOK.clientKey,
      TIKTOK_CLIENT_SECRET: TIKTOK.clientSecret,
      TIKTOK_API_URL: tiktokUrl,
      TIKTOK_AUTH_URL: `${tiktokUrl}/v2/auth/authorize/`,
    },
    { clock },
  );
  await t.herald.services.auth.ensureConfiguredAdmin();
  t.herald.services.settings.updateAgency({ agencyName: 'Sunny Agency' });
  acme = seedClient(t, { approvalMode: 'client' });
  other = seedClient(t, { name: 'Other Co', approvalMode: 'client' });
});
afterAll(async () => {
  await t?.close();
  await tiktok?.stop();
});

describe('client portal', () => {
  it('opens from the invite link with its own session and shows the agency and the client', async () => {
    const browser = await portalFor(acme.client.id);
    expect(browser.cookies.has('herald_portal')).toBe(true);
    expect(browser.cookies.has('herald_session')).toBe(false);
    const { html } = await browser.get('/portal');
    expect(html).toContain('Sunny Agency');
    expect(html).toContain('Welcome, Acme Bakery');
    expect(html).toContain('action="/auth/tiktok/start"');
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
    const theirs = t.herald.services.posts.create(
      {
        accountId: other.facebook.id,
        caption: 'not yours',
        scheduledAt: new Date(clock.now() + 86_400_000).toISOString(),
        status: 'scheduled',
      },
      { kind: 'system' },
    );
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
    const yes = t.herald.services.posts.create(
      { accountId: acme.facebook.id, caption: 'Sourdough Saturday', scheduledAt: when, status: 'scheduled' },
      { kind: 'system' },
    );
    const no = t.herald.services.posts.create(
      { accountId: acme.facebook.id, caption: 'Buy buy buy', scheduledAt: when, status: 'scheduled' },
      { kind: 'system' },
    );
    const { html } = await browser.get('/portal/posts');
    expect(html).toContain('Sourdough Saturday');
    expect((await browser.post(`/portal/posts/${yes.id}/approve`, {})).status).toBe(303);
    expect((await browser.post(`/portal/posts/${no.id}/reject`, { comment: 'Too pushy, please soften' })).status).toBe(
      303,
    );
    expect(t.herald.services.posts.get(yes.id)).toMatchObject({
      status: 'scheduled',
      approvedBy: 'the client (portal)',
    });
    expect(t.herald.services.posts.get(no.id)).toMatchObject({
      status: 'rejected',
      reviewComment: 'Too pushy, please soften',
    });
    expect(t.herald.services.posts.logs(no.id).at(-1)!.message).toBe(
      'Rejected: Too pushy, please soften (the client (portal))',
    );
  });

  it("portal forms need the portal session's CSRF token", async () => {
    const browser = await portalFor(acme.client.id);
    expect((await browser.post(`/portal/accounts/${acme.tiktok.id}/disable`, {}, { csrf: false })).status).toBe(403);
    expect(
      (await browser.post(`/portal/accounts/${acme.tiktok.id}/disable`, {}, { origin: 'https://evil.example' })).status,
    ).toBe(403);
  });
});

describe('OAuth state', () => {
  /** Starts connecting TikTok as the page's connect form does; returns the state in the consent link. */
  async function begin(browser: PageClient, path = '/auth/tiktok/start'): Promise<{ state: string; consent: string }> {
    const res = await browser.post(path, {});
    expect(res.status).toBe(303);
    const consent = res.headers.get('location')!;
    return { state: new URL(consent).searchParams.get('state')!, consent };
  }

  /** The person agrees at TikTok; the browser comes back to Herald's callback. */
  async function consentAndReturn(browser: PageClient, consent: string): Promise<Response> {
    const answer = await fetch(consent, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    const back = new URL(answer.headers.get('location')!);
    return browser.request(`${back.pathname}${back.search}`);
  }

  it('a callback with the state this session started connects the accounts', async () => {
    const browser = await portalFor(acme.client.id);
    const { consent } = await begin(browser);
    const res = await consentAndReturn(browser, consent);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(tiktok.user.username);
    const account = t.herald.services.accounts
      .listByClient(acme.client.id)
      .find((a) => a.externalId === tiktok.user.openId)!;
    expect(account).toMatchObject({ platform: 'tiktok', status: 'connected' });
    // The audit trail has the connection as the client's own, made in the portal.
    const entry = t.herald.repos.audit.list({ kind: 'account.connect', clientId: acme.client.id, limit: 1 }).data[0];
    expect(entry).toMatchObject({ actorKind: 'client', actorLabel: 'the client (portal)', targetId: account.id });
    // The tokens TikTok issued, sealed at rest and readable only through the service.
    const issued = tiktok.calls(/\/v2\/oauth\/token\//).at(-1)!;
    expect(issued.body.grant_type).toBe('authorization_code');
    expect(t.herald.services.accounts.tokens(account).accessToken).toMatch(/\S{10,}/);
  });

  it.each([
    [
      'a made-up state',
      async (b: PageClient) => {
        await begin(b);
        return 'made-up';
      },
      /not one Herald started/,
    ],
    [
      'a reused state',
      async (b: PageClient) => {
        const { state, consent } = await begin(b);
        await consentAndReturn(b, consent);
        return state;
      },
      /already used/,
    ],
    [
      'a state from another session',
      async () => (await begin(await portalFor(acme.client.id))).state,
      /another browser session/,
    ],
    [
      'a state older than 10 minutes',
      async (b: PageClient) => {
        const { state } = await begin(b);
        clock.advance(11 * 60_000);
        return state;
      },
      /expired/,
    ],
  ])('refuses %s and connects nothing', async (_, makeState, message) => {
    const browser = await portalFor(acme.client.id);
    const state = await makeState(browser);
    const before = tokenExchanges();
    const res = await browser.request(`/auth/tiktok/callback?code=x&state=${encodeURIComponent(state)}`);
    clock.set(Date.now());
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(message);
    expect(tokenExchanges()).toBe(before);
  });

  it('an admin connects for a chosen client; a stranger cannot start at all', async () => {
    expect((await new PageClient(t.herald.app).post('/auth/tiktok/start', {})).status).toBe(401);
    const admin = new PageClient(t.herald.app);
    await admin.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    const { html } = await admin.get(`/clients/${other.client.id}`);
    expect(html).toContain(`action="/auth/tiktok/start?clientId=${other.client.id}"`);
    const { consent } = await begin(admin, `/auth/tiktok/start?clientId=${other.client.id}`);
    expect((await consentAndReturn(admin, consent)).status).toBe(200);
    expect(
      t.herald.services.accounts.listByClient(other.client.id).some((a) => a.externalId === tiktok.user.openId),
    ).toBe(true);
    expect((await admin.post(`/auth/meta/start?clientId=${other.client.id}`, {})).status).toBe(503);
  });
});
