import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMetaSurfaces, type MetaSurfacesRig } from '../helpers/meta-surfaces.js';

let rig: MetaSurfacesRig;

beforeEach(async () => {
  rig = await startMetaSurfaces();
});
afterEach(() => rig.close());

const calls = () => rig.meta.requests.map((r) => `${r.method} ${r.path.replace(/^\/v25\.0/, '')}`);
const edge = () => rig.meta.calls(/\/video_reels$/, 'POST').map((r) => r.body as Record<string, string>);
const uploads = () => rig.meta.calls(/^\/video-upload\//, 'POST');
const fileOf = (mediaId: string) =>
  readFileSync(join(rig.live.config.mediaDir, rig.live.herald.repos.media.get(mediaId)!.key));

describe('Facebook Reels', () => {
  it('uploads the file to rupload, publishes with finish and the caption, confirms from the status', async () => {
    const { meta, page } = rig;
    const mediaId = await rig.video({ durationMs: 30_000, bytes: 200_000 });
    const id = rig.seed(rig.facebookId, 'reel', [mediaId], 'Our new oven #bread');
    await rig.round();

    expect(rig.post(id).status).toBe('published');
    expect(meta.fbSurfaces.reels).toHaveLength(1);
    const reel = meta.fbSurfaces.reels[0]!;
    expect(reel.data.equals(fileOf(mediaId))).toBe(true);
    expect(reel.description).toBe('Our new oven #bread');
    expect(edge()).toEqual([
      expect.objectContaining({ upload_phase: 'start' }),
      expect.objectContaining({
        upload_phase: 'finish',
        video_id: reel.id,
        video_state: 'PUBLISHED',
        description: 'Our new oven #bread',
      }),
    ]);
    const [upload] = uploads();
    expect(upload!.headers).toMatchObject({
      authorization: `OAuth ${page.pageToken}`,
      offset: '0',
      file_size: String(fileOf(mediaId).length),
      'content-type': 'application/octet-stream',
    });
    expect(upload!.query).toEqual({});
    expect(calls()).toEqual([
      `GET /${page.pageId}/video_reels`,
      `POST /${page.pageId}/video_reels`,
      `POST /video-upload/v25.0/${reel.id}`,
      `GET /${reel.id}`,
      `POST /${page.pageId}/video_reels`,
      `GET /${reel.id}`,
      `GET /${reel.id}`,
    ]);
    // The comment parent: a reel's comments hang on its video id.
    expect(rig.post(id)).toMatchObject({
      externalId: reel.id,
      permalink: `https://www.facebook.com/reel/${reel.id}`,
    });
    expect(meta.fbSurfaces.commentable(reel.id)).toEqual({ pageId: page.pageId });
    expect(meta.published).toHaveLength(0);
  });

  it('hangs the first comment on the reel’s video id, once', async () => {
    const { meta, page } = rig;
    const id = rig.seed(rig.facebookId, 'reel', [await rig.video()], 'Our new oven', 'Recipe: https://acme.test/r');
    await rig.round();

    const reel = meta.fbSurfaces.reels[0]!;
    expect(rig.post(id)).toMatchObject({ status: 'published', externalId: reel.id, firstCommentStatus: 'posted' });
    expect(meta.comments.all).toHaveLength(1);
    expect(meta.comments.all[0]).toMatchObject({
      parentId: reel.id,
      fromId: page.pageId,
      message: 'Recipe: https://acme.test/r',
    });
  });

  it('resumes an interrupted upload from the offset Facebook holds after an OffsetInvalidError', async () => {
    const { meta } = rig;
    const mediaId = await rig.video({ bytes: 300_000 });
    const id = rig.seed(rig.facebookId, 'reel', [mediaId], 'Resumed');
    meta.cutNextUpload(100_000);
    await rig.round();

    expect(rig.post(id).status).toBe('published');
    const sent = uploads();
    expect(sent.map((r) => r.headers.offset)).toEqual(['0', '0', '100000']);
    expect(sent.map((r) => r.raw.length)).toEqual([300_000, 300_000, 200_000]);
    const reel = meta.fbSurfaces.reels[0]!;
    expect(reel.data.equals(fileOf(mediaId))).toBe(true);
    expect(meta.fbSurfaces.reels).toHaveLength(1);
  });

  it('a lost answer to finish is settled from the video status, never finished twice', async () => {
    const { meta } = rig;
    const id = rig.seed(rig.facebookId, 'reel', [await rig.video()], 'Lost finish');
    meta.inject({ method: 'POST', path: /\/video_reels$/, fault: { kind: 'delay', ms: 0 } });
    meta.inject({ method: 'POST', path: /\/video_reels$/, fault: { kind: 'lose-response' } });
    await rig.round();
    expect(rig.post(id).status).toBe('unconfirmed');
    expect(meta.fbSurfaces.reels).toHaveLength(1);

    // First read: Facebook is still publishing it (pending); the next one settles it.
    await rig.live.herald.engine.reconcile();
    expect(rig.post(id).status).toBe('unconfirmed');
    await rig.live.herald.engine.reconcile();
    const reel = meta.fbSurfaces.reels[0]!;
    expect(rig.post(id)).toMatchObject({ status: 'published', externalId: reel.id, sends: 1 });
    expect(edge().filter((b) => b.upload_phase === 'finish')).toHaveLength(1);
    expect(meta.fbSurfaces.reels).toHaveLength(1);
  });

  it('the upload publishes nothing: a finish that never arrived is resent on a new session, once', async () => {
    const { meta } = rig;
    const id = rig.seed(rig.facebookId, 'reel', [await rig.video()], 'Never arrived');
    meta.inject({ method: 'POST', path: /\/video_reels$/, fault: { kind: 'delay', ms: 0 } });
    meta.inject({ method: 'POST', path: /\/video_reels$/, fault: { kind: 'reset' } });
    await rig.round();
    expect(rig.post(id).status).toBe('unconfirmed');
    expect(meta.fbSurfaces.reels).toHaveLength(0);
    const first = rig.state(id).videoId as string;

    await rig.live.herald.engine.reconcile();
    expect(rig.post(id).status).toBe('scheduled');
    await rig.round();

    expect(rig.post(id)).toMatchObject({ status: 'published', sends: 2 });
    const finishes = edge().filter((b) => b.upload_phase === 'finish');
    expect(finishes).toHaveLength(2);
    expect(finishes[1]!.video_id).not.toBe(first);
    expect(meta.fbSurfaces.reels.map((r) => r.id)).toEqual([finishes[1]!.video_id]);
  });

  it('fails the post with Facebook’s words when the reel fails processing', async () => {
    rig.meta.fbSurfaces.failNextReel = 'Resolution too low. Video must have a minimum resolution of 540p.';
    const id = rig.seed(rig.facebookId, 'reel', [await rig.video()], 'Too small');
    await rig.round();
    expect(rig.post(id)).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/minimum resolution/) });
  });

  it.each([
    ['too short', { durationMs: 2_900 }, /1363128/],
    ['too small', { width: 539, height: 959 }, /1363127/],
    ['too slow', { frameRate: 23 }, /1363129/],
    ['too wide', { width: 1920, height: 800 }, /1363040/],
  ])('a reel %s for Facebook fails with its processing error, published nowhere', async (_, mp4, code) => {
    const id = rig.seedUnchecked(rig.facebookId, 'reel', [await rig.video(mp4)], 'Out of spec');
    await rig.round();
    expect(rig.post(id)).toMatchObject({ status: 'failed', lastError: expect.stringMatching(code) });
    expect(rig.meta.fbSurfaces.reels).toHaveLength(0);
  });

  it('waits instead of publishing a 31st reel in 24 hours on the Page', async () => {
    const { meta, page } = rig;
    for (let i = 0; i < 30; i++) {
      meta.fbSurfaces.videos.set(`old${i}`, {
        id: `old${i}`,
        pageId: page.pageId,
        edge: 'video_reels',
        fileSize: 1,
        data: Buffer.alloc(1),
        finished: true,
        description: null,
        publishPollsLeft: 0,
        publishedAt: Date.now() - 3_600_000,
        storyPostId: null,
        error: null,
        createdAt: Date.now() - 3_600_000,
      });
    }
    const id = rig.seed(rig.facebookId, 'reel', [await rig.video()], 'One too many');
    await rig.round();
    expect(rig.post(id)).toMatchObject({ status: 'scheduled', lastError: expect.stringMatching(/30 Reels/) });
    expect(edge()).toHaveLength(0);
  });
});

