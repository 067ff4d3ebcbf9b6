import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeImage, startFileHost, type FileHost } from '../helpers/media-fixtures.js';
import { BUSINESS_MANAGE, FakeGoogle, type GoogleLocation } from './google.js';

const APP = { clientId: 'herald.apps.googleusercontent.com', clientSecret: 'gs-secret' };
const REDIRECT = 'https://herald.example.com/auth/google/callback';
const VERIFIER = 'v'.repeat(50);

let media: FileHost;
let g: FakeGoogle;
let loc: GoogleLocation;
let accountId: string;

beforeAll(async () => {
  media = await startFileHost({
    '/photo.jpg': ['image/jpeg', await makeImage(800, 600)],
    '/page.html': ['text/html', Buffer.from('<html></html>')],
  });
});
afterAll(async () => {
  await media.close();
});
beforeEach(async () => {
  g = new FakeGoogle(APP);
  await g.start();
  accountId = g.user.accounts[0]!;
  loc = g.addLocation(accountId, { title: 'Acme Bakery' });
});
afterEach(async () => {
  await g.stop();
});

async function authorize(params: Record<string, string> = {}): Promise<Response> {
  const q = new URLSearchParams({
    client_id: APP.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: BUSINESS_MANAGE,
    state: 'st',
    access_type: 'offline',
    prompt: 'consent',
    code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  });
  return fetch(`${g.settings().authUrl}?${q}`, { redirect: 'manual' });
}

async function token(form: Record<string, string>) {
  const res = await fetch(g.settings().tokenUrl, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, json: (await res.json()) as any };
}

async function tokens(): Promise<{ access_token: string; refresh_token?: string }> {
  const back = new URL((await authorize()).headers.get('location')!);
  const code = back.searchParams.get('code')!;
  const res = await token({
    ...APP,
    client_id: APP.clientId,
    client_secret: APP.clientSecret,
    code,
    code_verifier: VERIFIER,
    grant_type: 'authorization_code',
    redirect_uri: REDIRECT,
  });
  expect(res.status).toBe(200);
  return res.json;
}

