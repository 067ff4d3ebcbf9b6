import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMastodon, type FakeMastodonUser } from '../fakes/mastodon.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { json } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { accountOf, onboardClient } from '../helpers/onboarding.js';
import type { PageClient } from '../helpers/page-client.js';
import { waitFor } from '../helpers/processes.js';

// Mastodon through the real server: invite link → portal → the instance form → Herald registers
// with the instance and sends the browser to its consent page → the callback connects the account
// → posts published by the running engine → a lost answer settled by the same Idempotency-Key →
// the daily check → a revoked token stops publishing. The fake instance runs on 127.0.0.1, allowed
// through the network's own test option (privateHosts).

let fake: FakeMastodon;
let user: FakeMastodonUser;
let live: LiveHerald;
let portal: PageClient;
let admin: PageClient;
let clientId: string;
let host: string;

beforeAll(async () => {
  fake = new FakeMastodon({ maxCharacters: 100 });
  host = new URL(await fake.start()).host;
  user = fake.addUser('acmebakery');
  fake.signedIn = user;
  live = await startLiveHerald(
    {},
    {
      platformOptions: { mastodon: { privateHosts: ['127.0.0.1'], requestTimeoutMs: 5_000, mediaPollIntervalMs: 20 } },
      engine: { backoffBaseMs: 50, backoffCapMs: 200, settleMs: 200 },
      schedules: { publishDue: '* * * * * *', reconcile: '* * * * * *' },
    },
  );
  ({ clientId, portal, admin } = await onboardClient(live));
});

afterAll(async () => {
  await live?.close();
  await fake?.stop();
});

const account = () => accountOf(live, clientId, 'mastodon');
const creates = () => fake.calls(/\/api\/v1\/statuses$/, 'POST');

