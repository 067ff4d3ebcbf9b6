import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { threadsPlatform, type ThreadsConnector } from '../../src/platforms/threads/index.js';
import type { RefreshAccount } from '../../src/platforms/types.js';
import { ConnectError, PlatformError } from '../../src/platforms/types.js';
import { FakeThreads, type FakeThreadsUser } from '../fakes/threads.js';

const APP = { appId: '990011223344', appSecret: 'th-secret' };
const REDIRECT = 'https://herald.example.com/auth/threads/callback';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let clock: ManualClock;
let th: FakeThreads;
let connector: ThreadsConnector;
let user: FakeThreadsUser;
const request = { state: 'state-123', redirectUri: REDIRECT, codeVerifier: 'unused' };

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  th = new FakeThreads({ ...APP, redirectUris: [REDIRECT], now: () => clock.now() });
  const url = await th.start();
  user = th.addUser({ username: 'acme.bakery', name: 'Acme Bakery' });
  connector = threadsPlatform({
    settings: { ...APP, authorizeUrl: `${url}/oauth/authorize`, graphUrl: url, apiVersion: 'v1.0' },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000 },
  }).connector;
});
afterEach(() => th.stop());

/** The browser's trip: Herald's authorize URL → the fake's consent → the callback URL. */
async function consent(grant?: string[], deny = false): Promise<URL> {
  th.nextConsent = { userId: user.id, ...(grant ? { grant } : {}), deny };
  const res = await fetch(await connector.authorizationUrl(request), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

function refreshAccount(token: string, issuedAt: number, expiresAt: number): RefreshAccount {
  return {
    id: 'acc-1',
    platform: 'threads',
    externalId: user.id,
    name: 'Acme Bakery',
    platformData: { tokenIssuedAt: issuedAt },
    accessToken: token,
    refreshToken: null,
    tokenExpiresAt: expiresAt,
    refreshExpiresAt: null,
    scopes: ['threads_basic', 'threads_content_publish'],
    lastRefreshedAt: null,
  };
}

describe('Threads connector', () => {
  const scopesAndExchange =
    'asks for the scopes, exchanges the code for a long-lived token and finds the profile by its exact id';
  it(scopesAndExchange, async () => {
    const url = new URL(await connector.authorizationUrl(request));
    expect(url.searchParams.get('scope')).toBe(
      'threads_basic,threads_content_publish,threads_manage_insights,threads_manage_replies,threads_read_replies',
    );
    expect(url.searchParams.get('client_id')).toBe(APP.appId);
    const callback = await consent();
    const { accounts } = await connector.complete(callback, request);
    expect(accounts).toHaveLength(1);
    const account = accounts[0]!;
    // The id is above 2^53 and odd: a rounded number would differ.
    expect(account.externalId).toBe(user.id);
    expect(account.name).toBe('Acme Bakery');
    expect(account.username).toBe('acme.bakery');
    expect(th.tokens.get(account.accessToken)?.kind).toBe('long');
    expect(account.tokenExpiresAt).toBe(clock.now() + 5_183_944_000);
    expect(account.platformData?.avatarUrl).toBe(user.picture);
    expect(th.calls(/^\/access_token$/)).toHaveLength(1);
    const exchange = th.calls(/^\/oauth\/access_token$/)[0]!;
    expect(exchange.body).toMatchObject({ grant_type: 'authorization_code', redirect_uri: REDIRECT });
    // The code went without Meta's `#_` suffix.
    expect(exchange.body.code).not.toContain('#');
  });

  it('says plainly when the person cancelled, the state is not ours, or publishing was not granted', async () => {
    await expect(connector.complete(await consent(undefined, true), request)).rejects.toMatchObject({
      reason: 'denied',
    });
    await expect(connector.complete(await consent(), { ...request, state: 'other' })).rejects.toBeInstanceOf(
      ConnectError,
    );
    const error = await connector.complete(await consent(['threads_basic']), request).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.reason).toBe('missing_permissions');
    expect(error.details.missing).toEqual(['threads_content_publish']);
  });

  const refreshWeekBefore =
    'refreshes a long-lived token a week before it dies, stores the new one, and waits while it is under a day old';
  it(refreshWeekBefore, async () => {
    const token = th.issueToken(user.id, { ageMs: 55 * DAY });
    const issuedAt = clock.now() - 55 * DAY;
    const expiresAt = issuedAt + 5_183_944_000;
    const signal = new AbortController().signal;
    // Not yet due: nothing changes.
    expect(
      await connector.refresh(refreshAccount(token, issuedAt, expiresAt + 30 * DAY), { check: false, signal }),
    ).toBeNull();
    const fresh = await connector.refresh(refreshAccount(token, issuedAt, expiresAt), { check: false, signal });
    expect(fresh?.accessToken).not.toBe(token);
    expect(fresh?.tokenExpiresAt).toBe(clock.now() + 5_183_944_000);
    // The fake ends the old token: only the returned one works.
    expect(th.tokens.get(token)?.revoked).toBe(true);
    expect(th.tokens.get(fresh!.accessToken)?.revoked).toBe(false);

    const young = th.issueToken(user.id, { ageMs: HOUR });
    const soon = clock.now() + 3 * DAY;
    expect(
      await connector.refresh(refreshAccount(young, clock.now() - HOUR, soon), { check: false, signal }),
    ).toBeNull();
    expect(th.calls(/^\/refresh_access_token$/)).toHaveLength(1);
  });

  it('a health check turns a revoked or expired token into an auth error', async () => {
    const token = th.issueToken(user.id, { ageMs: 2 * DAY });
    const account = refreshAccount(token, clock.now() - 2 * DAY, clock.now() + 50 * DAY);
    const signal = new AbortController().signal;
    expect(await connector.refresh(account, { check: true, signal })).toBeNull();
    th.revokeTokens(user.id);
    const error = await connector.refresh(account, { check: true, signal }).catch((e) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error.kind).toBe('auth');
    // A due refresh with a revoked token is an auth error too.
    const due = refreshAccount(token, clock.now() - 2 * DAY, clock.now() + 2 * DAY);
    await expect(connector.refresh(due, { check: false, signal })).rejects.toMatchObject({ kind: 'auth' });
    const expired = refreshAccount(token, clock.now() - 61 * DAY, clock.now() - DAY);
    await expect(connector.refresh(expired, { check: false, signal })).rejects.toMatchObject({ kind: 'auth' });
  });
});
