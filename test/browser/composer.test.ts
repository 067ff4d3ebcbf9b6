import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  screenshot,
  signIn,
  startLiveHerald,
  watchConsole,
  type LiveHerald,
} from '../helpers/browser.js';
import { composerNetworks } from '../helpers/composer-networks.js';
import { seedClient } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';

// Composing one post for four accounts in a real Chromium: Facebook feed with a first comment, an
// Instagram Story, an Instagram feed post and TikTok with its own words and video; the previews
// follow the typing; the group saves and opens again with its members.

describe('the composer in a browser', () => {
  let live: LiveHerald;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let seeded: ReturnType<typeof seedClient>;
  let igFeed: { id: string };
  const media = { feed: '', story: '', video: '' };

  beforeAll(async () => {
    live = await startLiveHerald({}, { networks: composerNetworks });
    seeded = seedClient(live);
    igFeed = live.herald.services.accounts.connect({
      clientId: seeded.client.id,
      platform: 'instagram',
      externalId: 'ig-second',
      name: 'acme.cafe',
      accessToken: 'token-ig-second',
      refreshToken: null,
      tokenExpiresAt: null,
      scopes: [],
    });
    const ingest = async (bytes: Buffer, name: string) =>
      (await live.herald.services.media.ingest([bytes], { clientId: seeded.client.id, originalName: name })).id;
    media.feed = await ingest(await makeImage(1080, 1350), 'feed.jpg');
    media.story = await ingest(await makeImage(1080, 1920), 'story.jpg');
    media.video = await ingest(makeMp4(), 'clip.mp4');
    live.herald.database.sqlite
      .prepare(
        'INSERT INTO snippets (id, client_id, name, text, kind, for_ai, created_at, updated_at) ' +
          "VALUES ('snp_tags', ?, 'Bakery tags', '#bakery #sourdough', 'hashtags', 1, 0, 0)",
      )
      .run(seeded.client.id);
    browser = await launchBrowser();
    page = await browser.newPage();
    problems = watchConsole(page);
    await signIn(page, live.url);
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  const member = (accountId: string, field: string) => `[name="m.${accountId}.${field}"]`;
  const preview = (accountId: string) => page.locator(`#member-preview-${accountId}`);

  it('composes a group with overrides, previews live, saves, and opens it again', async () => {
    const { facebook, instagram: igStory, tiktok } = seeded;
    await page.goto(`${live.url}/groups/new?clientId=${seeded.client.id}`);
    for (const a of [facebook, igStory, igFeed, tiktok]) await page.check(`input[data-member-toggle="member-${a.id}"]`);

    // Live preview: what is typed shows in the Facebook card, hashtags highlighted.
    await page.fill('#caption', 'Fresh loaves today #bread');
    await expect
      .poll(async () => preview(facebook.id).locator('.pv-hashtag').textContent(), { timeout: 10_000 })
      .toBe('#bread');
    await page.fill('#caption', 'Fresh loaves today, still warm #bread');
    await expect.poll(async () => preview(igFeed.id).textContent(), { timeout: 10_000 }).toContain('still warm');

    await page.check(`#media-picker input[value="${media.feed}"]`);
    await page.fill('#first-comment', 'Order at the counter');

    // Instagram Story: its own full-screen image, no caption, no comment.
    await page.selectOption(member(igStory.id, 'surface'), 'story');
    await page.check(member(igStory.id, 'ownMedia'));
    await page.check(`${member(igStory.id, 'mediaIds')}[value="${media.story}"]`);

    // TikTok: its own words and its own video.
    await page.check(member(tiktok.id, 'ownCaption'));
    await page.fill(member(tiktok.id, 'caption'), 'Bread ASMR #fyp');
    await page.check(member(tiktok.id, 'ownMedia'));
    await page.check(`${member(tiktok.id, 'mediaIds')}[value="${media.video}"]`);

    await page.fill('input[name=scheduledAt]', '2030-06-01T10:00');
    await expect
      .poll(async () => page.locator('[data-group-summary]').textContent(), { timeout: 10_000 })
      .toContain('Ready for 4 accounts');
    await expect.poll(async () => preview(igStory.id).locator('.pv-story').count()).toBe(1);
    await expect.poll(async () => preview(tiktok.id).textContent()).toContain('Bread ASMR');
    await expect.poll(async () => preview(facebook.id).textContent()).toContain('Order at the counter');
    await screenshot(page, 'composer-group');

    await Promise.all([page.waitForURL(/\/groups\/grp_[^/]+$/), page.click('button[value=schedule]')]);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const view = live.herald.services.groups.get(id);
    const byAccount = new Map(view.posts.map((p) => [p.accountId, p]));
    expect(view.posts).toHaveLength(4);
    expect(byAccount.get(facebook.id)).toMatchObject({
      surface: 'feed',
      caption: 'Fresh loaves today, still warm #bread',
      firstComment: 'Order at the counter',
      mediaIds: [media.feed],
      status: 'scheduled',
    });
    expect(byAccount.get(igStory.id)).toMatchObject({
      surface: 'story',
      caption: '',
      firstComment: '',
      mediaIds: [media.story],
    });
    expect(byAccount.get(igFeed.id)).toMatchObject({ surface: 'feed', firstComment: 'Order at the counter' });
    expect(byAccount.get(tiktok.id)).toMatchObject({ caption: 'Bread ASMR #fyp', mediaIds: [media.video] });

    // Opened again: the same members, each with its own values and preview.
    await page.goto(`${live.url}/groups/${id}`);
    for (const a of [facebook, igStory, igFeed, tiktok])
      expect(await page.isChecked(`input[data-member-toggle="member-${a.id}"]`)).toBe(true);
    expect(await page.inputValue(member(tiktok.id, 'caption'))).toBe('Bread ASMR #fyp');
    expect(await page.inputValue(member(igStory.id, 'surface'))).toBe('story');
    expect(await preview(facebook.id).textContent()).toContain('Order at the counter');
    expect(problems).toEqual([]);
  });

  it('the snippet picker inserts at the cursor, and the post editor previews it live', async () => {
    await page.goto(`${live.url}/posts/new?accountId=${seeded.facebook.id}`);
    await page.fill('#caption', 'Warm bread. See you!');
    // The cursor after "Warm bread." : the snippet goes there, not at the end.
    await page.evaluate(() => {
      const box = document.querySelector<HTMLTextAreaElement>('#caption')!;
      box.focus();
      box.setSelectionRange(11, 11);
    });
    await page.selectOption('[data-snippet-select]', { label: 'Bakery tags' });
    await page.click('[data-snippet-insert]');
    expect(await page.inputValue('#caption')).toBe('Warm bread. #bakery #sourdough See you!');
    await expect
      .poll(async () => page.locator('#post-preview .pv-hashtag').allTextContents(), { timeout: 10_000 })
      .toEqual(['#bakery', '#sourdough']);

    // The surfaces and the first comment follow the chosen account and surface.
    expect(await page.isVisible('#first-comment')).toBe(true);
    await page.selectOption('#account-select', seeded.tiktok.id);
    expect(await page.isVisible('#first-comment')).toBe(false);
    expect(await page.isVisible('#surface')).toBe(false);
    await page.selectOption('#account-select', seeded.instagram.id);
    expect(await page.isVisible('#surface')).toBe(true);
    expect(await page.isVisible('#first-comment')).toBe(true);
    await page.selectOption('#surface', 'story');
    expect(await page.isVisible('#first-comment')).toBe(false);
    await expect.poll(async () => page.locator('#post-preview .pv-story').count(), { timeout: 10_000 }).toBe(1);
    expect(problems).toEqual([]);
  });
});
