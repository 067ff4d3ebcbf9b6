// What an editor assigned one client of three sees in the browser: every list, search, count, calendar, export,
// event, result and picker holds only that client; asking for another client by id is "not found". An owner still
// sees every client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';
import { type EmailHarness, emailHarness } from '../notify/email-harness.js';

const OWNER = { email: 'owner@agency.test', password: 'correct horse battery staple' };
const EDITOR = { email: 'editor@agency.test', password: 'another horse battery staple' };
const ADMIN = { email: 'admin@agency.test', password: 'an admin horse battery staple' };
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

/** Seeds clients A, B and C with look-alike content, each marked with the client's own word. */
function seedThree(t: TestHerald) {
  const { posts } = t.herald.services;
  const system = { kind: 'system' } as const;
  const make = (name: string, word: string) => {
    const seeded = seedClient(t, { name, approvalMode: 'admin' });
    const { facebook } = seeded;
    // Awaiting approval (the dashboard's list and count), scheduled soon (upcoming, calendar), and failed.
    const pending = posts.create(
      { accountId: facebook.id, caption: `${word} awaiting`, scheduledAt: at(3), status: 'scheduled' },
      system,
    );
    posts.create({ accountId: facebook.id, caption: `${word} draft`, status: 'draft' }, system);
    const failed = posts.create({ accountId: facebook.id, caption: `${word} failed`, status: 'draft' }, system);
    t.herald.repos.posts.update(failed.id, { status: 'failed', scheduledAt: T0 - HOUR, lastError: `${word} broke` });
    t.herald.repos.posts.insertLog({
      postId: pending.id,
      attemptId: null,
      step: 'send',
      level: 'info',
      message: `${word} log line`,
      code: null,
      request: null,
      durationMs: null,
      createdAt: T0,
    });
    t.herald.repos.accounts.update(seeded.instagram.id, { status: 'needs_reauth' });
    return { id: seeded.client.id, pending: pending.id };
  };
  return {
    a: make('Alpha Bakery', 'Alphaword'),
    b: make('Bravo Cafe', 'Bravoword'),
    c: make('Charlie Deli', 'Charlieword'),
  };
}

const OTHERS = ['Bravo', 'Charlie'];
const expectOnlyA = (text: string) => {
  for (const word of OTHERS) expect(text).not.toContain(word);
};

