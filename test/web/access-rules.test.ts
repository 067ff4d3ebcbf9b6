import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hoursFromNow, json, makeHerald, seedClient, TEST_ORIGIN } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// What the role matrix cannot show: the four-eyes rule of admin approval for editors, who wrote a post, and what
// the pages show each role.

const PASSWORD = 'correct horse battery staple';
const t = await makeHerald({ ADMIN_EMAIL: 'owner@agency.test', ADMIN_PASSWORD: PASSWORD });
const owner = (await t.herald.services.auth.ensureConfiguredAdmin())!;
const { services, repos } = t.herald;
const A = seedClient(t, { name: 'Client A', approvalMode: 'admin' });
const B = seedClient(t, { name: 'Client B', approvalMode: 'admin' });
const editor = await services.auth.createAdmin({ email: 'editor@agency.test', password: PASSWORD, role: 'editor' });
const viewer = await services.auth.createAdmin({ email: 'viewer@agency.test', password: PASSWORD, role: 'viewer' });
const admin = await services.auth.createAdmin({ email: 'admin@agency.test', password: PASSWORD, role: 'admin' });
repos.auth.setMemberClients(editor.id, [A.client.id]);
repos.auth.setMemberClients(viewer.id, [A.client.id]);

const tokenOf = (memberId: string) => services.apiTokens.create({ name: 'script', scope: 'admin' }, memberId).token;
const tokens = { editor: tokenOf(editor.id), admin: tokenOf(admin.id) };
function api(token: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.herald.app.request(`${TEST_ORIGIN}/api/v1${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}
const scheduled = (caption: string, account = A.facebook.id) => ({
  accountId: account,
  caption,
  status: 'scheduled',
  scheduledAt: hoursFromNow(24),
});

async function signIn(email: string): Promise<PageClient> {
  const browser = new PageClient(t.herald.app);
  expect((await browser.post('/login', { email, password: PASSWORD })).status).toBe(303);
  await browser.get('/settings');
  return browser;
}
let pages: { editor: PageClient; viewer: PageClient; owner: PageClient };
beforeAll(async () => {
  pages = {
    editor: await signIn(editor.email),
    viewer: await signIn(viewer.email),
    owner: await signIn(owner.email),
  };
});
afterAll(() => t.close());

describe('admin approval: someone other than the writer approves an editor’s post', () => {
  it('an editor scheduling a post waits for approval, and the post records the editor as its author', async () => {
    const res = await api(tokens.editor, 'POST', '/posts', scheduled('Editor wrote this'));
    expect(res.status).toBe(201);
    const post = await json(res);
    expect(post.status).toBe('pending_approval');
    expect(repos.posts.get(post.id)!.authorId).toBe(editor.id);
  });

  it('the editor cannot approve it (API and page); an admin can', async () => {
    const post = await json(await api(tokens.editor, 'POST', '/posts', scheduled('Mine')));
    const refused = await api(tokens.editor, 'POST', `/posts/${post.id}/approve`, {});
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.code).toBe('forbidden');
    const page = await pages.editor.post(`/posts/${post.id}/do/approve`, {});
    expect(page.status).toBe(403);
    expect(await page.text()).toMatch(/you wrote this one[\s\S]*Editor/);
    expect(repos.posts.get(post.id)!.status).toBe('pending_approval');

    const approved = await api(tokens.admin, 'POST', `/posts/${post.id}/approve`, {});
    expect(approved.status).toBe(200);
    expect(repos.posts.get(post.id)!.status).toBe('scheduled');
  });

  it('"publish now" does not let the editor past the rule either', async () => {
    const post = await json(await api(tokens.editor, 'POST', '/posts', scheduled('Now')));
    const asEditor = {
      kind: 'admin',
      id: editor.id,
      email: editor.email,
      access: { role: 'editor', clientIds: [A.client.id] },
    } as const;
    expect(() => services.posts.publishNow(post.id, asEditor)).toThrow(/you wrote this one/);
    expect(repos.posts.get(post.id)!.status).toBe('pending_approval');
  });

  it('the editor may approve a post someone else wrote', async () => {
    const post = await json(
      await api(tokens.admin, 'POST', '/posts', { ...scheduled('Admin draft'), status: 'draft' }),
    );
    expect((await pages.owner.post(`/posts/${post.id}/do/submit`, {})).status).toBeLessThan(400);
    expect(repos.posts.get(post.id)!.status).toBe('pending_approval');
    const res = await api(tokens.editor, 'POST', `/posts/${post.id}/approve`, {});
    expect(res.status).toBe(200);
    expect(repos.posts.get(post.id)!.status).toBe('scheduled');
  });

  it('an editor changing the words of an approved post sends it back for approval and becomes its author', async () => {
    const post = await json(await api(tokens.admin, 'POST', '/posts', scheduled('Admin wrote this')));
    expect(post.status).toBe('scheduled');
    expect(repos.posts.get(post.id)!.authorId).toBe(admin.id);
    const res = await api(tokens.editor, 'PATCH', `/posts/${post.id}`, { version: post.version, caption: 'Edited' });
    expect(res.status).toBe(200);
    const after = repos.posts.get(post.id)!;
    expect(after.status).toBe('pending_approval');
    expect(after.authorId).toBe(editor.id);
  });
});

describe('outside the member’s clients', () => {
  it('a post of an unassigned client is not found, on the page and in the API, and cannot be written to', async () => {
    const post = services.posts.create({ accountId: B.facebook.id, caption: 'B' }, { kind: 'system' });
    const page = await pages.editor.get(`/posts/${post.id}`);
    expect(page.res.status).toBe(404);
    expect(page.html).toContain('Post was not found.');
    expect((await api(tokens.editor, 'GET', `/posts/${post.id}`)).status).toBe(404);
    const created = await api(tokens.editor, 'POST', '/posts', scheduled('Into B', B.facebook.id));
    expect(created.status).toBe(400);
    expect((await json(created)).error.details).toEqual({ accountId: ['no such account'] });
  });
});

describe('pages show what the role may do', () => {
  it('a refused page names the role and what it allows, with a link home', async () => {
    const { res, html } = await pages.viewer.get('/system');
    expect(res.status).toBe(403);
    expect(html).toContain('Your role is <strong>Viewer</strong>');
    expect(html).toContain('Viewers may see the posts');
    expect(html).toContain('href="/"');
  });

  it('a client page shows managing accounts and the client only to owners and admins', async () => {
    const forEditor = (await pages.editor.get(`/clients/${A.client.id}`)).html;
    for (const hidden of ['Archive client', 'Create invite link', `/accounts/${A.facebook.id}/delete`, '/edit"']) {
      expect(forEditor).not.toContain(hidden);
    }
    const forOwner = (await pages.owner.get(`/clients/${A.client.id}`)).html;
    for (const shown of ['Archive client', 'Create invite link', `/accounts/${A.facebook.id}/delete`]) {
      expect(forOwner).toContain(shown);
    }
    expect((await pages.viewer.get('/clients')).html).not.toContain('href="/clients/new"');
  });

  it('the post page offers approval only to who may give it, and no actions to a viewer', async () => {
    const post = await json(await api(tokens.editor, 'POST', '/posts', scheduled('Shown')));
    const approve = `/posts/${post.id}/do/approve`;
    expect((await pages.editor.get(`/posts/${post.id}`)).html).not.toContain(approve);
    expect((await pages.editor.get(`/posts/${post.id}`)).html).toContain(`/posts/${post.id}/do/cancel`);
    expect((await pages.owner.get(`/posts/${post.id}`)).html).toContain(approve);
    const forViewer = (await pages.viewer.get(`/posts/${post.id}`)).html;
    expect(forViewer).not.toContain(approve);
    expect(forViewer).not.toContain(`/posts/${post.id}/do/cancel`);
    expect(forViewer).not.toContain('value="publish_now"');
    expect((await pages.editor.get(`/posts/${post.id}`)).html).toContain('value="save"');
    expect((await pages.viewer.get('/pipeline')).html).not.toContain('href="/posts/new');
  });

  it('editors and viewers see no System link and no tokens or agency settings; owners do', async () => {
    for (const browser of [pages.editor, pages.viewer]) {
      const { html } = await browser.get('/settings');
      expect(html).not.toContain('href="/system"');
      expect(html).not.toContain('API tokens');
      expect(html).not.toContain('action="/settings/agency"');
      expect(html).toContain('action="/settings/password"');
    }
    const { html } = await pages.owner.get('/settings');
    expect(html).toContain('href="/system"');
    expect(html).toContain('API tokens');
  });
});

describe('the services refuse on their own, whatever calls them', () => {
  const asEditor = {
    kind: 'admin',
    id: editor.id,
    email: editor.email,
    access: { role: 'editor', clientIds: [A.client.id] },
  } as const;
  const asViewer = { ...asEditor, id: viewer.id, access: { role: 'viewer', clientIds: [A.client.id] } } as const;

  it('a role that may not act: forbidden; a client outside the member’s: not found; nothing is written', async () => {
    const rules = repos.rules.listByClient(B.client.id).length;
    expect(() => services.rules.create(B.client.id, { name: 'R', cron: '0 9 * * *' }, asEditor)).toThrow(
      /Client was not found/,
    );
    expect(repos.rules.listByClient(B.client.id)).toHaveLength(rules);
    expect(() => services.rules.create(A.client.id, { name: 'R', cron: '0 9 * * *' }, asViewer)).toThrow(
      /may read this client but not change it/,
    );
    expect(() => services.labels.create({ name: 'Mine', color: '#1971c2' }, asEditor)).toThrow(/Only admins/);
    expect(() => services.clients.create({ name: 'New', timezone: 'UTC' }, asEditor)).toThrow(/Only admins/);
    expect(() => services.accounts.delete(A.tiktok.id, asEditor)).toThrow(/connect or remove accounts/);
    expect(() => services.snippets.create(A.client.id, { name: 'S', text: 'x' }, asViewer)).toThrow(/not change/);
    await expect(
      services.feeds.create(B.client.id, { url: 'http://127.0.0.1:9/x.xml', accountIds: [] }, {}, asEditor),
    ).rejects.toThrow(/not found/);
    expect(repos.accounts.get(A.tiktok.id)).toBeDefined();
    expect(services.rules.create(A.client.id, { name: 'Editor rule', cron: '0 9 * * *' }, asEditor).name).toBe(
      'Editor rule',
    );
  });
});
