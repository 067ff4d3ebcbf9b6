import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

describe('snippets API', () => {
  let t: TestHerald;
  let acme: string;
  let other: string;
  beforeAll(async () => {
    t = await makeHerald();
    acme = seedClient(t).client.id;
    other = seedClient(t, { name: 'Other Co' }).client.id;
  });
  afterAll(() => t.close());

  it('creates a snippet with defaults (kind other, for the AI) and lists it for its client only', async () => {
    const res = await t.api('POST', `/clients/${acme}/snippets`, { name: 'Bakery tags', text: '#bread #bakery\r\n' });
    expect(res.status).toBe(201);
    const snippet = await json(res);
    expect(snippet).toMatchObject({
      clientId: acme,
      name: 'Bakery tags',
      text: '#bread #bakery',
      kind: 'other',
      forAi: true,
    });
    expect((await json(await t.api('GET', `/clients/${acme}/snippets`))).data).toEqual([snippet]);
    expect((await json(await t.api('GET', `/clients/${other}/snippets`))).data).toEqual([]);
    expect((await t.api('GET', '/clients/cli_nope/snippets')).status).toBe(404);
  });

  it('takes a kind and the AI flag, and changes them', async () => {
    const s = await json(
      await t.api('POST', `/clients/${acme}/snippets`, {
        name: 'Sign-off',
        text: '— the Acme team',
        kind: 'signature',
        forAi: false,
      }),
    );
    expect(s).toMatchObject({ kind: 'signature', forAi: false });
    const patched = await json(
      await t.api('PATCH', `/snippets/${s.id}`, { kind: 'cta', forAi: true, text: 'Order now!' }),
    );
    expect(patched).toMatchObject({ name: 'Sign-off', kind: 'cta', forAi: true, text: 'Order now!' });
    expect(t.herald.repos.snippets.forAi(acme).map((x) => x.name)).toContain('Sign-off');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no name', { text: 'x' }, 'name'],
    ['no text', { name: 'Empty' }, 'text'],
    ['blank text', { name: 'Blank', text: '   ' }, 'text'],
    ['text over 2,000 characters', { name: 'Long', text: 'x'.repeat(2001) }, 'text'],
    ['an unknown kind', { name: 'K', text: 'x', kind: 'emoji' }, 'kind'],
    ['a forAi that is not a boolean', { name: 'F', text: 'x', forAi: 'yes' }, 'forAi'],
  ])('refuses %s with validation_failed', async (_, body, field) => {
    const res = await t.api('POST', `/clients/${acme}/snippets`, body);
    expect(res.status).toBe(400);
    expect(Object.keys((await json(res)).error.details)).toContain(field);
  });

  it('accepts exactly 2,000 characters', async () => {
    const res = await t.api('POST', `/clients/${acme}/snippets`, { name: 'Max', text: 'y'.repeat(2000) });
    expect(res.status).toBe(201);
  });

  it('keeps names unique per client, whatever the case, but not across clients', async () => {
    const dup = await t.api('POST', `/clients/${acme}/snippets`, { name: 'BAKERY TAGS', text: 'x' });
    expect(dup.status).toBe(400);
    expect((await json(dup)).error.details.name[0]).toContain('already has a snippet "Bakery tags"');
    expect((await t.api('POST', `/clients/${other}/snippets`, { name: 'Bakery tags', text: 'x' })).status).toBe(201);
    const cta = (await json(await t.api('GET', `/clients/${acme}/snippets`))).data.find(
      (s: any) => s.name === 'Sign-off',
    );
    expect((await t.api('PATCH', `/snippets/${cta.id}`, { name: 'bakery TAGS' })).status).toBe(400);
  });

  it('deletes a snippet; an unknown one is 404', async () => {
    const s = await json(await t.api('POST', `/clients/${acme}/snippets`, { name: 'Gone', text: 'bye' }));
    expect((await t.api('DELETE', `/snippets/${s.id}`)).status).toBe(204);
    expect((await t.api('GET', `/snippets/${s.id}`)).status).toBe(404);
    expect((await t.api('DELETE', `/snippets/${s.id}`)).status).toBe(404);
  });
});
