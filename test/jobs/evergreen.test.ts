import { afterEach, describe, expect, it } from 'vitest';
import type { Herald } from '../../src/main.js';
import { aiHarness, GROQ_KEY, userMessage, type AiHarness } from '../helpers/ai-harness.js';
import { json, makeHerald, type TestHerald } from '../helpers/herald.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
// Monday 1 June 2026, 05:00 UTC (07:00 in Berlin): when the source went out.
const PUBLISHED = Date.parse('2026-06-01T05:00:00Z');
const system = { kind: 'system' } as const;

let h: AiHarness;
const extra: TestHerald[] = [];
afterEach(async () => {
  for (const t of extra.splice(0)) await t.close();
  await h?.close();
});

/** A published Facebook post of the seeded client, marked evergreen through the API. */
async function evergreenPost(evergreen: Record<string, unknown>, caption = 'Our sourdough, every Saturday') {
  const { services, repos } = h.t.herald;
  const post = services.posts.create({ accountId: h.seeded.facebook.id, caption }, system);
  repos.posts.update(post.id, { status: 'published', publishedAt: PUBLISHED, externalId: 'fb_1' });
  const version = services.posts.get(post.id).version;
  const res = await h.t.api('PATCH', `/posts/${post.id}`, { evergreen, version });
  expect(res.status).toBe(200);
  expect(await json(res)).toMatchObject({ status: 'published', evergreen });
  return post.id;
}

const copiesOf = (herald: Herald, id: string) => herald.evergreen.copiesOf(id);
const logsOf = (id: string) =>
  h.t.herald.services.posts
    .logs(id)
    .map((l) => l.message)
    .join('\n');
/** A second Herald on the same database file (another process's view, or the same one restarted). */
async function another(): Promise<Herald> {
  const t = await makeHerald(
    { GROQ_API_KEY: GROQ_KEY, GROQ_BASE_URL: h.groq.url, GROQ_MODEL: 'openai/gpt-oss-120b' },
    { dataDir: h.t.dataDir, clock: h.clock },
  );
  extra.push(t);
  return t.herald;
}

