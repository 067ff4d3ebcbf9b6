import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

let t: TestHerald;
let browser: PageClient;
let acme: string;
let other: string;

const snippetsOf = (clientId: string) => t.herald.repos.snippets.listByClient(clientId);

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
  await t.herald.services.auth.ensureConfiguredAdmin();
  acme = seedClient(t).client.id;
  other = seedClient(t, { name: 'Other Co' }).client.id;
  browser = new PageClient(t.herald.app);
  await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await browser.get('/');
});
afterAll(() => t.close());

describe('client page: snippets', () => {
  it('shows an empty Snippets section with an add form', async () => {
    const { html } = await browser.get(`/clients/${acme}`);
    expect(html).toContain('<section class="card" id="snippets">');
    expect(html).toContain('No snippets yet.');
    expect(html).toContain(`action="/clients/${acme}/snippets"`);
  });

  it('adds a snippet and lists it on the client page, escaped', async () => {
    const res = await browser.post(`/clients/${acme}/snippets`, {
      name: 'Tags <b>',
      text: '#bread #bakery <script>alert(1)</script>',
      kind: 'hashtags',
      forAi: 'true',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/clients/${acme}#snippets`);
    expect(snippetsOf(acme)).toEqual([expect.objectContaining({ name: 'Tags <b>', kind: 'hashtags', forAi: true })]);
    const { html } = await browser.get(`/clients/${acme}`);
    expect(html).toContain('<strong>Tags &lt;b&gt;</strong>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('shows a refused snippet again with its errors and what was typed (422)', async () => {
    const res = await browser.post(`/clients/${acme}/snippets`, { name: 'TAGS <B>', text: 'again', kind: 'cta' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('this client already has a snippet &quot;Tags &lt;b&gt;&quot;');
    expect(html).toContain('value="TAGS &lt;B&gt;"');
    const long = await browser.post(`/clients/${acme}/snippets`, {
      name: 'Long',
      text: 'x'.repeat(2001),
      kind: 'other',
    });
    expect(long.status).toBe(422);
    expect(await long.text()).toContain('must be at most 2,000 characters');
    expect(snippetsOf(acme)).toHaveLength(1);
  });

  it('edits a snippet (kind, text, AI flag off) and deletes it', async () => {
    const [s] = snippetsOf(acme);
    expect((await browser.post(`/snippets/${s!.id}`, { name: 'Tags', text: 'Order today', kind: 'cta' })).status).toBe(
      303,
    );
    expect(snippetsOf(acme)[0]).toMatchObject({ name: 'Tags', text: 'Order today', kind: 'cta', forAi: false });
    expect((await browser.post(`/snippets/${s!.id}/delete`, {})).status).toBe(303);
    expect(snippetsOf(acme)).toEqual([]);
  });

  it("answers 404 for another client's snippet through this client's page, and for unknown ids", async () => {
    const theirs = t.herald.services.snippets.create(other, { name: 'Theirs', text: 'private' });
    // Scoped to a client, another client's snippet does not exist.
    expect(() => t.herald.services.snippets.get(theirs.id, { clientId: acme })).toThrow('Snippet was not found.');
    expect(() => t.herald.services.snippets.update(theirs.id, { text: 'x' }, undefined, { clientId: acme })).toThrow(
      'Snippet was not found.',
    );
    expect(() => t.herald.services.snippets.delete(theirs.id, undefined, { clientId: acme })).toThrow(
      'Snippet was not found.',
    );
    expect(snippetsOf(other)).toHaveLength(1);
    expect((await browser.post('/snippets/snp_nope', { name: 'x', text: 'y' })).status).toBe(404);
    expect((await browser.get(`/clients/${acme}`)).html).not.toContain('Theirs');
  });
});
