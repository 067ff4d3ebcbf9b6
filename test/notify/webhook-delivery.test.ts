// Signed webhooks end to end: Herald's real sender and delivery loop against a real HTTP receiver
// that verifies every request with the `standardwebhooks` library, through its faults: down,
// 500, 429 with Retry-After, no answer, redirects, 410, an endpoint that keeps failing.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { json, makeHerald, type TestHerald } from '../helpers/herald.js';
import { waitFor } from '../helpers/processes.js';
import { WebhookReceiver } from '../fakes/webhook-receiver.js';

let t: TestHerald | undefined;
let receiver: WebhookReceiver | undefined;
let other: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  await other?.stop();
  other = undefined;
  await t?.close();
  t = undefined;
  receiver = undefined;
});

/**
 * Time starts now (receivers check webhook-timestamp against their own clock, 5 minutes either
 * way) and only moves when a test moves it; random() = 1 makes each backoff its full ceiling.
 */
async function setup(delivery: Record<string, number> = {}) {
  const clock = new ManualClock(Date.now());
  t = await makeHerald(
    { OUTBOUND_PRIVATE_HOSTS: '127.0.0.1' },
    { clock, delivery: { random: () => 1, backoffBaseMs: 1000, maxSendMs: 400, ...delivery } },
  );
  t.herald.lease.tick();
  receiver = await new WebhookReceiver().start();
  const res = await t.api('POST', '/webhooks', { url: receiver.url, events: [], clientId: null });
  expect(res.status).toBe(201);
  const hook = await json(res);
  receiver.secret = hook.secret;
  return { clock, herald: t.herald, hook, receiver };
}

function emit(herald: TestHerald['herald'], title = 'A post failed') {
  return herald.database.immediate(() =>
    herald.services.events.emit('post.failed', null, { title, postId: 'pst_1', error: 'refused' }),
  );
}

async function pass(herald: TestHerald['herald']) {
  herald.deliveries.kick();
  await herald.deliveries.idle();
}

async function deliveries(hookId: string) {
  return (await json(await t!.api('GET', `/webhooks/${hookId}/deliveries`))).data as any[];
}

