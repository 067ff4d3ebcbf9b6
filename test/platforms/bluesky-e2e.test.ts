import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBluesky, type BlueskyAccount } from '../fakes/bluesky.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { json } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';
import { accountOf, onboardClient } from '../helpers/onboarding.js';
import type { PageClient } from '../helpers/page-client.js';
import { waitFor } from '../helpers/processes.js';

// Bluesky through the real server: invite link → portal → the connect form (handle and app
// password, no OAuth) → the account → posts published by the running engine → a lost answer
// settled without a duplicate → a session renewed mid-publish stored and used by the refresh job
// → a revoked app password stops publishing. The fake is the account's PDS, handle resolver and
// PLC directory; BLUESKY_SERVICE_URL and BLUESKY_PLC_URL point Herald at it.

const APP_PASSWORD = 'abcd-efgh-ijkl-mnop';
const HOUR = 3_600_000;

let bs: FakeBluesky;
let acme: BlueskyAccount;
let live: LiveHerald;
let portal: PageClient;
let admin: PageClient;
let clientId: string;

beforeAll(async () => {
  bs = new FakeBluesky();
  await bs.start();
  acme = bs.addAccount({ handle: 'acme-bakery.test', displayName: 'Acme Bakery' });
  live = await startLiveHerald(
    { BLUESKY_SERVICE_URL: bs.url, BLUESKY_PLC_URL: bs.plcUrl, BLUESKY_VIDEO_URL: bs.videoUrl },
    {
      platformOptions: { bluesky: { requestTimeoutMs: 5_000, videoPollIntervalMs: 20 } },
      engine: { backoffBaseMs: 50, backoffCapMs: 200, settleMs: 200 },
      schedules: { publishDue: '* * * * * *', reconcile: '* * * * * *' },
    },
  );
  ({ clientId, portal, admin } = await onboardClient(live));
});

afterAll(async () => {
  await live?.close();
  await bs?.stop();
});

const accounts = () => live.herald.services.accounts.listByClient(clientId);
const account = () => accountOf(live, clientId, 'bluesky');
const tokens = () => live.herald.services.accounts.tokens(account());
const putRecords = () => bs.calls(/\/pds\/xrpc\/com\.atproto\.repo\.putRecord$/, 'POST');

