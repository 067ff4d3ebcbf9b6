// The delivery loop's own promises, with a scripted sender and router: fan-out once per
// (event, target), retries with backoff until the 24 h limit, bundles as one message, and a
// channel that keeps failing is paused (and the admins told once).
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import { ManualClock } from '../../src/lib/clock.js';
import type { Router, Sender, SendResult } from '../../src/notify/channel.js';
import { DeliveryLoop } from '../../src/notify/delivery-loop.js';
import { makeHerald, type TestHerald } from '../helpers/herald.js';

const T0 = Date.parse('2026-11-30T09:00:00Z');

interface Scripted {
  sent: Array<{ target: string; ids: string[] }>;
  answers: SendResult[];
}

function scriptedSender(channel: string, pausable: boolean, script: Scripted): Sender {
  return {
    channel,
    pausable,
    timeoutMs: 1000,
    async send(target: string, events: readonly EventRecord[]) {
      script.sent.push({ target, ids: events.map((e) => e.id) });
      return script.answers.shift() ?? { ok: true, status: 200 };
    },
  };
}

let t: TestHerald | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup(routers: Router[], senders: Sender[]) {
  const clock = new ManualClock(T0);
  t = await makeHerald({}, { clock, notifiers: { routers, senders }, delivery: { random: () => 1 } });
  t.herald.lease.tick();
  return { clock, herald: t.herald };
}

function emit(herald: TestHerald['herald'], title = 'Something happened') {
  return herald.database.immediate(() => herald.services.events.emit('post.failed', null, { title }));
}

async function pass(herald: TestHerald['herald']) {
  herald.deliveries.kick();
  await herald.deliveries.idle();
}

