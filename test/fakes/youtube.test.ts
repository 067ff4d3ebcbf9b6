import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeYouTube, YT_UPLOAD } from './youtube.js';

const UNIT = 256 * 1024;
let yt: FakeYouTube;
let channelId: string;

beforeEach(async () => {
  yt = new FakeYouTube();
  await yt.start();
  channelId = yt.addChannel().id;
  yt.grant('tok', channelId);
});
afterEach(async () => {
  await yt.stop();
});

const VIDEO = {
  snippet: { title: 'Hello', description: 'd', categoryId: '22' },
  status: { privacyStatus: 'public', selfDeclaredMadeForKids: false },
};

async function start(body: unknown = VIDEO, headers: Record<string, string> = {}, size = 2 * UNIT + 10) {
  return fetch(`${yt.url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer tok',
      'content-type': 'application/json; charset=UTF-8',
      'x-upload-content-length': String(size),
      'x-upload-content-type': 'video/mp4',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

const put = (session: string, body: Uint8Array, range: string) =>
  fetch(session, {
    method: 'PUT',
    headers: { authorization: 'Bearer tok', 'content-range': range },
    body: Buffer.from(body),
  });
const reason = async (res: Response) => ((await res.json()) as any).error.errors[0].reason;

describe('FakeYouTube refuses what YouTube refuses', () => {
  it('session start: headers, metadata and scopes', async () => {
    expect(await reason(await start({ ...VIDEO, snippet: { ...VIDEO.snippet, title: 'x'.repeat(101) } }))).toBe(
      'invalidTitle',
    );
    expect(await reason(await start({ ...VIDEO, snippet: { ...VIDEO.snippet, categoryId: 22 } }))).toBe(
      'invalidCategoryId',
    );
    expect(
      await reason(await start({ ...VIDEO, status: { ...VIDEO.status, publishAt: '2030-01-01T00:00:00Z' } })),
    ).toBe('invalidPublishAt');
    expect(await reason(await start(VIDEO, { 'x-upload-content-type': 'image/png' }))).toBe('badContent');
    yt.grant('tok', channelId, ['https://www.googleapis.com/auth/youtube.readonly']);
    expect(await reason(await start())).toBe('insufficientPermissions');
    yt.grant('tok', channelId, [YT_UPLOAD]);
    const list = await fetch(`${yt.url}/youtube/v3/channels?part=id&mine=true`, {
      headers: { authorization: 'Bearer tok' },
    });
    expect(await reason(list)).toBe('insufficientPermissions');
  });

  it('chunks: 256 KiB multiples, contiguous ranges, status checks; the video only after the last byte', async () => {
    const res = await start();
    expect(res.status).toBe(200);
    const session = res.headers.get('location')!;
    const total = 2 * UNIT + 10;
    expect((await put(session, new Uint8Array(1000), `bytes 0-999/${total}`)).status).toBe(400);
    expect((await put(session, new Uint8Array(UNIT), `bytes 5-${UNIT + 4}/${total}`)).status).toBe(400);
    const probe0 = await put(session, new Uint8Array(0), `bytes */${total}`);
    expect(probe0.status).toBe(308);
    expect(probe0.headers.get('range')).toBeNull();
    const first = await put(session, new Uint8Array(UNIT), `bytes 0-${UNIT - 1}/${total}`);
    expect([first.status, first.headers.get('range')]).toEqual([308, `bytes=0-${UNIT - 1}`]);
    expect(yt.videos).toHaveLength(0);
    const last = await put(session, new Uint8Array(UNIT + 10), `bytes ${UNIT}-${total - 1}/${total}`);
    expect(last.status).toBe(201);
    const id = ((await last.json()) as any).id;
    const replay = await put(session, new Uint8Array(0), `bytes */${total}`);
    expect([replay.status, ((await replay.json()) as any).id]).toEqual([201, id]);
    expect(yt.videos).toHaveLength(1);
    expect(yt.videos[0]!.status.privacyStatus).toBe('private'); // unaudited project
  });

  it('quota and channel limits, expired sessions', async () => {
    yt.insertsUsed = yt.insertsPerDay;
    const quota = await start();
    expect([quota.status, await reason(quota)]).toEqual([403, 'quotaExceeded']);
    yt.insertsUsed = 0;
    yt.channels.get(channelId)!.uploadsLeft = 0;
    expect(await reason(await start())).toBe('uploadLimitExceeded');
    yt.channels.get(channelId)!.uploadsLeft = 1;
    const session = (await start()).headers.get('location')!;
    yt.expire(session);
    expect((await put(session, new Uint8Array(0), `bytes */${2 * UNIT + 10}`)).status).toBe(404);
    const twice = await fetch(`${yt.url}/youtube/v3/channels?part=id&mine=true&id=x`, {
      headers: { authorization: 'Bearer tok' },
    });
    expect(await reason(twice)).toBe('invalidCriteria');
  });
});
