import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

let t: TestHerald;
let browser: PageClient;
let clientId: string;

const labelRows = () =>
  t.herald.database.sqlite.prepare('SELECT id, name, color FROM labels ORDER BY lower(name)').all() as Array<{
    id: string;
    name: string;
    color: string;
  }>;

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
  await t.herald.services.auth.ensureConfiguredAdmin();
  clientId = seedClient(t).client.id;
  browser = new PageClient(t.herald.app);
  await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await browser.get('/');
});
afterAll(() => t.close());

describe('Settings → Labels', () => {
  it('is linked from Settings and starts empty, offering the palette', async () => {
    expect((await browser.get('/settings')).html).toContain('href="/settings/labels"');
    const { res, html } = await browser.get('/settings/labels');
    expect(res.status).toBe(200);
    expect(html).toContain('No labels yet.');
    expect(html).toContain('<datalist id="label-palette">');
    expect(html).toContain('<option value="#e03131">');
  });

  it('creates a label and lists it with its colour and post count', async () => {
    const res = await browser.post('/settings/labels', { name: 'Summer sale', color: '#F08C00' });
    expect(res.status).toBe(303);
    expect(labelRows()).toEqual([expect.objectContaining({ name: 'Summer sale', color: '#f08c00' })]);
    const { html } = await browser.get('/settings/labels');
    expect(html).toContain('Label &quot;Summer sale&quot; created.');
    expect(html).toMatch(/<circle cx="6" cy="6" r="6" fill="#f08c00"><\/circle><\/svg> Summer sale/);
    expect(html).toMatch(/Summer sale<\/span><\/td><td>0<\/td>/);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'a duplicate name in another case',
      { name: 'SUMMER SALE', color: '#2f9e44' },
      '&quot;Summer sale&quot; already exists',
    ],
    ['no name', { name: '', color: '#2f9e44' }, 'is required'],
    ['a colour that is not #rrggbb', { name: 'Other', color: 'javascript:alert(1)' }, 'must be a colour like #1971c2'],
  ])('shows %s again with the error and what was typed (422), writing nothing', async (_, fields, error) => {
    const before = labelRows();
    const res = await browser.post('/settings/labels', fields);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain(error);
    if (fields.name) expect(html).toContain(`value="${fields.name}"`);
    expect(labelRows()).toEqual(before);
  });

  it('renames and recolours a label; a clash shows that row open with its error', async () => {
    await browser.post('/settings/labels', { name: 'Recipes', color: '#2f9e44' });
    const recipes = labelRows().find((l) => l.name === 'Recipes')!;
    expect(
      (await browser.post(`/settings/labels/${recipes.id}`, { name: 'Recipes pillar', color: '#1971c2' })).status,
    ).toBe(303);
    expect(labelRows().find((l) => l.id === recipes.id)).toMatchObject({ name: 'Recipes pillar', color: '#1971c2' });
    const clash = await browser.post(`/settings/labels/${recipes.id}`, { name: 'summer sale', color: '#1971c2' });
    expect(clash.status).toBe(422);
    const html = await clash.text();
    expect(html).toMatch(new RegExp(`id="label-${recipes.id}"><td>.*?<details open="">`, 's'));
    expect(labelRows().find((l) => l.id === recipes.id)?.name).toBe('Recipes pillar');
  });

  it('asks before deleting, then deletes the label and takes it off posts', async () => {
    const label = labelRows().find((l) => l.name === 'Recipes pillar')!;
    const { html } = await browser.get(`/settings/labels/${label.id}/delete`);
    expect(html).toContain('Delete <span class="label-chip">');
    expect(labelRows()).toHaveLength(2);
    expect((await browser.post(`/settings/labels/${label.id}/delete`, {})).status).toBe(303);
    expect(labelRows().map((l) => l.name)).toEqual(['Summer sale']);
    expect((await browser.get(`/settings/labels/${label.id}/delete`)).res.status).toBe(404);
  });

  it('refuses a change without the CSRF token', async () => {
    const res = await browser.post('/settings/labels', { name: 'Sneaky', color: '#123456' }, { csrf: false });
    expect(res.status).toBe(403);
    expect(labelRows().map((l) => l.name)).not.toContain('Sneaky');
  });
});

describe('rule form: labels', () => {
  it('offers the labels as checkboxes and saves the chosen ones on the rule', async () => {
    const summer = labelRows().find((l) => l.name === 'Summer sale')!;
    const { html } = await browser.get(`/clients/${clientId}/rules/new`);
    expect(html).toContain(`<input type="checkbox" name="labels" value="${summer.id}"/>`);
    const res = await browser.post(`/clients/${clientId}/rules`, {
      name: 'Labelled rule',
      scheduleMode: 'weekly',
      days: ['1'],
      hours: ['9'],
      minute: '0',
      media: 'none',
      horizonDays: '7',
      active: 'true',
      labels: [summer.id],
    });
    expect(res.status).toBe(303);
    const rule = t.herald.repos.rules.listByClient(clientId).find((r) => r.name === 'Labelled rule')!;
    expect(t.herald.repos.labels.ofRule(rule.id)).toEqual([summer.id]);
    const edit = await browser.get(`/rules/${rule.id}/edit`);
    expect(edit.html).toContain(`<input type="checkbox" name="labels" value="${summer.id}" checked=""/>`);
    // Unticking every label clears them.
    await browser.post(`/rules/${rule.id}`, {
      name: 'Labelled rule',
      scheduleMode: 'weekly',
      days: ['1'],
      hours: ['9'],
      minute: '0',
      media: 'none',
      horizonDays: '7',
      active: 'true',
    });
    expect(t.herald.repos.labels.ofRule(rule.id)).toEqual([]);
  });

  it('shows an unknown label id as a field error (422)', async () => {
    const res = await browser.post(`/clients/${clientId}/rules`, {
      name: 'Bad labels',
      scheduleMode: 'weekly',
      days: ['1'],
      hours: ['9'],
      minute: '0',
      media: 'none',
      horizonDays: '7',
      active: 'true',
      labels: ['lbl_forged'],
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('no such label: lbl_forged');
  });
});
