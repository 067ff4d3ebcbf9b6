import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeThreads, type FakeThreadsUser } from '../fakes/threads.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { accountOf, onboardClient } from '../helpers/onboarding.js';
import type { PageClient } from '../helpers/page-client.js';
import { waitFor } from '../helpers/processes.js';

// Threads through the real server and the registry: invite link → portal → Threads' consent (the
// fake) → the profile, under its label on the portal and the client page → posts published by the
// running engine once each, a lost publish answer settled by the reconciler, the refresh job
// renewing the 60-day token, a revoked token stopping publishing, and Threads' own limits refused
// when a post is written.

const APP = { appId: '990011223344', appSecret: 'th-secret' };
const DAY = 24 * 3_600_000;

let th: FakeThreads;
let user: FakeThreadsUser;
let live: LiveHerald;
let portal: PageClient;
let admin: PageClient;
let clientId: string;

beforeAll(async () => {
  th = new FakeThreads({ ...APP, redirectUris: [] });
  const url = await th.start();
  user = th.addUser({ username: 'acme.bakery', name: 'Acme Bakery Threads' });
  live = await startLiveHerald(
    {
      THREADS_APP_ID: APP.appId,
      THREADS_APP_SECRET: APP.appSecret,
      THREADS_AUTH_URL: `${url}/oauth/authorize`,
      THREADS_GRAPH_URL: url,
    },
    {
      platformOptions: { threads: { pollIntervalMs: 30, pollTimeoutMs: 3_000, publishSettleMs: 500 } },
      engine: { backoffBaseMs: 50, backoffCapMs: 200, settleMs: 200 },
      // The running engine settles unknown outcomes itself, every second.
      schedules: { reconcile: '* * * * * *' },
    },
  );
  // The redirect URI registered in the Threads app: exactly PUBLIC_URL/auth/threads/callback.
  th.options.redirectUris.push(`${live.url}/auth/threads/callback`);
  ({ clientId, portal, admin } = await onboardClient(live));
});

afterAll(async () => {
  await live?.close();
  await th?.stop();
});

const threadsAccount = () => accountOf(live, clientId, 'threads');
const status = (id: string) => live.herald.services.posts.get(id).status;

function schedule(caption: string, at = Date.now(), mediaIds: string[] = []): string {
  return live.herald.services.posts.create(
    {
      accountId: threadsAccount().id,
      caption,
      mediaIds,
      scheduledAt: new Date(at).toISOString(),
      status: 'scheduled',
    },
    { kind: 'system' },
  ).id;
}

/** A wall-clock time in the client's zone, as the editor's datetime-local field sends it. */
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

