import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

describe('labels API', () => {
  let t: TestHerald;
  let clientId: string;
  let seeded: ReturnType<typeof seedClient>;
  beforeAll(async () => {
    t = await makeHerald();
    seeded = seedClient(t);
    clientId = seeded.client.id;
  });
  afterAll(() => t.close());

  it('creates a label, stores its colour lower-case and lists it with its post count', async () => {
    const res = await t.api('POST', '/labels', { name: 'Summer sale', color: '#E03131' });
    expect(res.status).toBe(201);
    const label = await json(res);
    expect(label).toMatchObject({ name: 'Summer sale', color: '#e03131' });
    expect(label.id).toMatch(/^lbl_/);
    const list = await json(await t.api('GET', '/labels'));
    expect(list.data).toEqual([expect.objectContaining({ id: label.id, name: 'Summer sale', posts: 0 })]);
    expect(list.nextCursor).toBeNull();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no name', { color: '#123456' }, 'name'],
    ['an empty name', { name: '  ', color: '#123456' }, 'name'],
    ['a name of 61 characters', { name: 'x'.repeat(61), color: '#123456' }, 'name'],
    ['a name with a | (the CSV export joins names with it)', { name: 'Summer|sale', color: '#123456' }, 'name'],
    ['a colour name', { name: 'A', color: 'red' }, 'color'],
    ['a short hex colour', { name: 'A', color: '#fff' }, 'color'],
    ['a colour with alpha', { name: 'A', color: '#11223344' }, 'color'],
    ['an unknown field', { name: 'A', color: '#123456', clientId: 'x' }, '_'],
  ])('refuses %s with validation_failed', async (_, body, field) => {
    const res = await t.api('POST', '/labels', body);
    expect(res.status).toBe(400);
    const err = await json(res);
    expect(err.error.code).toBe('validation_failed');
    expect(Object.keys(err.error.details)).toContain(field);
  });

  it('refuses a name that differs from another only in case, on create and on rename', async () => {
    await t.api('POST', '/labels', { name: 'Pillar: Recipes', color: '#2f9e44' });
    const dup = await t.api('POST', '/labels', { name: 'pillar: RECIPES', color: '#1971c2' });
    expect(dup.status).toBe(400);
    expect((await json(dup)).error.details.name[0]).toContain('"Pillar: Recipes" already exists');
    const other = await json(await t.api('POST', '/labels', { name: 'Launch', color: '#6741d9' }));
    const rename = await t.api('PATCH', `/labels/${other.id}`, { name: 'PILLAR: recipes' });
    expect(rename.status).toBe(400);
    // Renaming a label to its own name in another case is fine.
    const self = await t.api('PATCH', `/labels/${other.id}`, { name: 'LAUNCH', color: '#0C8599' });
    expect(self.status).toBe(200);
    expect(await json(self)).toMatchObject({ name: 'LAUNCH', color: '#0c8599' });
  });

  it('deletes a label (404 afterwards) and answers 404 for an unknown one', async () => {
    const label = await json(await t.api('POST', '/labels', { name: 'Temporary', color: '#868e96' }));
    expect((await t.api('DELETE', `/labels/${label.id}`)).status).toBe(204);
    expect((await t.api('GET', `/labels/${label.id}`)).status).toBe(404);
    expect((await t.api('PATCH', `/labels/${label.id}`, { name: 'x' })).status).toBe(404);
    expect((await t.api('DELETE', `/labels/${label.id}`)).status).toBe(404);
  });

  it('puts labels on a rule (stored in rule_labels), changes them and refuses unknown ids', async () => {
    const a = await json(await t.api('POST', '/labels', { name: 'Rule A', color: '#f08c00' }));
    const b = await json(await t.api('POST', '/labels', { name: 'Rule B', color: '#f5c400' }));
    const created = await t.api('POST', `/clients/${clientId}/rules`, {
      name: 'Daily',
      cron: '0 9 * * *',
      labels: [a.id],
    });
    expect(created.status).toBe(201);
    const rule = await json(created);
    expect(rule.labels).toEqual([a.id]);
    expect(t.herald.repos.labels.ofRule(rule.id)).toEqual([a.id]);
    const patched = await json(await t.api('PATCH', `/rules/${rule.id}`, { labels: [b.id, a.id] }));
    expect(patched.labels.sort()).toEqual([a.id, b.id].sort());
    // A change that does not mention labels keeps them.
    expect((await json(await t.api('PATCH', `/rules/${rule.id}`, { name: 'Daily 2' }))).labels).toHaveLength(2);
    const bad = await t.api('PATCH', `/rules/${rule.id}`, { labels: ['lbl_nope'] });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details.labels[0]).toContain('no such label: lbl_nope');
    expect(t.herald.repos.labels.ofRule(rule.id)).toHaveLength(2);
    // Deleting a label takes it off the rule.
    await t.api('DELETE', `/labels/${b.id}`);
    expect((await json(await t.api('GET', `/rules/${rule.id}`))).labels).toEqual([a.id]);
  });

  it('counts the posts that carry each label', async () => {
    const label = await json(await t.api('POST', '/labels', { name: 'Counted', color: '#343a40' }));
    for (const caption of ['Bread', 'Cake']) {
      const res = await t.api('POST', '/posts', { accountId: seeded.facebook.id, caption, labels: [label.id] });
      expect(res.status).toBe(201);
    }
    const list = await json(await t.api('GET', '/labels'));
    expect(list.data.find((l: any) => l.id === label.id).posts).toBe(2);
  });

  it('needs the write scope to change labels', async () => {
    const { token } = t.herald.services.apiTokens.create({ name: 'reader', scope: 'read' });
    const headers = { authorization: `Bearer ${token}` };
    expect((await t.api('GET', '/labels', undefined, headers)).status).toBe(200);
    expect((await t.api('POST', '/labels', { name: 'R', color: '#123456' }, headers)).status).toBe(403);
  });
});