async function api(method: string, path: string, access: string | null, json?: unknown) {
  const res = await fetch(`${g.url}${path}`, {
    method,
    headers: {
      ...(access ? { authorization: `Bearer ${access}` } : {}),
      ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as any };
}

const postsPath = () => `/mybusiness/v4/accounts/${accountId}/locations/${loc.id}/localPosts`;
const EVENT = {
  title: 'Tasting night',
  schedule: {
    startDate: { year: 2027, month: 1, day: 10 },
    startTime: { hours: 18, minutes: 0, seconds: 0, nanos: 0 },
    endDate: { year: 2027, month: 1, day: 10 },
    endTime: { hours: 21, minutes: 0, seconds: 0, nanos: 0 },
  },
};

describe('fake Google OAuth', () => {
  it('refuses a wrong client, a comma-joined scope and an unregistered redirect URI', async () => {
    expect((await authorize({ client_id: 'other' })).status).toBe(400);
    expect((await authorize({ scope: `${BUSINESS_MANAGE},openid` })).status).toBe(400);
    g.redirectUris = ['https://other.example/cb'];
    expect((await authorize()).status).toBe(400);
  });

  it('checks the PKCE verifier and the redirect URI at the exchange, and codes are single use', async () => {
    const code = new URL((await authorize()).headers.get('location')!).searchParams.get('code')!;
    const base = { client_id: APP.clientId, client_secret: APP.clientSecret, code, grant_type: 'authorization_code' };
    expect((await token({ ...base, redirect_uri: REDIRECT, code_verifier: 'x'.repeat(50) })).json.error).toBe(
      'invalid_grant',
    );
    expect((await token({ ...base, redirect_uri: `${REDIRECT}/`, code_verifier: VERIFIER })).json.error).toBe(
      'redirect_uri_mismatch',
    );
    expect((await token({ ...base, redirect_uri: REDIRECT, code_verifier: VERIFIER })).status).toBe(200);
    expect((await token({ ...base, redirect_uri: REDIRECT, code_verifier: VERIFIER })).json.error).toBe(
      'invalid_grant',
    );
  });

  it(
    'gives a refresh token only with offline access and consent; ' + 'refreshes carry none; revoked → invalid_grant',
    async () => {
      const first = await tokens();
      expect(first.refresh_token).toBeTruthy();
      const refreshed = await token({
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token!,
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.json.refresh_token).toBeUndefined();
      const again = new URL((await authorize({ prompt: '' })).headers.get('location')!).searchParams.get('code')!;
      const noConsent = await token({
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        code: again,
        code_verifier: VERIFIER,
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT,
      });
      expect(noConsent.json.refresh_token).toBeUndefined();
      g.revokeUser(g.user.id);
      const dead = await token({
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token!,
      });
      expect(dead).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    },
  );

  it('ends Testing-mode refresh tokens after 7 days and keeps at most 100 per user', async () => {
    const first = await tokens();
    const refresh = (rt: string) =>
      token({
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: rt,
      });
    g.testingMode = true;
    const later = Date.now() + 8 * 24 * 3_600_000;
    g.now = () => later;
    expect((await refresh(first.refresh_token!)).json.error).toBe('invalid_grant');
    g.testingMode = false;
    expect((await refresh(first.refresh_token!)).status).toBe(200);
    for (let i = 0; i < 100; i++) await tokens();
    expect((await refresh(first.refresh_token!)).json.error).toBe('invalid_grant');
  });

  it('refuses a JSON token request and bad client credentials', async () => {
    const res = await fetch(g.settings().tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(
      (
        await token({
          client_id: APP.clientId,
          client_secret: 'wrong',
          grant_type: 'refresh_token',
          refresh_token: 'x',
        })
      ).status,
    ).toBe(401);
  });
});

describe('fake Business Profile APIs', () => {
  it('refuses a missing token, a token without business.manage, and every call of an unapproved project', async () => {
    expect((await api('GET', '/accountmanagement/v1/accounts', null)).json.error.status).toBe('UNAUTHENTICATED');
    g.user.grantScopes = ['openid'];
    const narrow = await tokens();
    const denied = await api('GET', '/accountmanagement/v1/accounts', narrow.access_token);
    expect(denied).toMatchObject({ status: 403, json: { error: { status: 'PERMISSION_DENIED' } } });
    g.user.grantScopes = null;
    const { access_token } = await tokens();
    g.approved = false;
    const quota = await api('GET', '/accountmanagement/v1/accounts', access_token);
    expect(quota.status).toBe(429);
    expect(quota.json.error.message).toContain("Quota exceeded for quota metric 'Requests per minute'");
  });

  it('pages accounts by at most 20 and requires readMask for locations', async () => {
    const { access_token } = await tokens();
    expect((await api('GET', '/accountmanagement/v1/accounts?pageSize=21', access_token)).status).toBe(400);
    const locs = await api('GET', `/businessinformation/v1/accounts/${accountId}/locations`, access_token);
    expect(locs.json.error.status).toBe('INVALID_ARGUMENT');
    const ok = await api(
      'GET',
      `/businessinformation/v1/accounts/${accountId}/locations?readMask=name,title`,
      access_token,
    );
    expect(ok.json.locations).toEqual([{ name: `locations/${loc.id}`, title: 'Acme Bakery' }]);
    expect(
      (
        await api(
          'GET',
          `/businessinformation/v1/accounts/${accountId}/locations?readMask=name&pageSize=101`,
          access_token,
        )
      ).status,
    ).toBe(400);
  });

  it('refuses malformed local posts the way Google does', async () => {
    const { access_token: t } = await tokens();
    const bad = async (body: unknown, path = postsPath()) => (await api('POST', path, t, body)).json.error;
    expect(
      (await bad({ summary: 'x', topicType: 'STANDARD' }, `/mybusiness/v4/locations/${loc.id}/localPosts`)).status,
    ).toBe('NOT_FOUND');
    expect((await bad({ summary: 'x' })).status).toBe('INVALID_ARGUMENT');
    expect((await bad({ summary: 'x'.repeat(1501), topicType: 'STANDARD' })).details[0].errorDetails[0].message).toBe(
      'Must be at most 1500 characters',
    );
    expect(
      await bad({
        summary: 'x',
        topicType: 'STANDARD',
        callToAction: { actionType: 'CALL', url: 'https://a.example' },
      }),
    ).toBeTruthy();
    expect(await bad({ summary: 'x', topicType: 'STANDARD', callToAction: { actionType: 'BOOK' } })).toBeTruthy();
    expect(await bad({ summary: 'x', topicType: 'EVENT' })).toBeTruthy();
    expect(await bad({ summary: 'x', topicType: 'EVENT', event: { ...EVENT, title: 'x'.repeat(59) } })).toBeTruthy();
    const noEndTime = { ...EVENT, schedule: { ...EVENT.schedule, endTime: undefined } };
    expect(await bad({ summary: 'x', topicType: 'EVENT', event: noEndTime })).toBeTruthy();
    expect(await bad({ summary: 'x', topicType: 'STANDARD', offer: { couponCode: 'A' } })).toBeTruthy();
    expect(
      await bad({ summary: 'x', topicType: 'STANDARD', media: [{ mediaFormat: 'PHOTO', dataRef: {} }] }),
    ).toBeTruthy();
    const fetchFailed = await bad({
      summary: 'x',
      topicType: 'STANDARD',
      media: [{ mediaFormat: 'PHOTO', sourceUrl: `${media.url}/page.html` }],
    });
    expect(fetchFailed.details[0].errorDetails[0]).toMatchObject({ code: 1000, message: 'Fetching image failed.' });
    expect(
      (
        await api('POST', postsPath(), t, {
          summary: 'x',
          topicType: 'STANDARD',
          media: [{ mediaFormat: 'VIDEO', sourceUrl: `${media.url}/photo.jpg` }],
        })
      ).status,
    ).toBe(500);
    g.ctaOnOffer = 'reject';
    expect(
      await bad({
        summary: 'x',
        topicType: 'OFFER',
        event: EVENT,
        callToAction: { actionType: 'LEARN_MORE', url: 'https://a.example' },
      }),
    ).toBeTruthy();
    loc.chain = true;
    expect((await bad({ summary: 'x', topicType: 'STANDARD' })).details[0].reason).toBe(
      'LOCATION_DISABLED_FOR_LOCAL_POST_API',
    );
    expect(g.posts).toHaveLength(0);
  });

  it('refuses a location the user does not manage', async () => {
    const other = g.addAccount();
    const foreign = g.addLocation(other.id);
    const { access_token } = await tokens();
    const res = await api(
      'POST',
      `/mybusiness/v4/accounts/${other.id}/locations/${foreign.id}/localPosts`,
      access_token,
      { summary: 'x', topicType: 'STANDARD' },
    );
    expect(res.json.error.status).toBe('PERMISSION_DENIED');
  });

  it(
    'creates posts PROCESSING then LIVE, rejects phone numbers, lists newest first, ' +
      'and limits writes per location',
    async () => {
      const { access_token: t } = await tokens();
      const created = await api('POST', postsPath(), t, {
        summary: 'Fresh bread',
        topicType: 'STANDARD',
        media: [{ mediaFormat: 'PHOTO', sourceUrl: `${media.url}/photo.jpg` }],
      });
      expect(created.json).toMatchObject({ state: 'PROCESSING', topicType: 'STANDARD' });
      expect(created.json.name).toMatch(new RegExp(`^accounts/${accountId}/locations/${loc.id}/localPosts/`));
      expect((await api('GET', `/mybusiness/v4/${created.json.name}`, t)).json.state).toBe('LIVE');
      const rejected = await api('POST', postsPath(), t, { summary: 'Call 555 123 4567', topicType: 'STANDARD' });
      expect(rejected.json.state).toBe('REJECTED');
      const list = await api('GET', `${postsPath()}?pageSize=1`, t);
      expect(list.json.localPosts[0].name).toBe(rejected.json.name);
      expect(list.json.nextPageToken).toBeTruthy();
      expect((await api('GET', `${postsPath()}?pageSize=101`, t)).status).toBe(400);
      g.writesPerMinute = 2;
      expect((await api('POST', postsPath(), t, { summary: 'third', topicType: 'STANDARD' })).status).toBe(429);
    },
  );

  it('loses the answer after creating the post when told to', async () => {
    const { access_token: t } = await tokens();
    g.inject({ method: 'POST', path: /localPosts$/, fault: { kind: 'lose-response' } });
    await expect(api('POST', postsPath(), t, { summary: 'x', topicType: 'STANDARD' })).rejects.toThrow();
    expect(g.posts).toHaveLength(1);
  });
});
