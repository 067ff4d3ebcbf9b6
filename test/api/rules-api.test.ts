import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

describe('rules API', () => {
  const clock = new ManualClock(Date.parse('2026-03-27T12:00:00Z'));
  let t: TestHerald;
  let seeded: ReturnType<typeof seedClient>;
  let other: ReturnType<typeof seedClient>;
  beforeAll(async () => {
    t = await makeHerald({}, { clock });
    seeded = seedClient(t);
    other = seedClient(t, { name: 'Other' });
  });
  afterAll(() => t.close());

  it('creates a rule, possibly before any account is connected', async () => {
    const res = await t.api('POST', `/clients/${seeded.client.id}/rules`, {
      name: 'Morning bread',
      cron: '30 2 * * *',
      topics: ['sourdough'],
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      name: 'Morning bread',
      accountIds: [],
      timezone: null,
      media: 'none',
      horizonDays: 7,
      active: true,
      topics: ['sourdough'],
    });
  });

  it('computes slots in the client zone, DST included', async () => {
    const rule = await json(
      await t.api('POST', `/clients/${seeded.client.id}/rules`, {
        name: 'Night',
        cron: '30 2 * * *',
        accountIds: [seeded.instagram.id],
      }),
    );
    const res = await json(await t.api('GET', `/rules/${rule.id}/slots?count=3`));
    expect(res.data).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('uses the rule zone when it has one', async () => {
    const rule = await json(
      await t.api('POST', `/clients/${seeded.client.id}/rules`, {
        name: 'NY',
        cron: '0 9 * * *',
        timezone: 'America/New_York',
      }),
    );
    const res = await json(await t.api('GET', `/rules/${rule.id}/slots?count=1`));
    expect(res.data).toEqual(['2026-03-27T13:00:00.000Z']);
  });

  it.each<[string, () => unknown, string]>([
    ['a bad cron', () => ({ name: 'x', cron: '0 9 * *' }), 'cron'],
    ['an impossible cron', () => ({ name: 'x', cron: '99 9 * * *' }), 'cron'],
    ['no name', () => ({ cron: '0 9 * * *' }), 'name'],
    ['a bad zone', () => ({ name: 'x', cron: '0 9 * * *', timezone: 'Europe/Atlantis' }), 'timezone'],
    ['a horizon of 0', () => ({ name: 'x', cron: '0 9 * * *', horizonDays: 0 }), 'horizonDays'],
    ['unknown media', () => ({ name: 'x', cron: '0 9 * * *', media: 'video' }), 'media'],
    ['an unknown account', () => ({ name: 'x', cron: '0 9 * * *', accountIds: ['acc_nope'] }), 'accountIds'],
    [
      "another client's account",
      () => ({ name: 'x', cron: '0 9 * * *', accountIds: [seeded.facebook.id, other.facebook.id] }),
      'accountIds',
    ],
    ['topics that are not a list', () => ({ name: 'x', cron: '0 9 * * *', topics: 'bread' }), 'topics'],
  ])('refuses %s', async (_, body, field) => {
    const res = await t.api('POST', `/clients/${seeded.client.id}/rules`, body());
    expect(res.status).toBe(400);
    expect(Object.keys((await json(res)).error.details)).toContain(field);
  });

  it('patches, lists and deletes', async () => {
    const rule = await json(
      await t.api('POST', `/clients/${seeded.client.id}/rules`, { name: 'Temp', cron: '0 12 * * 1' }),
    );
    const patched = await json(
      await t.api('PATCH', `/rules/${rule.id}`, {
        accountIds: [seeded.facebook.id, seeded.tiktok.id],
        active: false,
        cron: '0 13 * * 1',
      }),
    );
    expect(patched).toMatchObject({ active: false, cron: '0 13 * * 1' });
    expect(patched.accountIds.sort()).toEqual([seeded.facebook.id, seeded.tiktok.id].sort());
    expect((await t.api('PATCH', `/rules/${rule.id}`, { cron: 'nope' })).status).toBe(400);
    const list = await json(await t.api('GET', `/clients/${seeded.client.id}/rules`));
    expect(list.data.some((r: { id: string }) => r.id === rule.id)).toBe(true);
    expect((await t.api('DELETE', `/rules/${rule.id}`)).status).toBe(204);
    expect((await t.api('GET', `/rules/${rule.id}`)).status).toBe(404);
  });

  it.each([['count=0'], ['count=101'], ['count=abc']])('refuses slots?%s', async (q) => {
    const rule = await json(
      await t.api('POST', `/clients/${seeded.client.id}/rules`, { name: 'Q', cron: '0 9 * * *' }),
    );
    expect((await t.api('GET', `/rules/${rule.id}/slots?${q}`)).status).toBe(400);
  });

  it.each([
    ['GET', '/rules/rule_missing'],
    ['PATCH', '/rules/rule_missing'],
    ['DELETE', '/rules/rule_missing'],
    ['GET', '/rules/rule_missing/slots'],
    ['POST', '/clients/cli_missing/rules'],
  ])('%s %s → 404', async (method, path) => {
    const res = await t.api(
      method,
      path,
      method === 'GET' || method === 'DELETE' ? undefined : { name: 'x', cron: '0 9 * * *' },
    );
    expect(res.status).toBe(404);
  });
});
