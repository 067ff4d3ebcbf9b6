import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { json, makeHerald, seedClient, tempDir, type TestHerald } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';
import { PageClient } from '../helpers/page-client.js';

const FFMPEG = ffmpegInstaller.path;
const ADMIN = { ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' };

const videoDirs: string[] = [];
afterAll(() => {
  for (const dir of videoDirs) rmSync(dir, { recursive: true, force: true });
});

/** A real, decodable one-second H.264 MP4 made by ffmpeg itself. */
function realVideo(): Buffer {
  const dir = tempDir('herald-video-');
  videoDirs.push(dir);
  const out = join(dir, 'clip.mp4');
  execFileSync(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=640x360:rate=25',
    '-t',
    '1',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    out,
  ]);
  return readFileSync(out);
}

async function signedIn(t: TestHerald): Promise<PageClient> {
  await t.herald.services.auth.ensureConfiguredAdmin();
  const browser = new PageClient(t.herald.app);
  await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await browser.get('/');
  return browser;
}

/** One file, as the page's script sends it (one request, JSON answer, CSRF header). */
async function upload(browser: PageClient, clientId: string, data: Buffer, name: string) {
  const body = new FormData();
  body.set('file', new Blob([new Uint8Array(data)]), name);
  const res = await browser.request(`/clients/${clientId}/media`, {
    method: 'POST',
    body,
    headers: { origin: 'http://herald.test', 'x-csrf-token': browser.csrf!, accept: 'application/json' },
  });
  return res;
}

