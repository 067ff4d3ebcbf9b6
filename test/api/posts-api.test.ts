import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hoursFromNow, json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';

async function upload(t: TestHerald, clientId: string, data: Buffer, name: string) {
  const form = new FormData();
  form.set('clientId', clientId);
  form.set('file', new Blob([new Uint8Array(data)]), name);
  return t.api('POST', '/media', form);
}

describe('posts API', () => {
  let t: TestHerald;
  let seeded: ReturnType<typeof seedClient>;
  let imageId: string;
  let videoId: string;
  beforeAll(async () => {
    t = await makeHerald();
    seeded = seedClient(t);
    imageId = (await json(await upload(t, seeded.client.id, await makeImage(1080, 1080), 'a.jpg'))).id;
    videoId = (await json(await upload(t, seeded.client.id, makeMp4(), 'v.mp4'))).id;
  });
  afterAll(() => t.close());

  it('creates a draft by default and a scheduled post on request', async () => {
    const draft = await json(await t.api('POST', '/posts', { accountId: seeded.facebook.id, caption: 'Hello' }));
    expect(draft).toMatchObject({
      status: 'draft',
      source: 'manual',
      version: 1,
      mediaIds: [],
      scheduledAt: null,
      clientId: seeded.client.id,
    });
    const when = hoursFromNow(2);
    const res = await t.api('POST', '/posts', {
      accountId: seeded.instagram.id,
      caption: 'Fresh #bread',
      mediaIds: [imageId],
      scheduledAt: when,
      status: 'scheduled',
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ status: 'scheduled', scheduledAt: when, mediaIds: [imageId] });
  });

  it.each<[string, () => unknown, string, RegExp]>([
    [
      'an Instagram post without media',
      () => ({ accountId: seeded.instagram.id, caption: 'x' }),
      'mediaIds',
      /image or a video/,
    ],
    [
      "a caption over Instagram's 2,200",
      () => ({ accountId: seeded.instagram.id, caption: 'x'.repeat(2201), mediaIds: [imageId] }),
      'caption',
      /2,200/,
    ],
    [
      '31 hashtags on Instagram',
      () => ({
        accountId: seeded.instagram.id,
        caption: Array.from({ length: 31 }, (_, i) => `#h${i}`).join(' '),
        mediaIds: [imageId],
      }),
      'caption',
      /30 hashtags/,
    ],
    [
      'a TikTok post with only text',
      () => ({ accountId: seeded.tiktok.id, caption: 'words' }),
      'mediaIds',
      /video or photos/,
    ],
    [
      'TikTok photos without a verified domain',
      () => ({ accountId: seeded.tiktok.id, mediaIds: [imageId] }),
      'mediaIds',
      /TIKTOK_VERIFIED_URL_PREFIX/,
    ],
    ['an empty Facebook post', () => ({ accountId: seeded.facebook.id, caption: '' }), 'caption', /text or media/],
    ['an unknown account', () => ({ accountId: 'acc_nope', caption: 'x' }), 'accountId', /no such account/],
    [
      'unknown media',
      () => ({ accountId: seeded.facebook.id, caption: 'x', mediaIds: ['med_nope'] }),
      'mediaIds',
      /unknown media/,
    ],
    [
      'scheduled without a time',
      () => ({ accountId: seeded.facebook.id, caption: 'x', status: 'scheduled' }),
      'scheduledAt',
      /required/,
    ],
    [
      'scheduled in the past',
      () => ({ accountId: seeded.facebook.id, caption: 'x', status: 'scheduled', scheduledAt: hoursFromNow(-2) }),
      'scheduledAt',
      /past/,
    ],
    [
      'a time without a zone',
      () => ({ accountId: seeded.facebook.id, caption: 'x', scheduledAt: '2026-12-01T10:00:00' }),
      'scheduledAt',
      /ISO-8601/,
    ],
    [
      'status published',
      () => ({ accountId: seeded.facebook.id, caption: 'x', status: 'published' }),
      'status',
      /draft or scheduled/,
    ],
  ])('refuses %s', async (_, body, field, message) => {
    const res = await t.api('POST', '/posts', body());
    expect(res.status).toBe(400);
    const err = (await json(res)).error;
    expect(err.code).toBe('validation_failed');
    expect(err.details[field]?.join(' ')).toMatch(message);
  });

  it('accepts a Reel and a TikTok video', async () => {
    expect(
      (await t.api('POST', '/posts', { accountId: seeded.instagram.id, caption: 'reel', mediaIds: [videoId] })).status,
    ).toBe(201);
    expect(
      (await t.api('POST', '/posts', { accountId: seeded.tiktok.id, caption: 'tt', mediaIds: [videoId] })).status,
    ).toBe(201);
  });

  it('edits with the current version and refuses a stale one with 409', async () => {
    const post = await json(await t.api('POST', '/posts', { accountId: seeded.facebook.id, caption: 'v1' }));
    const edited = await json(await t.api('PATCH', `/posts/${post.id}`, { caption: 'v2', version: post.version }));
    expect(edited).toMatchObject({ caption: 'v2', version: post.version + 1 });
    const stale = await t.api('PATCH', `/posts/${post.id}`, { caption: 'v3', version: post.version });
    expect(stale.status).toBe(409);
    expect((await json(stale)).error).toMatchObject({
      code: 'conflict',
      details: { currentVersion: post.version + 1 },
    });
    expect((await json(await t.api('GET', `/posts/${post.id}`))).caption).toBe('v2');
  });

  it('refuses a patch without a version, and a patch that breaks platform limits', async () => {
    const post = await json(
      await t.api('POST', '/posts', { accountId: seeded.instagram.id, caption: 'ok', mediaIds: [imageId] }),
    );
    expect((await t.api('PATCH', `/posts/${post.id}`, { caption: 'x' })).status).toBe(400);
    const res = await t.api('PATCH', `/posts/${post.id}`, { mediaIds: [], version: post.version });
    expect(res.status).toBe(400);
    expect((await json(res)).error.details.mediaIds).toBeDefined();
  });

  it.each<[string, string, string[], number, string]>([
    ['approve a draft', 'approve', [], 200, 'scheduled'],
    ['reject a draft', 'reject', [], 409, 'draft'],
    ['retry a draft', 'retry', [], 409, 'draft'],
    ['cancel then approve', 'approve', ['cancel'], 409, 'cancelled'],
    ['cancel twice', 'cancel', ['cancel'], 409, 'cancelled'],
    ['approve twice', 'approve', ['approve'], 409, 'scheduled'],
    ['reject a scheduled post', 'reject', ['approve'], 200, 'rejected'],
  ])('%s', async (_, action, before, status, finalStatus) => {
    const post = await json(
      await t.api('POST', '/posts', { accountId: seeded.facebook.id, caption: 'act', scheduledAt: hoursFromNow(3) }),
    );
    for (const step of before) expect((await t.api('POST', `/posts/${post.id}/${step}`)).status).toBe(200);
    const res = await t.api('POST', `/posts/${post.id}/${action}`);
    expect(res.status).toBe(status);
    if (status === 409) expect((await json(res)).error.code).toBe('conflict');
    expect((await json(await t.api('GET', `/posts/${post.id}`))).status).toBe(finalStatus);
  });

  it('keeps a rejection comment and logs every change with who made it', async () => {
    const post = await json(
      await t.api('POST', '/posts', {
        accountId: seeded.facebook.id,
        caption: 'c',
        scheduledAt: hoursFromNow(4),
        status: 'scheduled',
      }),
    );
    const rejected = await json(await t.api('POST', `/posts/${post.id}/reject`, { comment: 'Too salesy' }));
    expect(rejected).toMatchObject({ status: 'rejected', reviewComment: 'Too salesy' });
    const logs = await json(await t.api('GET', `/posts/${post.id}/logs`));
    expect(logs.data.map((l: { step: string }) => l.step)).toEqual(['create', 'reject']);
    expect(logs.data[1].message).toMatch(/Rejected: Too salesy \(API token "tests"\)/);
  });

  it('refuses edits of a post being published', async () => {
    const post = await json(
      await t.api('POST', '/posts', {
        accountId: seeded.facebook.id,
        caption: 'busy',
        scheduledAt: hoursFromNow(1),
        status: 'scheduled',
      }),
    );
    t.herald.database.sqlite.prepare("UPDATE posts SET status = 'publishing', due_at = NULL WHERE id = ?").run(post.id);
    const current = await json(await t.api('GET', `/posts/${post.id}`));
    const res = await t.api('PATCH', `/posts/${post.id}`, { caption: 'changed', version: current.version });
    expect(res.status).toBe(409);
    expect((await t.api('POST', `/posts/${post.id}/cancel`)).status).toBe(409);
  });

  it('under client approval, a scheduled request waits for the client', async () => {
    const other = seedClient(t, { name: 'Strict Co', approvalMode: 'client' });
    const post = await json(
      await t.api('POST', '/posts', {
        accountId: other.facebook.id,
        caption: 'ask first',
        scheduledAt: hoursFromNow(5),
        status: 'scheduled',
      }),
    );
    expect(post.status).toBe('pending_approval');
  });

  it('filters by client, account, status and time window, with pagination', async () => {
    const other = seedClient(t, { name: 'Filter Co' });
    const times = [hoursFromNow(10), hoursFromNow(11), hoursFromNow(12), hoursFromNow(13)];
    for (const when of times)
      expect(
        (
          await t.api('POST', '/posts', {
            accountId: other.facebook.id,
            caption: `at ${when}`,
            scheduledAt: when,
            status: 'scheduled',
          })
        ).status,
      ).toBe(201);
    // A decoy on another account of the same client, inside the window (a draft, so the status filter leaves it out).
    const otherVideo = await json(await upload(t, other.client.id, makeMp4(), 'decoy.mp4'));
    const decoyRes = await t.api('POST', '/posts', {
      accountId: other.tiktok.id,
      caption: 'tt',
      mediaIds: [otherVideo.id],
      scheduledAt: hoursFromNow(11.5),
    });
    expect(decoyRes.status).toBe(201);
    const decoy = await json(decoyRes);
    const all = await json(await t.api('GET', `/posts?clientId=${other.client.id}&status=scheduled&limit=3`));
    expect(all.data).toHaveLength(3);
    expect(all.nextCursor).not.toBeNull();
    const rest = await json(
      await t.api('GET', `/posts?clientId=${other.client.id}&status=scheduled&limit=3&cursor=${all.nextCursor}`),
    );
    expect([...all.data, ...rest.data].map((p: { scheduledAt: string }) => p.scheduledAt)).toEqual(times);
    const windowed = await json(
      await t.api(
        'GET',
        `/posts?accountId=${other.facebook.id}` +
          `&from=${encodeURIComponent(times[1]!)}&to=${encodeURIComponent(times[3]!)}`,
      ),
    );
    expect(windowed.data.map((p: { scheduledAt: string }) => p.scheduledAt)).toEqual([times[1], times[2]]);
    expect(windowed.data.map((p: { id: string }) => p.id)).not.toContain(decoy.id);
    // Without the account filter the same window holds the decoy too.
    const wholeClient = await json(
      await t.api(
        'GET',
        `/posts?clientId=${other.client.id}&from=${encodeURIComponent(times[1]!)}&to=${encodeURIComponent(times[3]!)}`,
      ),
    );
    expect(wholeClient.data.map((p: { id: string }) => p.id)).toContain(decoy.id);
    expect(wholeClient.data.map((p: { scheduledAt: string }) => p.scheduledAt)).toEqual([
      times[1],
      decoy.scheduledAt,
      times[2],
    ]);
    expect((await t.api('GET', '/posts?status=sleeping')).status).toBe(400);
    expect((await t.api('GET', '/posts?from=yesterday')).status).toBe(400);
  });

  it.each([
    ['GET', '/posts/post_missing'],
    ['PATCH', '/posts/post_missing'],
    ['POST', '/posts/post_missing/approve'],
    ['POST', '/posts/post_missing/retry'],
    ['GET', '/posts/post_missing/logs'],
  ])('%s %s → 404', async (method, path) => {
    const res = await t.api(method, path, method === 'PATCH' ? { caption: 'x', version: 1 } : undefined);
    expect(res.status).toBe(404);
  });
});

