import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// A client portal session is only as good as the access it came from: it ends with its invite
// link (expired or revoked), and archiving the client ends all of them for good.

const HOUR = 3_600_000;
const clock = new ManualClock(Date.now());
let t: TestHerald;

function portalSessionsOf(clientId: string): Array<{ expiresAt: number; inviteId: string }> {
  return t.herald.database.sqlite
    .prepare(
      "SELECT expires_at AS expiresAt, invite_id AS inviteId FROM sessions WHERE kind = 'portal' AND client_id = ?",
    )
    .all(clientId) as Array<{ expiresAt: number; inviteId: string }>;
}

/** Opens the portal from an invite link in a new browser; returns it and the cookie's Max-Age. */
async function openPortal(url: string): Promise<{ browser: PageClient; maxAge: number }> {
  const browser = new PageClient(t.herald.app);
  const res = await browser.request(new URL(url).pathname);
  expect(res.status).toBe(303);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('herald_portal='))!;
  expect((await browser.get('/portal')).res.status).toBe(200);
  return { browser, maxAge: Number(/Max-Age=(\d+)/i.exec(cookie)![1]) };
}

const portalStatus = async (browser: PageClient) => (await browser.request('/portal')).status;
const linkStatus = async (url: string) => (await new PageClient(t.herald.app).request(new URL(url).pathname)).status;

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' }, { clock });
  await t.herald.services.auth.ensureConfiguredAdmin();
});

/** An admin signed in now (the clock moves on in these tests, past an admin session's idle end). */
async function signedInAdmin(): Promise<PageClient> {
  const admin = new PageClient(t.herald.app);
  await admin.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await admin.get('/clients');
  return admin;
}
afterAll(() => t.close());

describe('a portal session and its invite', () => {
  it('never outlives the invite, however busy the client keeps it', async () => {
    const { client } = seedClient(t, { name: 'Short Link Co' });
    const { url, invite } = t.herald.services.clients.createInvite(client.id, 1);
    const { browser, maxAge } = await openPortal(url);
    expect(maxAge).toBeLessThanOrEqual(24 * 3600);
    expect(portalSessionsOf(client.id)[0]!.expiresAt).toBeLessThanOrEqual(invite.expiresAt);
    // Used every few hours, the session slides, but never past the invite's end.
    for (let i = 0; i < 7; i++) {
      clock.advance(3 * HOUR);
      expect(await portalStatus(browser)).toBe(200);
      expect(portalSessionsOf(client.id)[0]!.expiresAt).toBeLessThanOrEqual(invite.expiresAt);
    }
    clock.set(invite.expiresAt + 1);
    expect(await portalStatus(browser)).toBe(401);
    expect(portalSessionsOf(client.id)).toHaveLength(0);
  });

  it('ends on the next request once the invite is revoked, however that happened', async () => {
    const { client } = seedClient(t, { name: 'Revoked Co' });
    const { url, invite } = t.herald.services.clients.createInvite(client.id);
    const { browser } = await openPortal(url);
    // Written straight to the database (another process, a restore of an older state...):
    // the session still ends, because every request checks its invite.
    t.herald.repos.clients.updateInvite(invite.id, { revokedAt: clock.now() });
    expect(await portalStatus(browser)).toBe(401);
    expect(portalSessionsOf(client.id)).toHaveLength(0);
  });

  it('ends on the next request once the invite has expired, whatever the session said', async () => {
    const { client } = seedClient(t, { name: 'Shortened Co' });
    const { url, invite } = t.herald.services.clients.createInvite(client.id);
    const { browser } = await openPortal(url);
    t.herald.repos.clients.updateInvite(invite.id, { expiresAt: clock.now() + HOUR });
    expect(await portalStatus(browser)).toBe(200);
    clock.advance(HOUR + 1);
    expect(await portalStatus(browser)).toBe(401);
  });
});

describe('archiving a client', () => {
  async function setUp(name: string) {
    const { client } = seedClient(t, { name });
    const { clients } = t.herald.services;
    const links = [clients.createInvite(client.id), clients.createInvite(client.id)];
    const portals = [await openPortal(links[0]!.url), await openPortal(links[1]!.url), await openPortal(links[1]!.url)];
    expect(portalSessionsOf(client.id)).toHaveLength(3);
    return { client, links, portals: portals.map((p) => p.browser) };
  }

  async function expectAccessGone(clientId: string, links: Array<{ url: string }>, portals: PageClient[]) {
    expect(portalSessionsOf(clientId)).toHaveLength(0);
    expect(t.herald.services.clients.invites(clientId).every((i) => i.revokedAt !== null)).toBe(true);
    for (const portal of portals) expect(await portalStatus(portal)).toBe(401);
    for (const link of links) expect(await linkStatus(link.url)).toBe(404);
  }

  it.each([
    [
      'from its page',
      async (id: string) => {
        const res = await (await signedInAdmin()).post(`/clients/${id}/archive`, {});
        expect(res.headers.get('location')).toBe('/clients');
        return res;
      },
    ],
    ['through the API', (id: string) => t.api('DELETE', `/clients/${id}`)],
  ])('%s deletes its portal sessions and revokes its invites; restoring it revives neither', async (_, archive) => {
    const bystander = seedClient(t, { name: 'Bystander' });
    const bystanderLink = t.herald.services.clients.createInvite(bystander.client.id);
    const { browser: bystanderPortal } = await openPortal(bystanderLink.url);
    const { client, links, portals } = await setUp('Archived Co');

    expect((await archive(client.id)).status).toBeLessThan(400);
    await expectAccessGone(client.id, links, portals);

    const restored = await t.api('PATCH', `/clients/${client.id}`, { status: 'active' });
    expect(restored.status).toBe(200);
    await expectAccessGone(client.id, links, portals);
    // Another client's portal is untouched; this client gets access again only by a new invite.
    expect(await portalStatus(bystanderPortal)).toBe(200);
    const fresh = await openPortal(t.herald.services.clients.createInvite(client.id).url);
    expect(await portalStatus(fresh.browser)).toBe(200);
  });
});
