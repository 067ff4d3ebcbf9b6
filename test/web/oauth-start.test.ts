import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTikTok } from '../fakes/tiktok.js';
import { makeHerald, seedClient, TEST_ORIGIN, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// A connection to a vendor starts only from Herald's own pages: the connect button is a form that
// posts the session's CSRF token. A bare GET (a link anywhere, an <img>, a top-level navigation
// from another site) answers 403 and never sends the browser to the vendor.

const TIKTOK = { clientKey: 'tt-start-key', clientSecret: 'tt-start-secret' };
const PASSWORD = 'correct horse battery staple';

let t: TestHerald;
let tiktok: FakeTikTok;
let tiktokUrl: string;
let clientId: string;

const states = () => {
  const row = t.herald.database.sqlite.prepare('SELECT count(*) AS n FROM oauth_states').get() as { n: number };
  return row.n;
};

/** The connect form for `connector` on a page: its action and the CSRF token it carries. */
function connectForm(html: string, connector: string): { action: string; csrf: string } {
  const forms = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/g) ?? [];
  const form = forms.find((f) => f.includes(`action="/auth/${connector}/start`))!;
  expect(form, `a connect form for ${connector}`).toBeDefined();
  expect(form).toMatch(/method="post"/);
  const action = /action="([^"]+)"/.exec(form)![1]!.replace(/&amp;/g, '&');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
  return { action, csrf };
}

async function portalBrowser(): Promise<{ browser: PageClient; html: string }> {
  const { url } = t.herald.services.clients.createInvite(clientId);
  const browser = new PageClient(t.herald.app);
  await browser.request(new URL(url).pathname);
  const { html } = await browser.get('/portal');
  return { browser, html };
}

async function adminBrowser(): Promise<{ browser: PageClient; html: string }> {
  const browser = new PageClient(t.herald.app);
  await browser.post('/login', { email: 'admin@agency.test', password: PASSWORD });
  const { html } = await browser.get(`/clients/${clientId}`);
  return { browser, html };
}

/** Refused without a redirect anywhere and without a flow begun. */
async function expectRefused(res: Promise<Response>, before: number): Promise<void> {
  const answer = await res;
  expect(answer.status).toBe(403);
  expect(answer.headers.get('location')).toBeNull();
  expect(states()).toBe(before);
}

beforeAll(async () => {
  tiktok = new FakeTikTok(TIKTOK);
  tiktokUrl = await tiktok.start();
  t = await makeHerald({
    ADMIN_EMAIL: 'admin@agency.test',
    ADMIN_PASSWORD: PASSWORD,
    TIKTOK_CLIENT_KEY: TIKTOK.clientKey,
    TIKTOK_CLIENT_SECRET: TIKTOK.clientSecret,
    TIKTOK_API_URL: tiktokUrl,
    TIKTOK_AUTH_URL: `${tiktokUrl}/v2/auth/authorize/`,
  });
  await t.herald.services.auth.ensureConfiguredAdmin();
  clientId = seedClient(t).client.id;
});
afterAll(async () => {
  await t?.close();
  await tiktok?.stop();
});

describe('the client portal', () => {
  it('starts from the connect button on the portal page', async () => {
    const { browser, html } = await portalBrowser();
    const form = connectForm(html, 'tiktok');
    expect(form.action).toBe('/auth/tiktok/start');
    const before = states();
    const res = await browser.post(form.action, { _csrf: form.csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')!.startsWith(`${tiktokUrl}/v2/auth/authorize/`)).toBe(true);
    expect(states()).toBe(before + 1);
  });

  it('a bare GET answers 403, even with the token in the address', async () => {
    const { browser, html } = await portalBrowser();
    const { csrf } = connectForm(html, 'tiktok');
    const before = states();
    await expectRefused(browser.request('/auth/tiktok/start'), before);
    await expectRefused(browser.request(`/auth/tiktok/start?_csrf=${csrf}`), before);
    const sameOrigin = { headers: { 'sec-fetch-site': 'same-origin' } };
    await expectRefused(browser.request('/auth/tiktok/start', sameOrigin), before);
  });

  it('a POST without the token, with a made-up one, or from another site answers 403', async () => {
    const { browser, html } = await portalBrowser();
    const { csrf } = connectForm(html, 'tiktok');
    const before = states();
    await expectRefused(browser.post('/auth/tiktok/start', {}, { csrf: false }), before);
    await expectRefused(browser.post('/auth/tiktok/start', { _csrf: 'made-up-token' }), before);
    const evil = { origin: 'https://evil.example' };
    await expectRefused(browser.post('/auth/tiktok/start', { _csrf: csrf }, evil), before);
    await expectRefused(browser.post('/auth/tiktok/start', { _csrf: csrf }, { origin: null }), before);
  });

  it("another session's token answers 403", async () => {
    const mine = await portalBrowser();
    const theirs = await portalBrowser();
    const before = states();
    const theirToken = connectForm(theirs.html, 'tiktok').csrf;
    await expectRefused(mine.browser.post('/auth/tiktok/start', { _csrf: theirToken }), before);
    // Nor does the admin's token start the portal's flow.
    const admin = await adminBrowser();
    const adminToken = connectForm(admin.html, 'tiktok').csrf;
    await expectRefused(mine.browser.post('/auth/tiktok/start', { _csrf: adminToken }), before);
  });
});

describe('an admin connecting for a client', () => {
  it('starts from the connect button on the client page', async () => {
    const { browser, html } = await adminBrowser();
    const form = connectForm(html, 'tiktok');
    expect(form.action).toBe(`/auth/tiktok/start?clientId=${clientId}`);
    const res = await browser.post(form.action, { _csrf: form.csrf });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!).origin).toBe(tiktokUrl);
  });

  it('a bare GET answers 403 and never goes to the vendor', async () => {
    const { browser } = await adminBrowser();
    const before = states();
    await expectRefused(browser.request(`/auth/tiktok/start?clientId=${clientId}`), before);
    await expectRefused(browser.request(`${TEST_ORIGIN}/auth/meta/start?clientId=${clientId}`), before);
  });

  it("another session's token answers 403", async () => {
    const mine = await adminBrowser();
    const theirs = await adminBrowser();
    const portal = await portalBrowser();
    const before = states();
    const path = `/auth/tiktok/start?clientId=${clientId}`;
    await expectRefused(mine.browser.post(path, { _csrf: connectForm(theirs.html, 'tiktok').csrf }), before);
    await expectRefused(mine.browser.post(path, { _csrf: connectForm(portal.html, 'tiktok').csrf }), before);
  });
});
