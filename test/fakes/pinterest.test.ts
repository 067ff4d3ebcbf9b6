import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeImage, startFileHost, type FileHost } from '../helpers/media-fixtures.js';
import { FakePinterest, type FakeBoard, type FakePinterestUser } from './pinterest.js';

const APP = { appId: '1500001', appSecret: 'pin-secret' };
const REDIRECT = 'https://herald.example.com/auth/pinterest/callback';

let files: FileHost;
let pin: FakePinterest;
let base: string;
let user: FakePinterestUser;
let board: FakeBoard;
let token: string;

beforeAll(async () => {
  files = await startFileHost({ '/a.jpg': ['image/jpeg', await makeImage(1000, 1500, 'jpeg')] });
});
afterAll(() => files.close());
beforeEach(async () => {
  pin = new FakePinterest({ ...APP, redirectUris: [REDIRECT] });
  base = await pin.start();
  user = pin.addUser();
  board = pin.addBoard(user.id, 'Recipes');
  token = pin.issueToken(user.id);
});
afterEach(() => pin.stop());

async function createPin(body: unknown, auth = `Bearer ${token}`) {
  const res = await fetch(`${base}/v5/pins`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { code: number; message: string; id?: string } };
}

describe('fake Pinterest', () => {
  it('refuses malformed pins with the {code, message} envelope and creates a well-formed one', async () => {
    const image = { source_type: 'image_url', url: `${files.url}/a.jpg` };
    const refusals = [
      await createPin({ board_id: 'abc', media_source: image }),
      await createPin({ board_id: '999', media_source: image }),
      await createPin({ board_id: board.id, title: 'x'.repeat(101), media_source: image }),
      await createPin({ board_id: board.id, alt_text: 'x'.repeat(501), media_source: image }),
      await createPin({ board_id: board.id }),
      await createPin({ board_id: board.id, media_source: { source_type: 'image_url', url: `${files.url}/gone.jpg` } }),
      await createPin({ board_id: board.id, media_source: { source_type: 'multiple_image_urls', items: [image] } }),
      await createPin({ board_id: board.id, media_source: { source_type: 'video_id', media_id: '123' } }),
      await createPin({ board_id: board.id, bogus: 1, media_source: image }),
      await createPin({ board_id: board.id, media_source: image }, `Bearer nope`),
    ];
    expect(refusals.map((r) => r.status)).toEqual([400, 404, 400, 400, 400, 400, 400, 404, 400, 401]);
    for (const r of refusals) expect(r.body).toEqual({ code: expect.any(Number), message: expect.any(String) });
    expect(refusals[5]!.body.message).toMatch(/Unable to reach the URL/);
    expect(pin.pins).toHaveLength(0);
    const ok = await createPin({ board_id: board.id, title: 'Pie', media_source: image });
    expect(ok.status).toBe(201);
    expect(pin.pins).toHaveLength(1);
  });

  it('takes app credentials only by HTTP Basic, and a trial app gets code 29 in production', async () => {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: pin.issueRefreshToken(user.id) });
    const inBody = await fetch(`${base}/v5/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${form}&client_id=${APP.appId}&client_secret=${APP.appSecret}`,
    });
    expect(inBody.status).toBe(401);
    pin.trial = true;
    const r = await createPin({
      board_id: board.id,
      media_source: { source_type: 'image_url', url: `${files.url}/a.jpg` },
    });
    expect(r.body.code).toBe(29);
  });

  it('accepts only a multipart POST upload carrying every parameter and the file last', async () => {
    const res = await fetch(`${base}/v5/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ media_type: 'video' }),
    });
    const media = (await res.json()) as {
      media_id: string;
      upload_url: string;
      upload_parameters: Record<string, string>;
    };
    expect((await fetch(media.upload_url, { method: 'PUT', body: 'x' })).status).toBe(405);
    const partial = new FormData();
    partial.append('key', media.upload_parameters.key!);
    partial.append('file', new Blob([Buffer.from('video')]), 'v.mp4');
    expect((await fetch(media.upload_url, { method: 'POST', body: partial })).status).toBe(400);
    const full = new FormData();
    for (const [k, v] of Object.entries(media.upload_parameters)) full.append(k, v);
    full.append('file', new Blob([Buffer.from('video')]), 'v.mp4');
    expect((await fetch(media.upload_url, { method: 'POST', body: full })).status).toBe(204);
    expect(pin.media.get(media.media_id)?.uploadedAt).not.toBeNull();
  });
});
