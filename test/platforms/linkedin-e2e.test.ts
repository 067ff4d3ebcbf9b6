import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeLinkedIn } from '../fakes/linkedin.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { onboardClient } from '../helpers/onboarding.js';
import type { PageClient } from '../helpers/page-client.js';
import { waitFor } from '../helpers/processes.js';

// LinkedIn through the real server, registered like any network: invite link → portal → LinkedIn's
// consent (the fake) → the Pages and the personal profile → posts published once by the running
// engine → a lost answer reconciled → the refresh job → a revoked token. Plus the write-time checks.

const APP = {
  clientId: 'li-client',
  clientSecret: 'li-secret',
  scopes: [
    'openid',
    'profile',
    'w_member_social',
    'w_organization_social',
    'r_organization_social',
    'rw_organization_admin',
  ],
};
const PERSON = 'urn:li:person:jAnE-42';
const BAKERY = 'urn:li:organization:2414183';

let li: FakeLinkedIn;
let live: LiveHerald;
let portal: PageClient;
let admin: PageClient;
let clientId: string;

const accounts = () => live.herald.services.accounts.listByClient(clientId);
const account = (name: string) => accounts().find((a) => a.name === name)!;
const status = (id: string) => live.herald.services.posts.get(id).status;

/** The portal's connect button, LinkedIn's consent, and the way back to Herald's callback. */
async function connect(): Promise<{ status: number; html: string }> {
  const { html } = await portal.get('/portal');
  expect(html).toContain('action="/auth/linkedin/start"');
  const start = await portal.post('/auth/linkedin/start', {});
  expect(start.status).toBe(303);
  const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const back = new URL(consent.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(`${live.url}/auth/linkedin/callback`);
  const res = await portal.request(`${back.pathname}${back.search}`);
  return { status: res.status, html: await res.text() };
}

/** A post due now, through the service as the engine's other tests make them. */
async function post(accountName: string, caption: string, media: Buffer[] = []): Promise<string> {
  const mediaIds: string[] = [];
  for (const file of media) mediaIds.push((await live.herald.services.media.ingest([file], { clientId })).id);
  return live.herald.services.posts.create(
    {
      accountId: account(accountName).id,
      caption,
      mediaIds,
      scheduledAt: new Date().toISOString(),
      status: 'scheduled',
    },
    { kind: 'system' },
  ).id;
}

beforeAll(async () => {
  li = new FakeLinkedIn({ ...APP, redirectUris: [], refreshTokens: false });
  const url = await li.start();
  live = await startLiveHerald(
    {
      LINKEDIN_CLIENT_ID: APP.clientId,
      LINKEDIN_CLIENT_SECRET: APP.clientSecret,
      LINKEDIN_AUTH_URL: `${url}/oauth/v2`,
      LINKEDIN_API_URL: url,
      LINKEDIN_API_VERSION: '202511',
    },
    {
      // Bounds, not speeds: an upload waited for longer than this fails the post, so on a loaded machine
      // (the whole suite on two cores) a tight bound made the image post fail now and then.
      platformOptions: { linkedin: { pollIntervalMs: 20, mediaTimeoutMs: 15_000, lookupSettleMs: 500 } },
      engine: { backoffBaseMs: 50, backoffCapMs: 200, settleMs: 200 },
      // The reconciler every second instead of every 30 (the lost answer below).
      schedules: { reconcile: '* * * * * *' },
    },
  );
  li.app.redirectUris.push(`${live.url}/auth/linkedin/callback`);
  ({ clientId, portal, admin } = await onboardClient(live));
});

afterAll(async () => {
  await live?.close();
  await li?.stop();
});

describe('connecting LinkedIn through the invite link', () => {
  it('connects each administered Page and the personal profile, labelled, with the reconnect note', async () => {
    const res = await connect();
    expect(res.status).toBe(200);
    expect(res.html).toContain('Jane Doe (personal profile)');
    expect(res.html).toContain('reconnect LinkedIn within 60 days');
    const list = accounts();
    expect(list.map((a) => [a.platform, a.externalId, a.name])).toEqual(
      expect.arrayContaining([
        ['linkedin', BAKERY, 'Acme Bakery'],
        ['linkedin', 'urn:li:organization:5550001', 'Acme Labs'],
        ['linkedin', PERSON, 'Jane Doe (personal profile)'],
      ]),
    );
    expect(list).toHaveLength(3);
    // Not a Page the member only analyses.
    expect(list.some((a) => a.name === 'Someone Else Inc')).toBe(false);

    // The portal and the admin client page name the profile as one and say when to reconnect.
    const portalHtml = (await portal.get('/portal')).html;
    expect(portalHtml).toMatch(
      /<span class="platform platform-linkedin">LinkedIn<\/span> Jane Doe \(personal profile\)/,
    );
    expect(portalHtml).toContain('<span class="platform platform-linkedin">LinkedIn</span> Acme Bakery');
    expect(portalHtml.match(/reconnect LinkedIn within 60 days/g)).toHaveLength(3);
    const clientHtml = (await admin.get(`/clients/${clientId}`)).html;
    expect(clientHtml).toContain('Jane Doe (personal profile)');
    expect(clientHtml.match(/reconnect LinkedIn within 60 days/g)).toHaveLength(3);
    // The Settings page shows the redirect URL to register with LinkedIn.
    expect((await admin.get('/settings')).html).toContain(`${live.url}/auth/linkedin/callback`);
  });
});

describe('publishing to LinkedIn', () => {
  it('a Page text post and a profile image post go out once each, by the running engine', async () => {
    const page = await post('Acme Bakery', 'Fresh rye on Saturday');
    const profile = await post('Jane Doe (personal profile)', 'Proud of the team', [
      await makeImage(1200, 1200, 'png'),
    ]);
    await waitFor(() => [page, profile].every((id) => status(id) === 'published'), 60_000, 'both posts');
    const live_ = li.livePosts();
    expect(live_.filter((p) => p.commentary === 'Fresh rye on Saturday').map((p) => p.author)).toEqual([BAKERY]);
    expect(live_.filter((p) => p.commentary === 'Proud of the team').map((p) => p.author)).toEqual([PERSON]);
    expect(live_.find((p) => p.author === PERSON)!.content).toMatchObject({ media: { id: expect.any(String) } });
    expect(live.herald.services.posts.get(page).permalink).toMatch(/linkedin\.com\/feed\/update\/urn:li:/);
  });

  it('a lost answer to the create call is looked up and settled without a second post', async () => {
    li.inject({ method: 'POST', path: /^\/rest\/posts$/, fault: { kind: 'lose-response' } });
    const lookups = () => li.calls(/^\/rest\/posts$/, 'GET').filter((r) => r.query.q === 'author').length;
    const before = li.calls(/^\/rest\/posts$/, 'POST').length;
    const lookupsBefore = lookups();
    const id = await post('Acme Labs', 'Open lab day in May');
    await waitFor(() => status(id) === 'published', 20_000, `the lost post (${status(id)})`);
    expect(li.livePosts().filter((p) => p.commentary === 'Open lab day in May')).toHaveLength(1);
    expect(li.calls(/^\/rest\/posts$/, 'POST').length - before).toBe(1);
    // The answer was lost: the reconciler asked LinkedIn for the author's posts before settling it.
    expect(lookups()).toBeGreaterThan(lookupsBefore);
  });
});

describe('LinkedIn write-time checks through the app', () => {
  const tooLong = 'Bread. '.repeat(500);

  it('the editor refuses an over-limit caption with a field error and keeps it', async () => {
    const when = new Date(Date.now() + 5 * 3_600_000);
    const local = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/Berlin',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(when)
      .replace(' ', 'T');
    await admin.get(`/posts/new?clientId=${clientId}`);
    const res = await admin.post('/posts', {
      clientId,
      accountId: account('Acme Bakery').id,
      caption: tooLong,
      scheduledAt: local,
      intent: 'schedule',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/class="field-error"[^>]*>[^<]*LinkedIn allows at most 3,000 characters \(this has 3,500/);
    expect(html).toContain('Bread. Bread.');
  });

  it('the API answers validation_failed on the caption; a fitting caption is accepted', async () => {
    const refused = await live.api('POST', '/posts', { accountId: account('Acme Bakery').id, caption: tooLong });
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as { error: { code: string; details: Record<string, string[]> } };
    expect(error.code).toBe('validation_failed');
    expect(error.details.caption?.join(' ')).toMatch(/LinkedIn allows at most 3,000 characters/);
    const ok = await live.api('POST', '/posts', {
      accountId: account('Acme Bakery').id,
      caption: 'Bread. '.repeat(400),
    });
    expect(ok.status).toBe(201);
  });
});

describe('keeping LinkedIn access alive', () => {
  it('with refresh tokens: reconnecting drops the note, and the refresh job renews a token due soon', async () => {
    li.app.refreshTokens = true;
    expect((await connect()).status).toBe(200);
    expect(accounts()).toHaveLength(3);
    expect((await portal.get('/portal')).html).not.toContain('reconnect LinkedIn within');
    expect((await admin.get(`/clients/${clientId}`)).html).not.toContain('reconnect LinkedIn within');

    const labs = account('Acme Labs');
    const oldAccess = live.herald.services.accounts.tokens(labs).accessToken;
    live.herald.repos.accounts.update(labs.id, { tokenExpiresAt: Date.now() + 2 * 3_600_000 });
    const res = await live.api('POST', '/jobs/refresh-tokens/run');
    expect(res.status).toBe(202);
    await waitFor(
      () => (live.herald.services.accounts.get(labs.id).tokenExpiresAt ?? 0) > Date.now() + 50 * 86_400_000,
      10_000,
      'the refreshed token',
    );
    expect(live.herald.services.accounts.tokens(account('Acme Labs')).accessToken).not.toBe(oldAccess);
    const grants = li.calls(/^\/oauth\/v2\/accessToken$/).map((r) => (r.body as Record<string, string>).grant_type);
    expect(grants.filter((g) => g === 'refresh_token')).toHaveLength(1);
    // The renewed token publishes.
    const id = await post('Acme Labs', 'Renewed and posting');
    await waitFor(() => status(id) === 'published', 20_000, 'the post with the renewed token');
  });

  it('a revoked token: the account needs reconnecting, its post waits, nothing is sent', async () => {
    li.revoke();
    const bakery = account('Acme Bakery');
    const id = await post('Acme Bakery', 'This one cannot go');
    await waitFor(
      () => live.herald.services.accounts.get(bakery.id).status === 'needs_reauth',
      20_000,
      'the account to need reconnecting',
    );
    expect(status(id)).toBe('scheduled');
    expect(li.livePosts().some((p) => p.commentary === 'This one cannot go')).toBe(false);
    expect((await portal.get('/portal')).html).toContain('Please reconnect');
  });
});
