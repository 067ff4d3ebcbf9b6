import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGoogle } from '../fakes/google.js';
import { FakeYouTube } from '../fakes/youtube.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { json } from '../helpers/herald.js';
import { makeMp4 } from '../helpers/media-fixtures.js';
import { accountOf, onboardClient } from '../helpers/onboarding.js';
import type { PageClient } from '../helpers/page-client.js';
import { waitFor } from '../helpers/processes.js';

// YouTube through the real server: invite link → portal → "Connect YouTube" (the Google fake's
// consent with the YouTube scopes only) → the channel as an account → a Short uploaded once by the
// running engine in chunks, resumed after a cut, processing followed; a lost last answer reconciled
// without a second video; the refresh job; a revoked grant; the write-time checks.

const APP = { clientId: 'herald-test.apps.googleusercontent.com', clientSecret: 'gs-secret' };
const UNIT = 256 * 1024;

let g: FakeGoogle;
let yt: FakeYouTube;
let live: LiveHerald;
let portal: PageClient;
let admin: PageClient;
let clientId: string;

beforeAll(async () => {
  g = new FakeGoogle(APP);
  yt = new FakeYouTube();
  await g.start();
  await yt.start();
  const channel = yt.addChannel('Acme Bakery');
  yt.resolve = (token) => {
    const t = g.accessTokens.get(token);
    return t ? { channelId: channel.id, scopes: t.scopes } : undefined;
  };
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
      YOUTUBE_API_URL: yt.url,
    },
    {
      platformOptions: {
        google: {
          youtube: { chunkBytes: UNIT, resumeWaitMs: 20, pollIntervalMs: 30, confirmTimeoutMs: 3000 },
        },
      },
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
  await yt?.stop();
});

const channelAccount = () => accountOf(live, clientId, 'youtube');
const status = (id: string) => live.herald.services.posts.get(id).status;
const starts = () => yt.calls(/^\/upload\/youtube\/v3\/videos$/, 'POST');

async function schedule(caption: string, inMs: number, options: Record<string, string>) {
  const clip = makeMp4({ width: 1080, height: 1920, durationMs: 30_000, bytes: 2 * UNIT + 5000 });
  const mediaId = (await live.herald.services.media.ingest([clip], { clientId })).id;
  return live.herald.services.posts.create(
    {
      accountId: channelAccount().id,
      caption,
      mediaIds: [mediaId],
      scheduledAt: new Date(Date.now() + inMs).toISOString(),
      status: 'scheduled',
      options,
    },
    { kind: 'system' },
  );
}

