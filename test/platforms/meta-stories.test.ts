import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMetaSurfaces, type MetaSurfacesRig } from '../helpers/meta-surfaces.js';

let rig: MetaSurfacesRig;

beforeEach(async () => {
  rig = await startMetaSurfaces();
});
afterEach(() => rig.close());

const calls = (from = 0) => rig.meta.requests.slice(from).map((r) => `${r.method} ${r.path.replace('/v25.0', '')}`);
const bodies = (path: RegExp) => rig.meta.calls(path, 'POST').map((r) => r.body as Record<string, string>);

describe('Instagram Stories', () => {
  it('publishes an image story: a STORIES container with the JPEG and nothing else, then media_publish', async () => {
    const { meta, page } = rig;
    const ig = page.igUserId;
    const imageId = await rig.image(1080, 1920, 'png');
    rig.live.herald.repos.media.update(imageId, { altText: 'A loaf' });
    const id = rig.seed(rig.instagramId, 'story', [imageId]);
    await rig.round();

    expect(rig.post(id).status).toBe('published');
    expect(meta.igPublished).toHaveLength(1);
    const story = meta.igPublished[0]!;
    expect(story).toMatchObject({ mediaType: 'STORIES', caption: null, altText: null });
    const [create] = bodies(/\/media$/);
    expect(create).toMatchObject({ media_type: 'STORIES', image_url: expect.stringMatching(/\.jpg$/) });
    expect(Object.keys(create!)).not.toContain('caption');
    expect(Object.keys(create!)).not.toContain('alt_text');
    expect(calls()).toEqual([
      `GET /${ig}/content_publishing_limit`,
      `POST /${ig}/media`,
      `GET /${story.containerId}`,
      `POST /${ig}/media_publish`,
      `GET /${story.mediaId}`,
    ]);
    expect(rig.post(id)).toMatchObject({ externalId: story.mediaId, permalink: story.permalink });
    expect(story.permalink).toContain('/stories/acme.bakery/');
  });

  it('publishes a video story after the container finished processing', async () => {
    const id = rig.seed(rig.instagramId, 'story', [await rig.video({ durationMs: 15_000 })]);
    await rig.round();

    expect(rig.post(id).status).toBe('published');
    expect(rig.meta.igPublished).toMatchObject([{ mediaType: 'STORIES', media: [{ type: 'STORIES' }] }]);
    expect(bodies(/\/media$/)[0]).toMatchObject({ media_type: 'STORIES', video_url: expect.stringMatching(/\.mp4$/) });
    const container = rig.meta.igPublished[0]!.containerId;
    expect(calls().filter((c) => c === `GET /${container}`)).toHaveLength(3);
  });

  it.each([
    ['an image', false],
    ['a video', true],
  ])(
    '%s story whose media_publish answer is lost is found in /stories (never /media), published once',
    async (_, isVideo) => {
      const { meta, page } = rig;
      const mediaId = isVideo ? await rig.video() : await rig.image();
      const id = rig.seed(rig.instagramId, 'story', [mediaId]);
      meta.inject({ method: 'POST', path: /\/media_publish$/, fault: { kind: 'lose-response' } });
      await rig.round();
      expect(rig.post(id).status).toBe('unconfirmed');
      expect(meta.igPublished).toHaveLength(1);

      await rig.live.herald.engine.reconcile();
      const story = meta.igPublished[0]!;
      expect(rig.post(id)).toMatchObject({ status: 'published', externalId: story.mediaId, sends: 1 });
      expect(meta.calls(/\/media_publish$/)).toHaveLength(1);
      expect(meta.igPublished).toHaveLength(1);
      expect(calls()).toContain(`GET /${page.igUserId}/stories`);
      expect(calls()).not.toContain(`GET /${page.igUserId}/media`);
    },
  );

  it('a story video out of spec ends the container in ERROR and fails the post, published nowhere', async () => {
    const id = rig.seedUnchecked(rig.instagramId, 'story', [await rig.video({ durationMs: 61_000 })]);
    await rig.round();
    expect(rig.post(id).status).toBe('failed');
    expect(rig.meta.igPublished).toHaveLength(0);
  });

  it('the fake holds Herald to the story contract: one media; no caption, alt text, collaborators', async () => {
    const { meta, page } = rig;
    const post = (params: Record<string, string>) =>
      fetch(`${meta.url}/v25.0/${page.igUserId}/media`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: page.pageToken, media_type: 'STORIES', ...params }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: { message: string } } }));
    const url = 'http://127.0.0.1:9/x.jpg';
    expect((await post({})).body.error?.message).toMatch(/exactly one of image_url and video_url/);
    expect((await post({ image_url: url, video_url: url })).body.error?.message).toMatch(/exactly one/);
    for (const name of ['caption', 'alt_text', 'collaborators'])
      expect((await post({ image_url: url, [name]: 'x' })).body.error?.message).toMatch(name);
  });
});

