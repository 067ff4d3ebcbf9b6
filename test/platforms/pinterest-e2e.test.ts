import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePinterest, type FakeBoard, type FakePinterestUser } from '../fakes/pinterest.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';
import { accountOf, onboardClient } from '../helpers/onboarding.js';
import type { PageClient } from '../helpers/page-client.js';
import { waitFor } from '../helpers/processes.js';

// Pinterest through the real server and the registry: invite link → portal → Pinterest's consent
// (the fake) → the account and its boards, under its label on the portal and the client page → the
// default board chosen on the client page → an image pin and a video pin published by the running
// engine once each, a lost create answer settled by the reconciler from the board's pins, the
// refresh job keeping the refresh token the refresh returns, a revoked token stopping publishing,
// and Pinterest's own limits refused when a post is written.

const APP = { appId: '1500001', appSecret: 'pin-secret' };
const DAY = 24 * 3_600_000;

let pin: FakePinterest;
let user: FakePinterestUser;
let recipes: FakeBoard;
let events: FakeBoard;
let live: LiveHerald;
let portal: PageClient;
let admin: PageClient;
let clientId: string;

beforeAll(async () => {
  pin = new FakePinterest({ ...APP, redirectUris: [] });
  const url = await pin.start();
  user = pin.addUser({ username: 'acmebakery', businessName: 'Acme Bakery Pins' });
  recipes = pin.addBoard(user.id, 'Recipes');
  events = pin.addBoard(user.id, 'Events');
  live = await startLiveHerald(
    {
      PINTEREST_APP_ID: APP.appId,
      PINTEREST_APP_SECRET: APP.appSecret,
      PINTEREST_AUTH_URL: `${url}/oauth/`,
      PINTEREST_API_URL: `${url}/v5`,
    },
    {
      platformOptions: { pinterest: { pollIntervalMs: 30, pollTimeoutMs: 3_000, lookupSettleMs: 500 } },
      engine: { backoffBaseMs: 50, backoffCapMs: 200, settleMs: 200 },
      schedules: { reconcile: '* * * * * *' },
    },
  );
  pin.options.redirectUris.push(`${live.url}/auth/pinterest/callback`);
  ({ clientId, portal, admin } = await onboardClient(live));
});

afterAll(async () => {
  await live?.close();
  await pin?.stop();
});

const pinterestAccount = () => accountOf(live, clientId, 'pinterest');
const status = (id: string) => live.herald.services.posts.get(id).status;

function schedule(caption: string, mediaIds: string[], at = Date.now(), options?: Record<string, string>): string {
  return live.herald.services.posts.create(
    {
      accountId: pinterestAccount().id,
      caption,
      mediaIds,
      scheduledAt: new Date(at).toISOString(),
      status: 'scheduled',
      ...(options ? { options } : {}),
    },
    { kind: 'system' },
  ).id;
}

async function image(): Promise<string> {
  return (await live.herald.services.media.ingest([await makeImage(1000, 1500, 'png')], { clientId })).id;
}

describe('connecting Pinterest from the invite link', () => {
  it('the portal button goes through Pinterest’s consent and back; the account and its boards are kept', async () => {
    const { html } = await portal.get('/portal');
    expect(html).toContain('action="/auth/pinterest/start"');
    pin.nextConsent = { userId: user.id };
    const start = await portal.post('/auth/pinterest/start', {});
    expect(start.status, await start.clone().text()).toBe(303);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${live.url}/auth/pinterest/callback`);
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status, await consent.clone().text()).toBe(302);
    const back = new URL(consent.headers.get('location')!);
    const res = await portal.request(`${back.pathname}${back.search}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Acme Bakery Pins');

    const account = pinterestAccount();
    expect(account).toMatchObject({ externalId: user.id, name: 'Acme Bakery Pins', status: 'connected' });
    const tokens = live.herald.services.accounts.tokens(account);
    expect(pin.tokens.has(tokens.accessToken)).toBe(true);
    expect(pin.refreshTokens.has(tokens.refreshToken!)).toBe(true);
    expect(JSON.parse(account.platformData).boards).toHaveLength(2);

    const badge = /<span class="platform platform-pinterest">Pinterest<\/span>\s*Acme Bakery Pins/;
    expect((await portal.get('/portal')).html).toMatch(badge);
    expect((await admin.get(`/clients/${clientId}`)).html).toMatch(badge);
  });

  it('the client page offers the boards as the default board, and stores the choice', async () => {
    const account = pinterestAccount();
    const { html } = await admin.get(`/clients/${clientId}`);
    expect(html).toContain(`action="/accounts/${account.id}/settings"`);
    expect(html).toMatch(new RegExp(`<option value="${recipes.id}" selected="?">Recipes</option>`));
    expect(html).toContain(`<option value="${events.id}">Events</option>`);
    expect((await admin.post(`/accounts/${account.id}/settings`, { defaultBoardId: '999' })).status).toBe(303);
    expect(JSON.parse(pinterestAccount().platformData).defaultBoardId).toBeUndefined();
    expect((await admin.post(`/accounts/${account.id}/settings`, { defaultBoardId: events.id })).status).toBe(303);
    expect(JSON.parse(pinterestAccount().platformData).defaultBoardId).toBe(events.id);
    // The editor offers the account's boards for a single post.
    const editor = await admin.get(`/posts/new?clientId=${clientId}`);
    expect(editor.html).toContain(`data-post-options-account="${account.id}"`);
    expect(editor.html).toContain(`<option value="${recipes.id}">Recipes</option>`);
  });
});

