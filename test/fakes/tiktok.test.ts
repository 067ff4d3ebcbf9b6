import sharp from 'sharp';
import { startFileHost, type FileHost } from '../helpers/media-fixtures.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeTikTok, MIN_CHUNK } from './tiktok.js';

const APP = { clientKey: 'awkey123', clientSecret: 'tt-secret' };
const REDIRECT = 'https://herald.example.com/auth/tiktok/callback';
const SCOPE = 'user.info.basic,user.info.profile,video.publish,video.upload';

function mp4(bytes: number): Buffer {
  const head = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(12)]);
  return Buffer.concat([head, Buffer.alloc(bytes - head.length, 0x11)]);
}

/** Stands in for Herald's public media URLs; the fake downloads from it. */
async function startMediaHost(): Promise<FileHost> {
  const jpeg = await sharp({ create: { width: 1080, height: 1080, channels: 3, background: '#888' } })
    .jpeg()
    .toBuffer();
  const files: Record<string, [string, Buffer]> = {
    '/clip.mp4': ['video/mp4', mp4(60_000)],
    '/photo.jpg': ['image/jpeg', jpeg],
    '/page.html': ['text/html', Buffer.from('<html></html>')],
  };
  return startFileHost(files, { '/moved.mp4': '/clip.mp4' });
}

let media: FileHost;
let tt: FakeTikTok;
let base: string;

beforeAll(async () => {
  media = await startMediaHost();
});
afterAll(async () => {
  await media.close();
});
beforeEach(async () => {
  tt = new FakeTikTok(APP);
  base = await tt.start();
  tt.verifiedUrlPrefixes = [`${media.url}/`];
});
afterEach(async () => {
  await tt.stop();
});

async function authorize(scope = SCOPE): Promise<URLSearchParams> {
  const query = new URLSearchParams({
    client_key: APP.clientKey,
    scope,
    response_type: 'code',
    redirect_uri: REDIRECT,
    state: 'st-9',
  });
  const url = `${base}/v2/auth/authorize/?${query}`;
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
  return back.searchParams;
}

async function oauth(path: string, form: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, json: (await res.json()) as any };
}

async function connect(scope = SCOPE): Promise<any> {
  const code = (await authorize(scope)).get('code')!;
  const res = await oauth('/v2/oauth/token/', {
    client_key: APP.clientKey,
    client_secret: APP.clientSecret,
    code,
    grant_type: 'authorization_code',
    redirect_uri: REDIRECT,
  });
  expect(res.status).toBe(200);
  return res.json;
}

async function api(path: string, token: string, body?: unknown, method = 'POST') {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=UTF-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as any };
}

const postInfo = (privacy: string) => ({
  title: 'Kneading #bread',
  privacy_level: privacy,
  disable_duet: false,
  disable_comment: false,
  disable_stitch: false,
  brand_content_toggle: false,
});

async function pollUntilDone(token: string, publishId: string): Promise<any[]> {
  const seen: any[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await api('/v2/post/publish/status/fetch/', token, { publish_id: publishId });
    expect(res.json.error.code).toBe('ok');
    seen.push({ ...res.json.data, raw: res.text });
    if (['PUBLISH_COMPLETE', 'FAILED', 'SEND_TO_USER_INBOX'].includes(res.json.data.status)) break;
  }
  return seen;
}

