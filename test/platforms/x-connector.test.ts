import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { xPlatform } from '../../src/platforms/x/index.js';
import type { XConnector } from '../../src/platforms/x/connector.js';
import { ConnectError, PlatformError, type RefreshAccount } from '../../src/platforms/types.js';
import { FakeX, type FakeXUser } from '../fakes/x.js';

const APP = { clientId: 'x-client', clientSecret: 'x-secret' };
const REDIRECT = 'https://herald.example.com/auth/x/callback';
let clock: ManualClock;
let fake: FakeX;
let connector: XConnector;
let user: FakeXUser;
const request = { state: 'state-1', redirectUri: REDIRECT, codeVerifier: 'v'.repeat(50) };

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  fake = new FakeX({ ...APP, redirectUris: [REDIRECT], now: () => clock.now() });
  const url = await fake.start();
  user = fake.addUser({ username: 'acmebakery', name: 'Acme Bakery' });
  connector = xPlatform({
    settings: { ...APP, authorizeUrl: `${url}/i/oauth2/authorize`, apiUrl: url, monthlyPostCap: null },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000 },
  }).connector;
});
afterEach(() => fake.stop());

async function consent(scopes?: string[], deny = false): Promise<URL> {
  fake.nextConsent = { userId: user.id, deny, ...(scopes ? { scopes } : {}) };
  const res = await fetch(await connector.authorizationUrl(request), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

function account(access: string, refresh: string, expiresAt: number): RefreshAccount {
  return {
    id: 'acc-1',
    platform: 'x',
    externalId: user.id,
    name: 'Acme',
    platformData: {},
    accessToken: access,
    refreshToken: refresh,
    tokenExpiresAt: expiresAt,
    refreshExpiresAt: null,
    scopes: [],
    lastRefreshedAt: null,
  };
}

describe('X connector', () => {
  it('runs OAuth with PKCE (S256) and finds the account with its picture', async () => {
    const url = new URL(await connector.authorizationUrl(request));
    expect(url.searchParams.get('scope')).toBe('tweet.read tweet.write users.read media.write offline.access');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    const { accounts } = await connector.complete(await consent(), request);
    expect(accounts[0]).toMatchObject({
      platform: 'x',
      externalId: user.id,
      name: 'Acme Bakery',
      username: 'acmebakery',
    });
    expect(accounts[0]!.refreshToken).toMatch(/^rt-/);
    expect(accounts[0]!.tokenExpiresAt).toBe(clock.now() + 7_200_000);
    expect(accounts[0]!.platformData?.avatarUrl).toBe(`https://pbs.example/${user.id}.jpg`);
    expect(fake.server.calls(/oauth2\/token/)[0]!.headers.authorization).toMatch(/^Basic /);
  });

  it('refuses a wrong verifier, a denial and a consent without offline.access', async () => {
    await expect(connector.complete(await consent(), { ...request, codeVerifier: 'w'.repeat(50) })).rejects.toThrow(
      ConnectError,
    );
    await expect(connector.complete(await consent(undefined, true), request)).rejects.toMatchObject({
      reason: 'denied',
    });
    await expect(
      connector.complete(await consent(['tweet.read', 'tweet.write', 'users.read', 'media.write']), request),
    ).rejects.toMatchObject({ reason: 'missing_permissions' });
  });

  it('rotates the refresh token; presenting the old one again is refused as auth', async () => {
    const t = fake.issue(user.id);
    const a = account(t.access, t.refresh, clock.now() + 3_600_000);
    const fresh = await connector.refresh(a, { check: false, signal: new AbortController().signal });
    expect(fresh?.refreshToken).toMatch(/^rt-/);
    expect(fresh?.refreshToken).not.toBe(t.refresh);
    const again = connector.refresh(a, { check: false, signal: new AbortController().signal });
    await expect(again).rejects.toMatchObject({ kind: 'auth' });
  });

  it('a revoked token makes the health check an auth error', async () => {
    const t = fake.issue(user.id);
    fake.revoke(user.id);
    const a = account(t.access, t.refresh, clock.now() + 24 * 3_600_000);
    const err = await connector.refresh(a, { check: true, signal: new AbortController().signal }).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.kind).toBe('auth');
  });
});
