import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { googlePlatform, type GoogleConnector } from '../../src/platforms/google/index.js';
import {
  ConnectError,
  PlatformError,
  type AuthorizationRequest,
  type ConnectedAccount,
  type RefreshAccount,
} from '../../src/platforms/types.js';
import { BUSINESS_MANAGE, FakeGoogle } from '../fakes/google.js';

const APP = { clientId: 'herald.apps.googleusercontent.com', clientSecret: 'gs-secret' };
const REQUEST: AuthorizationRequest = {
  state: 'state-123',
  redirectUri: 'https://herald.example.com/auth/google/callback',
  codeVerifier: 'a-verifier-long-enough-for-pkce-0123456789abcdef',
};

let g: FakeGoogle;
let connector: GoogleConnector;

beforeEach(async () => {
  g = new FakeGoogle(APP);
  await g.start();
  g.redirectUris = [REQUEST.redirectUri];
  connector = googlePlatform({
    settings: { ...APP, ...g.settings() },
    log: createLogger('silent'),
    options: { requestTimeoutMs: 3_000 },
  }).connector;
});
afterEach(async () => {
  await g.stop();
});

async function consent(request = REQUEST): Promise<URL> {
  const res = await fetch(await connector.authorizationUrl(request), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

function asRefreshAccount(a: ConnectedAccount, patch: Partial<RefreshAccount> = {}): RefreshAccount {
  return {
    id: 'acc_1',
    platform: a.platform,
    externalId: a.externalId,
    name: a.name,
    platformData: a.platformData ?? {},
    accessToken: a.accessToken,
    refreshToken: a.refreshToken ?? null,
    tokenExpiresAt: a.tokenExpiresAt,
    refreshExpiresAt: null,
    scopes: a.scopes,
    lastRefreshedAt: null,
    ...patch,
  };
}

describe('Google connector', () => {
  it('asks for offline access, consent, PKCE and business.manage only', async () => {
    const url = new URL(await connector.authorizationUrl(REQUEST));
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('scope')).toBe(BUSINESS_MANAGE);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(REQUEST.redirectUri);
  });

  it('connects every location of every account the user manages, across pages', async () => {
    const personal = g.user.accounts[0]!;
    const group = g.addAccount({ accountName: 'Bakery Group' });
    g.user.accounts.push(group.id);
    // More accounts than one page of 20, and more locations than one page of 100.
    for (let i = 0; i < 21; i++) g.user.accounts.push(g.addAccount().id);
    const own = g.addLocation(personal, { title: 'Corner Shop' });
    const many = Array.from({ length: 105 }, (_, i) => g.addLocation(group.id, { title: `Branch ${i}` }));
    const last = g.addLocation(g.user.accounts.at(-1)!, { title: 'Last Account Shop' });

    const result = await connector.complete(await consent(), REQUEST);
    expect(result.accounts).toHaveLength(107);
    const first = result.accounts[0]!;
    expect(first).toMatchObject({
      platform: 'google_business',
      externalId: `accounts/${personal}/locations/${own.id}`,
      name: 'Corner Shop',
      scopes: [BUSINESS_MANAGE],
    });
    expect(first.refreshToken).toBeTruthy();
    expect(first.tokenExpiresAt! - Date.now()).toBeGreaterThan(3_000_000);
    expect(result.accounts.map((a) => a.externalId)).toContain(`accounts/${group.id}/locations/${many[104]!.id}`);
    expect(result.accounts.map((a) => a.name)).toContain(last.title);
    expect(g.calls(/\/accountmanagement\/v1\/accounts$/).map((r) => r.query.pageSize)).toEqual(['20', '20']);
    expect(g.calls(new RegExp(`/accounts/${group.id}/locations$`))).toHaveLength(2);
  });

  it('explains a cancelled consent, a missing scope, no locations, and an unapproved project', async () => {
    g.user.denyLogin = true;
    await expect(connector.complete(await consent(), REQUEST)).rejects.toMatchObject({ reason: 'denied' });
    g.user.denyLogin = false;

    g.user.grantScopes = [];
    await expect(connector.complete(await consent(), REQUEST)).rejects.toMatchObject({ reason: 'missing_permissions' });
    g.user.grantScopes = null;

    await expect(connector.complete(await consent(), REQUEST)).rejects.toMatchObject({ reason: 'no_accounts' });

    g.addLocation(g.user.accounts[0]!);
    g.approved = false;
    const err = (await connector.complete(await consent(), REQUEST).catch((e) => e)) as ConnectError;
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.message).toMatch(/not been approved for the Business Profile APIs/);
    g.approved = true;

    g.disabledApis.add('mybusinessbusinessinformation');
    const disabled = (await connector.complete(await consent(), REQUEST).catch((e) => e)) as ConnectError;
    expect(disabled.message).toMatch(/not enabled in Herald's Google Cloud project/);
  });

  it('refuses a callback whose state is not the one it sent', async () => {
    const back = await consent();
    back.searchParams.set('state', 'forged');
    await expect(connector.complete(back, REQUEST)).rejects.toMatchObject({ reason: 'failed' });
  });

  it(
    'refreshes with the refresh token, keeps it (Google does not rotate), ' + 'and checks health when nothing is due',
    async () => {
      g.addLocation(g.user.accounts[0]!);
      const account = (await connector.complete(await consent(), REQUEST)).accounts[0]!;
      const signal = new AbortController().signal;
      const due = asRefreshAccount(account, { tokenExpiresAt: Date.now() + 60_000 });
      const fresh = await connector.refresh(due, { check: false, signal });
      expect(fresh!.accessToken).not.toBe(account.accessToken);
      expect(fresh!.refreshToken).toBeUndefined();
      expect(fresh!.tokenExpiresAt! - Date.now()).toBeGreaterThan(3_000_000);
      const tokenCalls = g.calls(/\/oauth2\/token$/);
      expect(tokenCalls.at(-1)!.body).toMatchObject({
        grant_type: 'refresh_token',
        refresh_token: account.refreshToken,
      });

      const healthy = asRefreshAccount(account, {
        accessToken: fresh!.accessToken,
        tokenExpiresAt: Date.now() + 30 * 86_400_000,
      });
      expect(await connector.refresh(healthy, { check: true, signal })).toBeNull();
      expect(g.calls(/\/businessinformation\/v1\/locations\/[^/]+$/)).toHaveLength(1);
    },
  );

  it('turns a revoked refresh token (invalid_grant) into an auth error that asks for a reconnect', async () => {
    g.addLocation(g.user.accounts[0]!);
    const account = (await connector.complete(await consent(), REQUEST)).accounts[0]!;
    g.revokeUser(g.user.id);
    const err = (await connector
      .refresh(asRefreshAccount(account, { tokenExpiresAt: Date.now() }), {
        check: false,
        signal: new AbortController().signal,
      })
      .catch((e) => e)) as PlatformError;
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ kind: 'auth', code: 'invalid_grant' });
    expect(err.message).toMatch(/reconnect/);
    // The health check of a revoked token is an auth error too.
    const check = await connector
      .refresh(asRefreshAccount(account, { tokenExpiresAt: Date.now() + 30 * 86_400_000 }), {
        check: true,
        signal: new AbortController().signal,
      })
      .catch((e) => e);
    expect(check).toMatchObject({ kind: 'auth' });
  });

  it('treats a 5xx or lost answer of the token endpoint as transient', async () => {
    g.addLocation(g.user.accounts[0]!);
    const account = (await connector.complete(await consent(), REQUEST)).accounts[0]!;
    const refresh = () =>
      connector.refresh(asRefreshAccount(account, { tokenExpiresAt: Date.now() }), {
        check: false,
        signal: new AbortController().signal,
      });
    g.inject({ path: /\/oauth2\/token$/, fault: { kind: 'status', status: 503, body: { error: 'backend_error' } } });
    await expect(refresh()).rejects.toMatchObject({ kind: 'transient' });
    g.inject({ path: /\/oauth2\/token$/, fault: { kind: 'reset' } });
    await expect(refresh()).rejects.toMatchObject({ kind: 'transient' });
    await expect(refresh()).resolves.toMatchObject({ accessToken: expect.any(String) });
  });
});