describe('Pinterest’s limits when a post is written', () => {
  const long = 'a'.repeat(801);
  it('the editor refuses a description over 800 characters and a pin without media (422)', async () => {
    const res = await admin.post('/posts', {
      clientId,
      accountId: pinterestAccount().id,
      caption: long,
      scheduledAt: '2030-01-01T10:00',
      intent: 'schedule',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('A pin description holds at most 800 characters');
    expect(html).toContain('A pin needs an image or a video.');
  });

  it('the API answers validation_failed with the fields', async () => {
    const accountId = pinterestAccount().id;
    type Refusal = { error: { code: string; details: Record<string, string[]> } };
    const refused = await live.api('POST', '/posts', { accountId, caption: long });
    expect(refused.status).toBe(400);
    const error = ((await refused.json()) as Refusal).error;
    expect(error.code).toBe('validation_failed');
    expect(error.details.caption?.join(' ')).toMatch(/at most 800 characters \(this has 801\)/);
    expect(error.details.mediaIds).toEqual(['A pin needs an image or a video.']);
    const badOptions = await live.api('POST', '/posts', {
      accountId,
      caption: 'Pie',
      options: { boardId: 'recipes', link: 'not a link' },
    });
    const details = ((await badOptions.json()) as Refusal).error.details;
    expect(details['options.boardId']).toEqual(['must be a board id (digits only)']);
    expect(details['options.link']).toEqual(['must be a web address (https://…)']);
  });
});

describe('publishing pins', () => {
  it('the running engine publishes an image pin once, at its time, on the chosen default board', async () => {
    const at = Date.now() + 1_500;
    const id = schedule('Rye sourdough, fresh at 7.', [await image()], at, {
      title: 'Rye sourdough',
      link: 'https://acme.example/rye',
    });
    await waitFor(() => status(id) === 'published', 20_000, `publishing (${status(id)})`);
    const sent = pin.pinsFor(user.id).filter((p) => p.description === 'Rye sourdough, fresh at 7.');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.createdAt).toBeGreaterThanOrEqual(at);
    expect(sent[0]).toMatchObject({ boardId: events.id, title: 'Rye sourdough', link: 'https://acme.example/rye' });
    expect(String(sent[0]!.mediaSource.url)).toMatch(new RegExp(`^${live.url}/media/`));
    const post = live.herald.services.posts.get(id);
    expect(post.externalId).toBe(sent[0]!.id);
    expect(post.permalink).toBe(`https://www.pinterest.com/pin/${sent[0]!.id}/`);
  });

  it('the running engine publishes a video pin once, through the media upload, on the post’s board', async () => {
    pin.processingMs = 300;
    const video = await live.herald.services.media.ingest([makeMp4({ bytes: 50_000 })], { clientId });
    const id = schedule('Behind the oven', [video.id], Date.now(), { boardId: recipes.id });
    await waitFor(() => status(id) === 'published', 20_000, `publishing the video (${status(id)})`);
    const sent = pin.pinsFor(user.id).filter((p) => p.description === 'Behind the oven');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.boardId).toBe(recipes.id);
    expect(sent[0]!.mediaSource.source_type).toBe('video_id');
    const media = pin.media.get(String(sent[0]!.mediaSource.media_id))!;
    expect(media.bytes).toBe(50_000);
    expect(pin.calls(/^\/v5\/media$/, 'POST')).toHaveLength(1);
  });

  it('a lost create answer is settled by the reconciler from the board’s pins without a second pin', async () => {
    pin.inject({ method: 'POST', path: /^\/v5\/pins$/, fault: { kind: 'lose-response' } });
    const id = schedule('The answer to this one is lost', [await image()]);
    await waitFor(() => status(id) === 'published', 20_000, `the reconciler (${status(id)})`);
    const sent = pin.pinsFor(user.id).filter((p) => p.description === 'The answer to this one is lost');
    expect(sent).toHaveLength(1);
    expect(live.herald.services.posts.get(id).externalId).toBe(sent[0]!.id);
    const steps = live.herald.database.sqlite.prepare('SELECT step FROM post_logs WHERE post_id = ?').all(id) as Array<{
      step: string;
    }>;
    expect(steps.map((s) => s.step)).toContain('reconcile');
  });

  it('the refresh job renews tokens that are due and keeps the refresh token the refresh returns', async () => {
    const account = pinterestAccount();
    const old = live.herald.services.accounts.tokens(account);
    live.herald.services.accounts.storeTokens(account.id, {
      accessToken: old.accessToken,
      tokenExpiresAt: Date.now() + 3_600_000,
    });
    await live.herald.tokens.refreshDue();
    const fresh = live.herald.services.accounts.get(account.id);
    const tokens = live.herald.services.accounts.tokens(fresh);
    expect(tokens.accessToken).not.toBe(old.accessToken);
    expect(tokens.refreshToken).not.toBe(old.refreshToken);
    expect(pin.refreshTokens.get(tokens.refreshToken!)?.revoked).toBe(false);
    expect(fresh.tokenExpiresAt).toBeGreaterThan(Date.now() + 29 * DAY);
    const id = schedule('After the renewal', [await image()]);
    await waitFor(() => status(id) === 'published', 20_000, `publishing with the new token (${status(id)})`);
  });

  it('a revoked token: the account needs reconnecting and nothing is published', async () => {
    const account = pinterestAccount();
    pin.revokeTokens(user.id);
    const before = pin.pins.length;
    const id = schedule('This one cannot go', [await image()]);
    await waitFor(
      () => live.herald.services.accounts.get(account.id).status === 'needs_reauth',
      20_000,
      'the account to need reconnecting',
    );
    expect(pin.pins.length).toBe(before);
    expect(status(id)).toBe('scheduled');
  });
});
