import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { linkedinPlatform, linkedInSettings, reconnectNote } from '../../src/platforms/linkedin/index.js';
import type { LinkedInConnector } from '../../src/platforms/linkedin/connector.js';
import { ConnectError, PlatformError, type RefreshAccount } from '../../src/platforms/types.js';
import { FakeLinkedIn } from '../fakes/linkedin.js';

const REDIRECT = 'https://herald.example.com/auth/linkedin/callback';
const SCOPES = [
  'openid',
  'profile',
  'w_member_social',
  'w_organization_social',
  'r_organization_social',
  'rw_organization_admin',
];
const DAY = 86_400_000;

let li: FakeLinkedIn;
let clock: ManualClock;
let connector: LinkedInConnector;
const request = { state: 'state-1', redirectUri: REDIRECT, codeVerifier: 'unused' };

beforeEach(async () => {
  li = new FakeLinkedIn({
    clientId: 'li-id',
    clientSecret: 'li-secret',
    redirectUris: [REDIRECT],
    scopes: SCOPES,
    refreshTokens: false,
  });
  await li.start();
  clock = new ManualClock(Date.UTC(2026, 10, 30, 9));
  li.now = () => clock.now();
  connector = platform().connector;
});
afterEach(async () => {
  await li.stop();
});

function platform(overrides: Partial<Parameters<typeof linkedInSettings>[0]> = {}) {
  return linkedinPlatform({
    settings: linkedInSettings({
      clientId: 'li-id',
      clientSecret: 'li-secret',
      apiVersion: '202511',
      authUrl: `${li.url}/oauth/v2`,
      apiUrl: li.url,
      ...overrides,
    }),
    log: createLogger('silent'),
    clock,
  });
}

async function connect(c = connector) {
  const consent = await fetch(await c.authorizationUrl(request), { redirect: 'manual' });
  expect(consent.status).toBe(302);
  return c.complete(new URL(consent.headers.get('location')!), request);
}

function asRefreshAccount(a: Awaited<ReturnType<typeof connect>>['accounts'][number]): RefreshAccount {
  return {
    id: 'acc-1',
    platform: 'linkedin',
    externalId: a.externalId,
    name: a.name,
    platformData: a.platformData ?? {},
    accessToken: a.accessToken,
    refreshToken: a.refreshToken ?? null,
    tokenExpiresAt: a.tokenExpiresAt,
    refreshExpiresAt: a.refreshExpiresAt ?? null,
    scopes: a.scopes,
    lastRefreshedAt: null,
  };
}

