import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { pinterestPlatform, type PinterestConnector } from '../../src/platforms/pinterest/index.js';
import { ConnectError, PlatformError, type RefreshAccount } from '../../src/platforms/types.js';
import { FakePinterest, type FakePinterestUser } from '../fakes/pinterest.js';

const APP = { appId: '1500001', appSecret: 'pin-secret' };
const REDIRECT = 'https://herald.example.com/auth/pinterest/callback';
const DAY = 24 * 3_600_000;

let clock: ManualClock;
let pin: FakePinterest;
let connector: PinterestConnector;
let user: FakePinterestUser;
const request = { state: 'state-123', redirectUri: REDIRECT, codeVerifier: 'unused' };

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  pin = new FakePinterest({ ...APP, redirectUris: [REDIRECT], now: () => clock.now() });
  const url = await pin.start();
  user = pin.addUser({ username: 'acmebakery', businessName: 'Acme Bakery' });
  connector = pinterestPlatform({
    settings: { ...APP, authorizeUrl: `${url}/oauth/`, apiUrl: `${url}/v5` },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000 },
  }).connector;
});
afterEach(() => pin.stop());

async function consent(grant?: string[], deny = false): Promise<URL> {
  pin.nextConsent = { userId: user.id, ...(grant ? { grant } : {}), deny };
  const res = await fetch(await connector.authorizationUrl(request), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

function account(over: Partial<RefreshAccount>): RefreshAccount {
  return {
    id: 'acc-1',
    platform: 'pinterest',
    externalId: user.id,
    name: 'Acme Bakery',
    platformData: {},
    accessToken: pin.issueToken(user.id),
    refreshToken: pin.issueRefreshToken(user.id),
    tokenExpiresAt: clock.now() + 20 * DAY,
    refreshExpiresAt: clock.now() + 50 * DAY,
    scopes: [],
    lastRefreshedAt: null,
    ...over,
  };
}

describe('Pinterest connector', () => {
  it('connects the account with its tokens, picture and every board (all pages)', async () => {
    const boards = Array.from({ length: 130 }, (_, i) => pin.addBoard(user.id, `Board ${i + 1}`));
    const url = new URL(await connector.authorizationUrl(request));
    expect(url.searchParams.get('scope')).toBe('boards:read,boards:write,pins:read,pins:write,user_accounts:read');
    const { accounts, warnings } = await connector.complete(await consent(), request);
    expect(warnings).toEqual([]);
    const a = accounts[0]!;
    expect(a).toMatchObject({
      platform: 'pinterest',
      externalId: user.id,
      name: 'Acme Bakery',
      username: 'acmebakery',
    });
    expect(pin.tokens.has(a.accessToken)).toBe(true);
    expect(pin.refreshTokens.has(a.refreshToken!)).toBe(true);
    expect(a.tokenExpiresAt).toBe(clock.now() + 30 * DAY);
    expect(a.refreshExpiresAt).toBe(clock.now() + 60 * DAY);
    expect(a.platformData?.avatarUrl).toBe(user.profileImage);
    expect(a.platformData?.boards).toHaveLength(130);
    expect(a.platformData?.boards).toContainEqual({ id: boards[129]!.id, name: 'Board 130', privacy: 'PUBLIC' });
    // The default board is the client page's choice, so a reconnection does not overwrite it.
    expect(a.platformData).not.toHaveProperty('defaultBoardId');
    expect(pin.calls(/^\/v5\/boards$/)).toHaveLength(2);
    const exchange = pin.calls(/^\/v5\/oauth\/token$/)[0]!;
    expect(exchange.body).toMatchObject({ grant_type: 'authorization_code', redirect_uri: REDIRECT });
  });

  it('says plainly when the person cancelled, the state is not ours, or scopes were left out', async () => {
    await expect(connector.complete(await consent(undefined, true), request)).rejects.toMatchObject({
      reason: 'denied',
    });
    await expect(connector.complete(await consent(), { ...request, state: 'x' })).rejects.toBeInstanceOf(ConnectError);
    const error = await connector
      .complete(await consent(['user_accounts:read', 'boards:read']), request)
      .catch((e) => e);
    expect(error.reason).toBe('missing_permissions');
    expect(error.details.missing).toEqual(['boards:write', 'pins:read', 'pins:write']);
  });

  it('refreshes when due and keeps the refresh token the refresh returns (the old one ends)', async () => {
    const signal = new AbortController().signal;
    expect(await connector.refresh(account({}), { check: false, signal })).toBeNull();
    const due = account({ tokenExpiresAt: clock.now() + 3_600_000 });
    const fresh = await connector.refresh(due, { check: false, signal });
    expect(fresh?.refreshToken).not.toBe(due.refreshToken);
    expect(pin.refreshTokens.get(fresh!.refreshToken!)?.revoked).toBe(false);
    expect(pin.refreshTokens.get(due.refreshToken!)?.revoked).toBe(true);
    expect(fresh?.refreshExpiresAt).toBe(clock.now() + 60 * DAY);
    expect(fresh?.tokenExpiresAt).toBe(clock.now() + 30 * DAY);
    // The refresh token's own 60 days running short is reason enough.
    const refreshShort = account({ refreshExpiresAt: clock.now() + 3 * DAY });
    expect(await connector.refresh(refreshShort, { check: false, signal })).not.toBeNull();
    // The old refresh token no longer works: a person must reconnect.
    await expect(connector.refresh(due, { check: false, signal })).rejects.toMatchObject({ kind: 'auth' });
  });

  it('a health check turns a revoked token into an auth error', async () => {
    const signal = new AbortController().signal;
    const a = account({});
    expect(await connector.refresh(a, { check: true, signal })).toBeNull();
    pin.revokeTokens(user.id);
    const error = await connector.refresh(a, { check: true, signal }).catch((e) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error.kind).toBe('auth');
  });
});
