import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeLinkedIn, littleTextProblem } from './linkedin.js';

const REDIRECT = 'https://herald.example.com/auth/linkedin/callback';
const SCOPES = 'openid profile w_member_social w_organization_social r_organization_social rw_organization_admin';
const APP = {
  clientId: 'li-client',
  clientSecret: 'li-secret',
  redirectUris: [REDIRECT],
  scopes: SCOPES.split(' '),
  refreshTokens: false,
};
const ORG = 'urn:li:organization:2414183';
const enc = (urn: string) => encodeURIComponent(urn);

let li: FakeLinkedIn;
let base: string;

beforeEach(async () => {
  li = new FakeLinkedIn({ ...APP });
  base = await li.start();
});
afterEach(async () => {
  await li.stop();
});

async function authorize(params: Record<string, string> = {}): Promise<Response> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: APP.clientId,
    redirect_uri: REDIRECT,
    state: 's1',
    scope: SCOPES,
    ...params,
  });
  return fetch(`${base}/oauth/v2/authorization?${query}`, { redirect: 'manual' });
}

async function accessToken(): Promise<{
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
}> {
  const code = new URL((await authorize()).headers.get('location')!).searchParams.get('code')!;
  const res = await fetch(`${base}/oauth/v2/accessToken`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as any;
}

function rest(
  token: string,
  path: string,
  init: { method?: string; json?: unknown; headers?: Record<string, string> } = {},
) {
  return fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      'linkedin-version': '202511',
      'x-restli-protocol-version': '2.0.0',
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
}

const post = (author: string, commentary: string, content?: unknown) => ({
  author,
  commentary,
  visibility: 'PUBLIC',
  distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
  lifecycleState: 'PUBLISHED',
  ...(content ? { content } : {}),
});

async function availableImage(token: string, owner: string): Promise<string> {
  const init = (await (
    await rest(token, '/rest/images?action=initializeUpload', {
      method: 'POST',
      json: { initializeUploadRequest: { owner } },
    })
  ).json()) as any;
  const put = await fetch(init.value.uploadUrl, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}` },
    body: Buffer.alloc(500, 1),
  });
  expect(put.status).toBe(201);
  li.processingMs = 0;
  return init.value.image;
}

describe('FakeLinkedIn OAuth', () => {
  it('refuses unknown scopes, comma-separated scopes, foreign redirects and answers a cancel', async () => {
    expect((await authorize({ scope: `${SCOPES} r_member_social` })).status).toBe(401);
    expect((await authorize({ scope: 'openid,profile' })).status).toBe(400);
    expect((await authorize({ redirect_uri: 'https://evil.example/cb' })).status).toBe(401);
    li.consent = 'cancel';
    const back = new URL((await authorize()).headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('user_cancelled_authorize');
    expect(back.searchParams.get('state')).toBe('s1');
  });

  it('gives 60-day tokens, refresh tokens only to refresh-enabled apps, and codes once', async () => {
    const t = await accessToken();
    expect(t.expires_in).toBe(5_184_000);
    expect(t.refresh_token).toBeUndefined();
    li.app.refreshTokens = true;
    expect((await accessToken()).refresh_token).toMatch(/^AQX/);
    const code = new URL((await authorize()).headers.get('location')!).searchParams.get('code')!;
    const exchange = () =>
      fetch(`${base}/oauth/v2/accessToken`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          client_id: APP.clientId,
          client_secret: APP.clientSecret,
        }),
      });
    expect((await exchange()).status).toBe(200);
    expect((await exchange()).status).toBe(400);
  });
});

describe('FakeLinkedIn /rest gate', () => {
  it('refuses a missing or retired LinkedIn-Version and Rest.li 1.0', async () => {
    const { access_token } = await accessToken();
    const missing = await rest(access_token, '/rest/organizationAcls?q=roleAssignee', {
      headers: { 'linkedin-version': '' },
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as any).code).toBe('VERSION_MISSING');
    const old = await rest(access_token, '/rest/organizationAcls?q=roleAssignee', {
      headers: { 'linkedin-version': '202401' },
    });
    expect(old.status).toBe(426);
    expect(((await old.json()) as any).code).toBe('NONEXISTENT_VERSION');
    const v1 = await rest(access_token, '/rest/organizationAcls?q=roleAssignee', {
      headers: { 'x-restli-protocol-version': '1.0.0' },
    });
    expect(v1.status).toBe(400);
  });

  it('refuses expired and revoked tokens with 401', async () => {
    const a = await accessToken();
    li.expire(a.access_token);
    expect((await rest(a.access_token, '/rest/organizationAcls?q=roleAssignee')).status).toBe(401);
    const b = await accessToken();
    li.revoke();
    const res = await rest(b.access_token, '/rest/organizationAcls?q=roleAssignee');
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).message).toMatch(/revoked/);
  });

  it('throttles past the daily member quota with 429 and no Retry-After, until midnight UTC', async () => {
    let now = Date.UTC(2026, 10, 30, 23, 59);
    li.now = () => now;
    const { access_token } = await accessToken();
    li.dailyLimits.member = 2;
    const call = () => rest(access_token, '/rest/organizationAcls?q=roleAssignee');
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const throttled = await call();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBeNull();
    expect(((await throttled.json()) as any).message).toMatch(/throttle limit/);
    now += 2 * 60_000;
    expect((await call()).status).toBe(200);
  });

  it('lists only the roles and states asked for', async () => {
    const { access_token } = await accessToken();
    const res = await rest(access_token, '/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED');
    const orgs = ((await res.json()) as any).elements.map((e: any) => e.organization);
    expect(orgs).toEqual([ORG, 'urn:li:organization:5550001']);
  });
});

describe('FakeLinkedIn posts', () => {
  it('creates a post with 201, an empty body and x-restli-id, and counts duplicates', async () => {
    const { access_token } = await accessToken();
    for (let i = 0; i < 2; i++) {
      const res = await rest(access_token, '/rest/posts', { method: 'POST', json: post(ORG, 'Hello \\(world\\)') });
      expect(res.status).toBe(201);
      expect(await res.text()).toBe('');
      expect(res.headers.get('x-restli-id')).toMatch(/^urn:li:share:/);
    }
    expect(li.livePosts()).toHaveLength(2);
  });

  it('refuses unescaped reserved characters, or truncates like LinkedIn in truncate mode', async () => {
    const { access_token } = await accessToken();
    expect(
      (await rest(access_token, '/rest/posts', { method: 'POST', json: post(ORG, 'Va al repo (durable)') })).status,
    ).toBe(422);
    li.commentaryMode = 'truncate';
    expect(
      (await rest(access_token, '/rest/posts', { method: 'POST', json: post(ORG, 'Va al repo (durable)') })).status,
    ).toBe(201);
    expect(li.livePosts()[0]!.commentary).toBe('Va al repo ');
    expect(littleTextProblem('@[Acme](urn:li:organization:1) #launch {hashtag|#|herald} \\_ok\\_')).toBeNull();
    expect(littleTextProblem('a_b')).toBe(1);
  });

  it('refuses wrong URN forms: unencoded path keys and bad authors', async () => {
    const { access_token } = await accessToken();
    const created = await rest(access_token, '/rest/posts', { method: 'POST', json: post(ORG, 'x') });
    const urn = created.headers.get('x-restli-id')!;
    expect((await rest(access_token, `/rest/posts/${urn}`)).status).toBe(400);
    expect((await rest(access_token, `/rest/posts/${enc(urn)}`)).status).toBe(200);
    expect(
      (await rest(access_token, '/rest/posts', { method: 'POST', json: post('urn:li:company:2414183', 'x') })).status,
    ).toBe(400);
    expect((await rest(access_token, '/rest/posts?q=author&author=2414183')).status).toBe(400);
  });

  it('refuses the wrong owner: a Page without an admin role, another member, media of another author', async () => {
    const { access_token } = await accessToken();
    expect(
      (await rest(access_token, '/rest/posts', { method: 'POST', json: post('urn:li:organization:7770007', 'x') }))
        .status,
    ).toBe(403);
    expect(
      (await rest(access_token, '/rest/posts', { method: 'POST', json: post('urn:li:person:someone', 'x') })).status,
    ).toBe(403);
    const image = await availableImage(access_token, 'urn:li:organization:5550001');
    const res = await rest(access_token, '/rest/posts', {
      method: 'POST',
      json: post(ORG, 'x', { media: { id: image } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).message).toMatch(/does not belong/);
  });

  it('refuses unknown and unfinished image URNs, and multiImage outside 2 to 20', async () => {
    const { access_token } = await accessToken();
    const unknown = await rest(access_token, '/rest/posts', {
      method: 'POST',
      json: post(ORG, 'x', { media: { id: 'urn:li:image:C4Dnope' } }),
    });
    expect(unknown.status).toBe(400);
    const init = (await (
      await rest(access_token, '/rest/images?action=initializeUpload', {
        method: 'POST',
        json: { initializeUploadRequest: { owner: ORG } },
      })
    ).json()) as any;
    const waiting = await rest(access_token, '/rest/posts', {
      method: 'POST',
      json: post(ORG, 'x', { media: { id: init.value.image } }),
    });
    expect(((await waiting.json()) as any).code).toBe('MEDIA_ASSET_WAITING_UPLOAD');
    const image = await availableImage(access_token, ORG);
    const one = await rest(access_token, '/rest/posts', {
      method: 'POST',
      json: post(ORG, 'x', { multiImage: { images: [{ id: image }] } }),
    });
    expect(one.status).toBe(422);
  });

  it('checks video parts: exact ranges, ETags in order and the upload token', async () => {
    const { access_token } = await accessToken();
    const size = 5 * 1024 * 1024;
    const init = (await (
      await rest(access_token, '/rest/videos?action=initializeUpload', {
        method: 'POST',
        json: {
          initializeUploadRequest: { owner: ORG, fileSizeBytes: size, uploadCaptions: false, uploadThumbnail: false },
        },
      })
    ).json()) as any;
    const parts = init.value.uploadInstructions;
    expect(parts).toHaveLength(2);
    expect((await fetch(parts[0].uploadUrl, { method: 'PUT', body: Buffer.alloc(10) })).status).toBe(400);
    const etags: string[] = [];
    for (const p of parts) {
      const res = await fetch(p.uploadUrl, { method: 'PUT', body: Buffer.alloc(p.lastByte - p.firstByte + 1) });
      etags.push(res.headers.get('etag')!);
    }
    const finalize = (ids: string[], uploadToken = init.value.uploadToken) =>
      rest(access_token, '/rest/videos?action=finalizeUpload', {
        method: 'POST',
        json: { finalizeUploadRequest: { video: init.value.video, uploadToken, uploadedPartIds: ids } },
      });
    expect((await finalize([...etags].reverse())).status).toBe(400);
    expect((await finalize(etags, 'wrong')).status).toBe(400);
    expect((await finalize(etags)).status).toBe(200);
  });

  const authorFinder =
    'answers the author finder newest first; refuses count > 100 and member posts without r_member_social';
  it(authorFinder, async () => {
    const { access_token } = await accessToken();
    await rest(access_token, '/rest/posts', { method: 'POST', json: post(ORG, 'first') });
    await new Promise((r) => setTimeout(r, 5));
    await rest(access_token, '/rest/posts', { method: 'POST', json: post(ORG, 'second') });
    const list = (await (
      await rest(access_token, `/rest/posts?q=author&author=${enc(ORG)}&count=10&sortBy=CREATED`)
    ).json()) as any;
    expect(list.elements.map((e: any) => e.commentary)).toEqual(['second', 'first']);
    expect((await rest(access_token, `/rest/posts?q=author&author=${enc(ORG)}&count=101`)).status).toBe(400);
    expect((await rest(access_token, `/rest/posts?q=author&author=${enc('urn:li:person:jAnE-42')}`)).status).toBe(403);
  });
});
