import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMeta } from '../fakes/meta.js';
import { FakeTikTok } from '../fakes/tiktok.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';
import { connectThroughPortal, onboardClient } from '../helpers/onboarding.js';
import type { PageClient } from '../helpers/page-client.js';
import { waitFor } from '../helpers/processes.js';

// The composer from end to end, through the real server and the vendors' strict fakes: an admin
// composes one post for four accounts in the group editor (a Facebook Page with a first comment,
// an Instagram Story, an Instagram feed post with the same first comment, TikTok with its own words
// and video), sees each network's preview, and the running engine publishes each member exactly
// once and each first comment exactly once, on the post it belongs to.

const META = { appId: '424242', appSecret: 'meta-secret' };
const TIKTOK = { clientKey: 'tt-key', clientSecret: 'tt-secret' };

const CAPTION =
  'Our autumn sourdough is back: slow-fermented for 48 hours, baked at dawn, and still warm when the doors ' +
  'open at seven. Come early, it goes fast. #sourdough #bakery @acme.bakery';
const COMMENT = 'Order ahead: https://acme.example/order';

let meta: FakeMeta;
let tiktok: FakeTikTok;
let live: LiveHerald;
let admin: PageClient;
let clientId: string;
let groupId: string;

const accounts = () => live.herald.services.accounts.listByClient(clientId);
const named = (name: string) => accounts().find((a) => a.name === name)!;

beforeAll(async () => {
  meta = new FakeMeta(META);
  tiktok = new FakeTikTok(TIKTOK);
  const metaUrl = await meta.start();
  const tiktokUrl = await tiktok.start();
  meta.addPage({ name: 'Acme Bakery Page', instagram: { username: 'acme.bakery', name: 'Acme Bakery IG' } });
  meta.addPage({ name: 'Acme Cafe Page', instagram: { username: 'acme.cafe', name: 'Acme Cafe IG' } });
  live = await startLiveHerald(
    {
      META_APP_ID: META.appId,
      META_APP_SECRET: META.appSecret,
      META_GRAPH_URL: `${metaUrl}/v25.0`,
      META_DIALOG_URL: `${metaUrl}/v25.0/dialog/oauth`,
      TIKTOK_CLIENT_KEY: TIKTOK.clientKey,
      TIKTOK_CLIENT_SECRET: TIKTOK.clientSecret,
      TIKTOK_API_URL: tiktokUrl,
      TIKTOK_AUTH_URL: `${tiktokUrl}/v2/auth/authorize/`,
    },
    {
      platformOptions: {
        meta: { pollIntervalMs: 30, pollTimeoutMs: 3000 },
        tiktok: { pollIntervalMs: 30, confirmTimeoutMs: 3000 },
      },
      engine: { backoffBaseMs: 50, backoffCapMs: 200, settleMs: 200 },
      schedules: { publishDue: '* * * * * *', reconcile: '* * * * * *' },
    },
  );
  let portal: PageClient;
  ({ clientId, portal, admin } = await onboardClient(live, { timezone: 'UTC' }));
  expect((await connectThroughPortal(live, portal, 'meta')).status).toBe(200);
  expect((await connectThroughPortal(live, portal, 'tiktok')).status).toBe(200);
});

afterAll(async () => {
  await live?.close();
  await meta?.stop();
  await tiktok?.stop();
});