describe('media library', () => {
  let t: TestHerald;
  let browser: PageClient;
  let seeded: ReturnType<typeof seedClient>;
  let clientId: string;
  const ids: Record<string, string> = {};
  const mediaPath = (key: string) => join(t.config.mediaDir, key);
  const row = (id: string) => t.herald.repos.media.get(id)!;

  beforeAll(async () => {
    t = await makeHerald({ ...ADMIN, FFMPEG_PATH: FFMPEG });
    seeded = seedClient(t);
    clientId = seeded.client.id;
    browser = await signedIn(t);
    for (const [name, format] of [
      ['croissant.jpg', 'jpeg'],
      ['baguette.png', 'png'],
      ['50%_off.webp', 'webp'],
    ] as const) {
      const res = await upload(browser, clientId, await makeImage(1200, 800, format), name);
      expect(res.status).toBe(201);
      ids[name] = (await json(res)).id;
    }
  });
  afterAll(() => t.close());

  it('makes a 480 px WebP thumbnail of each uploaded image, served like media', async () => {
    const r = row(ids['croissant.jpg']!);
    expect(r.name).toBe('croissant.jpg');
    expect(r.thumbKey).toMatch(/^[A-Za-z0-9_-]{20,}\.webp$/);
    const meta = await sharp(mediaPath(r.thumbKey!)).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 480, height: 320 });
    const served = await t.herald.app.request(`/media/${r.thumbKey}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    const { html } = await browser.get(`/clients/${clientId}/media`);
    expect(html).toContain(`src="/media/${r.thumbKey}"`);
  });

  it('searches names and alt text; % and _ match only themselves', async () => {
    const patch = await t.api('PATCH', `/media/${ids['baguette.png']}`, { altText: 'A golden crusty loaf on a board' });
    expect(patch.status).toBe(200);
    expect(await json(patch)).toMatchObject({ altText: 'A golden crusty loaf on a board', name: 'baguette.png' });
    const names = async (q: string) =>
      (await json(await t.api('GET', `/clients/${clientId}/media?q=${encodeURIComponent(q)}`))).data.map(
        (m: any) => m.name,
      );
    expect(await names('CRUSTY')).toEqual(['baguette.png']);
    expect(await names('croiss')).toEqual(['croissant.jpg']);
    expect(await names('%')).toEqual(['50%_off.webp']);
    expect(await names('_')).toEqual(['50%_off.webp']);
    expect(await names('')).toHaveLength(3);
    const { html } = await browser.get(`/clients/${clientId}/media?q=crusty`);
    expect(html).toContain('<strong>baguette.png</strong>');
    expect(html).not.toContain('<strong>croissant.jpg</strong>');
    expect((await browser.get(`/clients/${clientId}/media?q=nothing-like-this`)).html).toContain('Nothing matches');
  });

  it('pages by (created_at, id) with a cursor', async () => {
    const first = await json(await t.api('GET', `/clients/${clientId}/media?limit=2`));
    expect(first.data).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = await json(await t.api('GET', `/clients/${clientId}/media?limit=2&cursor=${first.nextCursor}`));
    expect(second.data).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.data, ...second.data].map((m: any) => m.name);
    expect(new Set(all).size).toBe(3);
    expect((await t.api('GET', '/clients/cli_nope/media')).status).toBe(404);
  });

  it('edits name and alt text inline (htmx swaps the tile) and refuses an empty name', async () => {
    const id = ids['croissant.jpg']!;
    const res = await browser.request(`/clients/${clientId}/media/${id}`, {
      method: 'POST',
      headers: {
        origin: 'http://herald.test',
        'content-type': 'application/x-www-form-urlencoded',
        'hx-request': 'true',
        'x-csrf-token': browser.csrf!,
      },
      body: new URLSearchParams({ name: 'Butter croissant', altText: 'Flaky <pastry>' }),
    });
    expect(res.status).toBe(200);
    const tile = await res.text();
    expect(tile).toMatch(new RegExp(`^<li class="media-item" id="media-${id}"`));
    expect(tile).toContain('Alt: Flaky &lt;pastry&gt;');
    expect(row(id)).toMatchObject({ name: 'Butter croissant', altText: 'Flaky <pastry>' });
    const bad = await browser.post(`/clients/${clientId}/media/${id}`, { name: ' ', altText: '' }, { htmx: true });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('is required');
    expect(row(id).name).toBe('Butter croissant');
    expect((await t.api('PATCH', `/media/${id}`, { altText: 'x'.repeat(1001) })).status).toBe(400);
  });

  it('lists where each file is used (posts and groups), refuses to delete it then, and names the users', async () => {
    const used = ids['baguette.png']!;
    const post = await json(
      await t.api('POST', '/posts', { accountId: seeded.facebook.id, caption: 'Fresh bread', mediaIds: [used] }),
    );
    const now = Date.now();
    t.herald.database.sqlite
      .prepare(
        `INSERT INTO post_groups (id, client_id, caption, first_comment, source, version, created_at, updated_at)
         VALUES ('grp_test1', ?, 'Shared', '', 'manual', 1, ?, ?)`,
      )
      .run(clientId, now, now);
    const groupOnly = ids['50%_off.webp']!;
    t.herald.database.sqlite
      .prepare(
        `INSERT INTO post_group_media (group_id, media_id, position) VALUES ('grp_test1', ?, 0), ('grp_test1', ?, 1)`,
      )
      .run(used, groupOnly);

    const list = await json(await t.api('GET', `/clients/${clientId}/media`));
    const byName = new Map(list.data.map((m: any) => [m.name, m.usedBy]));
    expect(byName.get('baguette.png')).toEqual(
      expect.arrayContaining([
        { kind: 'post', id: post.id },
        { kind: 'group', id: 'grp_test1' },
      ]),
    );
    expect(byName.get('50%_off.webp')).toEqual([{ kind: 'group', id: 'grp_test1' }]);
    expect(byName.get('Butter croissant')).toEqual([]);

    const { html } = await browser.get(`/clients/${clientId}/media`);
    expect(html).toContain(`href="/posts/${post.id}"`);
    expect(html).toContain('href="/groups/grp_test1"');
    expect(html).toContain('Used by 2 items');

    const refused = await t.api('DELETE', `/media/${used}`);
    expect(refused.status).toBe(409);
    const err = await json(refused);
    expect(err.error.code).toBe('conflict');
    expect(err.error.message).toContain(`post ${post.id} (Acme Page)`);
    expect(err.error.message).toContain('post group grp_test1');
    expect(err.error.details.usedBy).toHaveLength(2);
    // Used only by a group's shared media is used too.
    expect((await t.api('DELETE', `/media/${groupOnly}`)).status).toBe(409);

    const page = await browser.post(`/clients/${clientId}/media/${used}/delete`, {});
    expect(page.status).toBe(303);
    expect((await browser.get(`/clients/${clientId}/media`)).html).toContain(`is used by post ${post.id}`);
    expect(existsSync(mediaPath(row(used).key))).toBe(true);
  });

  it('deletes an unused file with its thumbnail and JPEG copy', async () => {
    const id = ids['croissant.jpg']!;
    // A PNG gets a JPEG copy for Instagram; upload one and make it.
    const png = await json(await upload(browser, clientId, await makeImage(300, 300, 'png'), 'copy.png'));
    const jpegKey = await t.herald.services.media.jpegKeyFor(png.id);
    const pngRow = row(png.id);
    const files = [pngRow.key, pngRow.thumbKey!, jpegKey].map(mediaPath);
    expect(files.every((f) => existsSync(f))).toBe(true);
    expect((await t.api('DELETE', `/media/${png.id}`)).status).toBe(204);
    expect(files.filter((f) => existsSync(f))).toEqual([]);
    expect(t.herald.repos.media.get(png.id)).toBeUndefined();
    // Through the page too.
    const r = row(id);
    expect((await browser.post(`/clients/${clientId}/media/${id}/delete`, {})).status).toBe(303);
    expect([r.key, r.thumbKey!].map(mediaPath).filter((f) => existsSync(f))).toEqual([]);
  });

  it("answers 404 for another client's file through this client's page", async () => {
    const other = seedClient(t, { name: 'Other Co' }).client.id;
    const theirs = await json(await upload(browser, other, await makeImage(50, 50), 'theirs.jpg'));
    const res = await browser.post(`/clients/${clientId}/media/${theirs.id}`, { name: 'mine now', altText: '' });
    expect(res.status).toBe(404);
    expect((await browser.post(`/clients/${clientId}/media/${theirs.id}/delete`, {})).status).toBe(404);
    expect(row(theirs.id).name).toBe('theirs.jpg');
  });

  it('takes several files in one plain form post (no JavaScript), CSRF in the query', async () => {
    const body = new FormData();
    for (const n of ['a.jpg', 'b.jpg', 'c.jpg'])
      body.append('file', new Blob([new Uint8Array(await makeImage(40, 40))]), n);
    const before = t.herald.repos.media.listByClient(clientId, 200).data.length;
    const refused = await browser.request(`/clients/${clientId}/media`, {
      method: 'POST',
      body,
      headers: { origin: 'http://herald.test' },
    });
    expect(refused.status).toBe(403);
    const res = await browser.request(`/clients/${clientId}/media?_csrf=${browser.csrf}`, {
      method: 'POST',
      body,
      headers: { origin: 'http://herald.test' },
    });
    expect(res.status).toBe(303);
    expect(t.herald.repos.media.listByClient(clientId, 200).data.length).toBe(before + 3);
    expect((await browser.get(`/clients/${clientId}/media`)).html).toContain('3 files uploaded.');
  });

  it('refuses a file that is not media with a clear message (JSON for the script)', async () => {
    const res = await upload(browser, clientId, Buffer.from('<html>not an image</html>'), 'evil.jpg');
    expect(res.status).toBe(415);
    expect((await json(res)).error.message).toContain('Only JPEG, PNG and WebP images and MP4 videos');
  });

  it('makes a first-frame JPEG poster of a video with ffmpeg, and a thumbnail of it', async () => {
    const res = await upload(browser, clientId, realVideo(), 'clip.mp4');
    expect(res.status).toBe(201);
    const { id } = await json(res);
    await t.herald.services.media.derived(id);
    const r = row(id);
    expect(r.posterStatus).toBe('made');
    expect(r.posterKey).toMatch(/\.jpg$/);
    expect(await sharp(mediaPath(r.posterKey!)).metadata()).toMatchObject({ format: 'jpeg', width: 640, height: 360 });
    expect(await sharp(mediaPath(r.thumbKey!)).metadata()).toMatchObject({ format: 'webp', width: 480 });
    const served = await t.herald.app.request(`/media/${r.posterKey}`);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    const { html } = await browser.get(`/clients/${clientId}/media`);
    expect(html).not.toContain('id="no-ffmpeg"');
    expect((await browser.get('/system')).html).toMatch(
      /status-connected">on<\/span> <strong>Video posters \(ffmpeg\)/,
    );
    // Deleting the video removes the poster and its thumbnail with it.
    expect((await t.api('DELETE', `/media/${id}`)).status).toBe(204);
    expect([r.key, r.posterKey!, r.thumbKey!].map(mediaPath).filter((f) => existsSync(f))).toEqual([]);
  });

  it('marks a video whose first frame ffmpeg cannot read as failed, without a poster', async () => {
    // Structurally valid (Herald accepts it) but with no decodable frame.
    const res = await upload(browser, clientId, makeMp4({ width: 720, height: 1280 }), 'broken.mp4');
    expect(res.status).toBe(201);
    const { id } = await json(res);
    await t.herald.services.media.derived(id);
    expect(row(id)).toMatchObject({ posterStatus: 'failed', posterKey: null, thumbKey: null });
    expect((await browser.get(`/clients/${clientId}/media`)).html).toContain(
      'no poster (the first frame could not be read)',
    );
  });

  it('gives files from before thumbnails existed theirs when the library shows them', async () => {
    const old = await t.herald.services.media.ingest([await makeImage(900, 600, 'png')], { clientId });
    await t.herald.services.media.derived(old.id);
    rmSync(mediaPath(row(old.id).thumbKey!));
    t.herald.database.sqlite.prepare('UPDATE media SET thumb_key = NULL WHERE id = ?').run(old.id);
    const { html } = await browser.get(`/clients/${clientId}/media`);
    // Until then the grid shows the file itself.
    expect(html).toContain(`src="/media/${old.key}"`);
    await vi.waitFor(() => expect(row(old.id).thumbKey).toBeTruthy(), { timeout: 5000 });
    const thumbKey = row(old.id).thumbKey;
    expect(thumbKey).toMatch(/\.webp$/);
    expect(existsSync(mediaPath(thumbKey!))).toBe(true);
    expect((await browser.get(`/clients/${clientId}/media`)).html).toContain(`src="/media/${thumbKey}"`);
  });
});

describe('media library without ffmpeg', () => {
  let t: TestHerald;
  const seedClientId = (h: TestHerald) => h.herald.repos.clients.options()[0]!.id;
  beforeAll(async () => {
    t = await makeHerald({ ...ADMIN, FFMPEG_PATH: '/nonexistent/ffmpeg' });
  });
  afterAll(() => t.close());

  it('marks videos no_ffmpeg and says so on the library and the System page', async () => {
    const clientId = seedClient(t).client.id;
    const browser = await signedIn(t);
    const res = await upload(browser, clientId, realVideo(), 'clip.mp4');
    expect(res.status).toBe(201);
    const { id } = await json(res);
    await t.herald.services.media.derived(id);
    expect(t.herald.repos.media.get(id)).toMatchObject({ posterStatus: 'no_ffmpeg', posterKey: null });
    const { html } = await browser.get(`/clients/${clientId}/media`);
    expect(html).toContain('id="no-ffmpeg"');
    expect(html).toContain('/nonexistent/ffmpeg was not found');
    expect(html).toContain('no poster (ffmpeg not installed)');
    const system = (await browser.get('/system')).html;
    expect(system).toMatch(/status-disabled">off<\/span> <strong>Video posters \(ffmpeg\)/);
    expect((await json(await t.api('GET', `/media/${id}`))).posterStatus).toBe('no_ffmpeg');
  });

  it('gives those videos their posters once ffmpeg is there (the same data, restarted)', async () => {
    const video = t.herald.repos.media.listByClient(seedClientId(t), 10).data.find((m) => m.name === 'clip.mp4')!;
    expect(video.posterStatus).toBe('no_ffmpeg');
    await t.herald.stop();
    const again = await makeHerald({ ...ADMIN, FFMPEG_PATH: FFMPEG }, { dataDir: t.dataDir });
    try {
      const browser = await signedIn(again);
      const { html } = await browser.get(`/clients/${video.clientId}/media`);
      expect(html).not.toContain('id="no-ffmpeg"');
      await vi.waitFor(() => expect(again.herald.repos.media.get(video.id)?.posterStatus).toBe('made'), {
        timeout: 10_000,
      });
      expect(existsSync(join(again.config.mediaDir, again.herald.repos.media.get(video.id)!.posterKey!))).toBe(true);
    } finally {
      await again.close();
    }
  });
});