describe('due times', () => {
  it('every way into "scheduled" makes the post due at its time', async () => {
    const t = await makeHerald();
    const seeded = seedClient(t);
    const due = (id: string) =>
      t.herald.database.sqlite.prepare('SELECT due_at, scheduled_at FROM posts WHERE id = ?').get(id) as {
        due_at: number | null;
        scheduled_at: number;
      };
    const when = hoursFromNow(6);
    const approved = await json(
      await t.api('POST', '/posts', { accountId: seeded.facebook.id, caption: 'approve me', scheduledAt: when }),
    );
    await t.api('POST', `/posts/${approved.id}/approve`);
    expect(due(approved.id).due_at).toBe(Date.parse(when));
    const direct = await json(
      await t.api('POST', '/posts', {
        accountId: seeded.facebook.id,
        caption: 'direct',
        scheduledAt: when,
        status: 'scheduled',
      }),
    );
    expect(due(direct.id).due_at).toBe(Date.parse(when));
    const moved = await json(
      await t.api('PATCH', `/posts/${direct.id}`, { scheduledAt: hoursFromNow(8), version: direct.version }),
    );
    expect(due(direct.id).due_at).toBe(Date.parse(moved.scheduledAt));
    await t.api('POST', `/posts/${direct.id}/cancel`);
    expect(due(direct.id).due_at).toBeNull();
    await t.close();
  });
});