describe('delivery loop', () => {
  it('refuses an event written outside a transaction', async () => {
    const { herald } = await setup([], []);
    expect(() => herald.services.events.emit('post.failed', null, { title: 'x' })).toThrow(/outside a transaction/);
  });

  it('delivers each event once per target, and a second fan-out adds nothing', async () => {
    const script: Scripted = { sent: [], answers: [] };
    const router: Router = {
      name: 'two',
      route: (_e, now) => [
        { channel: 'test', target: 'a', dueAt: now },
        { channel: 'test', target: 'b', dueAt: now },
      ],
    };
    const { herald } = await setup([router], [scriptedSender('test', false, script)]);
    const event = emit(herald);
    await pass(herald);
    expect(script.sent.map((s) => s.target).sort()).toEqual(['a', 'b']);
    expect(herald.deliveries.fanOut()).toBe(0);
    await pass(herald);
    expect(script.sent).toHaveLength(2);
    const rows = herald.repos.notify.listDeliveries({ limit: 10 });
    expect(rows.every((r) => r.status === 'delivered' && r.eventId === event.id)).toBe(true);
  });

  it('retries a failure after the backoff (at least Retry-After) and gives up after 24 hours', async () => {
    const script: Scripted = { sent: [], answers: [{ ok: false, status: 429, retryAfterMs: 120_000 }] };
    const router: Router = { name: 'one', route: (_e, now) => [{ channel: 'test', target: 'a', dueAt: now }] };
    const { herald, clock } = await setup([router], [scriptedSender('test', false, script)]);
    emit(herald);
    await pass(herald);
    const [first] = herald.repos.notify.listDeliveries({ limit: 1 });
    expect(first).toMatchObject({ status: 'pending', attempts: 1, responseStatus: 429 });
    // random() = 1: the full backoff ceiling (10 s) is below Retry-After, so Retry-After wins.
    expect(first!.dueAt).toBe(T0 + 120_000);
    clock.advance(119_000);
    await pass(herald);
    expect(script.sent).toHaveLength(1);
    clock.advance(1000);
    await pass(herald);
    expect(herald.repos.notify.listDeliveries({ limit: 1 })[0]).toMatchObject({ status: 'delivered', attempts: 2 });

    script.answers.push(...Array.from({ length: 100 }, () => ({ ok: false, status: 500 })));
    emit(herald, 'second');
    for (let i = 0; i < 60; i++) {
      await pass(herald);
      clock.advance(2 * 60 * 60_000);
    }
    const [given] = herald.repos.notify.listDeliveries({ limit: 1 });
    expect(given).toMatchObject({ status: 'failed', responseStatus: 500 });
    expect(given!.lastAttemptAt! - given!.createdAt).toBeLessThanOrEqual(24 * 60 * 60_000);
  });

  it('sends the due deliveries of one bundle as one message', async () => {
    const script: Scripted = { sent: [], answers: [] };
    const router: Router = {
      name: 'digest',
      route: () => [{ channel: 'test', target: 'a', bundle: 'digest', dueAt: T0 + 3_600_000 }],
    };
    const { herald, clock } = await setup([router], [scriptedSender('test', false, script)]);
    const ids = [emit(herald).id, emit(herald).id, emit(herald).id];
    await pass(herald);
    expect(script.sent).toHaveLength(0);
    clock.advance(3_600_000);
    await pass(herald);
    expect(script.sent).toEqual([{ target: 'a', ids }]);
  });

  it('pauses a channel that keeps failing, tells the admins once, and holds its deliveries until resumed', async () => {
    const script: Scripted = { sent: [], answers: Array.from({ length: 50 }, () => ({ ok: false, status: 503 })) };
    const now = () => T0;
    const { herald, clock } = await setup(
      [
        {
          name: 'channels',
          route: (event, at) =>
            event.type === 'channel.paused' ? [] : [{ channel: 'test', target: 'chn_1', dueAt: at }],
        },
      ],
      [scriptedSender('test', true, script)],
    );
    herald.repos.notify.insertChannel({
      id: 'chn_1',
      kind: 'webhook',
      name: 'Zapier',
      clientId: null,
      urlSealed: 'x',
      urlHint: 'https://hooks.example/…',
      secretSealed: null,
      events: [],
      status: 'active',
      pausedReason: null,
      consecutiveFailures: 0,
      failingSince: null,
      lastSuccessAt: null,
      lastFailureAt: null,
      createdAt: now(),
      updatedAt: now(),
    });
    emit(herald);
    for (let i = 0; i < 40; i++) {
      await pass(herald);
      clock.advance(15 * 60_000);
    }
    const channel = herald.repos.notify.getChannel('chn_1')!;
    expect(channel.status).toBe('paused');
    const paused = herald.services.events.list({ type: 'channel.paused' }).data;
    expect(paused).toHaveLength(1);
    expect(paused[0]!.data).toMatchObject({ channelId: 'chn_1', name: 'Zapier' });
    const attemptsWhenPaused = script.sent.length;
    emit(herald, 'while paused');
    for (let i = 0; i < 5; i++) {
      await pass(herald);
      clock.advance(15 * 60_000);
    }
    expect(script.sent).toHaveLength(attemptsWhenPaused);
    expect(herald.repos.notify.listDeliveries({ status: 'pending', limit: 10 }).length).toBeGreaterThan(0);
  });
});

describe('delivery beside publishing', () => {
  it('steps back to its quiet share while publishing is busy, and takes its full share again after', async () => {
    let open = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const sender: Sender = {
      channel: 'test',
      pausable: false,
      timeoutMs: 5_000,
      send: () =>
        new Promise<SendResult>((resolve) => {
          open++;
          most = Math.max(most, open);
          release.push(() => {
            open--;
            resolve({ ok: true, status: 200 });
          });
        }),
    };
    const router: Router = {
      name: 'many',
      route: (event, now) => [{ channel: 'test', target: `t-${event.data.title}`, dueAt: now }],
    };
    const { herald } = await setup([], []);
    let busy = true;
    const loop = new DeliveryLoop(
      {
        database: herald.database,
        repos: herald.repos,
        clock: herald.clock,
        log: herald.log,
        lease: { isLeader: () => true },
        notifiers: { senders: [sender], routers: [router] },
        publishingBusy: () => busy,
      },
      { quietConcurrency: 1, concurrency: 6 },
    );
    for (let i = 0; i < 20; i++) emit(herald, `e${i}`);
    const settle = () => new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 5; i++) {
      loop.kick();
      await settle();
    }
    expect(most).toBe(1);
    busy = false;
    release.shift()?.();
    for (let i = 0; i < 5; i++) {
      loop.kick();
      await settle();
    }
    expect(open).toBe(6);
    for (const r of release.splice(0)) r();
    await loop.stop(100);
  });
});
