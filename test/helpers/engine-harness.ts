import { ManualClock } from '../../src/lib/clock.js';
import type { EngineOptions } from '../../src/services/publishing/engine.js';
import { FakePlatform } from '../fakes/fake-platform.js';
import { makeHerald, seedClient, type TestHerald } from './herald.js';
import { TestPublisher } from './test-publisher.js';

export const T0 = Date.parse('2026-06-01T10:00:00.000Z');

export interface EngineHarness {
  t: TestHerald;
  clock: ManualClock;
  platform: FakePlatform;
  seeded: ReturnType<typeof seedClient>;
  /** A scheduled post for the (test) Facebook account, due `inMs` from now. */
  schedule(caption: string, inMs?: number, accountId?: string): string;
  /** One due round, then wait for the publishes it started. */
  round(): Promise<{ claimed: number; missed: number }>;
  /** Moves time on and keeps (or retakes) the lease, as the renew timer would. */
  advance(ms: number): void;
  status(id: string): string;
  close(): Promise<void>;
}

/** An engine on a real database and a real fake platform, with time in the test's hands. */
export async function engineHarness(
  env: Record<string, string> = {},
  engine: Partial<EngineOptions> = {},
): Promise<EngineHarness> {
  const platform = new FakePlatform();
  await platform.start();
  const clock = new ManualClock(T0);
  const t = await makeHerald(env, {
    clock,
    publishers: [new TestPublisher(platform.url, 500)],
    engine: { backoffBaseMs: 1_000, backoffCapMs: 60_000, settleMs: 5_000, random: () => 1, ...engine },
  });
  t.herald.lease.tick();
  const seeded = seedClient(t);
  return {
    t,
    clock,
    platform,
    seeded,
    schedule(caption, inMs = 0, accountId = seeded.facebook.id) {
      return t.herald.services.posts.create(
        { accountId, caption, scheduledAt: new Date(clock.now() + inMs).toISOString(), status: 'scheduled' },
        { kind: 'system' },
      ).id;
    },
    async round() {
      const result = t.herald.engine.runDue();
      await t.herald.engine.drain(10_000);
      return result;
    },
    advance(ms) {
      clock.advance(ms);
      t.herald.lease.tick();
      t.herald.lease.tick();
    },
    status(id) {
      return t.herald.services.posts.get(id).status;
    },
    async close() {
      await t.close();
      await platform.stop();
    },
  };
}
