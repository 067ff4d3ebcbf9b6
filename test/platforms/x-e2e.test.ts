import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeX, type FakeXUser } from '../fakes/x.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { accountOf, onboardClient } from '../helpers/onboarding.js';
import type { PageClient } from '../helpers/page-client.js';
import { waitFor } from '../helpers/processes.js';

// X through the real server and the registry: invite link → portal → X's consent with PKCE (the
// fake) → the account under its label → posts published by the running engine once each (an image
// post, a thread), a lost answer settled by the reconciler, the refresh job rotating the pair, a
// revoked token stopping publishing, X's weighted count refused when a post is written, and the
// monthly post count on System.

const APP = { clientId: 'x-client', clientSecret: 'x-secret' };

let fake: FakeX;
let user: FakeXUser;
let live: LiveHerald;
let portal: PageClient;
let admin: PageClient;
let clientId: string;

beforeAll(async () => {
  fake = new FakeX({ ...APP, redirectUris: [], now: () => Date.now() });
  const url = await fake.start();
  user = fake.addUser({ username: 'acmebakery', name: 'Acme Bakery on X' });
  live = await startLiveHerald(
    {
      X_CLIENT_ID: APP.clientId,
      X_CLIENT_SECRET: APP.clientSecret,
      X_AUTH_URL: `${url}/i/oauth2/authorize`,
      X_API_URL: url,
    },
    {
      platformOptions: { x: { timelineLagMs: 500 } },
      engine: { backoffBaseMs: 50, backoffCapMs: 200, settleMs: 200 },
      schedules: { reconcile: '* * * * * *' },
    },
  );
  fake.app.redirectUris.push(`${live.url}/auth/x/callback`);
  ({ clientId, portal, admin } = await onboardClient(live));
});

afterAll(async () => {
  await live?.close();
  await fake?.stop();
});

const xAccount = () => accountOf(live, clientId, 'x');
const status = (id: string) => live.herald.services.posts.get(id).status;

function schedule(caption: string, mediaIds: string[] = [], options?: Record<string, unknown>): string {
  return live.herald.services.posts.create(
    {
      accountId: xAccount().id,
      caption,
      mediaIds,
      scheduledAt: new Date(Date.now() + 1_000).toISOString(),
      status: 'scheduled',
      ...(options ? { options } : {}),
    },
    { kind: 'system' },
  ).id;
}

function berlin(hoursAhead: number): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(new Date(Date.now() + hoursAhead * 3_600_000))
    .replace(' ', 'T');
}

