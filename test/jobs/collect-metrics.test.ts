// The collect-metrics job: each published post at its current horizon (once), each account's
// days once a day, batched, paced, and stopped cleanly by refusals, gone posts, permission errors
// and rate limits. A scripted reader on a test network stands in for a network.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { InsightsPermissionError } from '../../src/platforms/insights.js';
import { NETWORKS } from '../../src/platforms/registry.js';
import { PlatformError } from '../../src/platforms/types.js';
import { boardNetwork, ScriptedReader } from '../helpers/insights-board.js';
import { makeHerald, type TestHerald } from '../helpers/herald.js';
import { waitFor } from '../helpers/processes.js';

const T0 = Date.parse('2026-06-01T10:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let t: TestHerald;
let clock: ManualClock;
let reader: ScriptedReader;
let clientId: string;
let boardId: string;

function connect(externalId: string, scopes: string[] = ['board.stats']) {
  return t.herald.services.accounts.connect({
    clientId,
    platform: 'board',
    externalId,
    name: `Board ${externalId}`,
    accessToken: `token-${externalId}`,
    tokenExpiresAt: null,
    scopes,
  });
}

/** A post published on the board at `at`, as the engine leaves it. */
function published(at: number, accountId = boardId, externalId = `ext-${at}-${Math.random()}`): string {
  const post = t.herald.services.posts.create(
    { accountId, caption: 'Fresh bread', status: 'draft' },
    { kind: 'system' },
  );
  t.herald.database.sqlite
    .prepare("UPDATE posts SET status = 'published', published_at = ?, external_id = ? WHERE id = ?")
    .run(at, externalId, post.id);
  return post.id;
}

const run = () => t.herald.collector.run(new AbortController().signal);
const horizons = (postId: string) => t.herald.repos.metrics.postSnapshots(postId).map((s) => s.horizon);
const postCalls = () => reader.calls.filter((c) => c.kind === 'posts');

beforeEach(async () => {
  clock = new ManualClock(T0);
  reader = new ScriptedReader();
  t = await makeHerald({}, { clock, networks: [...NETWORKS, boardNetwork(reader)] });
  clientId = t.herald.services.clients.create({ name: 'Acme', timezone: 'America/New_York', approvalMode: 'none' }).id;
  boardId = connect('b-1').id;
});
afterEach(() => t.close());

describe('collect-metrics', () => {
  it('measures a post once at each horizon, skips the ones missed while down, and stops after 30 days', async () => {
    const post = published(T0);
    clock.set(T0 + 30 * 60_000);
    await run();
    expect(horizons(post)).toEqual([]);

    clock.set(T0 + HOUR + 60_000);
    expect((await run()).snapshots).toBe(1);
    await run();
    expect(horizons(post)).toEqual(['1h']);
    expect(postCalls()).toHaveLength(1);
    const first = t.herald.repos.metrics.postSnapshots(post)[0]!;
    expect(first).toMatchObject({ views: 100, likes: 7, reach: null, saves: null, raw: { board_views: 100 } });

    clock.set(T0 + DAY + HOUR);
    await run();
    expect(horizons(post)).toEqual(['1h', '24h']);

    // Down from day 2 to day 31: the 7-day point is gone; the 30-day one is still taken.
    clock.set(T0 + 31 * DAY);
    await run();
    expect(horizons(post)).toEqual(['1h', '24h', '30d']);

    clock.set(T0 + 40 * DAY);
    const calls = postCalls().length;
    await run();
    expect(postCalls()).toHaveLength(calls);
    // A post first seen after 30 days and the grace is never measured.
    const late = published(T0 + 40 * DAY - 35 * DAY);
    await run();
    expect(horizons(late)).toEqual([]);
  });

  it('batches posts by the reader’s batch size and reads each account’s days once a day in its zone', async () => {
    const ids = [1, 2, 3, 4, 5].map((i) => published(T0 - i * 60_000));
    clock.set(T0 + 2 * HOUR);
    await run();
    expect(postCalls().map((c) => c.postIds.length)).toEqual([2, 2, 1]);
    expect(ids.every((id) => horizons(id).includes('1h'))).toBe(true);

    // 12:00 UTC on June 1 is June 1 in New York; the first read goes 30 days back.
    const days = reader.calls.filter((c) => c.kind === 'days');
    expect(days).toHaveLength(1);
    expect(days[0]!.days[0]).toBe('2026-05-03');
    expect(days[0]!.days.at(-1)).toBe('2026-06-01');
    expect(t.herald.repos.metrics.accountDays(boardId)).toHaveLength(30);

    // Same day (New York): no second read. Next day: the last 3 again and the new one.
    clock.set(T0 + 3 * HOUR);
    await run();
    expect(reader.calls.filter((c) => c.kind === 'days')).toHaveLength(1);
    clock.set(Date.parse('2026-06-02T05:00:00Z')); // 01:00 on June 2 in New York
    await run();
    const again = reader.calls.filter((c) => c.kind === 'days')[1]!;
    expect(again.days).toEqual(['2026-05-30', '2026-05-31', '2026-06-01', '2026-06-02']);
  });

  it('logs a refused metric once and passes it back; a gone post keeps its error, never asked again', async () => {
    const kept = published(T0, boardId, 'kept');
    const gone = published(T0, boardId, 'deleted');
    reader.script = async (call) => {
      if (call.kind !== 'posts') return;
      return {
        refused: [{ metric: 'board_saves', surface: 'post', message: '(#100) not a valid insights metric' }],
        gone: ['deleted'],
      };
    };
    clock.set(T0 + 2 * HOUR);
    const counts = await run();
    expect(counts.refused).toBe(1);
    expect(counts.gone).toBe(1);
    expect(t.herald.repos.metrics.refusals('board')).toMatchObject([{ metric: 'board_saves', surface: 'post' }]);
    expect(t.herald.repos.metrics.postSnapshots(gone)[0]!.error).toMatch(/deleted/);

    clock.set(T0 + DAY + HOUR);
    expect((await run()).refused).toBe(0);
    const last = postCalls().at(-1)!;
    expect(last.refused).toContain('post:board_saves');
    expect(last.postIds).toEqual([kept]);
  });

  it('a permission error blocks the account until it is reconnected with the scopes', async () => {
    published(T0);
    reader.script = async () => {
      throw new InsightsPermissionError('read_insights was not granted');
    };
    clock.set(T0 + 2 * HOUR);
    const counts = await run();
    expect(counts.blocked).toBe(1);
    expect(t.herald.repos.accounts.get(boardId)!.insightsBlocked).toMatch(/reconnect to see results/);
    const calls = reader.calls.length;
    clock.set(T0 + DAY + HOUR);
    await run();
    expect(reader.calls).toHaveLength(calls);

    // Reconnected without the scope: still blocked; with it: cleared, and read again.
    connect('b-1', []);
    expect(t.herald.repos.accounts.get(boardId)!.insightsBlocked).toMatch(/board\.stats/);
    connect('b-1', ['board.stats']);
    expect(t.herald.repos.accounts.get(boardId)!.insightsBlocked).toBeNull();
    reader.script = async () => undefined;
    await run();
    expect(reader.calls.length).toBeGreaterThan(calls);
  });

  it('leaves an account above half its rate budget, and a rate limit ends only that account’s turn', async () => {
    const other = connect('b-2').id;
    const busyPost = published(T0, boardId);
    const otherPost = published(T0, other);
    reader.usages.set(boardId, 0.6);
    reader.script = async (call) => {
      if (call.accountId === other && call.kind === 'posts')
        throw new PlatformError('rate_limited', 'Too many calls', 'rate_limited', { retryAfterMs: 60_000 });
    };
    clock.set(T0 + 2 * HOUR);
    const counts = await run();
    expect(counts).toMatchObject({ deferred: 1, errors: 1, snapshots: 0 });
    expect(reader.calls.every((c) => c.accountId === other)).toBe(true);
    expect(horizons(busyPost)).toEqual([]);

    reader.usages.set(boardId, 0.2);
    reader.script = async () => undefined;
    await run();
    expect(horizons(busyPost)).toEqual(['1h']);
    expect(horizons(otherPost)).toEqual(['1h']);
  });

  it('keeps to its call budget per run and carries on in the next', async () => {
    await t.close();
    clock = new ManualClock(T0);
    reader = new ScriptedReader();
    reader.batchSize = 1;
    t = await makeHerald({}, { clock, networks: [...NETWORKS, boardNetwork(reader)], collection: { budget: 3 } });
    clientId = t.herald.services.clients.create({ name: 'Acme', timezone: 'UTC', approvalMode: 'none' }).id;
    boardId = connect('b-1').id;
    const ids = [1, 2, 3, 4].map((i) => published(T0 - i * 60_000));
    clock.set(T0 + 2 * HOUR);
    expect((await run()).calls).toBe(3);
    expect(ids.filter((id) => horizons(id).length)).toHaveLength(3);
    expect(t.herald.repos.metrics.accountDays(boardId)).toHaveLength(0);
    await run();
    expect(ids.filter((id) => horizons(id).length)).toHaveLength(4);
    expect(t.herald.repos.metrics.accountDays(boardId)).toHaveLength(30);
  });

  it('runs on request through the API like the other jobs', async () => {
    const post = published(T0);
    clock.set(T0 + 2 * HOUR);
    t.herald.lease.tick();
    t.herald.scheduler.start();
    const res = await t.api('POST', '/jobs/collect-metrics/run');
    expect(res.status).toBe(202);
    await waitFor(() => horizons(post).length === 1, 5_000, 'the requested run measured the post');
    const list = (await (await t.api('GET', '/jobs')).json()) as { jobs: { id: string }[] };
    expect(list.jobs.map((j) => j.id)).toContain('collect-metrics');
  });
});