describe('one idea for four accounts', () => {
  it('is composed in the group editor with per-network changes, a first comment and a Story', async () => {
    const ingest = async (bytes: Buffer, name: string) =>
      (await live.herald.services.media.ingest([bytes], { clientId, originalName: name })).id;
    const photo = await ingest(await makeImage(1080, 1350), 'loaves.jpg');
    const story = await ingest(await makeImage(1080, 1920), 'story.jpg');
    const video = await ingest(makeMp4({ bytes: 200_000, durationMs: 9_000 }), 'dough.mp4');
    const fb = named('Acme Bakery Page');
    const igStory = named('Acme Bakery IG');
    const igFeed = named('Acme Cafe IG');
    const tt = accounts().find((a) => a.platform === 'tiktok')!;

    await admin.get(`/groups/new?clientId=${clientId}`);
    // The client's zone is UTC here, so the wall-clock field is this minute: due at once.
    const now = new Date().toISOString().slice(0, 16);
    const res = await admin.post('/groups', {
      clientId,
      intent: 'schedule',
      accounts: [fb.id, igStory.id, igFeed.id, tt.id],
      caption: CAPTION,
      mediaIds: [photo],
      firstComment: COMMENT,
      scheduledAt: now,
      [`m.${igStory.id}.surface`]: 'story',
      [`m.${igStory.id}.ownMedia`]: '1',
      [`m.${igStory.id}.mediaIds`]: [story],
      [`m.${tt.id}.ownCaption`]: '1',
      [`m.${tt.id}.caption`]: 'Watch the dough rise #sourdough',
      [`m.${tt.id}.ownMedia`]: '1',
      [`m.${tt.id}.mediaIds`]: [video],
    });
    expect(res.status).toBe(303);
    groupId = res.headers.get('location')!.split('/').pop()!;

    const view = live.herald.services.groups.get(groupId);
    const by = new Map(view.posts.map((p) => [p.accountId, p]));
    expect(view.posts).toHaveLength(4);
    expect(by.get(fb.id)).toMatchObject({ surface: 'feed', caption: CAPTION, firstComment: COMMENT });
    // The Story takes neither the caption nor the comment; TikTok takes no comment and keeps its own words.
    expect(by.get(igStory.id)).toMatchObject({ surface: 'story', caption: '', firstComment: '', mediaIds: [story] });
    expect(by.get(igFeed.id)).toMatchObject({ surface: 'feed', caption: CAPTION, firstComment: COMMENT });
    expect(by.get(tt.id)).toMatchObject({ caption: 'Watch the dough rise #sourdough', firstComment: '' });
    expect(by.get(tt.id)!.mediaIds).toEqual([video]);
    expect(new Set(view.posts.map((p) => p.groupId))).toEqual(new Set([groupId]));
  });

  it('shows a preview of each member in its network manner', async () => {
    const { res, html } = await admin.get(`/groups/${groupId}`);
    expect(res.status).toBe(200);
    expect(html.match(/<article class="pv pv-facebook"/g)).toHaveLength(1);
    expect(html.match(/<article class="pv pv-instagram"/g)).toHaveLength(2);
    expect(html.match(/<article class="pv pv-tiktok"/g)).toHaveLength(1);
    expect(html).toMatch(/<article class="pv pv-instagram"[^>]*data-surface="story"/);
    // The long caption is cut where the network cuts it, and the comment shows under the post.
    expect(html).toContain('class="pv-more"');
    expect(html).toContain('Order ahead');
  });

  it('publishes each member exactly once, each first comment exactly once, on its own post', async () => {
    const status = () => live.herald.services.groups.get(groupId).posts.map((p) => p.status);
    const comments = () => live.herald.services.groups.get(groupId).posts.map((p) => p.firstCommentStatus);
    await waitFor(
      () => status().every((s) => s === 'published') && !comments().some((s) => s === 'waiting' || s === 'due'),
      30_000,
      `publishing (${status()} / ${comments()})`,
    );
    const posts = live.herald.services.groups.get(groupId).posts;
    const fb = posts.find((p) => p.accountId === named('Acme Bakery Page').id)!;
    const igFeed = posts.find((p) => p.accountId === named('Acme Cafe IG').id)!;
    const igStory = posts.find((p) => p.accountId === named('Acme Bakery IG').id)!;

    // One post per account on the platforms: the Facebook feed post, one Story, one feed image, one video.
    expect(meta.published.filter((p) => p.message === CAPTION)).toHaveLength(1);
    expect(meta.igPublished.filter((m) => m.mediaType === 'STORIES')).toHaveLength(1);
    expect(meta.igPublished.filter((m) => m.mediaType !== 'STORIES' && m.caption === CAPTION)).toHaveLength(1);
    expect(meta.igPublished).toHaveLength(2);
    expect(tiktok.published).toHaveLength(1);

    // Each comment once, hanging on its own post, its id saved; none on the Story.
    expect([fb.firstCommentStatus, igFeed.firstCommentStatus, igStory.firstCommentStatus]).toEqual([
      'posted',
      'posted',
      'none',
    ]);
    expect(meta.comments.all.filter((c) => c.message === COMMENT)).toHaveLength(2);
    expect(meta.comments.on(fb.externalId!).map((c) => c.id)).toEqual([fb.firstCommentId]);
    expect(meta.comments.on(igFeed.externalId!).map((c) => c.id)).toEqual([igFeed.firstCommentId]);

    // The comment is its own step in the post's history.
    const logs = live.herald.repos.posts.logsOf(fb.id).map((l) => l.step);
    expect(logs).toContain('comment');
  });
});