describe('signed webhooks', () => {
  it('every request verifies with standardwebhooks; the body is the event as the events API lists it', async () => {
    const { herald, receiver } = await setup();
    const event = emit(herald);
    await pass(herald);
    expect(receiver.received.map((r) => r.error ?? 'ok')).toEqual(['ok']);
    const [got] = receiver.accepted;
    expect(got!.id).toBe(event.id);
    expect(got!.body).toEqual(herald.services.events.list({}).data[0]);
    expect(got!.body).toEqual({
      id: event.id,
      type: 'post.failed',
      clientId: null,
      createdAt: event.createdAt,
      data: event.data,
    });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['user-agent']).toContain(`Herald-Webhooks/${herald.config.version}`);
    expect(Number(got!.timestamp)).toBe(Math.floor(herald.clock.now() / 1000));
    // The raw recipe of the README: HMAC-SHA256 keyed with the decoded secret over id.timestamp.body.
    const key = Buffer.from(receiver.secret.replace(/^whsec_/, ''), 'base64');
    const mac = createHmac('sha256', key).update(`${got!.id}.${got!.timestamp}.${got!.raw}`).digest('base64');
    expect(got!.headers['webhook-signature']).toBe(`v1,${mac}`);
    const [log] = await deliveries((await json(await t!.api('GET', '/webhooks'))).data[0].id);
    expect(log).toMatchObject({ eventId: event.id, status: 'delivered', attempts: 1, responseStatus: 200 });
    expect(log.responseBody).toBe('ok');
  });

  it('a receiver with another secret refuses the signature (the check is real)', async () => {
    const { herald, receiver } = await setup();
    receiver.secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    emit(herald);
    await pass(herald);
    expect(receiver.received[0]!.error).toMatch(/No matching signature/);
    expect(receiver.accepted).toHaveLength(0);
  });

  it('receiver down (port closed), then up: retried after the backoff and delivered', async () => {
    const { herald, receiver, hook, clock } = await setup();
    await receiver.stop();
    const event = emit(herald);
    await pass(herald);
    const [failed] = await deliveries(hook.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, responseStatus: null });
    expect(failed.error).toMatch(/could not connect: ECONNREFUSED/);
    await receiver.start();
    clock.advance(1000);
    await pass(herald);
    expect(receiver.acceptedIds()).toEqual([event.id]);
    expect((await deliveries(hook.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('500 then 200: retried with the same webhook-id, the 500 answer kept in the log', async () => {
    const { herald, receiver, hook, clock } = await setup();
    receiver.answer({ status: 500, body: 'database is down' });
    const event = emit(herald);
    await pass(herald);
    expect((await deliveries(hook.id))[0]).toMatchObject({
      status: 'pending',
      responseStatus: 500,
      responseBody: 'database is down',
      error: 'HTTP 500',
    });
    clock.advance(1000);
    await pass(herald);
    expect(receiver.received.map((r) => r.id)).toEqual([event.id, event.id]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect((await deliveries(hook.id))[0]).toMatchObject({ status: 'delivered', attempts: 2, responseStatus: 200 });
  });

  it('429 with Retry-After: not retried before it', async () => {
    const { herald, receiver, hook, clock } = await setup();
    receiver.answer({ status: 429, headers: { 'retry-after': '120' } });
    emit(herald);
    await pass(herald);
    const [first] = await deliveries(hook.id);
    expect(first.nextAttemptAt).toBe(new Date(clock.now() + 120_000).toISOString());
    clock.advance(119_000);
    await pass(herald);
    expect(receiver.received).toHaveLength(1);
    clock.advance(1000);
    await pass(herald);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.accepted).toHaveLength(1);
  });

  it('a receiver that never answers: the send times out and is retried', async () => {
    const { herald, receiver, hook, clock } = await setup();
    receiver.answer({ hang: true });
    const event = emit(herald);
    await pass(herald);
    const [timedOut] = await deliveries(hook.id);
    expect(timedOut).toMatchObject({ status: 'pending', attempts: 1 });
    expect(timedOut.error).toMatch(/timed out: no answer after 0\.\d s/);
    clock.advance(1000);
    await pass(herald);
    expect(receiver.acceptedIds()).toEqual([event.id]);
  });

  it('a redirect is a failure and is not followed; 410 Gone gives up at once', async () => {
    const { herald, receiver, hook, clock } = await setup();
    receiver.answer({ status: 302, headers: { location: `${receiver.url}/moved` } });
    emit(herald, 'one');
    await pass(herald);
    expect(receiver.received).toHaveLength(1);
    const [redirected] = await deliveries(hook.id);
    expect(redirected).toMatchObject({ status: 'pending', responseStatus: 302 });
    expect(redirected.error).toMatch(/redirects are not followed/);
    receiver.fallback = { status: 410 };
    clock.advance(1000);
    const two = emit(herald, 'two');
    await pass(herald);
    const gone = (await deliveries(hook.id)).find((d) => d.eventId === two.id);
    expect(gone).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 410, nextAttemptAt: null });
  });

  it('"send a test" and "redeliver" carry the webhook-id of the event they deliver', async () => {
    const { herald, receiver, hook } = await setup();
    const event = emit(herald);
    await pass(herald);
    const test = await t!.api('POST', `/webhooks/${hook.id}/test`);
    expect(test.status).toBe(202);
    const { eventId: testId, deliveryId: testDelivery } = await json(test);
    await pass(herald);
    const original = (await deliveries(hook.id)).find((d) => d.eventId === event.id);
    for (const deliveryId of [original.id, testDelivery]) {
      const res = await t!.api('POST', `/webhooks/${hook.id}/deliveries/${deliveryId}/redeliver`);
      expect(res.status).toBe(202);
    }
    await pass(herald);
    expect(receiver.acceptedIds().sort()).toEqual([event.id, event.id, testId, testId].sort());
    expect(receiver.accepted.find((r) => r.id === testId)!.body.type).toBe('notification.test');
    // One row per (event, endpoint): a redelivery reuses it.
    const log = await deliveries(hook.id);
    expect(log).toHaveLength(2);
    expect(log.every((d) => d.status === 'delivered' && d.attempts === 2)).toBe(true);
  });

  it('an endpoint that keeps failing is paused (one channel.paused event); resumed, gets what it missed', async () => {
    const { herald, receiver, hook, clock } = await setup({ pauseAfterFailures: 4, pauseAfterMs: 30_000 });
    receiver.fallback = { status: 503, body: 'maintenance' };
    const first = emit(herald, 'first');
    const second = emit(herald, 'second');
    for (let i = 0; i < 12; i++) {
      await pass(herald);
      clock.advance(10_000);
    }
    const paused = await json(await t!.api('GET', `/webhooks/${hook.id}`));
    // Two deliveries fail on each pass; the pause needs 4 failures spread over 30 s.
    expect(paused.active).toBe(false);
    expect(paused.consecutiveFailures).toBeGreaterThanOrEqual(4);
    expect(paused.pausedReason).toMatch(/^\d+ deliveries in a row failed since/);
    expect(herald.services.events.list({ type: 'channel.paused' }).data).toHaveLength(1);
    const tries = receiver.received.length;
    const missed = emit(herald, 'while paused');
    for (let i = 0; i < 5; i++) {
      await pass(herald);
      clock.advance(10_000);
    }
    expect(receiver.received).toHaveLength(tries);
    expect(herald.services.events.list({ type: 'channel.paused' }).data).toHaveLength(1);

    receiver.fallback = { status: 204 };
    const resumed = await t!.api('PATCH', `/webhooks/${hook.id}`, { active: true });
    expect(await json(resumed)).toMatchObject({ active: true, consecutiveFailures: 0, pausedReason: null });
    await pass(herald);
    expect(new Set(receiver.acceptedIds())).toEqual(new Set([first.id, second.id, missed.id]));
    expect((await deliveries(hook.id)).every((d) => d.status === 'delivered')).toBe(true);
  });

  it('an endpoint that hangs holds at most its share of the send slots: the others are served meanwhile', async () => {
    const { herald, receiver: hanging } = await setup({ maxSendMs: 20_000 });
    hanging.fallback = { hang: true };
    other = await new WebhookReceiver().start();
    const res = await t!.api('POST', '/webhooks', { url: other.url });
    other.secret = (await json(res)).secret;
    const ids = Array.from({ length: 40 }, (_, i) => emit(herald, `event ${i}`).id);
    herald.deliveries.kick();
    await waitFor(() => other!.accepted.length === 40, 5000, 'the healthy endpoint served');
    expect(new Set(other.acceptedIds())).toEqual(new Set(ids));
    // Each once: an answered delivery is not sent again while its answer waits to be written.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(other.received).toHaveLength(40);
    const { concurrency, perTargetConcurrency } = herald.deliveries.options;
    expect(perTargetConcurrency).toBeLessThan(concurrency);
    expect(hanging.received).toHaveLength(perTargetConcurrency);
    expect(hanging.accepted).toHaveLength(0);
  });

  it('an endpoint that is down is tried by a few messages at a time, not by its whole queue', async () => {
    const { herald, receiver, hook, clock } = await setup();
    await receiver.stop();
    const ids = Array.from({ length: 20 }, (_, i) => emit(herald, `event ${i}`).id);
    await pass(herald);
    await pass(herald);
    const tried = (await deliveries(hook.id)).filter((d) => d.attempts > 0);
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.length).toBeLessThanOrEqual(herald.deliveries.options.perTargetConcurrency);
    await receiver.start();
    clock.advance(60_000);
    await pass(herald);
    expect(new Set(receiver.acceptedIds())).toEqual(new Set(ids));
  });
});
