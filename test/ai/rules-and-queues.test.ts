import { afterEach, describe, expect, it } from 'vitest';
import { aiHarness, goodAnswer, type AiHarness } from '../helpers/ai-harness.js';

let h: AiHarness;
afterEach(async () => h?.close());

const DAILY_NINE = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, time: '09:00' }));

function setUp(h: AiHarness) {
  const { services } = h.t.herald;
  const account = h.seeded.facebook;
  services.accounts.patch(account.id, { postingTimes: DAILY_NINE }, { kind: 'system' });
  // Daily at 09:00 in Berlin: the same instants as the account's posting times.
  services.rules.create(h.seeded.client.id, {
    name: 'Daily bread',
    cron: '0 9 * * *',
    topics: ['sourdough'],
    accountIds: [account.id],
    horizonDays: 3,
  });
  const queued = () =>
    services.posts.create({ accountId: account.id, caption: 'Queued by hand' }, { kind: 'system' }).id;
  const times = () =>
    services.posts
      .list({ clientId: h.seeded.client.id, status: 'scheduled' }, 200)
      .data.map((p) => [new Date(p.scheduledAt!).toISOString(), p.source]);
  return { services, account, queued, times };
}

describe('rules and queues share one set of times', () => {
  it('generation skips a slot where the account already has a queued post', async () => {
    h = await aiHarness(); // Monday 1 June 2026, 08:00 in Berlin
    const { services, queued, times } = setUp(h);
    services.queue.place(queued(), { kind: 'system' });
    const counts = await h.t.herald.generator.generateDue();
    expect(counts).toMatchObject({ created: 2, upToDate: 1 });
    expect(times()).toEqual([
      ['2026-06-01T07:00:00.000Z', 'manual'],
      ['2026-06-02T07:00:00.000Z', 'ai'],
      ['2026-06-03T07:00:00.000Z', 'ai'],
    ]);
    // And the queue then goes after the rule's posts.
    expect(new Date(services.queue.place(queued(), { kind: 'system' }).scheduledAt!).toISOString()).toBe(
      '2026-06-04T07:00:00.000Z',
    );
  });

  it('a post queued while the AI is writing keeps its time: the AI post for it is not stored', async () => {
    h = await aiHarness();
    const { services, queued, times } = setUp(h);
    const id = queued();
    h.groq.responder = (body) => {
      services.queue.place(id, { kind: 'system' });
      return goodAnswer(body);
    };
    const counts = await h.t.herald.generator.generateDue();
    expect(counts.created).toBe(2);
    expect(times()).toEqual([
      ['2026-06-01T07:00:00.000Z', 'manual'],
      ['2026-06-02T07:00:00.000Z', 'ai'],
      ['2026-06-03T07:00:00.000Z', 'ai'],
    ]);
  });
});