describe('TikTok fake: login', () => {
  it('authorizes, exchanges the code once, and rotates refresh tokens', async () => {
    tt.user.grantScopes = ['user.info.basic', 'video.publish'];
    const back = await authorize();
    expect(back.get('state')).toBe('st-9');
    expect(back.get('scopes')).toBe('user.info.basic,video.publish');
    const code = back.get('code')!;
    const form = {
      client_key: APP.clientKey,
      client_secret: APP.clientSecret,
      code,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
    };

    const asJson = await fetch(`${base}/v2/oauth/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(form),
    });
    expect(asJson.status).toBe(400);
    expect(await asJson.json()).toMatchObject({ error: 'invalid_request', log_id: expect.any(String) });
    expect((await oauth('/v2/oauth/token/', { ...form, redirect_uri: `${REDIRECT}?x=1` })).json.error).toBe(
      'invalid_grant',
    );

    const first = await oauth('/v2/oauth/token/', form);
    expect(first.json).toMatchObject({
      open_id: tt.user.openId,
      scope: 'user.info.basic,video.publish',
      expires_in: 86400,
      refresh_expires_in: 31536000,
      token_type: 'Bearer',
    });
    expect((await oauth('/v2/oauth/token/', form)).json.error).toBe('invalid_grant');

    const refresh = { client_key: APP.clientKey, client_secret: APP.clientSecret, grant_type: 'refresh_token' };
    const second = await oauth('/v2/oauth/token/', { ...refresh, refresh_token: first.json.refresh_token });
    expect(second.json.refresh_token).not.toBe(first.json.refresh_token);
    expect(second.json.access_token).not.toBe(first.json.access_token);
    const stale = await oauth('/v2/oauth/token/', { ...refresh, refresh_token: first.json.refresh_token });
    expect(stale.status).toBe(400);
    expect(stale.json.error).toBe('invalid_grant');
    expect((await oauth('/v2/oauth/token/', { ...refresh, refresh_token: second.json.refresh_token })).status).toBe(
      200,
    );
  });

  it('redirects with an error when the user cancels', async () => {
    tt.user.denyLogin = true;
    const back = await authorize();
    expect(back.get('error')).toBe('access_denied');
    expect(back.get('error_description')).toBeTruthy();
    expect(back.get('code')).toBeNull();
  });

  it('answers user info by scope and stops accepting revoked tokens', async () => {
    const tokens = await connect('user.info.basic,video.publish');
    const info = await api(
      '/v2/user/info/?fields=open_id,display_name,avatar_url',
      tokens.access_token,
      undefined,
      'GET',
    );
    expect(info.json).toMatchObject({
      data: { user: { open_id: tt.user.openId, display_name: tt.user.displayName } },
      error: { code: 'ok' },
    });
    const profile = await api('/v2/user/info/?fields=username', tokens.access_token, undefined, 'GET');
    expect(profile.status).toBe(401);
    expect(profile.json.error.code).toBe('scope_permission_missed');

    expect(
      (
        await oauth('/v2/oauth/revoke/', {
          client_key: APP.clientKey,
          client_secret: APP.clientSecret,
          token: tokens.access_token,
        })
      ).json,
    ).toEqual({});
    const after = await api('/v2/post/publish/creator_info/query/', tokens.access_token);
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('access_token_invalid');
    const refresh = await oauth('/v2/oauth/token/', {
      client_key: APP.clientKey,
      client_secret: APP.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refresh.json.error).toBe('invalid_grant');
  });
});

describe('TikTok fake: content posting', () => {
  it('reports creator info, including posting blocks with HTTP 200', async () => {
    const { access_token } = await connect();
    const info = await api('/v2/post/publish/creator_info/query/', access_token);
    expect(info.json.data).toMatchObject({
      creator_username: tt.user.username,
      privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
    });
    tt.user.privateAccount = true;
    const priv = await api('/v2/post/publish/creator_info/query/', access_token);
    expect(priv.json.data).toMatchObject({
      privacy_level_options: ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      duet_disabled: true,
      stitch_disabled: true,
    });
    tt.user.postingBlock = 'spam_risk_too_many_posts';
    const blocked = await api('/v2/post/publish/creator_info/query/', access_token);
    expect(blocked.status).toBe(200);
    expect(blocked.json.error.code).toBe('spam_risk_too_many_posts');
    const init = await api('/v2/post/publish/video/init/', access_token, {
      post_info: postInfo('SELF_ONLY'),
      source_info: { source: 'PULL_FROM_URL', video_url: `${media.url}/clip.mp4` },
    });
    expect(init.status).toBe(403);
    expect(init.json.error.code).toBe('spam_risk_too_many_posts');
  });

  it('uploads a video in sequential chunks and publishes it once', async () => {
    const { access_token } = await connect();
    const video = mp4(MIN_CHUNK * 2 + 123_456);
    const plan = { source: 'FILE_UPLOAD', video_size: video.length, chunk_size: MIN_CHUNK, total_chunk_count: 2 };

    const mismatch = await api('/v2/post/publish/video/init/', access_token, {
      post_info: postInfo('FOLLOWER_OF_CREATOR'),
      source_info: plan,
    });
    expect([mismatch.status, mismatch.json.error.code]).toEqual([403, 'privacy_level_option_mismatch']);
    tt.audited = false;
    const unaudited = await api('/v2/post/publish/video/init/', access_token, {
      post_info: postInfo('PUBLIC_TO_EVERYONE'),
      source_info: plan,
    });
    expect([unaudited.status, unaudited.json.error.code]).toEqual([
      403,
      'unaudited_client_can_only_post_to_private_accounts',
    ]);
    tt.audited = true;
    const badPlan = await api('/v2/post/publish/video/init/', access_token, {
      post_info: postInfo('PUBLIC_TO_EVERYONE'),
      source_info: { ...plan, total_chunk_count: 3 },
    });
    expect([badPlan.status, badPlan.json.error.code]).toEqual([400, 'invalid_param']);

    const init = await api('/v2/post/publish/video/init/', access_token, {
      post_info: postInfo('PUBLIC_TO_EVERYONE'),
      source_info: plan,
    });
    expect(init.json.error.code).toBe('ok');
    const { publish_id, upload_url } = init.json.data;
    expect(upload_url.startsWith(base)).toBe(true);
    const put = (from: number, to: number, type = 'video/mp4') =>
      fetch(upload_url, {
        method: 'PUT',
        headers: { 'content-type': type, 'content-range': `bytes ${from}-${to - 1}/${video.length}` },
        body: new Uint8Array(video.subarray(from, to)),
      });

    expect((await put(MIN_CHUNK, video.length)).status).toBe(416);
    expect((await put(0, MIN_CHUNK, 'application/octet-stream')).status).toBe(400);
    const firstChunk = await put(0, MIN_CHUNK);
    expect(firstChunk.status).toBe(206);
    expect(firstChunk.headers.get('content-range')).toBe(`bytes 0-${MIN_CHUNK - 1}/${video.length}`);
    expect((await api('/v2/post/publish/status/fetch/', access_token, { publish_id })).json.data).toMatchObject({
      status: 'PROCESSING_UPLOAD',
      uploaded_bytes: MIN_CHUNK,
    });
    expect((await put(MIN_CHUNK, video.length)).status).toBe(201);

    const seen = await pollUntilDone(access_token, publish_id);
    expect(seen.map((s) => s.status)).toEqual(['PROCESSING_UPLOAD', 'PUBLISH_COMPLETE']);
    expect(tt.published).toHaveLength(1);
    const post = tt.published[0]!;
    expect(post).toMatchObject({
      openId: tt.user.openId,
      publishId: publish_id,
      kind: 'video',
      privacy: 'PUBLIC_TO_EVERYONE',
      bytes: video.length,
    });
    // int64 ids come as bare JSON numbers, beyond what a double holds exactly
    // (docs/platforms/tiktok.md#publish-status).
    expect(seen.at(-1)!.raw).toContain(`"publicaly_available_post_id":[${post.postId}]`);
  });

  it('pulls from verified URLs only and fails redirected pulls', async () => {
    const { access_token } = await connect();
    const init = (url: string) =>
      api('/v2/post/publish/video/init/', access_token, {
        post_info: postInfo('SELF_ONLY'),
        source_info: { source: 'PULL_FROM_URL', video_url: url },
      });

    const unverified = await init('https://elsewhere.example.com/clip.mp4');
    expect([unverified.status, unverified.json.error.code]).toEqual([403, 'url_ownership_unverified']);
    const moved = await init(`${media.url}/moved.mp4`);
    const failed = await pollUntilDone(access_token, moved.json.data.publish_id);
    expect(failed.at(-1)).toMatchObject({ status: 'FAILED', fail_reason: 'video_pull_failed' });

    const ok = await init(`${media.url}/clip.mp4`);
    const done = await pollUntilDone(access_token, ok.json.data.publish_id);
    expect(done.map((s) => s.status)).toEqual(['PROCESSING_DOWNLOAD', 'PUBLISH_COMPLETE']);
    expect(done.at(-1)!.publicaly_available_post_id).toEqual([]);
    expect(tt.published.map((p) => [p.kind, p.privacy, p.bytes])).toEqual([['video', 'SELF_ONLY', 60_000]]);
    expect(tt.mediaFetches.map((f) => f.url)).toEqual([`${media.url}/moved.mp4`, `${media.url}/clip.mp4`]);
  });

  it('posts photos pulled from verified URLs', async () => {
    const { access_token } = await connect();
    const body = (images: string[]) => ({
      media_type: 'PHOTO',
      post_mode: 'DIRECT_POST',
      post_info: {
        title: 'Loaves',
        description: 'Two loaves #bread',
        privacy_level: 'PUBLIC_TO_EVERYONE',
        disable_comment: false,
        auto_add_music: true,
      },
      source_info: { source: 'PULL_FROM_URL', photo_cover_index: 0, photo_images: images },
    });
    const wrong = await api('/v2/post/publish/content/init/', access_token, body([`${media.url}/page.html`]));
    expect((await pollUntilDone(access_token, wrong.json.data.publish_id)).at(-1)).toMatchObject({
      status: 'FAILED',
      fail_reason: 'file_format_check_failed',
    });
    const ok = await api(
      '/v2/post/publish/content/init/',
      access_token,
      body([`${media.url}/photo.jpg`, `${media.url}/photo.jpg`]),
    );
    expect(ok.json.data.publish_id).toMatch(/^p_pub_url~/);
    expect((await pollUntilDone(access_token, ok.json.data.publish_id)).at(-1)!.status).toBe('PUBLISH_COMPLETE');
    expect(tt.published.map((p) => [p.kind, p.images, p.title])).toEqual([['photo', 2, 'Loaves']]);
  });
});

describe('TikTok fake: failures', () => {
  it('refuses expired tokens and missing scopes', async () => {
    const limited = await connect('user.info.basic');
    const noScope = await api('/v2/post/publish/creator_info/query/', limited.access_token);
    expect([noScope.status, noScope.json.error.code]).toEqual([401, 'scope_not_authorized']);
    const full = await connect();
    tt.expireAccessToken(full.access_token);
    const expired = await api('/v2/post/publish/creator_info/query/', full.access_token);
    expect([expired.status, expired.json.error.code]).toEqual([401, 'access_token_invalid']);
    expect((await api('/v2/post/publish/creator_info/query/', 'act.unknown')).status).toBe(401);
  });

  it('rate-limits init to 6 per minute per token, switchable off', async () => {
    const { access_token } = await connect();
    const init = () =>
      api('/v2/post/publish/video/init/', access_token, {
        post_info: postInfo('SELF_ONLY'),
        source_info: { source: 'FILE_UPLOAD', video_size: 1000, chunk_size: 1000, total_chunk_count: 1 },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await init()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    expect((await init()).json.error.code).toBe('rate_limit_exceeded');
    tt.rateLimitEnabled = false;
    expect((await init()).status).toBe(200);
    expect(tt.published).toHaveLength(0);
  });

  it('reports a processing failure set up by the test', async () => {
    const { access_token } = await connect();
    tt.failNextPublish('frame_rate_check_failed');
    const init = await api('/v2/post/publish/video/init/', access_token, {
      post_info: postInfo('SELF_ONLY'),
      source_info: { source: 'PULL_FROM_URL', video_url: `${media.url}/clip.mp4` },
    });
    const seen = await pollUntilDone(access_token, init.json.data.publish_id);
    expect(seen.at(-1)).toMatchObject({ status: 'FAILED', fail_reason: 'frame_rate_check_failed' });
    expect(tt.published).toHaveLength(0);
  });
});
