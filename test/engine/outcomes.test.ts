import { afterEach, describe, expect, it } from 'vitest';
import { ATTEMPT_OUTCOMES, nextStatus } from '../../src/domain/post-status.js';
import { engineHarness, type EngineHarness } from '../helpers/engine-harness.js';

let h: EngineHarness;
afterEach(async () => h?.close());

describe('publishing outcomes', () => {
  it('publishes a due post once, and nothing before its time', async () => {
    h = await engineHarness();
    const later = h.schedule('later', 60_000);
    const now = h.schedule('now');
    expect((await h.round()).claimed).toBe(1);
    expect(h.status(now)).toBe('published');
    expect(h.status(later)).toBe('scheduled');
    const post = h.t.herald.services.posts.get(now);
    expect(post).toMatchObject({
      externalId: 'pp_1',
      permalink: 'https://platform.test/pp_1',
      attempts: 1,
      lastError: null,
    });
    const steps = h.t.herald.services.posts.logs(now).map((l) => `${l.step}:${l.level}`);
    expect(steps).toEqual(['create:info', 'claim:info', 'send:info', 'confirm:ok']);
    expect(h.platform.posts).toHaveLength(1);
  });

  it('429 with Retry-After before the send: waits exactly that long, pausing the account', async () => {
    h = await engineHarness();
    h.platform.inject({
      method: 'POST',
      path: /^\/prepare$/,
      fault: { kind: 'status', status: 429, headers: { 'retry-after': '120' }, body: {} },
    });
    const id = h.schedule('throttled');
    await h.round();
    const post = h.t.herald.services.posts.get(id);
    expect(post.status).toBe('scheduled');
    expect(post.dueAt).toBe(h.clock.now() + 120_000);
    expect(post.lastError).toMatch(/slow down/);
    expect(h.t.herald.services.accounts.get(h.seeded.facebook.id).pausedUntil).toBe(h.clock.now() + 120_000);
    const other = h.schedule('same account');
    h.advance(60_000);
    expect((await h.round()).claimed).toBe(0);
    h.advance(61_000);
    await h.round();
    await h.round();
    expect(h.status(id)).toBe('published');
    expect(h.status(other)).toBe('published');
    expect(h.platform.duplicates()).toEqual([]);
  });

  it('backs off exponentially with full jitter and fails after PUBLISH_MAX_ATTEMPTS', async () => {
    h = await engineHarness({ PUBLISH_MAX_ATTEMPTS: '3' }, { random: () => 0.5 });
    h.platform.inject({
      method: 'POST',
      path: /^\/prepare$/,
      fault: { kind: 'status', status: 503, body: {} },
      times: 3,
    });
    const id = h.schedule('flaky');
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      await h.round();
      const post = h.t.herald.services.posts.get(id);
      if (post.status !== 'scheduled') break;
      waits.push(post.dueAt! - h.clock.now());
      h.advance(post.dueAt! - h.clock.now());
    }
    // random 0.5 of 1 s, 2 s: half of the doubling ceiling each time.
    expect(waits).toEqual([500, 1000]);
    const post = h.t.herald.services.posts.get(id);
    expect(post.status).toBe('failed');
    expect(post.lastError).toBe('Gave up after 3 attempts: The platform answered 503.');
    expect(h.platform.posts).toHaveLength(0);
  });

  it('an auth error marks the account for reconnecting; its posts wait and nothing more is sent', async () => {
    h = await engineHarness();
    h.platform.inject({ method: 'POST', path: /^\/prepare$/, fault: { kind: 'status', status: 401, body: {} } });
    const first = h.schedule('first');
    const second = h.schedule('second');
    await h.round();
    const account = h.t.herald.services.accounts.get(h.seeded.facebook.id);
    expect(account.status).toBe('needs_reauth');
    expect(account.lastError).toMatch(/Reconnect it/);
    expect(
      [h.t.herald.services.posts.get(first), h.t.herald.services.posts.get(second)].map((p) => [p.status, p.attempts]),
    ).toEqual([
      ['scheduled', 0],
      ['scheduled', 0],
    ]);
    // Both posts say why they wait, the one that was tried and the one behind it.
    expect(h.t.herald.services.posts.get(first).lastError).toMatch(/^Waiting: reconnect Acme Page/);
    expect(h.t.herald.services.posts.get(second).lastError).toMatch(/^Waiting: reconnect Acme Page/);
    expect(h.t.herald.services.posts.get(second).waitingOn).toBe('account_reauth');
    const calls = h.platform.requests.length;
    h.advance(5_000);
    expect(h.t.herald.engine.hasWork()).toBe(false);
    await h.round();
    expect(h.platform.requests.length).toBe(calls);
    // Reconnecting (what the OAuth callback does) lets them go.
    h.t.herald.services.accounts.connect({
      clientId: h.seeded.client.id,
      platform: 'facebook',
      externalId: h.seeded.facebook.externalId,
      name: 'Acme Page',
      accessToken: 'new-token',
      scopes: [],
    });
    expect(h.t.herald.services.posts.get(first)).toMatchObject({ lastError: null, waitingOn: null });
    await h.round();
    await h.round();
    expect([h.status(first), h.status(second)]).toEqual(['published', 'published']);
  });

  it('a reconnect clears what waited for the account, never a note that only reads like one', async () => {
    h = await engineHarness();
    const { accounts, posts } = h.t.herald.services;
    const waits = h.schedule('waits for the account', 60_000);
    const other = h.schedule('has a note of its own', 60_000);
    // Words that start like a waiting note but are not one (a platform's or a model's message).
    h.t.herald.database.sqlite
      .prepare('UPDATE posts SET last_error = ? WHERE id = ?')
      .run('Waiting: for the client to send photos', other);
    accounts.patch(h.seeded.facebook.id, { status: 'disabled' }, { kind: 'system' });
    expect(posts.get(waits)).toMatchObject({
      waitingOn: 'account_disabled',
      lastError: 'Waiting: publishing to Acme Page is switched off',
    });
    expect(posts.get(other)).toMatchObject({ waitingOn: null, lastError: 'Waiting: for the client to send photos' });
    accounts.patch(h.seeded.facebook.id, { status: 'connected' }, { kind: 'system' });
    expect(posts.get(waits)).toMatchObject({ waitingOn: null, lastError: null });
    expect(posts.get(other)).toMatchObject({ waitingOn: null, lastError: 'Waiting: for the client to send photos' });
  });

  it("an attempt's stored outcome, the post's transition and the metric label are one word", async () => {
    h = await engineHarness();
    h.platform.inject({ method: 'POST', path: /^\/prepare$/, fault: { kind: 'status', status: 503, body: {} } });
    const retried = h.schedule('deferred, then published');
    await h.round();
    h.advance(h.t.herald.services.posts.get(retried).dueAt! - h.clock.now());
    await h.round();
    h.platform.inject({ method: 'POST', path: /^\/publish$/, fault: { kind: 'status', status: 400, body: {} } });
    const refused = h.schedule('refused');
    await h.round();
    h.platform.inject({ method: 'POST', path: /^\/publish$/, fault: { kind: 'reset' } });
    const lost = h.schedule('lost');
    await h.round();
    expect([h.status(retried), h.status(refused), h.status(lost)]).toEqual(['published', 'failed', 'unconfirmed']);

    const attempts = h.t.herald.database.sqlite
      .prepare('SELECT post_id AS postId, outcome FROM publish_attempts ORDER BY id')
      .all() as Array<{ postId: string; outcome: string }>;
    const stored: Record<string, number> = {};
    for (const a of attempts) stored[a.outcome] = (stored[a.outcome] ?? 0) + 1;
    const counted = Object.fromEntries(
      (await h.t.herald.metrics.publishes.get()).values.map((v) => [v.labels.outcome, v.value]),
    );
    expect(Object.keys(stored)).toHaveLength(4);
    expect(counted).toEqual(stored);
    for (const word of Object.keys(stored)) expect(ATTEMPT_OUTCOMES).toContain(word);
    // Each post's last attempt names the event that moved it: publishing --<outcome>--> its status.
    for (const id of [retried, refused, lost]) {
      const last = attempts.filter((a) => a.postId === id).at(-1)!;
      expect(nextStatus('publishing', last.outcome as never)).toBe(h.status(id));
    }
  });

  it("a permanent refusal fails the post with the platform's reason", async () => {
    h = await engineHarness();
    h.platform.inject({ method: 'POST', path: /^\/publish$/, fault: { kind: 'status', status: 400, body: {} } });
    const id = h.schedule('refused');
    await h.round();
    expect(h.t.herald.services.posts.get(id)).toMatchObject({
      status: 'failed',
      lastError: 'The platform refused the post (400).',
    });
  });

  it.each([
    ['a response lost after the platform published', { kind: 'lose-response' as const }, 1, 'published'],
    ['a reset before the platform saw it', { kind: 'reset' as const }, 0, 'absent'],
    ['a timeout', { kind: 'hang' as const }, 0, 'absent'],
    ['a 5xx after the request left', { kind: 'status' as const, status: 502, body: {} }, 0, 'absent'],
  ])('%s: unconfirmed, then settled by the reconciler without a duplicate', async (_, fault, landed, lookup) => {
    h = await engineHarness();
    h.platform.inject({ method: 'POST', path: /^\/publish$/, fault });
    const id = h.schedule('uncertain');
    await h.round();
    expect(h.status(id)).toBe('unconfirmed');
    expect(h.platform.posts).toHaveLength(landed);
    // Nothing re-sends it blindly: due rounds leave it alone.
    await h.round();
    expect(h.platform.calls(/^\/publish$/)).toHaveLength(1);
    await h.t.herald.engine.reconcile();
    if (lookup === 'published') {
      expect(h.status(id)).toBe('published');
    } else {
      // Absent is only believed once the platform had time to show the post.
      expect(h.status(id)).toBe('unconfirmed');
      h.advance(6_000);
      await h.t.herald.engine.reconcile();
      expect(h.status(id)).toBe('scheduled');
      await h.round();
      expect(h.status(id)).toBe('published');
    }
    expect(h.platform.posts).toHaveLength(1);
    expect(h.platform.duplicates()).toEqual([]);
  });

  it('stops re-sending after two sends that the platform never showed', async () => {
    h = await engineHarness();
    h.platform.inject({ method: 'POST', path: /^\/publish$/, fault: { kind: 'reset' }, times: 2 });
    const id = h.schedule('cursed');
    for (let i = 0; i < 2; i++) {
      await h.round();
      h.advance(6_000);
      await h.t.herald.engine.reconcile();
    }
    expect(h.t.herald.services.posts.get(id)).toMatchObject({ status: 'failed', sends: 2 });
    expect(h.t.herald.services.posts.get(id).lastError).toMatch(/Not found on Facebook after 2 sends/);
    expect(h.platform.calls(/^\/publish$/)).toHaveLength(2);
  });
});

describe('an admin settles an unconfirmed post', () => {
  it('"it is on the platform" records it published; nothing is sent again', async () => {
    h = await engineHarness();
    h.platform.inject({ method: 'POST', path: /^\/publish$/, fault: { kind: 'lose-response' } });
    const id = h.schedule('checked by hand');
    await h.round();
    expect(h.status(id)).toBe('unconfirmed');
    expect(() => h.t.herald.services.posts.markPublished(id, { kind: 'system' }, 'ftp://nope')).toThrow(/not valid/);
    h.t.herald.services.posts.markPublished(id, { kind: 'system' }, 'https://platform.test/pp_1');
    expect(h.t.herald.services.posts.get(id)).toMatchObject({
      status: 'published',
      permalink: 'https://platform.test/pp_1',
    });
    await h.t.herald.engine.reconcile();
    await h.round();
    expect(h.platform.calls(/^\/publish$/)).toHaveLength(1);
  });
});
