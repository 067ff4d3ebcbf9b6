// Collection never slows publishing: while every collection slot waits on an insights endpoint
// that never answers, a due post is still claimed and published in the same round.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { NETWORKS } from '../../src/platforms/registry.js';
import { FakePlatform } from '../fakes/fake-platform.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { boardNetwork, ScriptedReader } from '../helpers/insights-board.js';
import { waitFor } from '../helpers/processes.js';
import { TestPublisher } from '../helpers/test-publisher.js';

const T0 = Date.parse('2026-06-01T10:00:00.000Z');

let t: TestHerald | undefined;
let platform: FakePlatform | undefined;
afterEach(async () => {
  await t?.close();
  await platform?.stop();
});

describe('collection and publishing', () => {
  it('an insights endpoint that hangs every call does not delay a due post', async () => {
    platform = new FakePlatform();
    await platform.start();
    const clock = new ManualClock(T0);
    const reader = new ScriptedReader();
    let hung = 0;
    // Never answers, and ignores its signal too: only the collector's own deadline ends it.
    reader.script = () => {
      hung++;
      return new Promise(() => {});
    };
    t = await makeHerald(
      {},
      {
        clock,
        publishers: [new TestPublisher(platform.url, 500)],
        networks: [...NETWORKS, boardNetwork(reader)],
        engine: { settleMs: 5_000, random: () => 1 },
        collection: { callTimeoutMs: 60_000 },
      },
    );
    const { herald } = t;
    herald.lease.tick();
    const seeded = seedClient(t);
    for (const id of ['b-1', 'b-2', 'b-3']) {
      const board = herald.services.accounts.connect({
        clientId: seeded.client.id,
        platform: 'board',
        externalId: id,
        name: id,
        accessToken: 'x',
        tokenExpiresAt: null,
        scopes: ['board.stats'],
      });
      const old = herald.services.posts.create(
        { accountId: board.id, caption: 'old', status: 'draft' },
        { kind: 'system' },
      );
      herald.database.sqlite
        .prepare("UPDATE posts SET status = 'published', published_at = ?, external_id = ? WHERE id = ?")
        .run(T0 - 2 * 3_600_000, `ext-${id}`, old.id);
    }
    const stop = new AbortController();
    const collecting = herald.collector.run(stop.signal);
    await waitFor(() => hung === herald.collector.options.concurrency, 5_000, 'every collection slot hung');

    const post = herald.services.posts.create(
      {
        accountId: seeded.facebook.id,
        caption: 'goes out on time',
        scheduledAt: new Date(T0).toISOString(),
        status: 'scheduled',
      },
      { kind: 'system' },
    ).id;
    const started = Date.now();
    const round = herald.engine.runDue();
    await herald.engine.drain(10_000);
    expect(round.claimed).toBe(1);
    expect(herald.services.posts.get(post).status).toBe('published');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(platform.posts.map((p) => p.key)).toEqual([post]);
    // All the while, collection was still waiting for its answers.
    expect(hung).toBe(herald.collector.options.concurrency);
    expect(herald.repos.metrics.accountDays(seeded.facebook.id)).toEqual([]);
    // Stopping (a lost lead, a shutdown) ends the hung calls at once: the run finishes cleanly.
    stop.abort(new Error('stopping'));
    expect((await collecting).errors).toBe(herald.collector.options.concurrency);
  });
});