describe('connecting Mastodon through the portal form and the instance’s OAuth', () => {
  it('the portal offers the instance form', async () => {
    const { html } = await portal.get('/portal');
    expect(html).toContain('action="/auth/mastodon/form"');
    expect(html).toContain('name="instance"');
  });

  it('refuses a private address in words, calling nothing', async () => {
    const res = await portal.post('/auth/mastodon/form', { instance: 'https://192.168.1.10' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('it is not a public address');
    expect(fake.requests).toHaveLength(0);
  });

  it('registers with the instance, runs its OAuth and connects the account', async () => {
    const res = await portal.post('/auth/mastodon/form', { instance: `http://${host}` });
    expect(res.status).toBe(303);
    const consent = new URL(res.headers.get('location')!);
    expect(consent.origin).toBe(`http://${host}`);
    expect(consent.searchParams.get('redirect_uri')).toBe(`${live.url}/auth/mastodon/callback`);
    const done = await portal.follow(consent.href);
    expect(done.res.status).toBe(200);
    expect(await done.res.text()).toContain(`acmebakery@${host}`);
    expect(account()).toMatchObject({ externalId: `${user.id}@${host}`, status: 'connected', tokenExpiresAt: null });
    expect(JSON.parse(account().platformData)).toMatchObject({
      instance: `http://${host}`,
      limits: { maxCharacters: 100 },
    });
    // The app's credentials are kept sealed in the settings table.
    const settings = JSON.stringify(live.herald.database.sqlite.prepare('SELECT * FROM settings').all());
    expect(settings).toContain(`network:mastodon:app:http://${host}`);
    expect(settings).not.toContain(fake.apps[0]!.clientSecret);

    const badge = '<span class="platform platform-mastodon">Mastodon</span>';
    expect((await portal.get('/portal')).html).toContain(badge);
    const page = (await admin.get(`/clients/${clientId}`)).html;
    expect(page).toContain(badge);
    expect(page).toContain(`action="/auth/mastodon/form?clientId=${clientId}"`);
  });
});

describe('checks when a post is written', () => {
  it('the editor answers a field error and the API validation_failed, with this instance’s own limit', async () => {
    // 156 characters: fine on a stock instance, over this one's 100.
    const long = 'Fresh bread. '.repeat(12);
    const res = await admin.post('/posts', {
      clientId,
      accountId: account().id,
      caption: long,
      scheduledAt: '',
      intent: 'schedule',
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('allows 100 characters, content warning included (this has 156)');
    const api = await json(
      await live.api('POST', '/posts', { accountId: account().id, caption: 'Hi', options: { visibility: 'all' } }),
    );
    expect(api.error.code).toBe('validation_failed');
    expect(Object.keys(api.error.details)).toEqual(['options.visibility']);
    const over = await json(await live.api('POST', '/posts', { accountId: account().id, caption: long }));
    expect(over.error.code).toBe('validation_failed');
    expect(over.error.details.caption[0]).toContain('allows 100 characters');
    expect(creates()).toHaveLength(0);
  });
});

describe('publishing to the connected account', () => {
  async function post(caption: string, media: Buffer[] = [], options: Record<string, unknown> = {}) {
    const mediaIds: string[] = [];
    for (const file of media)
      mediaIds.push((await live.herald.services.media.ingest([file], { clientId, altText: 'Six loaves' })).id);
    return live.herald.services.posts.create(
      {
        accountId: account().id,
        caption,
        mediaIds,
        options,
        scheduledAt: new Date().toISOString(),
        status: 'scheduled',
      },
      { kind: 'system' },
    ).id;
  }
  const get = (id: string) => live.herald.services.posts.get(id);
  const published = (text: string) => fake.statuses.filter((s) => s.text === text);

  it('a post with an image, alt text and a content warning goes out once, by the running engine', async () => {
    fake.processingPolls = 2;
    const id = await post('Morning loaves', [await makeImage(800, 600)], {
      spoilerText: 'Food',
      visibility: 'unlisted',
    });
    await waitFor(() => get(id).status === 'published', 20_000, `publishing (${get(id).status})`);
    expect(published('Morning loaves')).toHaveLength(1);
    const [status] = published('Morning loaves');
    expect(status).toMatchObject({ spoilerText: 'Food', visibility: 'unlisted' });
    expect(fake.media.get(status!.mediaIds[0]!)!.description).toBe('Six loaves');
    expect(get(id).externalId).toBe(status!.id);
  });

  it('limits the instance lowered since the connection are checked again before sending', async () => {
    const before = creates().length;
    fake.limits.maxCharacters = 40;
    const id = await post('x'.repeat(60));
    await waitFor(() => get(id).status === 'failed', 20_000, `failing (${get(id).status})`);
    expect(creates()).toHaveLength(before);
    expect(get(id).lastError).toContain('allows 40 characters');
    fake.limits.maxCharacters = 100;
  });

  it('a lost answer is settled with the same Idempotency-Key, without a second status', async () => {
    fake.inject({ method: 'POST', path: /\/api\/v1\/statuses$/, fault: { kind: 'lose-response' } });
    const id = await post('Lost answer, one post');
    await waitFor(() => get(id).status === 'published', 20_000, `reconciling (${get(id).status})`);
    expect(published('Lost answer, one post')).toHaveLength(1);
    const keys = creates()
      .filter((r) => r.body.status === 'Lost answer, one post')
      .map((r) => r.headers['idempotency-key']);
    expect(keys.length).toBeGreaterThan(1);
    expect(new Set(keys).size).toBe(1);
    expect(get(id).externalId).toBe(published('Lost answer, one post')[0]!.id);
  });

  it('the daily check uses verify_credentials; a revoked token needs reconnecting and nothing is posted', async () => {
    live.herald.database.sqlite.prepare('UPDATE accounts SET last_refreshed_at = NULL').run();
    const checks = fake.calls(/verify_credentials/).length;
    expect(await live.herald.tokens.refreshDue()).toMatchObject({ checked: 1, failed: 0 });
    expect(fake.calls(/verify_credentials/).length).toBeGreaterThan(checks);
    fake.revokeAll(user.id);
    const id = await post('This one cannot go');
    await waitFor(() => account().status === 'needs_reauth', 20_000, 'the account to need reconnecting');
    expect(published('This one cannot go')).toHaveLength(0);
    expect(get(id).status).toBe('scheduled');
  });
});