describe('evergreen', () => {
  it('only the evergreen mark may change on a published post; a copy cannot be marked', async () => {
    h = await aiHarness();
    const id = await evergreenPost({ everyWeeks: 8, times: 3, until: '2027-06-30', rewrite: false });
    const post = h.t.herald.services.posts.get(id);
    const edit = await h.t.api('PATCH', `/posts/${id}`, { caption: 'changed', version: post.version });
    expect(edit.status).toBe(409);
    const bad = await h.t.api('PATCH', `/posts/${id}`, { evergreen: { everyWeeks: 0 }, version: post.version });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details).toHaveProperty('evergreen.everyWeeks');
    expect(logsOf(id)).toMatch(/Evergreen: every 8 weeks, 3 times at most, until 2027-06-30/);
    const stop = await h.t.api('PATCH', `/posts/${id}`, { evergreen: null, version: post.version });
    expect(await json(stop)).toMatchObject({ evergreen: null });
  });

  it('makes one copy per round: never twice across runs and a restart, the next round after it went out', async () => {
    h = await aiHarness();
    const id = await evergreenPost({ everyWeeks: 2 });
    const herald = h.t.herald;
    h.clock.set(PUBLISHED + 2 * WEEK - 2 * DAY);
    expect(await herald.evergreen.runDue()).toMatchObject({ copies: 0 });
    // Within a day of its time: round 1, at that time (this account has no posting times).
    h.clock.set(PUBLISHED + 2 * WEEK - 12 * HOUR);
    expect(await herald.evergreen.runDue()).toMatchObject({ copies: 1 });
    expect(await herald.evergreen.runDue()).toMatchObject({ copies: 0 });
    const restarted = await another();
    expect(await restarted.evergreen.runDue()).toMatchObject({ copies: 0 });
    const [copy] = copiesOf(herald, id);
    expect(copiesOf(herald, id)).toHaveLength(1);
    expect(copy).toMatchObject({
      evergreenRound: 1,
      status: 'scheduled',
      caption: 'Our sourdough, every Saturday',
      scheduledAt: PUBLISHED + 2 * WEEK,
    });
    // The copy goes out; two weeks on, round 2, counted from the copy.
    herald.repos.posts.update(copy!.id, { status: 'published', publishedAt: PUBLISHED + 2 * WEEK + HOUR });
    h.clock.set(PUBLISHED + 4 * WEEK);
    expect(await herald.evergreen.runDue()).toMatchObject({ copies: 1 });
    expect(copiesOf(herald, id).map((c) => [c.evergreenRound, c.scheduledAt])).toEqual([
      [1, PUBLISHED + 2 * WEEK],
      [2, PUBLISHED + 4 * WEEK + HOUR],
    ]);
    const page = await herald.app.request(`/api/v1/posts/${copy!.id}`, {
      headers: { authorization: `Bearer ${h.t.token}` },
    });
    expect(await json(page)).toMatchObject({ evergreenSourceId: id, evergreenRound: 1 });
  });

  it('two processes at once make one copy; the unique index refuses a duplicate round', async () => {
    h = await aiHarness();
    const id = await evergreenPost({ everyWeeks: 1, rewrite: true });
    const other = await another();
    // Both ask the AI before either writes: the answers wait until both requests arrived.
    let release: () => void = () => {};
    const both = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived = 0;
    h.groq.responder = async () => {
      if (++arrived === 2) release();
      await both;
      return JSON.stringify({ caption: 'Sourdough, fresh each Saturday' });
    };
    h.clock.set(PUBLISHED + WEEK - HOUR);
    const [a, b] = await Promise.all([h.t.herald.evergreen.runDue(), other.evergreen.runDue()]);
    expect(a.copies + b.copies).toBe(1);
    expect(a.raced + b.raced).toBe(1);
    expect(copiesOf(h.t.herald, id)).toHaveLength(1);
    const copy = copiesOf(h.t.herald, id)[0]!;
    expect(() =>
      h.t.herald.database.sqlite
        .prepare('UPDATE posts SET evergreen_source_id = ?, evergreen_round = 1 WHERE id = ?')
        .run(id, id),
    ).toThrow(/UNIQUE/);
    expect(copy.caption).toBe('Sourdough, fresh each Saturday');
  });

  it('rewrites through the AI lightly, and keeps the words (saying so) when the AI fails', async () => {
    h = await aiHarness();
    const id = await evergreenPost({ everyWeeks: 1, rewrite: true }, 'Rye bread is back #bakery');
    h.groq.responder = () => JSON.stringify({ caption: 'Back again: our rye bread #bakery' });
    h.clock.set(PUBLISHED + WEEK - HOUR);
    await h.t.herald.evergreen.runDue();
    const [first] = copiesOf(h.t.herald, id);
    expect(first!.caption).toBe('Back again: our rye bread #bakery');
    const prompt = userMessage(JSON.parse(h.groq.completionCalls().at(-1)!.raw.toString()));
    expect(prompt).toContain('Rye bread is back #bakery');
    expect(logsOf(first!.id)).toMatch(/copy 1 of an evergreen post; lightly rewritten by AI/);

    h.t.herald.repos.posts.update(first!.id, { status: 'published', publishedAt: PUBLISHED + WEEK });
    h.groq.validateJsonMode = false;
    h.groq.responder = () => 'Sorry, I cannot help with that.';
    h.clock.set(PUBLISHED + 2 * WEEK - HOUR);
    await h.t.herald.evergreen.runDue();
    const second = copiesOf(h.t.herald, id)[1]!;
    expect(second.caption).toBe('Rye bread is back #bakery');
    expect(logsOf(second.id)).toMatch(/the AI rewrite failed \(.+\), so the words are the original/);
  });

  it.each([
    ['times', { everyWeeks: 1, times: 1 }, /came back 1 time, as asked/],
    ['until', { everyWeeks: 1, until: '2026-06-10' }, /end date \(2026-06-10\)/],
    ['a disabled account', { everyWeeks: 1 }, /Acme Page is disabled/],
  ])('stops at %s', async (what, evergreen, why) => {
    h = await aiHarness();
    const id = await evergreenPost(evergreen);
    const herald = h.t.herald;
    if (what === 'until') {
      // The first copy (8 June) is before the end; the second (15 June) would be after it.
      h.clock.set(PUBLISHED + WEEK - HOUR);
      expect(await herald.evergreen.runDue()).toMatchObject({ copies: 1 });
    }
    if (what === 'times') {
      h.clock.set(PUBLISHED + WEEK - HOUR);
      expect(await herald.evergreen.runDue()).toMatchObject({ copies: 1 });
    }
    if (what === 'a disabled account')
      herald.services.accounts.patch(h.seeded.facebook.id, { status: 'disabled' }, system);
    const [copy] = copiesOf(herald, id);
    if (copy) herald.repos.posts.update(copy.id, { status: 'published', publishedAt: PUBLISHED + WEEK });
    h.clock.set(PUBLISHED + 2 * WEEK - HOUR);
    expect(await herald.evergreen.runDue()).toMatchObject({ copies: 0, stopped: 1 });
    expect(herald.services.posts.get(id).evergreen).toBeNull();
    expect(logsOf(id)).toMatch(why);
    expect(copiesOf(herald, id)).toHaveLength(copy ? 1 : 0);
  });

  it('puts the copy in the queue: the first free posting time from its due time on', async () => {
    h = await aiHarness();
    const { services } = h.t.herald;
    // Mondays and Thursdays at 10:00 in Berlin (08:00 UTC in summer).
    services.accounts.patch(
      h.seeded.facebook.id,
      {
        postingTimes: [
          { weekday: 1, time: '10:00' },
          { weekday: 4, time: '10:00' },
        ],
      },
      system,
    );
    const id = await evergreenPost({ everyWeeks: 1 });
    h.clock.set(PUBLISHED + WEEK - 12 * HOUR); // Sunday 7 June, 17:00 UTC; due Monday 8 June 05:00 UTC
    await h.t.herald.evergreen.runDue();
    expect(copiesOf(h.t.herald, id)[0]).toMatchObject({
      status: 'scheduled',
      queued: true,
      scheduledAt: Date.parse('2026-06-08T08:00:00Z'),
    });
  });

  it('under admin or client approval a copy waits to be approved, in the queue or at its time', async () => {
    h = await aiHarness();
    const { services } = h.t.herald;
    const id = await evergreenPost({ everyWeeks: 1 });
    services.clients.update(h.seeded.client.id, { approvalMode: 'admin' });
    h.clock.set(PUBLISHED + WEEK - 12 * HOUR);
    await h.t.herald.evergreen.runDue();
    expect(copiesOf(h.t.herald, id)[0]).toMatchObject({ evergreenRound: 1, status: 'pending_approval' });

    // Through the queue too: Herald's own copy is never scheduled past the approval it needs.
    services.accounts.patch(h.seeded.facebook.id, { postingTimes: [{ weekday: 1, time: '10:00' }] }, system);
    services.clients.update(h.seeded.client.id, { approvalMode: 'client' });
    h.clock.set(PUBLISHED + 2 * WEEK - 12 * HOUR);
    const first = copiesOf(h.t.herald, id)[0]!;
    h.t.herald.repos.posts.update(first.id, { status: 'published', publishedAt: PUBLISHED + WEEK });
    await h.t.herald.evergreen.runDue();
    expect(copiesOf(h.t.herald, id).find((c) => c.evergreenRound === 2)).toMatchObject({
      status: 'pending_approval',
      queued: true,
    });
  });
});
