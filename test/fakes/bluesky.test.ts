import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBluesky, type BlueskyAccount } from './bluesky.js';

let bs: FakeBluesky;
let alice: BlueskyAccount;
let accessJwt: string;
let refreshJwt: string;

async function call(
  nsid: string,
  init: {
    method?: string;
    token?: string | null;
    json?: unknown;
    body?: Buffer;
    type?: string;
    query?: Record<string, string>;
  } = {},
) {
  const url = new URL(`${bs.pdsUrl}/xrpc/${nsid}`);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? accessJwt}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.body) headers['content-type'] = init.type ?? 'image/jpeg';
  const res = await fetch(url, {
    method: init.method ?? (init.json !== undefined || init.body ? 'POST' : 'GET'),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : (init.body as unknown as BodyInit | undefined),
  });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => null)) as any };
}

async function blob(bytes: number, type = 'image/jpeg') {
  const res = await call('com.atproto.repo.uploadBlob', { body: Buffer.alloc(bytes, bytes % 251), type });
  expect(res.status).toBe(200);
  return res.body.blob;
}

const post = (record: Record<string, unknown>, rkey = '3l4qmxyzabc22') =>
  call('com.atproto.repo.putRecord', {
    json: {
      repo: alice.did,
      collection: 'app.bsky.feed.post',
      rkey,
      record: { $type: 'app.bsky.feed.post', text: 'hello', createdAt: '2026-11-30T12:00:00.000Z', ...record },
    },
  });

beforeEach(async () => {
  bs = new FakeBluesky();
  await bs.start();
  alice = bs.addAccount({ handle: 'alice.test' });
  const res = await call('com.atproto.server.createSession', {
    token: null,
    json: { identifier: 'alice.test', password: 'abcd-efgh-ijkl-mnop' },
  });
  expect(res.status).toBe(200);
  ({ accessJwt, refreshJwt } = res.body);
});
afterEach(() => bs.stop());