describe('the rupload fake', () => {
  it('refuses a finish before the upload, a file_url body, a wrong offset and a foreign token', async () => {
    const { meta, page } = rig;
    const graph = (path: string, body: Record<string, string>) =>
      fetch(`${meta.url}/v25.0/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: page.pageToken, ...body }),
      }).then((r) => r.json() as Promise<Record<string, any>>);
    const start = await graph(`${page.pageId}/video_reels`, { upload_phase: 'start' });
    const finish = await graph(`${page.pageId}/video_reels`, {
      upload_phase: 'finish',
      video_id: start.video_id,
      video_state: 'PUBLISHED',
    });
    expect(finish.error.code).toBe(6000);
    const put = (headers: Record<string, string>, body: BodyInit) =>
      fetch(start.upload_url, { method: 'POST', headers, body }).then((r) => r.json() as Promise<Record<string, any>>);
    const auth = { authorization: `OAuth ${page.pageToken}` };
    expect(
      (await put({ ...auth, 'content-type': 'application/json' }, JSON.stringify({ file_url: 'https://x/y.mp4' })))
        .debug_info.type,
    ).toBe('ParameterValidationError');
    const octet = { ...auth, 'content-type': 'application/octet-stream', file_size: '10' };
    expect((await put({ ...octet, offset: '5' }, Buffer.alloc(5))).debug_info.type).toBe('OffsetInvalidError');
    expect((await put({ ...octet, offset: '0', authorization: 'OAuth nope' }, Buffer.alloc(10))).debug_info.type).toBe(
      'AuthError',
    );
    expect(await put({ ...octet, offset: '0' }, Buffer.alloc(10))).toEqual({ success: true });
    const second = await graph(`${page.pageId}/video_reels`, {
      upload_phase: 'finish',
      video_id: start.video_id,
      video_state: 'PUBLISHED',
      caption: 'x',
    });
    expect(second.error.message).toMatch(/use description/);
  });
});
