import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGoogle } from '../fakes/google.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { json } from '../helpers/herald.js';
import { onboardClient } from '../helpers/onboarding.js';
import type { PageClient } from '../helpers/page-client.js';
import { waitFor } from '../helpers/processes.js';

// Google Business Profile through the real server: invite link → portal → Google's OAuth (the fake's
// consent) → every location as an account → local posts with their own fields published once by the
// running engine, a lost create reconciled without a duplicate, the refresh job renewing the token,
// a revoked grant stopping publishing, and the write-time checks in the editor and the API.

const APP = { clientId: 'herald-test.apps.googleusercontent.com', clientSecret: 'gs-secret' };

let g: FakeGoogle;
let live: LiveHerald;
let portal: PageClient;
let admin: PageClient;
let clientId: string;

/** A photo Google takes (JPEG, over 10 KB, at least 250 px a side): noise does not compress. */
async function photo(): Promise<Buffer> {
  return sharp(randomBytes(400 * 300 * 3), { raw: { width: 400, height: 300, channels: 3 } })
    .jpeg()
    .toBuffer();
}

beforeAll(async () => {
  g = new FakeGoogle(APP);
  await g.start();
  g.addLocation(g.user.accounts[0]!, { title: 'Acme Bakery Mitte' });
  g.addLocation(g.user.accounts[0]!, { title: 'Acme Bakery Kreuzberg' });
  const s = g.settings();
  live = await startLiveHerald(
    {
      GOOGLE_CLIENT_ID: APP.clientId,
      GOOGLE_CLIENT_SECRET: APP.clientSecret,
      GOOGLE_AUTH_URL: s.authUrl,
      GOOGLE_TOKEN_URL: s.tokenUrl,
      GBP_ACCOUNTS_URL: s.accountManagementUrl,
      GBP_INFO_URL: s.businessInformationUrl,
      GBP_POSTS_URL: s.myBusinessUrl,
    },
    {
      platformOptions: { google: { pollIntervalMs: 30, confirmTimeoutMs: 3000, absentAfterMs: 60_000 } },
      engine: { backoffBaseMs: 50, backoffCapMs: 200, settleMs: 200 },
      schedules: { reconcile: '* * * * * *' },
    },
  );
  g.redirectUris = [`${live.url}/auth/google/callback`];
  ({ clientId, portal, admin } = await onboardClient(live));
});

afterAll(async () => {
  await live?.close();
  await g?.stop();
});

const accounts = () => live.herald.services.accounts.listByClient(clientId);
const location = (title: string) => accounts().find((a) => a.name.startsWith(title))!;
const status = (id: string) => live.herald.services.posts.get(id).status;
const created = () => g.calls(/\/localPosts$/, 'POST');

async function connect(): Promise<{ status: number; html: string }> {
  const { html } = await portal.get('/portal');
  expect(html).toContain('action="/auth/google/start"');
  expect(html).toContain('Google Business Profile');
  const start = await portal.post('/auth/google/start', {});
  expect(start.status).toBe(303);
  const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const back = new URL(consent.headers.get('location')!);
  expect(back.origin).toBe(live.url);
  const res = await portal.request(`${back.pathname}${back.search}`);
  return { status: res.status, html: await res.text() };
}

async function schedule(title: string, caption: string, inMs: number, options?: Record<string, string>) {
  const mediaId = (await live.herald.services.media.ingest([await photo()], { clientId })).id;
  return live.herald.services.posts.create(
    {
      accountId: location(title).id,
      caption,
      mediaIds: [mediaId],
      scheduledAt: new Date(Date.now() + inMs).toISOString(),
      status: 'scheduled',
      ...(options ? { options } : {}),
    },
    { kind: 'system' },
  );
}

