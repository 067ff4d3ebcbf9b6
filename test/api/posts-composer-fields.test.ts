import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hoursFromNow, json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';

async function upload(t: TestHerald, clientId: string, data: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.set('clientId', clientId);
  form.set('file', new Blob([new Uint8Array(data)]), name);
  return (await json(await t.api('POST', '/media', form))).id as string;
}

describe('posts API: surface, first comment and labels', () => {
  let t: TestHerald;
  let seeded: ReturnType<typeof seedClient>;
  let imageId: string;
  let videoId: string;

  beforeAll(async () => {
    t = await makeHerald();
    seeded = seedClient(t);
    imageId = await upload(t, seeded.client.id, await makeImage(1080, 1080), 'a.jpg');
    videoId = await upload(t, seeded.client.id, makeMp4(), 'v.mp4');
    for (const [id, name] of [
      ['lbl_a', 'Campaign A'],
      ['lbl_b', 'Pillar B'],
    ])
      t.herald.repos.labels.insert({ id: id!, name: name!, color: '#112233', createdAt: 1, updatedAt: 1 });
  });
  afterAll(() => t.close());

  it('creates a post with a first comment and labels, and returns the new fields', async () => {
    const res = await t.api('POST', '/posts', {
      accountId: seeded.facebook.id,
      caption: 'Hello',
      firstComment: 'Links: https://acme.example',
      labels: ['lbl_a', 'lbl_b'],
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      surface: 'feed',
      groupId: null,
      firstComment: 'Links: https://acme.example',
      firstCommentId: null,
      firstCommentStatus: 'waiting',
      firstCommentError: null,
      labels: ['lbl_a', 'lbl_b'],
    });
  });

  it.each<[string, () => unknown, string]>([
    [
      'a caption on an Instagram Story',
      () => ({ accountId: seeded.instagram.id, surface: 'story', caption: 'words', mediaIds: [imageId] }),
      'caption',
    ],
    [
      'a first comment on TikTok',
      () => ({ accountId: seeded.tiktok.id, mediaIds: [videoId], firstComment: 'x' }),
      'firstComment',
    ],
    [
      'a first comment on an Instagram Story',
      () => ({ accountId: seeded.instagram.id, surface: 'story', mediaIds: [imageId], firstComment: 'x' }),
      'firstComment',
    ],
    ['a Story on TikTok', () => ({ accountId: seeded.tiktok.id, surface: 'story', mediaIds: [videoId] }), 'surface'],
    ['an unknown label', () => ({ accountId: seeded.facebook.id, caption: 'x', labels: ['lbl_nope'] }), 'labels'],
    ['an unknown surface', () => ({ accountId: seeded.facebook.id, caption: 'x', surface: 'carousel' }), 'surface'],
  ])('refuses %s', async (_name, body, field) => {
    const before = (await json(await t.api('GET', '/posts?limit=200'))).data.length;
    const res = await t.api('POST', '/posts', body());
    expect(res.status).toBe(400);
    const error = (await json(res)).error;
    expect(error.code).toBe('validation_failed');
    expect(error.details[field], JSON.stringify(error.details)).toBeDefined();
    expect((await json(await t.api('GET', '/posts?limit=200'))).data.length).toBe(before);
  });

  it('accepts an Instagram Story without a caption', async () => {
    const res = await t.api('POST', '/posts', {
      accountId: seeded.instagram.id,
      surface: 'story',
      mediaIds: [imageId],
    });
    expect(res.status).toBe(201);
    expect((await json(res)).surface).toBe('story');
  });

  it('sets and clears the first comment with its status, and changes labels', async () => {
    const post = await json(await t.api('POST', '/posts', { accountId: seeded.facebook.id, caption: 'Hi' }));
    expect(post).toMatchObject({ firstCommentStatus: 'none', labels: [] });
    const set = await json(
      await t.api('PATCH', `/posts/${post.id}`, { firstComment: 'More at …', labels: ['lbl_b'], version: 1 }),
    );
    expect(set).toMatchObject({ firstComment: 'More at …', firstCommentStatus: 'waiting', labels: ['lbl_b'] });
    const cleared = await json(await t.api('PATCH', `/posts/${post.id}`, { firstComment: '', version: set.version }));
    expect(cleared).toMatchObject({ firstComment: '', firstCommentStatus: 'none', labels: ['lbl_b'] });
  });

  it('freezes surface and first comment once publishing; labels may still change', async () => {
    const post = await json(
      await t.api('POST', '/posts', {
        accountId: seeded.facebook.id,
        caption: 'Going out',
        firstComment: 'c',
        scheduledAt: hoursFromNow(1),
        status: 'scheduled',
      }),
    );
    t.herald.repos.posts.update(post.id, { status: 'publishing' });
    const version = post.version + 1;
    for (const change of [{ firstComment: 'other' }, { firstComment: '' }, { surface: 'reel' }]) {
      const res = await t.api('PATCH', `/posts/${post.id}`, { ...change, version });
      expect(res.status, JSON.stringify(change)).toBe(409);
    }
    const labelled = await t.api('PATCH', `/posts/${post.id}`, { labels: ['lbl_a'], version });
    expect(labelled.status).toBe(200);
    expect(await json(labelled)).toMatchObject({ status: 'publishing', firstComment: 'c', labels: ['lbl_a'] });
  });

  it('filters the list by label and by group', async () => {
    const tagged = await json(
      await t.api('POST', '/posts', { accountId: seeded.facebook.id, caption: 'tagged', labels: ['lbl_a'] }),
    );
    const group = await json(
      await t.api('POST', '/post-groups', {
        clientId: seeded.client.id,
        caption: 'grouped',
        mediaIds: [imageId],
        members: [{ accountId: seeded.facebook.id }, { accountId: seeded.instagram.id }],
      }),
    );
    const byLabel = await json(await t.api('GET', '/posts?labelId=lbl_a&limit=200'));
    expect(byLabel.data.map((p: { id: string }) => p.id)).toContain(tagged.id);
    expect(byLabel.data.every((p: { labels: string[] }) => p.labels.includes('lbl_a'))).toBe(true);
    const byGroup = await json(await t.api('GET', `/posts?groupId=${group.id}`));
    expect(byGroup.data.map((p: { id: string }) => p.id).sort()).toEqual(
      group.posts.map((p: { id: string }) => p.id).sort(),
    );
  });

  it('marking a post published by hand skips its pending first comment', async () => {
    const post = await json(
      await t.api('POST', '/posts', { accountId: seeded.facebook.id, caption: 'Lost answer', firstComment: 'c' }),
    );
    t.herald.repos.posts.update(post.id, { status: 'unconfirmed' });
    const after = t.herald.services.posts.markPublished(post.id, { kind: 'system', job: 'test' }, null);
    expect(after).toMatchObject({
      status: 'published',
      firstCommentStatus: 'skipped',
      firstCommentError: 'marked published by hand',
    });
  });
});
