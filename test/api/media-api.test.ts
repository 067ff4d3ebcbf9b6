import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';

function form(fields: Record<string, string>, file?: { data: Buffer; name: string; type?: string }): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  if (file)
    f.set('file', new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }), file.name);
  return f;
}

describe('media API', () => {
  let t: TestHerald;
  let clientId: string;
  let tinyJpeg: Buffer;
  beforeAll(async () => {
    tinyJpeg = await makeImage(20, 20);
    t = await makeHerald();
    clientId = seedClient(t).client.id;
  });
  afterAll(() => t.close());

  it.each<[string, () => Promise<Buffer>, string, number, number]>([
    ['a JPEG', () => makeImage(800, 600, 'jpeg'), 'image/jpeg', 800, 600],
    ['a PNG', () => makeImage(640, 640, 'png'), 'image/png', 640, 640],
    ['a WebP', () => makeImage(320, 400, 'webp'), 'image/webp', 320, 400],
    ['an MP4', async () => makeMp4({ width: 720, height: 1280, durationMs: 12_500 }), 'video/mp4', 720, 1280],
    [
      'an MP4 with moov last',
      async () => makeMp4({ width: 1920, height: 1080, moovLast: true }),
      'video/mp4',
      1920,
      1080,
    ],
  ])('stores %s, sniffed from its bytes, and serves it publicly', async (_, make, mime, width, height) => {
    const data = await make();
    // The declared name and type lie on purpose: only the bytes count.
    const res = await t.api('POST', '/media', form({ clientId }, { data, name: 'upload.gif', type: 'text/html' }));
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toMatchObject({ mime, size: data.length, width, height, clientId });
    expect(body.url).toMatch(/^http:\/\/herald\.test\/media\/[A-Za-z0-9_-]{30,}\.(jpg|png|webp|mp4)$/);
    const served = await t.herald.app.request(new URL(body.url).pathname);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe(mime);
    expect(served.headers.get('content-length')).toBe(String(data.length));
    expect(Buffer.from(await served.arrayBuffer()).equals(data)).toBe(true);
  });

  it('serves byte ranges (platforms fetch video in parts)', async () => {
    const data = makeMp4({ bytes: 10_000 });
    const body = await json(await t.api('POST', '/media', form({ clientId }, { data, name: 'v.mp4' })));
    const res = await t.herald.app.request(new URL(body.url).pathname, { headers: { range: 'bytes=100-199' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-199/${data.length}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(100, 200))).toBe(true);
  });

  it.each<[string, () => FormData, number, string]>([
    [
      'HTML posing as a JPEG',
      () =>
        form(
          { clientId },
          { data: Buffer.from('<html><script>alert(1)</script></html>'), name: 'x.jpg', type: 'image/jpeg' },
        ),
      415,
      'unsupported_media_type',
    ],
    [
      'an empty file',
      () => form({ clientId }, { data: Buffer.alloc(0), name: 'x.jpg' }),
      415,
      'unsupported_media_type',
    ],
    ['no file', () => form({ clientId }), 400, 'validation_failed'],
    [
      'a JPEG header with nothing behind it',
      () => form({ clientId }, { data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Array(40).fill(0)]), name: 'x.jpg' }),
      415,
      'unsupported_media_type',
    ],
    ['no client', () => form({}, { data: tinyJpeg, name: 'x.jpg' }), 400, 'validation_failed'],
    [
      'an unknown client',
      () => form({ clientId: 'cli_nope' }, { data: tinyJpeg, name: 'x.jpg' }),
      400,
      'validation_failed',
    ],
  ])('refuses %s', async (_, body, status, code) => {
    const res = await t.api('POST', '/media', body());
    expect(res.status).toBe(status);
    expect((await json(res)).error.code).toBe(code);
    expect(readdirSync(`${t.dataDir}/media`).filter((n) => n.startsWith('.upload-'))).toEqual([]);
  });

  it('refuses an image over the cap with 413 and keeps no partial file', async () => {
    const big = Buffer.concat([await makeImage(10, 10, 'png'), Buffer.alloc(21 * 1024 * 1024)]);
    const res = await t.api('POST', '/media', form({ clientId }, { data: big, name: 'big.png' }));
    expect(res.status).toBe(413);
    expect(readdirSync(`${t.dataDir}/media`).filter((n) => n.startsWith('.upload-'))).toEqual([]);
  });

  it('refuses JSON with 415', async () => {
    const res = await t.api('POST', '/media', { clientId });
    expect(res.status).toBe(415);
  });

  it('does not serve unknown or malformed keys', async () => {
    expect((await t.herald.app.request('/media/nope.jpg')).status).toBe(404);
    expect((await t.herald.app.request('/media/..%2F..%2Fherald.db')).status).toBe(404);
  });
});