describe('connecting X from the invite link', () => {
  it('the Settings page shows the callback URI', async () => {
    expect((await admin.get('/settings')).html).toContain(`${live.url}/auth/x/callback`);
  });

  it('the portal button goes through X’s consent (PKCE) and back; the account shows as X', async () => {
    expect((await portal.get('/portal')).html).toContain('action="/auth/x/start"');
    fake.nextConsent = { userId: user.id };
    const start = await portal.post('/auth/x/start', {});
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const consent = await fetch(authorize, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    const res = await portal.request(`${back.pathname}${back.search}`);
    expect(res.status).toBe(200);
    const account = xAccount();
    expect(account).toMatchObject({ externalId: user.id, name: 'Acme Bakery on X', status: 'connected' });
    const tokens = live.herald.services.accounts.tokens(account);
    expect(tokens.refreshToken).toMatch(/^rt-/);
    expect(JSON.stringify(live.herald.database.sqlite.prepare('SELECT * FROM accounts').all())).not.toContain(
      tokens.accessToken,
    );
    const badge = /<span class="platform platform-x">X<\/span>\s*Acme Bakery on X/;
    expect((await portal.get('/portal')).html).toMatch(badge);
    expect((await admin.get(`/clients/${clientId}`)).html).toMatch(badge);
  });
});

describe('X’s count when a post is written', () => {
  // 250 letters, a space, a link (23), a space and two emoji (2 each): 279 as X counts.
  const fits = `${'a'.repeat(250)} https://acme.example/${'x'.repeat(40)} 🍞🍞`;
  const tooLong = `${fits}bb`;

  it('the editor refuses a caption over 280 as X counts it (422), unless split into a thread', async () => {
    const post = (caption: string, extra: Record<string, string> = {}) =>
      admin.post('/posts', {
        clientId,
        accountId: xAccount().id,
        caption,
        scheduledAt: berlin(5),
        intent: 'schedule',
        ...extra,
      });
    const res = await post(tooLong);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('X allows 280 characters');
    expect((await post(fits)).status).toBe(303);
    expect((await post(tooLong, { 'options.thread': 'yes' })).status).toBe(303);
  });

  it('the API answers validation_failed with the field', async () => {
    const refused = await live.api('POST', '/posts', { accountId: xAccount().id, caption: tooLong });
    expect(refused.status).toBe(400);
    const error = ((await refused.json()) as { error: { code: string; details: Record<string, string[]> } }).error;
    expect(error.code).toBe('validation_failed');
    expect(error.details.caption?.join(' ')).toMatch(/this counts 281/);
  });
});

describe('publishing to the connected account', () => {
  it('an image post is published once, at its time', async () => {
    const image = await live.herald.services.media.ingest([await makeImage(800, 800, 'png')], { clientId });
    const id = schedule('Morning loaves on X', [image.id]);
    await waitFor(() => status(id) === 'published', 20_000, `publishing (${status(id)})`);
    const sent = fake.tweets.filter((t) => t.text === 'Morning loaves on X');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.mediaIds).toHaveLength(1);
    expect(live.herald.services.posts.get(id).permalink).toBe(`https://x.com/acmebakery/status/${sent[0]!.id}`);
  });

  it('a long caption split into a thread: each reply to the one before', async () => {
    const caption = Array.from({ length: 20 }, (_, i) => `Loaf number ${i} comes out of the oven.`).join(' ');
    const id = schedule(caption, [], { thread: 'yes' });
    await waitFor(() => status(id) === 'published', 20_000, `the thread (${status(id)})`);
    const head = fake.tweets.find((t) => t.id === live.herald.services.posts.get(id).externalId)!;
    const chain = [head];
    for (
      let next = fake.tweets.find((t) => t.replyTo === head.id);
      next;
      next = fake.tweets.find((t) => t.replyTo === next!.id)
    )
      chain.push(next);
    expect(chain.length).toBeGreaterThan(1);
    expect(chain.map((t) => t.text).join(' ')).toBe(caption);
  });

  it('the answer to the post is lost: settled by the reconciler without a second send', async () => {
    fake.server.inject({ method: 'POST', path: /^\/2\/tweets$/, fault: { kind: 'lose-response' } });
    const id = schedule('The answer to this one is lost');
    await waitFor(() => status(id) === 'published', 20_000, `the reconciler (${status(id)})`);
    const sent = fake.tweets.filter((t) => t.text === 'The answer to this one is lost');
    expect(sent).toHaveLength(1);
    expect(fake.server.calls(/^\/2\/tweets$/, 'POST').filter((r) => r.body.text === sent[0]!.text)).toHaveLength(1);
    expect(live.herald.services.posts.get(id).externalId).toBe(sent[0]!.id);
  });

  it('the System page shows the posts counted this month', async () => {
    const { html } = await admin.get('/system');
    expect(html).toMatch(new RegExp(`<strong>X</strong> posts this month: ${fake.tweets.length} of 500`));
  });

  it('the refresh job rotates the pair and stores both', async () => {
    const account = xAccount();
    const before = live.herald.services.accounts.tokens(account);
    await live.herald.tokens.refreshDue();
    const after = live.herald.services.accounts.tokens(live.herald.services.accounts.get(account.id));
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    const id = schedule('After the renewal');
    await waitFor(() => status(id) === 'published', 20_000, `publishing with the new token (${status(id)})`);
  });

  it('a revoked token: the account needs reconnecting and nothing is published', async () => {
    const account = xAccount();
    fake.revoke(user.id);
    const before = fake.tweets.length;
    const id = schedule('This one cannot go');
    await waitFor(
      () => live.herald.services.accounts.get(account.id).status === 'needs_reauth',
      20_000,
      'the account to need reconnecting',
    );
    expect(fake.tweets.length).toBe(before);
    expect(status(id)).toBe('scheduled');
  });
});