describe('YouTube end to end', () => {
  it('a client connects the channel with "Connect YouTube"; it shows with its label and the private note', async () => {
    const { html } = await portal.get('/portal');
    expect(html).toContain('action="/auth/google/start?entry=youtube"');
    expect(html).toContain('Connect YouTube');
    const start = await portal.post('/auth/google/start?entry=youtube', {});
    expect(start.status).toBe(303);
    const consentUrl = new URL(start.headers.get('location')!);
    expect(consentUrl.searchParams.get('scope')).not.toContain('business.manage');
    const consent = await fetch(consentUrl, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    const res = await portal.request(`${back.pathname}${back.search}`);
    expect(res.status).toBe(200);
    expect(channelAccount().name).toBe('Acme Bakery');
    expect(live.herald.services.accounts.listByClient(clientId).map((a) => a.platform)).toEqual(['youtube']);
    const page = (await portal.get('/portal')).html;
    expect(page).toContain('YouTube');
    expect(page).toContain('has passed YouTube&#39;s audit, YouTube keeps the videos');
    expect((await admin.get(`/clients/${clientId}`)).html).toContain('Acme Bakery');
    expect((await admin.get('/system')).html).toMatch(/YouTube quota units today: \d+ of 10,000/);
  });

  it('the editor says whether the video will be a Short or a regular video, by the rule the upload uses', async () => {
    const draft = async (clip: Buffer) => {
      const mediaId = (await live.herald.services.media.ingest([clip], { clientId })).id;
      const post = live.herald.services.posts.create(
        { accountId: channelAccount().id, caption: 'A clip', mediaIds: [mediaId], status: 'draft', options: {} },
        { kind: 'system' },
      );
      return (await admin.get(`/posts/${post.id}`)).html;
    };
    const vertical = await draft(makeMp4({ width: 1080, height: 1920, durationMs: 30_000 }));
    expect(vertical).toContain('This video will be published as a YouTube Short');
    expect(vertical).not.toContain('regular YouTube video');
    const horizontal = await draft(makeMp4({ width: 1920, height: 1080, durationMs: 30_000 }));
    expect(horizontal).toContain('This video will be published as a regular YouTube video');
    expect(horizontal).not.toContain('as a YouTube Short');
    const long = await draft(makeMp4({ width: 1080, height: 1920, durationMs: 4 * 60_000 }));
    expect(long).toContain('This video will be published as a regular YouTube video');
    // The new-post editor with the vertical clip chosen (sent back with an error) says it too.
    const mediaId = (await live.herald.services.media.ingest([makeMp4({ durationMs: 20_000 })], { clientId })).id;
    const form = await admin.post('/posts', {
      clientId,
      accountId: channelAccount().id,
      caption: 'A clip',
      mediaIds: mediaId,
      'options.privacy': 'public',
      'options.publishAt': '2027-01-01T10:00',
      scheduledAt: '',
      intent: 'draft',
    });
    expect(form.status).toBe(422);
    expect(await form.text()).toContain('This video will be published as a YouTube Short');
  });

  it('a Short is uploaded once at its time, resumed from the server’s offset after a cut', async () => {
    yt.cutNextChunkAfter = 70_000;
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'lose-response' } });
    const post = await schedule('Our sourdough, start to finish.', 1500, { title: 'Sourdough', privacy: 'public' });
    await waitFor(() => status(post.id) === 'published', 20_000, `the Short (${status(post.id)})`);
    expect(starts()).toHaveLength(1);
    expect(starts()[0]!.at).toBeGreaterThanOrEqual(post.scheduledAt!);
    const ranges = yt.calls(/^\/upload\//, 'PUT').map((r) => String(r.headers['content-range']));
    const total = yt.videos[0]!.bytes.length;
    expect(ranges).toContain(`bytes */${total}`); // where the session stands after the cut
    expect(ranges.filter((r) => r.startsWith('bytes 0-'))).toHaveLength(1);
    expect(ranges).toContain(`bytes 70000-${70_000 + UNIT - 1}/${total}`);
    expect(yt.videos).toHaveLength(1);
    const done = live.herald.services.posts.get(post.id);
    expect(done.externalId).toBe(yt.videos[0]!.id);
    expect(done.permalink).toBe(`https://www.youtube.com/watch?v=${yt.videos[0]!.id}`);
    // The day's quota count is kept, sealed, in the settings table: the upload's 100 units and the reads.
    const row = live.herald.repos.system.getSetting('network:google:youtube.quota');
    expect(row).toBeDefined();
    expect(row).not.toContain('used');
    const [google] = live.herald.networks.usage().filter((u) => u.lines.some((l) => l.label.startsWith('YouTube')));
    expect(google?.lines[0]?.used).toBeGreaterThanOrEqual(101);
  });

  it('a lost answer to the last chunk is reconciled without a second video', async () => {
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'delay', ms: 0 }, times: 2 });
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'lose-response' } });
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'reset' }, times: 6 });
    const post = await schedule('Pretzels at seven.', 0, { title: 'Pretzels' });
    await waitFor(() => status(post.id) === 'published', 25_000, `the reconciled video (${status(post.id)})`);
    expect(yt.videos.filter((v) => v.snippet.title === 'Pretzels')).toHaveLength(1);
    expect(starts()).toHaveLength(2);
  });

  it('the refresh job renews the token', async () => {
    const account = channelAccount();
    live.herald.repos.accounts.update(account.id, { tokenExpiresAt: Date.now() + 60_000 });
    expect((await live.herald.tokens.refreshDue()).refreshed).toBeGreaterThanOrEqual(1);
    expect(live.herald.services.accounts.get(account.id).tokenExpiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it('the write-time checks refuse what YouTube would, in the editor and in the API', async () => {
    const account = channelAccount();
    const editor = await admin.post('/posts', {
      clientId,
      accountId: account.id,
      caption: 'A clip',
      'options.privacy': 'public',
      'options.publishAt': '2027-01-01T10:00',
      scheduledAt: '',
      intent: 'draft',
    });
    expect(editor.status).toBe(422);
    const html = await editor.text();
    expect(html).toContain('id="options.publishAt-error">A video that goes public later must be uploaded as Private.');
    const api = await live.api('POST', '/posts', {
      accountId: account.id,
      caption: 'A clip',
      options: { title: 'x'.repeat(101) },
    });
    const body = await json(api);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details['options.title']).toBeTruthy();
    expect(body.error.details.mediaIds).toBeTruthy();
  });

  it('a revoked grant: the channel needs reconnecting and nothing is uploaded', async () => {
    g.revokeUser(g.user.id);
    const before = starts().length;
    const post = await schedule('This one cannot go.', 0, { title: 'No' });
    const id = channelAccount().id;
    await waitFor(() => live.herald.services.accounts.get(id).status === 'needs_reauth', 20_000, 'reconnect');
    expect(starts().length).toBe(before);
    expect(status(post.id)).toBe('scheduled');
  });
});
