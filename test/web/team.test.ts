// The team pages and joining: an owner invites a teammate by email through a real SMTP server, the mailed link
// (the one shown to copy) opens over real HTTP and works once, and not after 7 days; removing a member ends their
// session and API token at once; the last owner stays; admins cannot touch owners; joining through single sign-on.
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/actor.js';
import { ManualClock } from '../../src/lib/clock.js';
import { TestIdp } from '../fakes/oidc-idp.js';
import { makeHerald, seedClient, TEST_ORIGIN, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';
import { type EmailHarness, emailHarness, linkAfter } from '../notify/email-harness.js';

const T0 = Date.parse('2026-11-30T09:00:00Z');
const DAY = 86_400_000;
const OWNER = { email: 'olivia@agency.test', password: 'the owner password' };
const JOIN = {
  via: 'password',
  name: 'Eddie',
  password: 'eddie long password',
  confirmPassword: 'eddie long password',
};

let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.map((o) => o.close()));
  open = [];
});

async function signIn(t: TestHerald, who: { email: string; password: string }, origin = TEST_ORIGIN) {
  const browser = new PageClient(t.herald.app, origin);
  expect((await browser.post('/login', who)).status).toBe(303);
  await browser.get('/');
  return browser;
}

function audit(t: TestHerald, kind: string) {
  return t.herald.database.sqlite
    .prepare(
      'SELECT actor_kind, actor_id, actor_label, target_id, summary, before, after, ip FROM audit_log WHERE kind = ?',
    )
    .all(kind) as Array<Record<string, string | null>>;
}

const linkOnPage = (html: string) =>
  /id="invite-url"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="invite-url"/.exec(html);

function shownLink(html: string): string {
  const m = linkOnPage(html);
  if (!m) throw new Error('no invitation link on the page');
  return (m[1] ?? m[2])!;
}

/** A signed-in member made through an invitation (the service path the pages use). */
async function joined(t: TestHerald, email: string, role: string, clientIds: string[] = []) {
  const { url } = t.herald.services.members.invite(SYSTEM, { email, role, clientIds });
  const password = `${email} long password`;
  const browser = new PageClient(t.herald.app, new URL(url).origin);
  await browser.get(new URL(url).pathname);
  const res = await browser.post(new URL(url).pathname, { via: 'password', password, confirmPassword: password });
  expect(res.status).toBe(303);
  await browser.get('/');
  return { browser, member: t.herald.repos.auth.adminByEmail(email)!, password };
}