describe('connecting Bluesky through the portal form', () => {
  it('the portal offers the form with its fields and the app-password link, and no OAuth button', async () => {
    const { html } = await portal.get('/portal');
    expect(html).toContain('action="/auth/bluesky/form"');
    expect(html).toContain('name="handle"');
    expect(html).toContain('name="appPassword"');
    expect(html).toContain('https://bsky.app/settings/app-passwords');
    expect(html).toContain('not your main password');
    expect(html).not.toContain('action="/auth/bluesky/start"');
  });

  it('refuses a wrong app password and the main password in words, connecting nothing', async () => {
    const wrong = await portal.post('/auth/bluesky/form', { handle: 'acme-bakery.test', appPassword: 'wxyz-wxyz' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Bluesky did not accept this handle and app password');
    const main = await portal.post('/auth/bluesky/form', { handle: 'acme-bakery.test', appPassword: acme.password });
    expect(main.status).toBe(400);
    expect(await main.text()).toContain('That is the main password of the Bluesky account');
    expect(accounts()).toHaveLength(0);
    // The session the main password opened was dropped at once.
    expect(bs.calls(/deleteSession$/)).toHaveLength(1);
  });

  it('connects the account with the handle and an app password; the portal and the client page list it', async () => {
    const res = await portal.post('/auth/bluesky/form', { handle: ' @Acme-Bakery.test ', appPassword: APP_PASSWORD });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Acme Bakery (@acme-bakery.test)');
    expect(accounts()).toHaveLength(1);
    expect(account()).toMatchObject({ platform: 'bluesky', externalId: acme.did, status: 'connected' });
    expect(JSON.parse(account().platformData)).toMatchObject({ did: acme.did, pds: bs.pdsUrl });
    expect(account().tokenExpiresAt).toBeGreaterThan(Date.now() + HOUR);
    expect(account().refreshExpiresAt).toBeGreaterThan(Date.now() + 80 * 24 * HOUR);
    expect(live.herald.services.clients.get(clientId).status).toBe('active');
    // The sign-in went to the PDS the DID document names.
    expect(bs.calls(/^\/pds\/xrpc\/com\.atproto\.server\.createSession$/).at(-1)!.body.identifier).toBe(acme.did);

    const badge = '<span class="platform platform-bluesky">Bluesky</span>';
    expect((await portal.get('/portal')).html).toContain(badge);
    const page = (await admin.get(`/clients/${clientId}`)).html;
    expect(page).toContain('Acme Bakery');
    expect(page).toContain(badge);
    expect(page).toContain(`action="/auth/bluesky/form?clientId=${clientId}"`);

    // Neither JWT is stored in the clear; the app password is not stored at all.
    const dump = JSON.stringify(live.herald.database.sqlite.prepare('SELECT * FROM accounts').all());
    expect(dump).not.toContain(tokens().accessToken);
    expect(dump).not.toContain(tokens().refreshToken!);
    expect(dump).not.toContain(APP_PASSWORD);
  });
});

describe('checks when a post is written', () => {
  const long = `${'Fresh bread, warm from the oven. '.repeat(9)}🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐🥐`;

  it('an over-long caption is refused with a field error in the editor', async () => {
    expect([...new Intl.Segmenter().segment(long)].length).toBe(329);
    const res = await admin.post('/posts', {
      clientId,
      accountId: account().id,
      caption: long,
      scheduledAt: '',
      intent: 'schedule',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Bluesky allows at most 300 characters (this has 329).');
    expect(html).toContain('Fresh bread, warm from the oven.');
  });

  it('the API answers validation_failed for the caption and for a video with an image', async () => {
    const res = await live.api('POST', '/posts', { accountId: account().id, caption: long });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.caption).toEqual(['Bluesky allows at most 300 characters (this has 329).']);
    const video = await live.herald.services.media.ingest([makeMp4({ bytes: 50_000 })], { clientId });
    const image = await live.herald.services.media.ingest([await makeImage(200, 200)], { clientId });
    const refused = await json(
      await live.api('POST', '/posts', {
        accountId: account().id,
        caption: 'A clip',
        mediaIds: [video.id, image.id],
      }),
    );
    expect(refused.error.details.mediaIds).toEqual(['A Bluesky post holds either one video or images, not both.']);
    expect(putRecords()).toHaveLength(0);
  });
});

describe('publishing to the connected account', () => {
  async function post(caption: string, media: Buffer[] = []) {
    const mediaIds: string[] = [];
    for (const file of media)
      mediaIds.push((await live.herald.services.media.ingest([file], { clientId, altText: 'Six loaves' })).id);
    return live.herald.services.posts.create(
      { accountId: account().id, caption, mediaIds, scheduledAt: new Date().toISOString(), status: 'scheduled' },
      { kind: 'system' },
    ).id;
  }
  const get = (id: string) => live.herald.services.posts.get(id);
  const published = (text: string) => bs.posts(acme.did).filter((r) => r.value.text === text);

  it('a post with an image and its alt text goes out once, by the running engine', async () => {
    const id = await post('Morning loaves at @acme-bakery.test #bread', [await makeImage(800, 600)]);
    await waitFor(() => get(id).status === 'published', 20_000, `publishing (${get(id).status})`);
    const [record] = published('Morning loaves at @acme-bakery.test #bread');
    expect(published('Morning loaves at @acme-bakery.test #bread')).toHaveLength(1);
    expect(record!.value.embed).toMatchObject({
      $type: 'app.bsky.embed.images',
      images: [{ alt: 'Six loaves', aspectRatio: { width: 800, height: 600 } }],
    });
    expect(record!.value.facets).toHaveLength(2);
    expect(get(id).externalId).toBe(record!.uri);
    expect(get(id).permalink).toMatch(new RegExp(`^https://bsky\\.app/profile/${acme.did}/post/[a-z2-7]{13}$`));
    expect(putRecords()).toHaveLength(1);
  });

  it("a link in a text post becomes a link facet and the page's card, with its image as the thumbnail", async () => {
    const thumb = await makeImage(300, 157);
    bs.files.set('autumn.jpg', { bytes: thumb, type: 'image/jpeg' });
    bs.pages.set(
      'menu',
      '<html><head><meta property="og:title" content="Our autumn menu">' +
        '<meta property="og:image" content="/files/autumn.jpg"></head></html>',
    );
    const text = `Autumn menu: ${bs.url}/web/menu`;
    const id = await post(text);
    await waitFor(() => get(id).status === 'published', 20_000, `publishing (${get(id).status})`);
    const [record] = published(text);
    expect(record!.value.embed).toMatchObject({
      $type: 'app.bsky.embed.external',
      external: {
        uri: `${bs.url}/web/menu`,
        title: 'Our autumn menu',
        thumb: { $type: 'blob', mimeType: 'image/jpeg', size: thumb.length },
      },
    });
  });

  it('a video goes out once through the video service, by the running engine', async () => {
    const clip = makeMp4({ width: 1080, height: 1920, bytes: 80_000 });
    const uploads = bs.calls(/uploadVideo$/).length;
    const id = await post('Kneading, start to finish', [clip]);
    await waitFor(() => get(id).status === 'published', 20_000, `publishing the video (${get(id).status})`);
    const [record] = published('Kneading, start to finish');
    expect(published('Kneading, start to finish')).toHaveLength(1);
    expect(record!.value.embed).toMatchObject({
      $type: 'app.bsky.embed.video',
      video: { $type: 'blob', mimeType: 'video/mp4', size: clip.length },
      alt: 'Six loaves',
      aspectRatio: { width: 1080, height: 1920 },
    });
    expect(bs.calls(/uploadVideo$/)).toHaveLength(uploads + 1);
    const job = [...bs.videoJobs.values()].at(-1)!;
    expect(job.did).toBe(acme.did);
    expect(bs.calls(/getJobStatus$/).filter((r) => r.query.jobId === job.jobId).length).toBeGreaterThanOrEqual(4);
  });

  it('a lost answer to putRecord is settled by the reconciler from getRecord, without a second post', async () => {
    bs.inject({ method: 'POST', path: /\/com\.atproto\.repo\.putRecord$/, fault: { kind: 'lose-response' } });
    const commits = bs.commits;
    const id = await post('Lost answer, one post');
    await waitFor(() => get(id).status === 'published', 20_000, `reconciling (${get(id).status})`);
    expect(published('Lost answer, one post')).toHaveLength(1);
    expect(bs.commits).toBe(commits + 1);
    expect(bs.calls(/\/com\.atproto\.repo\.getRecord$/).length).toBeGreaterThan(0);
    // The send's answer was lost: the post was unconfirmed until the lookup found it.
    const logs = live.herald.services.posts.logs(id).map((l) => l.message);
    expect(logs.some((m) => m.startsWith("The send's outcome is unknown") && m.includes('checking Bluesky'))).toBe(
      true,
    );
    const rkey = get(id).externalId!.split('/').pop();
    expect(putRecords().filter((r) => r.body.rkey === rkey)).toHaveLength(1);
  });

  const expiredMidPublish =
    'a session that expired mid-publish is renewed and stored; the refresh job then renews the stored one';
  it(expiredMidPublish, async () => {
    const before = tokens();
    // Two hours and a minute later at Bluesky: the stored access JWT has expired.
    bs.now = () => Date.now() + 121 * 60_000;
    const id = await post('After the session expired');
    await waitFor(() => get(id).status === 'published', 20_000, `publishing (${get(id).status})`);
    expect(bs.calls(/refreshSession$/)).toHaveLength(1);
    expect(published('After the session expired')).toHaveLength(1);
    // The rotated pair is stored, encrypted, with its own expiry.
    const renewed = tokens();
    expect(renewed.refreshToken).not.toBe(before.refreshToken);
    expect(renewed.accessToken).not.toBe(before.accessToken);
    expect(account().tokenExpiresAt).toBeGreaterThan(Date.now() + 3 * HOUR);
    expect(account().status).toBe('connected');
    // The post that was sent used the renewed access JWT.
    expect(putRecords().at(-1)!.headers.authorization).toBe(`Bearer ${renewed.accessToken}`);

    // Past the old refresh JWT's two-hour grace only the stored one still works: the refresh job
    // reads it from the database.
    bs.now = () => Date.now() + 121 * 60_000 + 3 * HOUR;
    const counts = await live.herald.tokens.refreshDue();
    expect(counts).toMatchObject({ refreshed: 1, failed: 0 });
    const sent = bs.calls(/refreshSession$/).at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${renewed.refreshToken}`);
    expect(account().status).toBe('connected');
    expect(tokens().refreshToken).not.toBe(renewed.refreshToken);

    const next = await post('With the refreshed session');
    await waitFor(() => get(next).status === 'published', 20_000, `publishing (${get(next).status})`);
    expect(bs.calls(/refreshSession$/)).toHaveLength(2);
    expect(putRecords().at(-1)!.headers.authorization).toBe(`Bearer ${tokens().accessToken}`);
  });

  it('a revoked app password: the account needs reconnecting, its posts wait, nothing is posted', async () => {
    bs.revokeAppPassword(acme.did, APP_PASSWORD);
    const id = await post('This one cannot go');
    await waitFor(() => account().status === 'needs_reauth', 20_000, 'the account to need reconnecting');
    expect(published('This one cannot go')).toHaveLength(0);
    expect(get(id).status).toBe('scheduled');
    expect(account().lastError).toMatch(/app password was revoked/);
    expect((await portal.get('/portal')).html).toContain('Please reconnect');
  });
});
