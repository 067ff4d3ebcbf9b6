import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

const PASSWORD = 'correct horse battery staple';
let t: TestHerald;
let clientId: string;

async function portal(): Promise<PageClient> {
  const { url } = t.herald.services.clients.createInvite(clientId);
  const browser = new PageClient(t.herald.app);
  await browser.request(new URL(url).pathname);
  return browser;
}

async function signedIn(email: string): Promise<PageClient> {
  const browser = new PageClient(t.herald.app);
  await browser.post('/login', { email, password: PASSWORD });
  return browser;
}

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'owner@agency.test', ADMIN_PASSWORD: PASSWORD });
  await t.herald.services.auth.ensureConfiguredAdmin();
  clientId = seedClient(t, { approvalMode: 'client' }).client.id;
  const editor = await t.herald.services.auth.createAdmin({
    email: 'editor@agency.test',
    password: PASSWORD,
    role: 'editor',
  });
  t.herald.repos.auth.setMemberClients(editor.id, [clientId]);
});
afterAll(async () => t?.close());

describe('the portal without an agency name, and the prompt to set one', () => {
  it('words the portal without a placeholder name, lower-case after the semicolon', async () => {
    const { html } = await (await portal()).get('/portal');
    expect(html).not.toMatch(/your agency/i);
    expect(html).toContain('You sign in with each platform yourself; nobody here sees your passwords');
    expect(html).not.toMatch(/yourself; [A-Z]/);
    expect(html).toContain('<span class="brand">Acme Bakery</span>');
  });

  it('prompts who may set the name on the dashboard, until it is set', async () => {
    const owner = await signedIn('owner@agency.test');
    const editor = await signedIn('editor@agency.test');
    const before = (await owner.get('/')).html;
    expect(before).toContain('id="agency-unnamed"');
    expect(before).toContain('href="/settings#agency"');
    const settings = (await owner.get('/settings')).html;
    expect(settings).toContain('id="agency"');
    // The field is empty, not filled with a stand-in name that would read as set.
    expect(settings).toMatch(/<input[^>]*name="agencyName"[^>]*value=""/);
    // An editor may not set it: no prompt they cannot act on.
    expect((await editor.get('/')).html).not.toContain('id="agency-unnamed"');

    t.herald.services.settings.updateAgency({ agencyName: 'Sunny Agency' });
    expect((await owner.get('/')).html).not.toContain('id="agency-unnamed"');
    const named = (await (await portal()).get('/portal')).html;
    expect(named).toContain('You sign in with each platform yourself; Sunny Agency never sees your passwords');
  });
});