describe('Facebook Page Stories', () => {
  it('publishes a photo story: an unpublished photo, then photo_stories as the one publishing call', async () => {
    const { meta, page } = rig;
    const id = rig.seed(rig.facebookId, 'story', [await rig.image()]);
    await rig.round();

    expect(rig.post(id).status).toBe('published');
    expect(meta.fbSurfaces.stories).toHaveLength(1);
    const story = meta.fbSurfaces.stories[0]!;
    expect(story).toMatchObject({ pageId: page.pageId, mediaType: 'photo' });
    expect(meta.published).toHaveLength(0);
    expect(calls()).toEqual([`POST /${page.pageId}/photos`, `POST /${page.pageId}/photo_stories`]);
    expect(bodies(/\/photos$/)[0]).toMatchObject({ published: 'false' });
    expect(bodies(/\/photo_stories$/)[0]).toMatchObject({ photo_id: story.mediaId });
    expect(rig.post(id)).toMatchObject({
      externalId: story.postId,
      permalink: `https://www.facebook.com/stories/${story.postId}`,
    });
  });

  it('a lost answer to photo_stories is found in the Page’s /stories, never sent twice', async () => {
    const { meta, page } = rig;
    const id = rig.seed(rig.facebookId, 'story', [await rig.image()]);
    meta.inject({ method: 'POST', path: /\/photo_stories$/, fault: { kind: 'lose-response' } });
    await rig.round();
    expect(rig.post(id).status).toBe('unconfirmed');

    await rig.live.herald.engine.reconcile();
    const story = meta.fbSurfaces.stories[0]!;
    expect(rig.post(id)).toMatchObject({ status: 'published', externalId: story.postId, sends: 1 });
    expect(meta.calls(/\/photo_stories$/)).toHaveLength(1);
    expect(meta.fbSurfaces.stories).toHaveLength(1);
    expect(calls()).toContain(`GET /${page.pageId}/stories`);
  });

  it('a photo_stories call that never arrived is resent with a fresh photo, publishing once', async () => {
    const { meta } = rig;
    const id = rig.seed(rig.facebookId, 'story', [await rig.image()]);
    meta.inject({ method: 'POST', path: /\/photo_stories$/, fault: { kind: 'reset' } });
    await rig.round();
    expect(rig.post(id).status).toBe('unconfirmed');
    await rig.live.herald.engine.reconcile();
    expect(rig.post(id).status).toBe('scheduled');
    await rig.round();

    expect(rig.post(id).status).toBe('published');
    expect(meta.fbSurfaces.stories).toHaveLength(1);
    const photos = bodies(/\/photo_stories$/).map((b) => b.photo_id);
    expect(photos).toHaveLength(2);
    expect(new Set(photos).size).toBe(2);
    expect(meta.fbSurfaces.stories[0]!.mediaId).toBe(photos[1]);
  });

  it('publishes a video story: start, rupload, finish without caption; a lost finish found by lookup', async () => {
    const { meta, page } = rig;
    const id = rig.seed(rig.facebookId, 'story', [await rig.video({ durationMs: 20_000 })]);
    const finish = /\/video_stories$/;
    // The first call on the edge is the start: let it through, lose the answer to the finish.
    meta.inject({ method: 'POST', path: finish, fault: { kind: 'delay', ms: 0 } });
    meta.inject({ method: 'POST', path: finish, fault: { kind: 'lose-response' } });
    await rig.round();
    expect(rig.post(id).status).toBe('unconfirmed');

    await rig.live.herald.engine.reconcile();
    const story = meta.fbSurfaces.stories[0]!;
    expect(story).toMatchObject({ mediaType: 'video', pageId: page.pageId });
    expect(rig.post(id)).toMatchObject({ status: 'published', externalId: story.postId, sends: 1 });
    const edge = bodies(finish);
    expect(edge.map((b) => b.upload_phase)).toEqual(['start', 'finish']);
    expect(Object.keys(edge[1]!)).not.toContain('description');
    expect(meta.fbSurfaces.stories).toHaveLength(1);
    expect(meta.published).toHaveLength(0);
  });

  it('the fake takes only an unpublished photo of that Page, never used before, for a photo story', async () => {
    const { meta, page } = rig;
    const graph = (path: string, body: Record<string, string>) =>
      fetch(`${meta.url}/v25.0/${page.pageId}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: page.pageToken, ...body }),
      }).then((r) => r.json() as Promise<Record<string, any>>);
    const url = rig.live.herald.services.media.url(rig.live.herald.repos.media.get(await rig.image())!.key);
    const published = await graph('photos', { url });
    expect((await graph('photo_stories', { photo_id: published.id })).error.message).toMatch(/already used/);
    const hidden = await graph('photos', { url, published: 'false' });
    expect(await graph('photo_stories', { photo_id: hidden.id })).toMatchObject({ success: true });
    expect((await graph('photo_stories', { photo_id: hidden.id })).error.message).toMatch(/already used/);
    expect((await graph('photo_stories', { photo_id: '999' })).error.message).toMatch(/Invalid photo_id/);
    expect(meta.fbSurfaces.stories).toHaveLength(1);
  });
});

describe('writing a story', () => {
  it('refuses a caption or a first comment on a story, and a second media, before anything is sent', async () => {
    const image = await rig.image();
    const other = await rig.image();
    const refused = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as { fields?: Record<string, string[]> }).fields ?? {};
      }
      return null;
    };
    expect(refused(() => rig.seed(rig.instagramId, 'story', [image], 'Hello'))).toHaveProperty('caption');
    expect(refused(() => rig.seed(rig.facebookId, 'story', [image], '', 'Link below'))).toHaveProperty('firstComment');
    expect(refused(() => rig.seed(rig.instagramId, 'story', [image, other]))).toHaveProperty('mediaIds');
    expect(rig.meta.requests).toHaveLength(0);
  });
});

describe('alt text on Instagram', () => {
  it('goes with feed images only: never with a feed Reel or a story', async () => {
    const { meta } = rig;
    const video = await rig.video();
    const image = await rig.image(1080, 1080);
    rig.live.herald.repos.media.update(video, { altText: 'A clip' });
    rig.live.herald.repos.media.update(image, { altText: 'A loaf' });
    const ids = [
      rig.seed(rig.instagramId, 'feed', [image], 'Feed image'),
      rig.seed(rig.instagramId, 'feed', [video], 'Feed reel'),
      rig.seed(rig.instagramId, 'story', [image]),
    ];
    // The engine publishes one post of an account at a time.
    for (let i = 0; i < 5 && ids.some((id) => rig.post(id).status !== 'published'); i++) await rig.round();
    const created = bodies(/\/media$/);
    expect(created).toHaveLength(3);
    const alt = Object.fromEntries(created.map((b) => [b.media_type ?? 'IMAGE', b.alt_text]));
    expect(alt).toEqual({ IMAGE: 'A loaf', REELS: undefined, STORIES: undefined });
    expect(meta.igPublished).toHaveLength(3);
  });
});