describe('connecting Threads from the invite link', () => {
  it('the Settings page shows the redirect URI to register in the Threads app', async () => {
    const { html } = await admin.get('/settings');
    expect(html).toContain('Threads use case Redirect Callback URL');
    expect(html).toContain(`${live.url}/auth/threads/callback`);
  });

  it('a cancelled consent says so and connects nothing', async () => {
    th.nextConsent = { userId: user.id, deny: true };
    const start = await portal.post('/auth/threads/start', {});
    const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    const res = await portal.request(`${back.pathname}${back.search}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('cancelled on Threads');
    expect(live.herald.services.accounts.listByClient(clientId)).toHaveLength(0);
  });

  it('the portal button goes through Threads’ consent and back; the profile shows as Threads', async () => {
    const { html } = await portal.get('/portal');
    expect(html).toContain('action="/auth/threads/start"');
    th.nextConsent = { userId: user.id };
    const start = await portal.post('/auth/threads/start', {});
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${live.url}/auth/threads/callback`);
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    // Threads appends `#_` to the redirect; a browser keeps the fragment to itself.
    const back = new URL(consent.headers.get('location')!);
    expect(back.origin).toBe(live.url);
    const res = await portal.request(`${back.pathname}${back.search}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Acme Bakery Threads');

    const account = threadsAccount();
    expect(account).toMatchObject({ externalId: user.id, name: 'Acme Bakery Threads', status: 'connected' });
    // The long-lived token, not the one-hour one.
    expect(account.tokenExpiresAt).toBeGreaterThan(Date.now() + 50 * DAY);
    const token = live.herald.services.accounts.tokens(account).accessToken;
    expect(th.tokens.get(token)?.kind).toBe('long');
    expect(JSON.stringify(live.herald.database.sqlite.prepare('SELECT * FROM accounts').all())).not.toContain(token);

    const badge = /<span class="platform platform-threads">Threads<\/span>\s*Acme Bakery Threads/;
    expect((await portal.get('/portal')).html).toMatch(badge);
    expect((await admin.get(`/clients/${clientId}`)).html).toMatch(badge);
    expect(live.herald.services.clients.get(clientId).status).toBe('active');
  });
});

describe('Threads’ limits when a post is written', () => {
  // 488 letters and three emoji: 491 characters, but Threads counts each emoji as its 4 UTF-8 bytes (500 + 0).
  const atLimit = `${'a'.repeat(488)}🍞🥐🥖`;
  const overLimit = `${'a'.repeat(489)}🍞🥐🥖`;
  const sixLinks = [1, 2, 3, 4, 5, 6].map((n) => `https://acme.example/${n}`).join(' ');

  it('the editor refuses a caption over 500 as Threads counts it, keeping what was typed', async () => {
    const post = (caption: string) =>
      admin.post('/posts', {
        clientId,
        accountId: threadsAccount().id,
        caption,
        scheduledAt: berlin(5),
        intent: 'schedule',
      });
    const res = await post(overLimit);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Threads allows at most 500 characters');
    expect(html).toContain('class="field-error"');
    expect(html).toContain(overLimit.slice(0, 40));
    expect((await post(sixLinks)).status).toBe(422);
    expect((await post(atLimit)).status).toBe(303);
  });

  it('the API answers validation_failed with the field', async () => {
    const accountId = threadsAccount().id;
    const refused = await live.api('POST', '/posts', { accountId, caption: overLimit });
    expect(refused.status).toBe(400);
    const error = ((await refused.json()) as { error: { code: string; details: Record<string, string[]> } }).error;
    expect(error.code).toBe('validation_failed');
    expect(error.details.caption?.join(' ')).toMatch(
      /at most 500 characters, emoji counting as several \(this has 501\)/,
    );
    const links = await live.api('POST', '/posts', { accountId, caption: sixLinks });
    expect(((await links.json()) as { error: { details: Record<string, string[]> } }).error.details.caption).toEqual([
      'Threads allows at most 5 links in a post (this has 6).',
    ]);
    expect((await live.api('POST', '/posts', { accountId, caption: atLimit })).status).toBe(201);
  });
});

describe('publishing to the connected profile', () => {
  it('the running engine publishes a text post once, at its time', async () => {
    const at = Date.now() + 1_500;
    const id = schedule('Fresh sourdough at 7. Who is coming?', at);
    await waitFor(() => status(id) === 'published', 20_000, `publishing (${status(id)})`);
    const sent = th.publishedFor(user.id).filter((p) => p.text === 'Fresh sourdough at 7. Who is coming?');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.at).toBeGreaterThanOrEqual(at);
    expect(sent[0]!.mediaType).toBe('TEXT_POST');
    // Stored under the published id, not the container's.
    const post = live.herald.services.posts.get(id);
    expect(post.externalId).toBe(sent[0]!.id);
    expect(post.permalink).toBe(sent[0]!.permalink);
  });

  it('an image post: Threads fetches the image from PUBLIC_URL', async () => {
    const image = await live.herald.services.media.ingest([await makeImage(1080, 1350, 'png')], { clientId });
    const id = schedule('Morning loaves', Date.now(), [image.id]);
    await waitFor(() => status(id) === 'published', 20_000, `publishing the image (${status(id)})`);
    const sent = th.publishedFor(user.id).filter((p) => p.text === 'Morning loaves');
    expect(sent.map((p) => p.mediaType)).toEqual(['IMAGE']);
    expect(th.containers.get(sent[0]!.containerId)?.url).toMatch(new RegExp(`^${live.url}/media/`));
  });

  it.each([
    [
      'the connection drops after Threads published',
      () => th.inject({ method: 'POST', path: /\/threads_publish$/, fault: { kind: 'lose-response' } }),
    ],
    ['Threads published and answered code 10', () => void (th.publishThenCode10 = 1)],
  ])('%s: settled by the reconciler without a second send', async (what, fault) => {
    fault();
    const caption = `The answer to this one is lost: ${what}`;
    const id = schedule(caption);
    await waitFor(() => status(id) === 'published', 20_000, `the reconciler (${status(id)})`);
    const sent = th.publishedFor(user.id).filter((p) => p.text === caption);
    expect(sent).toHaveLength(1);
    expect(
      th.calls(/\/threads_publish$/, 'POST').filter((r) => r.body.creation_id === sent[0]!.containerId),
    ).toHaveLength(1);
    expect(live.herald.services.posts.get(id).externalId).toBe(sent[0]!.id);
    const steps = live.herald.database.sqlite.prepare('SELECT step FROM post_logs WHERE post_id = ?').all(id) as Array<{
      step: string;
    }>;
    expect(steps.map((s) => s.step)).toContain('reconcile');
  });

  it('the refresh job renews a token that is due, and publishing uses the new one', async () => {
    const account = threadsAccount();
    // A token two days old with three days left: due for renewal (Threads refreshes tokens a day old or more).
    const old = th.issueToken(user.id, { ageMs: 2 * DAY });
    live.herald.services.accounts.storeTokens(account.id, { accessToken: old, tokenExpiresAt: Date.now() + 3 * DAY });
    live.herald.repos.accounts.update(account.id, { lastRefreshedAt: Date.now() - 2 * DAY });
    await live.herald.tokens.refreshDue();
    const fresh = live.herald.services.accounts.get(account.id);
    const token = live.herald.services.accounts.tokens(fresh).accessToken;
    expect(token).not.toBe(old);
    expect(fresh.tokenExpiresAt).toBeGreaterThan(Date.now() + 50 * DAY);
    expect(th.calls(/^\/refresh_access_token$/, 'GET').map((r) => r.query.access_token)).toEqual([old]);
    const id = schedule('After the renewal');
    await waitFor(() => status(id) === 'published', 20_000, `publishing with the new token (${status(id)})`);
  });

  it('a revoked token: the profile needs reconnecting, its posts wait, nothing is published', async () => {
    const account = threadsAccount();
    th.revokeTokens(user.id);
    const before = th.published.length;
    const id = schedule('This one cannot go');
    await waitFor(
      () => live.herald.services.accounts.get(account.id).status === 'needs_reauth',
      20_000,
      'the account to need reconnecting',
    );
    const another = schedule('Nor this one');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(th.published.length).toBe(before);
    expect([status(id), status(another)]).toEqual(['scheduled', 'scheduled']);
    expect(live.herald.services.posts.get(another).lastError).toMatch(/^Waiting: reconnect Acme Bakery Threads/);
    expect((await portal.get('/portal')).html).toContain('Please reconnect');
  });
});