describe('the fake Bluesky PDS', () => {
  it('accepts a valid post, and the identical putRecord again without a second record', async () => {
    const first = await post({});
    expect(first.status).toBe(200);
    expect(first.body.uri).toBe(`at://${alice.did}/app.bsky.feed.post/3l4qmxyzabc22`);
    const again = await post({});
    expect(again.body).toEqual({ uri: first.body.uri, cid: first.body.cid });
    expect(bs.posts(alice.did)).toHaveLength(1);
    expect(bs.commits).toBe(1);
  });

  it('refuses records that fail the app.bsky.feed.post basics', async () => {
    for (const record of [
      { text: undefined },
      { text: 'x'.repeat(301) },
      { createdAt: 'yesterday' },
      { $type: 'app.bsky.feed.like' },
      { langs: ['en', 'de', 'fr', 'it'] },
      { embed: { $type: 'app.bsky.embed.video', video: {} } },
    ]) {
      const res = await post(record);
      expect(res.status, JSON.stringify(record)).toBe(400);
      expect(res.body.error).toBe('InvalidRequest');
    }
    expect((await post({}, 'not-a-tid')).body.error).toBe('InvalidRequest');
    // Graphemes, not UTF-16 units: 100 family emoji (800 units) pass; 200 larger ones (5,000 bytes) do not.
    expect((await post({ text: '👨‍👩‍👧'.repeat(100) })).status).toBe(200);
    expect((await post({ text: '👨‍👩‍👧‍👦'.repeat(200) })).body.message).toMatch(/3000/);
    expect((await post({ text: 'é'.repeat(300) })).status).toBe(200);
  });

  it('refuses facets whose byte ranges are outside the text, empty, or split a character', async () => {
    const text = 'café #tag';
    const tag = (byteStart: number, byteEnd: number) => ({
      text,
      facets: [{ index: { byteStart, byteEnd }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'tag' }] }],
    });
    expect((await post(tag(6, 10))).status).toBe(200); // "#tag" starts at byte 6: "é" is two bytes
    expect((await post(tag(6, 11), '3l4qmxyzabc23')).body.message).toMatch(/outside the text/);
    expect((await post(tag(4, 4), '3l4qmxyzabc24')).body.error).toBe('InvalidRequest');
    expect((await post(tag(4, 10), '3l4qmxyzabc25')).body.message).toMatch(/splits a UTF-8 character/);
    const mention = await post(
      {
        text,
        facets: [
          {
            index: { byteStart: 0, byteEnd: 5 },
            features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'alice' }],
          },
        ],
      },
      '3l4qmxyzabc26',
    );
    expect(mention.body.message).toMatch(/mention needs a did/);
  });

  it('refuses more than four images, images without alt text, unknown and oversize blobs', async () => {
    const small = await blob(1_000);
    const images = (n: number) => ({
      embed: { $type: 'app.bsky.embed.images', images: Array.from({ length: n }, () => ({ image: small, alt: '' })) },
    });
    expect((await post(images(4))).status).toBe(200);
    expect((await post(images(5), '3l4qmxyzabc23')).body.message).toMatch(/more than 4/);
    expect(
      (await post({ embed: { $type: 'app.bsky.embed.images', images: [{ image: small }] } }, '3l4qmxyzabc24')).status,
    ).toBe(400);
    const ghost = { ...small, ref: { $link: 'bafkreiunknown' } };
    expect(
      (await post({ embed: { $type: 'app.bsky.embed.images', images: [{ image: ghost, alt: '' }] } }, '3l4qmxyzabc25'))
        .body.message,
    ).toMatch(/Could not find blob/);
    const big = await blob(1_000_001);
    const res = await post(
      { embed: { $type: 'app.bsky.embed.images', images: [{ image: big, alt: 'big' }] } },
      '3l4qmxyzabc26',
    );
    expect(res.body.error).toBe('BlobTooLarge');
    bs.blobUploadLimit = 2_000;
    expect((await call('com.atproto.repo.uploadBlob', { body: Buffer.alloc(2_001) })).status).toBe(413);
  });

  it('refuses wrong auth: none, a refresh JWT as access, another repo, an expired or revoked session', async () => {
    expect((await call('com.atproto.repo.uploadBlob', { token: null, body: Buffer.alloc(10) })).body.error).toBe(
      'AuthMissing',
    );
    expect((await call('com.atproto.repo.uploadBlob', { token: refreshJwt, body: Buffer.alloc(10) })).body.error).toBe(
      'InvalidToken',
    );
    expect(
      (await call('com.atproto.repo.uploadBlob', { token: `${accessJwt}x`, body: Buffer.alloc(10) })).body.error,
    ).toBe('InvalidToken');
    const bob = bs.addAccount({ handle: 'bob.test' });
    const other = await call('com.atproto.repo.putRecord', {
      json: {
        repo: bob.did,
        collection: 'app.bsky.feed.post',
        rkey: '3l4qmxyzabc22',
        record: { text: 'x', createdAt: '2026-11-30T12:00:00Z' },
      },
    });
    expect(other.status).toBe(401);
    // The access JWT of the session lasts 120 minutes: then ExpiredToken (400, not 401).
    bs.now = () => Date.now() + 121 * 60_000;
    const expired = await post({});
    expect([expired.status, expired.body.error]).toEqual([400, 'ExpiredToken']);
    const renewed = await call('com.atproto.server.refreshSession', { method: 'POST', token: refreshJwt });
    expect(renewed.status).toBe(200);
    expect(renewed.body.refreshJwt).not.toBe(refreshJwt);
    accessJwt = renewed.body.accessJwt;
    expect((await post({})).status).toBe(200);
    bs.revokeAppPassword(alice.did, 'abcd-efgh-ijkl-mnop');
    expect((await post({})).body.error).toBe('InvalidToken');
    expect(
      (await call('com.atproto.server.refreshSession', { method: 'POST', token: renewed.body.refreshJwt })).body.error,
    ).toBe('InvalidToken');
  });

  it('says which password made a session, and limits createSession with RateLimit headers', async () => {
    const main = await call('com.atproto.server.createSession', {
      token: null,
      json: { identifier: alice.did, password: 'main-password-1' },
    });
    const scope = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).scope;
    expect(scope(main.body.accessJwt)).toBe('com.atproto.access');
    expect(scope(accessJwt)).toBe('com.atproto.appPass');
    const wrong = await call('com.atproto.server.createSession', {
      token: null,
      json: { identifier: 'alice.test', password: 'nope' },
    });
    expect([wrong.status, wrong.body.error]).toEqual([401, 'AuthenticationRequired']);
    let last = wrong;
    for (let i = 0; i < 30 && last.status !== 429; i++)
      last = await call('com.atproto.server.createSession', {
        token: null,
        json: { identifier: 'alice.test', password: 'nope' },
      });
    expect([last.status, last.body.error]).toEqual([429, 'RateLimitExceeded']);
    expect(last.headers.get('ratelimit-policy')).toBe('30;w=300');
    expect(Number(last.headers.get('ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });

  const entrywayAndMisses =
    'refuses writes sent to the entryway instead of the PDS, and answers getRecord misses with RecordNotFound';
  it(entrywayAndMisses, async () => {
    const entryway = await fetch(`${bs.url}/xrpc/com.atproto.repo.putRecord`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessJwt}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(entryway.status).toBe(404);
    const miss = await call('com.atproto.repo.getRecord', {
      token: null,
      query: { repo: alice.did, collection: 'app.bsky.feed.post', rkey: '3l4qmxyzabc22' },
    });
    expect([miss.status, miss.body.error]).toEqual([400, 'RecordNotFound']);
    const created = await call('com.atproto.repo.createRecord', {
      json: {
        repo: alice.did,
        collection: 'app.bsky.feed.post',
        rkey: '3l4qmxyzabc22',
        record: { text: 'a', createdAt: '2026-11-30T12:00:00Z' },
      },
    });
    expect(created.status).toBe(200);
    const dup = await call('com.atproto.repo.createRecord', {
      json: {
        repo: alice.did,
        collection: 'app.bsky.feed.post',
        rkey: '3l4qmxyzabc22',
        record: { text: 'a', createdAt: '2026-11-30T12:00:00Z' },
      },
    });
    expect([dup.status, dup.body.error]).toEqual([500, 'InternalServerError']);
    expect(bs.posts(alice.did)).toHaveLength(1);
  });
});

describe('the fake Bluesky video service', () => {
  const serviceAuth = async (aud: string, lxm: string, exp?: number) => {
    const query: Record<string, string> = { aud, lxm };
    if (exp !== undefined) query.exp = String(exp);
    return call('com.atproto.server.getServiceAuth', { query });
  };
  const video = async (
    nsid: string,
    init: { token?: string; query?: Record<string, string>; body?: Buffer; type?: string } = {},
  ) => {
    const url = new URL(`${bs.videoUrl}/xrpc/${nsid}`);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body) headers['content-type'] = init.type ?? 'video/mp4';
    const res = await fetch(url, {
      method: init.body ? 'POST' : 'GET',
      headers,
      body: init.body as unknown as BodyInit | undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  const exp = () => Math.floor(Date.now() / 1000) + 1800;
  const uploadToken = async () =>
    (await serviceAuth(bs.didWeb(bs.pdsUrl), 'com.atproto.repo.uploadBlob', exp())).body.token as string;

  it('issues service tokens only to a session, with an audience and a near expiry', async () => {
    expect((await call('com.atproto.server.getServiceAuth', { token: null, query: { aud: 'did:web:x' } })).status).toBe(
      401,
    );
    expect((await serviceAuth('not-a-did', 'com.atproto.repo.uploadBlob')).status).toBe(400);
    const far = await serviceAuth(bs.didWeb(bs.pdsUrl), 'com.atproto.repo.uploadBlob', exp() + 7200);
    expect([far.status, far.body.error]).toEqual([400, 'BadExpiration']);
    bs.serviceAuthRefused = 'MethodNotImplemented';
    expect((await serviceAuth(bs.didWeb(bs.pdsUrl), 'com.atproto.repo.uploadBlob')).body.error).toBe(
      'MethodNotImplemented',
    );
  });

  it('refuses uploads without the right token audience and method, without did, or not MP4', async () => {
    const body = Buffer.alloc(2000, 7);
    const did = alice.did;
    const wrongAud = (await serviceAuth(bs.didWeb(bs.videoUrl), 'com.atproto.repo.uploadBlob', exp())).body.token;
    const wrongLxm = (await serviceAuth(bs.didWeb(bs.pdsUrl), 'app.bsky.video.getUploadLimits', exp())).body.token;
    const ok = await uploadToken();
    const upload = (token: string | undefined, query: Record<string, string>, type?: string) =>
      video('app.bsky.video.uploadVideo', { ...(token ? { token } : {}), query, body, ...(type ? { type } : {}) });
    expect((await upload(undefined, { did })).status).toBe(401);
    expect((await upload(accessJwt, { did })).status).toBe(401);
    expect((await upload(wrongAud, { did })).body.message).toMatch(/audience/);
    expect((await upload(wrongLxm, { did })).body.message).toMatch(/lxm/);
    expect((await upload(ok, {})).body.message).toMatch(/"did"/);
    expect((await upload(ok, { did: 'did:plc:someoneelse' })).status).toBe(401);
    expect((await upload(ok, { did }, 'video/quicktime')).status).toBe(400);
    expect(bs.videoJobs.size).toBe(0);
  });

  it('moves a job through its states to a blob a post can use; a failure ends with its code', async () => {
    const token = await uploadToken();
    const up = await video('app.bsky.video.uploadVideo', {
      token,
      query: { did: alice.did },
      body: Buffer.alloc(3000, 1),
    });
    expect(up.status).toBe(200);
    expect(up.body.jobStatus).toMatchObject({ did: alice.did, state: 'JOB_STATE_CREATED' });
    const jobId = up.body.jobStatus.jobId as string;
    expect((await video('app.bsky.video.getJobStatus')).status).toBe(400);
    const states: string[] = [];
    let blob: unknown;
    while (!blob) {
      const s = await video('app.bsky.video.getJobStatus', { query: { jobId } });
      states.push(s.body.jobStatus.state);
      blob = s.body.jobStatus.blob;
    }
    expect(states).toEqual(['JOB_STATE_ENCODING', 'JOB_STATE_SCANNING', 'JOB_STATE_UPLOADING', 'JOB_STATE_COMPLETED']);
    expect((await post({ embed: { $type: 'app.bsky.embed.video', video: blob, alt: 'A clip' } })).status).toBe(200);

    bs.failNextVideo = 'encoding_failure';
    bs.uploadShape = 'flat';
    const failing = await video('app.bsky.video.uploadVideo', {
      token: await uploadToken(),
      query: { did: alice.did },
      body: Buffer.alloc(3000, 2),
    });
    expect(failing.body.state).toBe('JOB_STATE_CREATED');
    let last: any;
    for (let i = 0; i < 5; i++)
      last = (await video('app.bsky.video.getJobStatus', { query: { jobId: failing.body.jobId } })).body.jobStatus;
    expect(last).toMatchObject({ state: 'JOB_STATE_FAILED', failureCode: 'encoding_failure' });
    expect(last.blob).toBeUndefined();
  });

  it('answers upload limits to a token for the video service, and refuses uploads past them', async () => {
    const limitsToken = (await serviceAuth(bs.didWeb(bs.videoUrl), 'app.bsky.video.getUploadLimits', exp())).body.token;
    expect((await video('app.bsky.video.getUploadLimits', { token: await uploadToken() })).status).toBe(401);
    const limits = await video('app.bsky.video.getUploadLimits', { token: limitsToken });
    expect(limits.body).toMatchObject({ canUpload: true, remainingDailyVideos: 25 });
    bs.videoLimits.set(alice.did, { canUpload: true, remainingDailyVideos: 0, remainingDailyBytes: 0 });
    const refused = await video('app.bsky.video.uploadVideo', {
      token: await uploadToken(),
      query: { did: alice.did },
      body: Buffer.alloc(100, 1),
    });
    expect([refused.status, refused.body.error]).toEqual([400, 'UploadLimitExceeded']);
  });
});