describe('LinkedInConnector', () => {
  it('asks for the Page and profile scopes, space-delimited, on the registered callback', async () => {
    const url = new URL(await connector.authorizationUrl(request));
    expect(`${url.origin}${url.pathname}`).toBe(`${li.url}/oauth/v2/authorization`);
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(SCOPES);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(url.searchParams.get('state')).toBe('state-1');
  });

  it('connects the Pages the member administers and the member, clearly labelled', async () => {
    const result = await connect();
    expect(result.accounts.map((a) => [a.externalId, a.name])).toEqual([
      ['urn:li:organization:2414183', 'Acme Bakery'],
      ['urn:li:organization:5550001', 'Acme Labs'],
      ['urn:li:person:jAnE-42', 'Jane Doe (personal profile)'],
    ]);
    const page = result.accounts[0]!;
    expect(page.platform).toBe('linkedin');
    expect(page.username).toBe('acme-bakery');
    expect(page.platformData).toMatchObject({ kind: 'organization', memberUrn: 'urn:li:person:jAnE-42' });
    expect(result.accounts[2]!.platformData).toMatchObject({
      kind: 'person',
      avatarUrl: 'https://media.licdn.example/jane.jpg',
    });
    expect(page.tokenExpiresAt).toBe(clock.now() + 60 * DAY);
    expect(page.refreshToken).toBeNull();
    // The ANALYST role on another Page does not make it postable.
    expect(result.accounts.some((a) => a.externalId.endsWith(':7770007'))).toBe(false);
    // Without a refresh token the person is told when to reconnect.
    expect(result.warnings).toContain(
      'LinkedIn does not renew access for this app: reconnect LinkedIn within 60 days.',
    );
    // The exchange sent the secret in the form body with the same redirect URI.
    const exchange = li.calls(/^\/oauth\/v2\/accessToken$/)[0]!;
    expect(exchange.body).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      client_secret: 'li-secret',
    });
    expect(exchange.query).toEqual({});
    // Every /rest call carried the version and Rest.li headers.
    for (const r of li.calls(/^\/rest\//)) {
      expect(r.headers['linkedin-version']).toBe('202511');
      expect(r.headers['x-restli-protocol-version']).toBe('2.0.0');
    }
  });

  it('says plainly when the sign-in was cancelled or the state does not match', async () => {
    li.consent = 'cancel';
    await expect(connect()).rejects.toMatchObject({ reason: 'denied' });
    li.consent = 'grant';
    const consent = await fetch(await connector.authorizationUrl(request), { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    back.searchParams.set('state', 'other');
    await expect(connector.complete(back, request)).rejects.toBeInstanceOf(ConnectError);
  });

  it('connects the personal profile with a warning when LinkedIn refuses to list the Pages', async () => {
    li.inject({
      path: /^\/rest\/organizationAcls$/,
      fault: {
        kind: 'status',
        status: 403,
        body: { message: 'Not enough permissions', serviceErrorCode: 100, status: 403 },
      },
    });
    const result = await connect();
    expect(result.accounts.map((a) => a.externalId)).toEqual(['urn:li:person:jAnE-42']);
    expect(result.warnings[0]).toMatch(/would not list the Pages.*Not enough permissions/);
  });

  it('reads a refresh-token lifetime shorter than the access token as unknown, not as an early end', async () => {
    li.app.refreshTokens = true;
    const page = asRefreshAccount((await connect()).accounts[0]!);
    li.inject({
      path: /^\/oauth\/v2\/accessToken$/,
      fault: {
        kind: 'status',
        status: 200,
        body: {
          access_token: 'AQVodd',
          expires_in: 86_400,
          refresh_token: page.refreshToken,
          refresh_token_expires_in: 525,
        },
      },
    });
    clock.advance(60 * DAY - 3_600_000);
    const tokens = await connector.refresh(page, { check: false, signal: new AbortController().signal });
    expect(tokens!.accessToken).toBe('AQVodd');
    expect(tokens!.tokenExpiresAt).toBe(clock.now() + DAY);
    expect(tokens).not.toHaveProperty('refreshExpiresAt');
  });

  it('refuses to start without credentials, and reports wrong credentials in words', async () => {
    await expect(platform({ clientId: null }).connector.authorizationUrl(request)).rejects.toThrow(
      /LINKEDIN_CLIENT_ID/,
    );
    const wrong = platform({ clientSecret: 'nope' }).connector;
    await expect(connect(wrong)).rejects.toThrow(/app credentials/);
  });

  it('turns a retired API version into words about LINKEDIN_API_VERSION', async () => {
    await expect(connect(platform({ apiVersion: '202401' }).connector)).rejects.toThrow(/LINKEDIN_API_VERSION/);
  });

  it('without a refresh token: nothing to do early, a reconnect note, then an auth error near the end', async () => {
    const page = asRefreshAccount((await connect()).accounts[0]!);
    const signal = new AbortController().signal;
    expect(await connector.refresh(page, { check: false, signal })).toBeNull();
    expect(await connector.refresh(page, { check: true, signal })).toBeNull();
    clock.advance(48 * DAY);
    expect(reconnectNote({ renewable: false, tokenExpiresAt: page.tokenExpiresAt }, clock.now())).toBe(
      'LinkedIn does not renew access for this app: reconnect LinkedIn within 12 days.',
    );
    clock.advance(12 * DAY - 3_600_000);
    const err = await connector.refresh(page, { check: false, signal }).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ kind: 'auth', code: 'reconnect_required' });
    expect(li.calls(/^\/oauth\/v2\/accessToken$/)).toHaveLength(1);
  });

  it('with a refresh token: renews the access token and keeps the refresh token’s own end', async () => {
    li.app.refreshTokens = true;
    const connected = (await connect()).accounts[0]!;
    expect(connected.refreshToken).toMatch(/^AQX/);
    const refreshEnd = connected.refreshExpiresAt!;
    expect(refreshEnd).toBe(clock.now() + 365 * DAY);
    const page = asRefreshAccount(connected);
    clock.advance(60 * DAY - 3_600_000);
    const tokens = await connector.refresh(page, { check: false, signal: new AbortController().signal });
    expect(tokens!.accessToken).not.toBe(page.accessToken);
    expect(tokens!.tokenExpiresAt).toBe(clock.now() + 60 * DAY);
    expect(tokens!.refreshExpiresAt).toBe(refreshEnd);
    expect(li.calls(/^\/oauth\/v2\/accessToken$/).at(-1)!.body).toMatchObject({ grant_type: 'refresh_token' });
  });

  it('a revoked grant: the health check and the refresh both ask for a reconnect', async () => {
    li.app.refreshTokens = true;
    const page = asRefreshAccount((await connect()).accounts[0]!);
    li.revoke();
    const signal = new AbortController().signal;
    await expect(connector.refresh(page, { check: true, signal })).rejects.toMatchObject({ kind: 'auth' });
    clock.advance(60 * DAY);
    await expect(connector.refresh(page, { check: false, signal })).rejects.toMatchObject({ kind: 'auth' });
  });
});