describe('inviting a teammate by email', () => {
  let h: EmailHarness;

  it('mails the link that is shown once; it opens over HTTP, works once, and grants the role and clients', async () => {
    h = await emailHarness(T0);
    open.push(h);
    const { t } = h;
    t.herald.services.settings.updateAgency({ agencyName: 'Northwind Social' });
    await t.herald.services.auth.createAdmin(OWNER);
    const acme = seedClient(t).client;
    const bravo = seedClient(t, { name: 'Bravo Bikes' }).client;
    seedClient(t, { name: 'Charlie Cafe' });
    const owner = await signIn(t, OWNER, h.base);

    const page = await owner.post('/team/invites', {
      email: 'Eddie@Agency.test',
      role: 'editor',
      clientIds: [acme.id, bravo.id],
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('The invitation is on its way to eddie@agency.test');
    const link = shownLink(html);
    expect(link).toMatch(new RegExp(`^${h.base}/join/[A-Za-z0-9_.-]{40,}$`));
    const secret = link.split('/').pop()!;

    // Only the hash is kept: the secret is in no row of the invitation, the outbox or the trail.
    const db = t.herald.database.sqlite;
    const stored = JSON.stringify([
      db.prepare('SELECT * FROM member_invites').all(),
      db.prepare('SELECT * FROM events').all(),
      db.prepare('SELECT * FROM deliveries').all(),
      db.prepare('SELECT * FROM audit_log').all(),
    ]);
    expect(stored).not.toContain(secret);
    // Queued with the invitation, to the invited address alone (no webhook or admin hears of it).
    expect(db.prepare("SELECT channel, target FROM deliveries WHERE status = 'pending'").all()).toEqual([
      { channel: 'email', target: expect.stringMatching(/^invite:minv_/) },
    ]);

    await h.pass();
    expect(h.smtp.received).toHaveLength(1);
    const mail = h.smtp.received[0]!;
    expect(mail.envelopeTo).toEqual(['eddie@agency.test']);
    expect(mail.parsed.subject).toBe('Join Northwind Social on Herald');
    expect(mail.parsed.text).toContain('olivia@agency.test invited you to join the team of Northwind Social');
    expect(mail.parsed.text).toContain('as an Editor for Acme Bakery, Bravo Bikes');
    expect(linkAfter(mail.parsed.text ?? '', 'Join the team')).toBe(link);

    // The mailed link, opened as a mail reader would: over real HTTP.
    const opened = await fetch(link);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('You will sign in as <strong>eddie@agency.test</strong>');

    const eddie = new PageClient(t.herald.app, h.base);
    const path = new URL(link).pathname;
    await eddie.get(path);
    const short = await eddie.post(path, { ...JOIN, password: 'short', confirmPassword: 'short' });
    expect(short.status).toBe(422);
    expect(await short.text()).toMatch(/id="password-error"[^>]*>must be at least 10 characters/);
    const ok = await eddie.post(path, JOIN);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
    expect((await eddie.get('/')).res.status).toBe(200);

    const member = t.herald.repos.auth.adminByEmail('eddie@agency.test')!;
    expect(member).toMatchObject({ role: 'editor', name: 'Eddie' });
    expect(t.herald.repos.auth.memberClientIds(member.id)).toEqual([acme.id, bravo.id].sort());

    // Once: a second use (another browser, the same link) is refused and makes nobody.
    const again = await new PageClient(t.herald.app, h.base).post(path, { ...JOIN, name: 'Mallory' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('This invitation was used already');
    expect((await fetch(link)).status).toBe(409);
    expect(t.herald.services.auth.admins()).toHaveLength(2);

    const team = (await owner.get('/team')).html;
    expect(team).toMatch(/eddie@agency\.test.*?Editor.*?Acme Bakery, Bravo Bikes/s);
    expect(team).not.toContain('id="invite-url"');
    expect(audit(t, 'member.invite')).toMatchObject([{ actor_label: OWNER.email, summary: expect.any(String) }]);
    expect(audit(t, 'member.join')).toMatchObject([
      { actor_id: member.id, target_id: member.id, ip: expect.any(String) },
    ]);
  });

  it('keeps the mail when SMTP is down and sends it once it is back', async () => {
    h = await emailHarness(T0);
    open.push(h);
    h.smtp.mode = '421';
    const { url } = h.t.herald.services.members.invite(SYSTEM, { email: 'vera@agency.test', role: 'admin' });
    await h.pass();
    expect(h.smtp.received).toHaveLength(0);
    const pending = h.t.herald.database.sqlite.prepare('SELECT status, attempts FROM deliveries').all();
    expect(pending).toEqual([{ status: 'pending', attempts: 1 }]);
    h.smtp.mode = 'ok';
    h.clock.advance(3 * 60 * 60_000);
    await h.pass();
    expect(h.smtp.received).toHaveLength(1);
    expect(linkAfter(h.smtp.received[0]!.parsed.text ?? '', 'Join the team')).toBe(url);
  });

  it('expires after 7 days: the link stops working and a mail not yet sent is not sent', async () => {
    h = await emailHarness(T0);
    open.push(h);
    h.smtp.mode = '421';
    const { url } = h.t.herald.services.members.invite(SYSTEM, { email: 'late@agency.test', role: 'viewer' });
    h.clock.advance(7 * DAY - 60_000);
    expect((await fetch(url)).status).toBe(200);
    h.clock.advance(60_000);
    const res = await fetch(url);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('This invitation has expired');
    const late = new PageClient(h.t.herald.app, h.base);
    expect((await late.post(new URL(url).pathname, JOIN)).status).toBe(409);
    expect(h.t.herald.repos.auth.adminByEmail('late@agency.test')).toBeUndefined();
    h.smtp.mode = 'ok';
    await h.pass();
    expect(h.smtp.received).toHaveLength(0);
  });
});

describe('without email', () => {
  it('shows the link to copy and queues nothing; a withdrawn invitation stops working', async () => {
    const t = await makeHerald({ ADMIN_EMAIL: OWNER.email, ADMIN_PASSWORD: OWNER.password });
    open.push(t);
    await t.herald.services.auth.ensureConfiguredAdmin();
    const owner = await signIn(t, OWNER);
    const res = await owner.post('/team/invites', { email: 'ann@agency.test', role: 'admin' });
    const html = await res.text();
    expect(html).toContain('Send this link to ann@agency.test (email is not set up');
    const link = shownLink(html);
    expect(t.herald.database.sqlite.prepare('SELECT count(*) n FROM events').get()).toEqual({ n: 0 });

    const invite = t.herald.repos.members.pendingInvites(Date.now())[0]!;
    expect((await owner.get('/team')).html).toContain(`action="/team/invites/${invite.id}/revoke"`);
    expect((await owner.post(`/team/invites/${invite.id}/revoke`, {})).status).toBe(303);
    expect((await owner.get('/team')).html).toContain('The invitation of ann@agency.test was withdrawn');
    expect((await new PageClient(t.herald.app).get(new URL(link).pathname)).res.status).toBe(404);
    expect(audit(t, 'member.invite_revoke')).toHaveLength(1);

    // Bad input re-renders the form with the field's error.
    const bad = await owner.post('/team/invites', { email: 'not an email', role: 'editor' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="email-error"[^>]*>must be an email address/);
  });
});

describe('changing and removing members', () => {
  async function team() {
    const t = await makeHerald({ ADMIN_EMAIL: OWNER.email, ADMIN_PASSWORD: OWNER.password });
    open.push(t);
    await t.herald.services.auth.ensureConfiguredAdmin();
    const acme = seedClient(t).client;
    return { t, acme, owner: await signIn(t, OWNER) };
  }

  it('removing a member ends their session and API token at once, in one step', async () => {
    const { t, acme, owner } = await team();
    const editor = await joined(t, 'eddie@agency.test', 'editor', [acme.id]);
    const { token } = t.herald.services.apiTokens.create({ name: 'eddie script', scope: 'write' }, editor.member.id);
    const api = (bearer: string) =>
      t.herald.app.request('/api/v1/clients', { headers: { authorization: `Bearer ${bearer}` } });
    expect((await api(token)).status).toBe(200);

    const confirm = await owner.get(`/team/${editor.member.id}/remove`);
    expect(confirm.html).toContain('Remove eddie@agency.test?');
    expect(confirm.html).toContain('1 open session');
    expect(confirm.html).toContain('1 API token');
    const res = await owner.post(`/team/${editor.member.id}/remove`, {});
    expect(res.status).toBe(303);
    expect((await owner.get('/team')).html).toContain('eddie@agency.test was removed');

    expect((await editor.browser.request('/')).headers.get('location')).toMatch(/^\/login/);
    expect((await api(token)).status).toBe(401);
    const db = t.herald.database.sqlite;
    expect(db.prepare('SELECT count(*) n FROM sessions WHERE admin_id = ?').get(editor.member.id)).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) n FROM api_tokens WHERE created_by = ?').get(editor.member.id)).toEqual({
      n: 0,
    });
    expect(db.prepare('SELECT count(*) n FROM member_clients').get()).toEqual({ n: 0 });
    expect(audit(t, 'member.remove')).toMatchObject([
      { actor_label: OWNER.email, target_id: editor.member.id, before: expect.stringContaining('"sessions":1') },
    ]);
    const login = { email: 'eddie@agency.test', password: editor.password };
    expect((await new PageClient(t.herald.app).post('/login', login)).status).toBe(401);
  });

  it('changes role and clients; nobody changes their own role or removes themselves; one owner stays', async () => {
    const { t, acme, owner } = await team();
    const self = t.herald.repos.auth.adminByEmail(OWNER.email)!;
    const viewer = await joined(t, 'vic@agency.test', 'viewer');

    const saved = await owner.post(`/team/${viewer.member.id}`, { role: 'editor', clientIds: [acme.id] });
    expect(saved.status).toBe(303);
    expect(t.herald.repos.auth.getAdmin(viewer.member.id)!.role).toBe('editor');
    expect(t.herald.repos.auth.memberClientIds(viewer.member.id)).toEqual([acme.id]);
    expect(audit(t, 'member.role')).toMatchObject([{ before: '{"role":"viewer"}', after: '{"role":"editor"}' }]);
    expect(audit(t, 'member.clients')).toMatchObject([
      { before: '{"clientIds":[]}', after: `{"clientIds":["${acme.id}"]}` },
    ]);

    const own = await owner.post(`/team/${self.id}`, { role: 'admin' });
    expect(own.status).toBe(422);
    expect(await own.text()).toContain('You cannot change your own role');
    const removeSelf = await owner.post(`/team/${self.id}/remove`, {});
    expect(removeSelf.status).toBe(422);
    expect(await removeSelf.text()).toContain('You cannot remove yourself');

    // The only owner: not even Herald itself (the command line) removes or demotes them.
    expect(() => t.herald.services.members.remove(SYSTEM, { id: self.id })).toThrow(/only owner and cannot be removed/);
    expect(() => t.herald.services.members.update(SYSTEM, self.id, { role: 'admin' })).toThrow(/only owner/);
    expect(t.herald.repos.auth.getAdmin(self.id)!.role).toBe('owner');
  });

  it('an admin manages editors but cannot touch owners, nor make one; an editor cannot open the team', async () => {
    const { t, acme } = await team();
    const owner = t.herald.repos.auth.adminByEmail(OWNER.email)!;
    const admin = await joined(t, 'ada@agency.test', 'admin');
    const editor = await joined(t, 'eddie@agency.test', 'editor', [acme.id]);

    const page = (await admin.browser.get('/team')).html;
    expect(page).toContain(`href="/team/${editor.member.id}"`);
    expect(page).not.toContain(`href="/team/${owner.id}"`);
    expect(page).not.toContain('<option value="owner"');

    expect((await admin.browser.request(`/team/${owner.id}`)).status).toBe(403);
    expect((await admin.browser.request(`/team/${owner.id}/remove`)).status).toBe(403);
    expect((await admin.browser.post(`/team/${owner.id}`, { role: 'viewer' })).status).toBe(403);
    expect((await admin.browser.post(`/team/${owner.id}/remove`, {})).status).toBe(403);
    expect((await admin.browser.post('/team/invites', { email: 'boss2@agency.test', role: 'owner' })).status).toBe(403);
    expect((await admin.browser.post(`/team/${editor.member.id}`, { role: 'owner' })).status).toBe(403);
    expect(t.herald.repos.auth.getAdmin(owner.id)!.role).toBe('owner');
    expect(t.herald.repos.members.pendingInvites(Date.now())).toEqual([]);

    expect(
      (await admin.browser.post(`/team/${editor.member.id}`, { role: 'viewer', clientIds: [acme.id] })).status,
    ).toBe(303);
    expect(t.herald.repos.auth.getAdmin(editor.member.id)!.role).toBe('viewer');

    expect((await editor.browser.request('/team')).status).toBe(403);
    expect((await editor.browser.post('/team/invites', { email: 'x@agency.test', role: 'viewer' })).status).toBe(403);
  });
});

describe('joining through single sign-on', () => {
  it('binds the invitation at the callback when the provider vouches for the invited address', async () => {
    const idp = new TestIdp({
      clientId: 'herald-admin',
      clientSecret: 'idp-client-secret',
      redirectUri: `${TEST_ORIGIN}/auth/oidc/callback`,
    });
    await idp.start();
    open.push({ close: () => idp.stop() });
    idp.users.set('u-sam', { email: 'Sam@Agency.test', emailVerified: true, name: 'Sam' });
    idp.users.set('u-other', { email: 'other@elsewhere.test', emailVerified: true });
    const clock = new ManualClock(Date.now());
    const t = await makeHerald(
      { OIDC_ISSUER: idp.url, OIDC_CLIENT_ID: 'herald-admin', OIDC_CLIENT_SECRET: 'idp-client-secret' },
      { clock },
    );
    open.push(t);
    await t.herald.services.auth.createAdmin(OWNER);
    const { url } = t.herald.services.members.invite(SYSTEM, { email: 'sam@agency.test', role: 'viewer' });
    const path = new URL(url).pathname;

    // Someone else at the provider: refused, and the invitation still works.
    idp.signInAs = 'u-other';
    const stranger = new PageClient(t.herald.app);
    expect((await stranger.get(path)).html).toContain('Join with single sign-on');
    const away = await stranger.post(path, { via: 'sso' });
    expect(away.status).toBe(302);
    const refused = await stranger.follow(away.headers.get('location')!);
    expect(refused.res.status).toBe(401);
    expect(await refused.res.text()).toContain('The invitation is for sam@agency.test');
    expect(t.herald.repos.auth.adminByEmail('sam@agency.test')).toBeUndefined();

    idp.signInAs = 'u-sam';
    const sam = new PageClient(t.herald.app);
    await sam.get(path);
    const start = await sam.post(path, { via: 'sso' });
    const end = await sam.follow(start.headers.get('location')!);
    expect(end.res.status).toBe(200);
    expect(end.url).toBe(`${TEST_ORIGIN}/`);
    const member = t.herald.repos.auth.adminByEmail('sam@agency.test')!;
    expect(member).toMatchObject({ role: 'viewer', name: 'Sam', oidcSubject: `${idp.url} u-sam`, passwordHash: null });
    expect(audit(t, 'member.join')).toMatchObject([
      { actor_id: member.id, after: expect.stringContaining('"via":"sso"') },
    ]);
    // Used: the link is spent, and the next sign-on is an ordinary sign-in.
    expect((await new PageClient(t.herald.app).get(path)).res.status).toBe(409);
    const next = new PageClient(t.herald.app);
    const again = await next.follow('/auth/oidc/start?next=/');
    expect(again.res.status).toBe(200);
  });
});