describe('an editor assigned one client sees only that client in the browser', () => {
  let t: TestHerald;
  let owner: PageClient;
  let editor: PageClient;
  let admin: PageClient;
  let seeded: ReturnType<typeof seedThree>;

  beforeAll(async () => {
    t = await makeHerald({ ADMIN_EMAIL: OWNER.email, ADMIN_PASSWORD: OWNER.password }, { clock: new ManualClock(T0) });
    await t.herald.services.auth.ensureConfiguredAdmin();
    seeded = seedThree(t);
    const member = await t.herald.services.auth.createAdmin({ ...EDITOR, role: 'editor' });
    t.herald.repos.auth.setMemberClients(member.id, [seeded.a.id]);
    // An admin with an assignment row left over (from when they were an editor) still sees every client.
    const promoted = await t.herald.services.auth.createAdmin({ ...ADMIN, role: 'admin' });
    t.herald.repos.auth.setMemberClients(promoted.id, [seeded.a.id]);
    owner = new PageClient(t.herald.app);
    editor = new PageClient(t.herald.app);
    admin = new PageClient(t.herald.app);
    for (const [client, who] of [
      [owner, OWNER],
      [editor, EDITOR],
      [admin, ADMIN],
    ] as const) {
      const res = await client.post('/login', who);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/');
    }
  });
  afterAll(() => t?.close());

  const lists = [
    '/',
    '/clients',
    '/clients?q=a',
    '/clients?status=active',
    '/pipeline',
    '/pipeline?status=failed',
    '/calendar',
    '/calendar?clientId=all&view=week&date=2026-03-02',
    '/events',
    '/logs',
    '/results',
  ];

  it.each(lists)('%s shows the editor client A only; an owner and an admin all three', async (path) => {
    const mine = await editor.get(path);
    expect(mine.res.status).toBe(200);
    expect(mine.html).toContain('Alpha');
    expectOnlyA(mine.html);
    for (const everyone of [owner, admin]) {
      const all = await everyone.get(path);
      expect(all.res.status).toBe(200);
      for (const word of ['Alpha', ...OTHERS]) expect(all.html).toContain(word);
    }
  });

  it('the dashboard counts only the editor client', async () => {
    const count = (html: string, label: RegExp) =>
      Number(label.exec(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '))?.[1]);
    const awaiting = /Awaiting approval (\d+)/;
    const attention = /Needs attention \(last 30 days\) (\d+)/;
    const owners = (await owner.get('/')).html;
    const editors = (await editor.get('/')).html;
    expect([count(owners, awaiting), count(owners, attention)]).toEqual([3, 3]);
    expect([count(editors, awaiting), count(editors, attention)]).toEqual([1, 1]);
  });

  it('the pipeline CSV export holds client A posts only', async () => {
    const mine = await editor.request('/pipeline/export.csv');
    expect(mine.status).toBe(200);
    const text = await mine.text();
    expect(text).toContain('Alphaword awaiting');
    expectOnlyA(text);
    const all = await (await owner.request('/pipeline/export.csv')).text();
    for (const word of OTHERS) expect(all).toContain(`${word}word awaiting`);
  });

  it('asking for another client by id is not found, in lists, filters, exports and pages under it', async () => {
    const { b, c } = seeded;
    for (const path of [
      `/pipeline?clientId=${b.id}`,
      `/pipeline/export.csv?clientId=${b.id}`,
      `/calendar?clientId=${c.id}`,
      `/events?clientId=${b.id}`,
      `/logs?clientId=${c.id}`,
      `/posts/new?clientId=${b.id}`,
      `/groups/new?clientId=${b.id}`,
      `/rules/preview?clientId=${b.id}&name=x&pattern=daily&time=09%3A00`,
      `/clients/${b.id}`,
      `/clients/${b.id}/posts.csv`,
      `/clients/${b.id}/logs.csv`,
      `/clients/${c.id}/results`,
      `/clients/${c.id}/results/posts.csv`,
      `/clients/${b.id}/media`,
      `/clients/${b.id}/snippets`,
      `/clients/${b.id}/feeds`,
      `/clients/${b.id}/import`,
    ]) {
      const res = await editor.request(path);
      expect(res.status, path).toBe(404);
      expectOnlyA(await res.text());
      expect((await owner.request(path)).status, `owner ${path}`).toBe(200);
    }
    // However the id is spelled in the address.
    const encoded = `/clients/${b.id.replace('_', '%5F')}/posts.csv`;
    expect((await editor.request(encoded)).status).toBe(404);
    expect((await owner.request(encoded)).status).toBe(200);
    // The editor's own client opens as before.
    expect((await editor.request(`/clients/${seeded.a.id}`)).status).toBe(200);
    expect((await editor.request(`/pipeline?clientId=${seeded.a.id}`)).status).toBe(200);
  });

  it('the new-post pickers start at a client of the member, never the first client of the agency', async () => {
    const third = { email: 'third@agency.test', password: 'a fourth horse battery staple' };
    const member = await t.herald.services.auth.createAdmin({ ...third, role: 'editor' });
    t.herald.repos.auth.setMemberClients(member.id, [seeded.c.id]);
    const page = new PageClient(t.herald.app);
    await page.post('/login', third);
    for (const path of ['/posts/new', '/groups/new']) {
      const { res, html } = await page.get(path);
      expect(res.status, path).toBe(200);
      expect(html, path).toContain('Charlie Deli');
      for (const word of ['Alpha', 'Bravo']) expect(html, path).not.toContain(word);
    }
    // The owner's default is the agency's first client by name.
    expect((await owner.get('/posts/new')).html).toContain('New post for Alpha Bakery');
  });

  it('an editor with no clients assigned sees empty lists, not everything', async () => {
    const lone = { email: 'lone@agency.test', password: 'a third horse battery staple' };
    await t.herald.services.auth.createAdmin({ ...lone, role: 'viewer' });
    const page = new PageClient(t.herald.app);
    await page.post('/login', lone);
    for (const path of ['/', '/clients', '/pipeline', '/events', '/logs', '/results']) {
      const { res, html } = await page.get(path);
      expect(res.status, path).toBe(200);
      for (const word of ['Alpha', ...OTHERS]) expect(html, path).not.toContain(word);
    }
  });
});

describe('notification mails to team members follow their clients', () => {
  let h: EmailHarness;
  afterAll(() => h?.close());

  it('an editor is mailed about their client events only; an owner about every event', async () => {
    h = await emailHarness(T0);
    const { auth, clients } = h.t.herald.services;
    const [a, b] = ['Alpha Bakery', 'Bravo Cafe'].map((name) => clients.create({ name, timezone: 'UTC' }));
    await auth.createAdmin({ ...OWNER, role: 'owner' });
    const editor = await auth.createAdmin({ ...EDITOR, role: 'editor' });
    h.t.herald.repos.auth.setMemberClients(editor.id, [a!.id]);
    // post.failed is mailed at once to every member who wants it (the catalog's default).
    const failed = (clientId: string | null, title: string) =>
      h.emit('post.failed', clientId, { title, text: 'Refused.', url: '/pipeline' });
    failed(a!.id, 'Alpha post failed');
    failed(b!.id, 'Bravo post failed');
    failed(null, 'Agency-wide trouble');
    await h.pass();
    const subjectsTo = (email: string) =>
      h.smtp.received
        .filter((m) => m.envelopeTo.includes(email))
        .map((m) => m.parsed.subject)
        .sort();
    expect(subjectsTo(EDITOR.email)).toEqual(['Alpha post failed']);
    expect(subjectsTo(OWNER.email)).toEqual(['Agency-wide trouble', 'Alpha post failed', 'Bravo post failed']);
  });
});
