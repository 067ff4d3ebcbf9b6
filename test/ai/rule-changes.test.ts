import { afterEach, describe, expect, it } from 'vitest';
import { aiHarness, requestedPosts, type AiHarness } from '../helpers/ai-harness.js';

// A rule's schedule, zone or accounts change after it has written its week: the posts for times
// it no longer has must not stand beside the new ones, unless a person already worked on them.

let h: AiHarness;
afterEach(async () => h?.close());

const live = (h: AiHarness) =>
  h.t.herald.services.posts.list({ clientId: h.seeded.client.id }, 200).data.filter((p) => p.status !== 'cancelled');
const hourIn = (ms: number) =>
  new Date(ms).toLocaleString('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' });

describe('after a rule changes', () => {
  it('a new time of day: the untouched posts move to it, one per day, not two', async () => {
    h = await aiHarness();
    const { rules, posts } = h.t.herald.services;
    const rule = rules.create(h.seeded.client.id, {
      name: 'Daily',
      cron: '0 9 * * *',
      topics: ['rye'],
      accountIds: [h.seeded.facebook.id],
      horizonDays: 7,
    });
    await h.t.herald.generator.generateDue();
    const before = live(h);
    expect(before).toHaveLength(7);
    // A person edited one of them: it is theirs now, and stays.
    const edited = posts.update(
      before[3]!.id,
      { version: before[3]!.version, caption: 'Edited by hand' },
      { kind: 'system' },
    );

    rules.update(rule.id, { cron: '0 17 * * *' });
    const counts = await h.t.herald.generator.generateDue();
    expect(counts).toMatchObject({ cancelled: 6, created: 7 });
    const after = live(h);
    expect(after.filter((p) => hourIn(p.scheduledAt!) === '17')).toHaveLength(7);
    expect(after.filter((p) => hourIn(p.scheduledAt!) === '09').map((p) => p.id)).toEqual([edited.id]);
    const cancelled = posts.get(before[0]!.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', slotKey: null });
    expect(posts.logs(cancelled.id).at(-1)!.message).toMatch(/^Cancelled: its rule no longer has this time/);
    // Stable again: another run changes nothing.
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ cancelled: 0, created: 0, upToDate: 7 });
  });

  it('back to the old time: the freed slots are written afresh', async () => {
    h = await aiHarness();
    const { rules } = h.t.herald.services;
    const rule = rules.create(h.seeded.client.id, {
      name: 'Daily',
      cron: '0 9 * * *',
      accountIds: [h.seeded.facebook.id],
      horizonDays: 3,
    });
    await h.t.herald.generator.generateDue();
    rules.update(rule.id, { cron: '0 17 * * *' });
    await h.t.herald.generator.generateDue();
    rules.update(rule.id, { cron: '0 9 * * *' });
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ cancelled: 3, created: 3 });
    expect(live(h).map((p) => hourIn(p.scheduledAt!))).toEqual(['09', '09', '09']);
  });

  it('an account taken off the rule: its untouched posts go, the other account’s stay', async () => {
    h = await aiHarness();
    const { rules } = h.t.herald.services;
    const { facebook, instagram } = h.seeded;
    const rule = rules.create(h.seeded.client.id, {
      name: 'Daily',
      cron: '0 9 * * *',
      media: 'image',
      accountIds: [facebook.id, instagram.id],
      horizonDays: 2,
    });
    await h.t.herald.generator.generateDue();
    expect(live(h)).toHaveLength(4);
    rules.update(rule.id, { accountIds: [facebook.id] });
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ cancelled: 2, created: 0, upToDate: 2 });
    expect(live(h).every((p) => p.accountId === facebook.id)).toBe(true);
  });

  it('a shorter horizon keeps the posts further out that are still on the schedule', async () => {
    h = await aiHarness();
    const { rules } = h.t.herald.services;
    const rule = rules.create(h.seeded.client.id, {
      name: 'Daily',
      cron: '0 9 * * *',
      accountIds: [h.seeded.facebook.id],
      horizonDays: 7,
    });
    await h.t.herald.generator.generateDue();
    rules.update(rule.id, { horizonDays: 2 });
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ cancelled: 0, created: 0 });
    expect(live(h)).toHaveLength(7);
  });
});

describe('topics', () => {
  it('rotate by the client’s calendar day, not by UTC day', async () => {
    // Tokyo is UTC+9: 08:00 and 20:00 local fall on different UTC days for the evening slot's
    // next morning only if days are counted in UTC. Both slots of one local day share a topic.
    h = await aiHarness({}, { now: Date.parse('2026-06-01T00:00:00Z') });
    h.t.herald.services.clients.update(h.seeded.client.id, { timezone: 'Asia/Tokyo' });
    h.t.herald.services.rules.create(h.seeded.client.id, {
      name: 'Twice a day',
      cron: '0 8,20 * * *',
      topics: ['sourdough', 'rye', 'croissants'],
      accountIds: [h.seeded.facebook.id],
      horizonDays: 3,
    });
    await h.t.herald.generator.generateDue();
    const asked = requestedPosts(h.groq.completionCalls()[0]!.body);
    const byDay = new Map<string, Set<string>>();
    for (const p of asked) {
      const day = p.when.split(',').slice(0, 2).join(',');
      byDay.set(day, (byDay.get(day) ?? new Set()).add(p.topic));
    }
    expect(byDay.size).toBeGreaterThanOrEqual(3);
    for (const topics of byDay.values()) expect(topics.size).toBe(1);
  });
});