describe('Google Business Profile end to end', () => {
  it('a client connects every location from the invite link; they show with their label', async () => {
    const res = await connect();
    expect(res.status).toBe(200);
    expect(res.html).toContain('Acme Bakery Mitte');
    expect(res.html).toContain('Acme Bakery Kreuzberg');
    const list = accounts();
    expect(list.map((a) => a.platform)).toEqual(['google_business', 'google_business']);
    expect(list[0]!.refreshExpiresAt ?? null).toBeNull();
    expect(live.herald.services.accounts.tokens(list[0]!).refreshToken).toBeTruthy();
    expect((await portal.get('/portal')).html).toContain('Acme Bakery Kreuzberg');
    const page = (await admin.get(`/clients/${clientId}`)).html;
    expect(page).toContain('Google Business Profile');
    expect(page).toContain('Acme Bakery Mitte');
  });

  it('an event with a button is published once by the running engine, at its time, with its fields', async () => {
    const post = await schedule('Acme Bakery Mitte', 'Taste five new loaves with us.', 1500, {
      topicType: 'EVENT',
      eventTitle: 'Bread tasting',
      eventStart: '2027-02-05T18:00',
      eventEnd: '2027-02-05T21:30',
      buttonType: 'SIGN_UP',
      buttonUrl: 'https://acme.example/tasting',
    });
    await waitFor(() => status(post.id) === 'published', 20_000, `the event (${status(post.id)})`);
    expect(created()).toHaveLength(1);
    const call = created()[0]!;
    expect(call.at).toBeGreaterThanOrEqual(post.scheduledAt!);
    expect(call.path).toContain(location('Acme Bakery Mitte').externalId);
    expect(call.body).toMatchObject({
      summary: 'Taste five new loaves with us.',
      topicType: 'EVENT',
      callToAction: { actionType: 'SIGN_UP', url: 'https://acme.example/tasting' },
      event: { title: 'Bread tasting', schedule: { startDate: { year: 2027, month: 2, day: 5 } } },
    });
    expect(call.body.media[0].sourceUrl).toMatch(new RegExp(`^${live.url}/media/`));
    const done = live.herald.services.posts.get(post.id);
    expect(done.externalId).toBe(g.posts[0]!.name);
    expect(done.permalink).toMatch(/^https:\/\/local\.google\.com\//);
  });

  it('a lost answer to the create is reconciled without a second post', async () => {
    g.inject({ method: 'POST', path: /\/localPosts$/, fault: { kind: 'lose-response' } });
    const before = created().length;
    const post = await schedule('Acme Bakery Kreuzberg', 'Fresh pretzels from seven.', 0);
    await waitFor(() => status(post.id) === 'published', 25_000, `the reconciled post (${status(post.id)})`);
    expect(created().length).toBe(before + 1);
    const mine = g.posts.filter((p) => p.body.summary === 'Fresh pretzels from seven.');
    expect(mine).toHaveLength(1);
    expect(live.herald.services.posts.get(post.id).externalId).toBe(mine[0]!.name);
    // Found by the lookup's search of the location's posts, not by a second create.
    expect(g.calls(/\/localPosts$/, 'GET').length).toBeGreaterThan(0);
  });

  it('the refresh job renews a token about to lapse (Google keeps the refresh token)', async () => {
    const account = location('Acme Bakery Mitte');
    const before = live.herald.services.accounts.tokens(account);
    live.herald.repos.accounts.update(account.id, { tokenExpiresAt: Date.now() + 60_000 });
    const result = await live.herald.tokens.refreshDue();
    expect(result.refreshed).toBeGreaterThanOrEqual(1);
    const fresh = live.herald.services.accounts.get(account.id);
    expect(fresh.tokenExpiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
    const tokens = live.herald.services.accounts.tokens(fresh);
    expect(tokens.accessToken).not.toBe(before.accessToken);
    expect(tokens.refreshToken).toBe(before.refreshToken);
    expect(g.calls(/\/oauth2\/token$/, 'POST').some((r) => r.body.grant_type === 'refresh_token')).toBe(true);
  });

  it('the write-time checks refuse what Google would, in the editor and in the API', async () => {
    const account = location('Acme Bakery Mitte');
    const long = 'x'.repeat(1501);
    const editor = await admin.post('/posts', {
      clientId,
      accountId: account.id,
      caption: long,
      'options.topicType': 'STANDARD',
      scheduledAt: '',
      intent: 'draft',
    });
    expect(editor.status).toBe(422);
    const html = await editor.text();
    expect(html).toContain('id="caption-error">Google takes at most 1500 characters; this has 1501.');
    expect(html).toContain('name="options.topicType"');

    const eventForm = await admin.post('/posts', {
      clientId,
      accountId: account.id,
      caption: 'A tasting',
      'options.topicType': 'EVENT',
      'options.buttonType': 'BOOK',
      scheduledAt: '',
      intent: 'draft',
    });
    expect(eventForm.status).toBe(422);
    const eventHtml = await eventForm.text();
    expect(eventHtml).toContain('id="options.eventTitle-error">The title is required.');
    expect(eventHtml).toContain('id="options.eventStart-error">');
    expect(eventHtml).toContain('id="options.buttonUrl-error">The button needs a web link');
    expect(eventHtml).toMatch(/<option value="BOOK" selected/);

    const api = await live.api('POST', '/posts', { accountId: account.id, caption: long });
    expect(api.status).toBe(400);
    const body = await json(api);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.caption[0]).toBe('Google takes at most 1500 characters; this has 1501.');
    const event = await json(
      await live.api('POST', '/posts', {
        accountId: account.id,
        caption: 'A tasting',
        options: { topicType: 'EVENT' },
      }),
    );
    expect(event.error.code).toBe('validation_failed');
    expect(Object.keys(event.error.details).sort()).toEqual([
      'options.eventEnd',
      'options.eventStart',
      'options.eventTitle',
    ]);
    const kind = await json(
      await live.api('POST', '/posts', {
        accountId: account.id,
        caption: 'Film',
        options: { topicType: 'PARTY' },
      }),
    );
    expect(kind.error.details['options.topicType'][0]).toMatch(/STANDARD, EVENT, OFFER/);
  });

  it('a revoked grant: the locations need reconnecting and nothing more is sent', async () => {
    g.revokeUser(g.user.id);
    const before = created().length;
    const post = await schedule('Acme Bakery Kreuzberg', 'This one cannot go.', 0);
    const id = location('Acme Bakery Kreuzberg').id;
    await waitFor(
      () => live.herald.services.accounts.get(id).status === 'needs_reauth',
      20_000,
      'the location to need reconnecting',
    );
    // Google's access tokens live an hour, so the publish refreshes first: the refresh is refused
    // (invalid_grant) and no create is sent; after it, nothing more is.
    expect(created().length).toBe(before);
    expect(g.calls(/\/oauth2\/token$/, 'POST').at(-1)!.body.grant_type).toBe('refresh_token');
    const calls = g.requests.length;
    const another = await schedule('Acme Bakery Kreuzberg', 'Nor this one.', 0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(g.requests.length).toBe(calls);
    expect(g.posts.filter((p) => /cannot go|Nor this/.test(String(p.body.summary)))).toHaveLength(0);
    expect([status(post.id), status(another.id)]).toEqual(['scheduled', 'scheduled']);
    expect(live.herald.services.posts.get(another.id).lastError).toMatch(/^Waiting: reconnect Acme Bakery Kreuzberg/);
    expect((await portal.get('/portal')).html).toContain('Please reconnect');
  });
});
