import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { PlatformError, type Connector, type RefreshedTokens } from '../../src/platforms/types.js';
import { FakePlatform } from '../fakes/fake-platform.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { T0 } from '../helpers/engine-harness.js';
import { TestPublisher } from '../helpers/test-publisher.js';

/** A Facebook connector whose refresh the test answers by hand, while the engine waits for it. */
class HeldRefresh implements Connector {
  readonly id = 'held';
  readonly label = 'Held';
  readonly platforms = ['facebook'] as const;
  calls = 0;
  private pending: Array<{ ok(t: RefreshedTokens | null): void; fail(e: Error): void }> = [];
  refresh(): Promise<RefreshedTokens | null> {
    this.calls++;
    return new Promise((ok, fail) => this.pending.push({ ok, fail }));
  }
  get waiting(): number {
    return this.pending.length;
  }
  answer(tokens: RefreshedTokens | null): void {
    for (const p of this.pending.splice(0)) p.ok(tokens);
  }
  refuse(): void {
    for (const p of this.pending.splice(0)) p.fail(new PlatformError('auth', 'The refresh token was revoked.', '401'));
  }
}

let t: TestHerald | undefined;
let platform: FakePlatform | undefined;
afterEach(async () => {
  await t?.close();
  await platform?.stop();
});

async function setup() {
  platform = new FakePlatform();
  await platform.start();
  const clock = new ManualClock(T0);
  const connector = new HeldRefresh();
  t = await makeHerald(
    { PUBLISH_CONCURRENCY: '4' },
    {
      clock,
      publishers: [new TestPublisher(platform.url, 2_000)],
      connectors: [connector],
      engine: { backoffBaseMs: 1_000, backoffCapMs: 60_000, settleMs: 5_000, random: () => 1 },
    },
  );
  t.herald.lease.tick();
  const seeded = seedClient(t);
  const accounts = t.herald.services.accounts;
  accounts.storeTokens(seeded.facebook.id, { accessToken: 'old', refreshToken: 'refresh', tokenExpiresAt: null });
  clock.advance(120_000);
  t.herald.lease.tick();
  t.herald.lease.tick();
  const at = new Date(clock.now()).toISOString();
  const posts = ['first', 'second'].map(
    (caption) =>
      t!.herald.services.posts.create(
        { accountId: seeded.facebook.id, caption, scheduledAt: at, status: 'scheduled' },
        { kind: 'system' },
      ).id,
  );
  // Every /publish the platform did not accept was refused (the injected 401s).
  const refusedSends = () => platform!.requests.filter((r) => r.path === '/publish').length - platform!.posts.length;
  const engine = t.herald.engine;
  const h = t;
  return {
    clock,
    connector,
    seeded,
    posts,
    refusedSends,
    engine,
    status: (id: string) => h.herald.services.posts.get(id).status,
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('an account whose token was refused waits while the token is checked', () => {
  it('a refused refresh: one refused send, no other post of the account is sent meanwhile', async () => {
    const s = await setup();
    platform!.inject({
      method: 'POST',
      path: /^\/publish$/,
      fault: { kind: 'status', status: 401, body: {} },
      times: 10,
    });
    s.engine.runDue();
    await until(() => s.connector.waiting === 1);
    expect(s.refusedSends()).toBe(1);
    // Paused while the token is checked, so no process claims another of its posts meanwhile.
    expect(t!.herald.services.accounts.get(s.seeded.facebook.id)).toMatchObject({
      pausedUntil: s.clock.now() + 120_000,
      pauseReason: 'Herald is checking its access token.',
    });
    // The per-second due check keeps running while the token is checked.
    for (let i = 0; i < 3; i++) {
      s.clock.advance(1_000);
      s.engine.runDue();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(s.refusedSends()).toBe(1);
    s.connector.refuse();
    await s.engine.drain(5_000);
    s.clock.advance(1_000);
    s.engine.runDue();
    await s.engine.drain(5_000);
    expect(s.refusedSends()).toBe(1);
    expect(t!.herald.services.accounts.get(s.seeded.facebook.id).status).toBe('needs_reauth');
    expect(s.posts.map(s.status)).toEqual(['scheduled', 'scheduled']);
  });

  it('a refresh that leaves the token as it was: the next post is not sent with the refused token', async () => {
    const s = await setup();
    platform!.inject({
      method: 'POST',
      path: /^\/publish$/,
      fault: { kind: 'status', status: 401, body: {} },
      times: 10,
    });
    s.engine.runDue();
    await until(() => s.connector.waiting === 1);
    // Nothing new: the connector had nothing to renew (Meta's Page token far from its user token's expiry).
    s.connector.answer(null);
    await s.engine.drain(5_000);
    for (let i = 0; i < 3; i++) {
      s.clock.advance(1_000);
      s.engine.runDue();
      await s.engine.drain(5_000);
    }
    expect(s.refusedSends()).toBe(1);
    expect(t!.herald.services.accounts.get(s.seeded.facebook.id)).toMatchObject({
      status: 'needs_reauth',
      pausedUntil: null,
    });
    expect(s.posts.map(s.status)).toEqual(['scheduled', 'scheduled']);
  });

  it('a refresh that works: both posts go out at once, each once', async () => {
    const s = await setup();
    platform!.inject({ method: 'POST', path: /^\/publish$/, fault: { kind: 'status', status: 401, body: {} } });
    s.engine.runDue();
    await until(() => s.connector.waiting === 1);
    s.engine.runDue();
    s.connector.answer({ accessToken: 'new', tokenExpiresAt: null });
    await s.engine.drain(5_000);
    for (let i = 0; i < 3; i++) {
      s.engine.runDue();
      await s.engine.drain(5_000);
    }
    expect(s.posts.map(s.status)).toEqual(['published', 'published']);
    expect(s.refusedSends()).toBe(1);
    expect(platform!.duplicates()).toEqual([]);
    expect(t!.herald.services.accounts.get(s.seeded.facebook.id)).toMatchObject({
      status: 'connected',
      pausedUntil: null,
    });
  });
});
