import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { tiktokPlatform, type TikTokConnector } from '../../src/platforms/tiktok/index.js';
import {
  ConnectError,
  PlatformError,
  type AuthorizationRequest,
  type ConnectedAccount,
  type RefreshAccount,
} from '../../src/platforms/types.js';
import { FakeTikTok } from '../fakes/tiktok.js';
import { tempDir, TEST_SECRET } from '../helpers/herald.js';

const APP = { clientKey: 'aw-herald-key', clientSecret: 'tt-herald-secret' };
const REQUEST: AuthorizationRequest = {
  state: 'state-123',
  redirectUri: 'https://herald.example.com/auth/tiktok/callback',
  codeVerifier: 'unused-for-web',
};

let tt: FakeTikTok;
let dataDir: string;
let connector: TikTokConnector;

function makeConnector(apiUrl: string, options: { rateLimitWaitMs?: number } = {}): TikTokConnector {
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET_KEY: TEST_SECRET,
    LOG_LEVEL: 'silent',
    TIKTOK_CLIENT_KEY: APP.clientKey,
    TIKTOK_CLIENT_SECRET: APP.clientSecret,
    TIKTOK_API_URL: apiUrl,
    TIKTOK_AUTH_URL: `${tt.url}/v2/auth/authorize/`,
  });
  return tiktokPlatform({ config, log: createLogger('silent'), options: { requestTimeoutMs: 3_000, ...options } })
    .connector;
}

beforeEach(async () => {
  tt = new FakeTikTok(APP);
  await tt.start();
  dataDir = tempDir();
  connector = makeConnector(tt.url);
});
afterEach(async () => {
  await tt.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The browser's trip: our authorization URL → TikTok's consent → the redirect back to Herald. */
async function consent(): Promise<URL> {
  const res = await fetch(await connector.authorizationUrl(REQUEST), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function connect(): Promise<ConnectedAccount> {
  const result = await connector.complete(await consent(), REQUEST);
  expect(result.accounts).toHaveLength(1);
  return result.accounts[0]!;
}

function asRefreshAccount(a: ConnectedAccount, patch: Partial<RefreshAccount> = {}): RefreshAccount {
  return {
    id: 'acc_1',
    platform: 'tiktok',
    externalId: a.externalId,
    name: a.name,
    platformData: a.platformData ?? {},
    accessToken: a.accessToken,
    refreshToken: a.refreshToken ?? null,
    tokenExpiresAt: a.tokenExpiresAt,
    refreshExpiresAt: a.refreshExpiresAt ?? null,
    scopes: a.scopes,
    lastRefreshedAt: null,
    ...patch,
  };
}

const refresh = (account: RefreshAccount, check = false) =>
  connector.refresh(account, { check, signal: AbortSignal.timeout(5_000) });

async function refusal(promise: Promise<unknown>): Promise<PlatformError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlatformError);
  return err as PlatformError;
}

describe('TikTok connector: connecting', () => {
  it('builds the consent URL with comma-separated scopes and no PKCE', async () => {
    const url = new URL(await connector.authorizationUrl(REQUEST));
    expect(`${url.origin}${url.pathname}`).toBe(`${tt.url}/v2/auth/authorize/`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_key: APP.clientKey,
      scope: 'user.info.basic,video.publish,video.upload,user.info.stats,video.list',
      response_type: 'code',
      redirect_uri: REQUEST.redirectUri,
      state: REQUEST.state,
    });
  });

  it('reads the picture the user has now, for the daily check to follow', async () => {
    const account = await connect();
    tt.user.avatarUrl = 'https://p16-sign.tiktokcdn.com/avatar-new.jpeg';
    const url = await connector.picture!(asRefreshAccount(account), { signal: AbortSignal.timeout(5_000) });
    expect(url).toBe('https://p16-sign.tiktokcdn.com/avatar-new.jpeg');
    expect(tt.calls(/^\/v2\/user\/info\/$/).at(-1)?.query?.fields).toBe('open_id,avatar_url');
  });

  it('exchanges the code and describes the account, with expiries from the answer', async () => {
    // The newer documented lifetimes (docs/platforms/tiktok.md#token-endpoint); nothing in Herald
    // assumes either version.
    tt.auth.accessTtlSec = 7_200;
    tt.auth.refreshTtlSec = 15_552_000;
    const before = Date.now();
    const account = await connect();
    const after = Date.now();
    expect(account).toMatchObject({
      platform: 'tiktok',
      externalId: tt.user.openId,
      name: tt.user.displayName,
      username: tt.user.username,
      scopes: ['user.info.basic', 'video.publish', 'video.upload', 'user.info.stats', 'video.list'],
      platformData: { open_id: tt.user.openId, username: tt.user.username, avatarUrl: tt.user.avatarUrl },
    });
    expect(account.tokenExpiresAt).toBeGreaterThanOrEqual(before + 7_200_000);
    expect(account.tokenExpiresAt).toBeLessThanOrEqual(after + 7_200_000);
    expect(account.refreshExpiresAt).toBeGreaterThanOrEqual(before + 15_552_000_000);
    expect(account.refreshExpiresAt).toBeLessThanOrEqual(after + 15_552_000_000);
    expect(tt.auth.accessTokens.get(account.accessToken)?.session.openId).toBe(tt.user.openId);
    expect(tt.auth.refreshTokens.has(account.refreshToken!)).toBe(true);

    const [token] = tt.calls(/^\/v2\/oauth\/token\/$/);
    expect(token!.headers['content-type']).toContain('application/x-www-form-urlencoded');
    // The code carries `*` and `!`: it must arrive exactly as issued, decoded once.
    expect(token!.body).toMatchObject({
      grant_type: 'authorization_code',
      client_key: APP.clientKey,
      redirect_uri: REQUEST.redirectUri,
    });
    expect(token!.body.code).toMatch(/\*3!/);
    // username needs user.info.profile, which Herald does not ask for: it comes from creator info.
    expect(tt.calls(/^\/v2\/user\/info\/$/)[0]!.query.fields).toBe('open_id,union_id,avatar_url,display_name');
    expect(tt.calls(/creator_info/)).toHaveLength(1);
  });

  it('reports a cancelled consent as denied', async () => {
    tt.user.denyLogin = true;
    const err = await connector.complete(await consent(), REQUEST).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).reason).toBe('denied');
    expect(tt.calls(/^\/v2\/oauth\/token\/$/)).toHaveLength(0);
  });

  it('refuses a consent without permission to post, saying what is missing', async () => {
    tt.user.grantScopes = ['user.info.basic', 'video.upload'];
    const err = (await connector.complete(await consent(), REQUEST).catch((e: unknown) => e)) as ConnectError;
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.reason).toBe('missing_permissions');
    expect(err.details.missing).toEqual(['video.publish']);
    expect(err.details.help?.join(' ')).toMatch(/video\.publish/);
  });

  it('refuses a callback whose state is not the one sent', async () => {
    const back = await consent();
    back.searchParams.set('state', 'forged');
    await expect(connector.complete(back, REQUEST)).rejects.toMatchObject({ reason: 'failed' });
  });
});

describe('TikTok connector: keeping tokens alive', () => {
  it('refreshes to a rotated pair; the old refresh token stops working', async () => {
    const account = await connect();
    tt.auth.accessTtlSec = 7_200;
    const before = Date.now();
    const fresh = await refresh(asRefreshAccount(account));
    expect(fresh).not.toBeNull();
    expect(fresh!.accessToken).not.toBe(account.accessToken);
    expect(fresh!.refreshToken).toBeTruthy();
    expect(fresh!.refreshToken).not.toBe(account.refreshToken);
    expect(fresh!.tokenExpiresAt).toBeGreaterThanOrEqual(before + 7_200_000);
    expect(fresh!.refreshExpiresAt).toBeGreaterThan(before + 300 * 86_400_000);
    expect(fresh!.scopes).toEqual([
      'user.info.basic',
      'video.publish',
      'video.upload',
      'user.info.stats',
      'video.list',
    ]);
    expect(tt.calls(/^\/v2\/oauth\/token\/$/).at(-1)!.body).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: account.refreshToken,
    });

    // A second refresh with the retired token: TikTok says invalid_grant; a person must reconnect.
    const stale = await refusal(refresh(asRefreshAccount(account)));
    expect([stale.kind, stale.code]).toEqual(['auth', 'invalid_grant']);
    // The new one works.
    const again = await refresh(
      asRefreshAccount(account, { accessToken: fresh!.accessToken, refreshToken: fresh!.refreshToken! }),
    );
    expect(again!.refreshToken).not.toBe(fresh!.refreshToken);
  });

  it('an expired or revoked refresh token means reconnecting', async () => {
    const account = await connect();
    const realNow = tt.now;
    tt.now = () => realNow() + 400 * 86_400_000;
    expect((await refusal(refresh(asRefreshAccount(account)))).kind).toBe('auth');
    tt.now = realNow;

    const other = await connect();
    tt.revokeToken(other.accessToken);
    const revoked = await refusal(refresh(asRefreshAccount(other)));
    expect(revoked.kind).toBe('auth');
    expect(revoked.message).toMatch(/refresh token/);
  });

  it('a health check with nothing due verifies the token with one cheap call', async () => {
    const account = await connect();
    const calls = tt.requests.length;
    expect(await refresh(asRefreshAccount(account), true)).toBeNull();
    expect(tt.requests.slice(calls).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/user/info/']);

    tt.revokeToken(account.accessToken);
    const err = await refusal(refresh(asRefreshAccount(account), true));
    expect([err.kind, err.code]).toEqual(['auth', 'access_token_invalid']);
  });

  it('a check on a token expiring soon refreshes it instead', async () => {
    const account = await connect();
    const fresh = await refresh(asRefreshAccount(account, { tokenExpiresAt: Date.now() + 3_600_000 }), true);
    expect(fresh).not.toBeNull();
    expect(fresh!.accessToken).not.toBe(account.accessToken);
    expect(tt.calls(/^\/v2\/oauth\/token\/$/).map((r) => r.body.grant_type)).toEqual([
      'authorization_code',
      'refresh_token',
    ]);
    expect(tt.calls(/^\/v2\/user\/info\/$/)).toHaveLength(1);
  });

  describe('a health check through creator info (user.info.basic not granted)', () => {
    const withoutUserInfo = (a: ConnectedAccount) => asRefreshAccount(a, { scopes: ['video.publish', 'video.upload'] });

    it.each(['spam_risk_too_many_posts', 'spam_risk_user_banned_from_posting', 'reached_active_user_cap'] as const)(
      'a posting block (%s) proves the token works',
      async (block) => {
        const account = await connect();
        tt.user.postingBlock = block;
        const calls = tt.requests.length;
        expect(await refresh(withoutUserInfo(account), true)).toBeNull();
        expect(tt.requests.slice(calls).map((r) => `${r.method} ${r.path}`)).toEqual([
          'POST /v2/post/publish/creator_info/query/',
        ]);
      },
    );

    it('a plain HTTP 429 proves nothing and is passed on', async () => {
      const account = await connect();
      tt.inject({ method: 'POST', path: /creator_info/, fault: { kind: 'status', status: 429 } });
      const err = await refusal(refresh(withoutUserInfo(account), true));
      expect([err.kind, err.code]).toEqual(['rate_limited', 'http_429']);
    });

    it("TikTok's own rate limit is passed on", async () => {
      const account = await connect();
      tt.inject({
        method: 'POST',
        path: /creator_info/,
        fault: {
          kind: 'status',
          status: 429,
          body: { data: {}, error: { code: 'rate_limit_exceeded', message: 'slow down', log_id: 'x' } },
        },
      });
      const err = await refusal(refresh(withoutUserInfo(account), true));
      expect([err.kind, err.code]).toEqual(['rate_limited', 'rate_limit_exceeded']);
    });

    it('the local budget refusing the call (nothing sent) is passed on', async () => {
      connector = makeConnector(tt.url, { rateLimitWaitMs: 0 });
      const account = await connect();
      const limit = 20; // creator info per token per minute (docs/platforms/tiktok.md#creator-info)
      const sent = () => tt.calls(/creator_info/).length;
      const before = sent();
      // connect() itself asked creator info once with this token.
      for (let i = 1; i < limit; i++) expect(await refresh(withoutUserInfo(account), true)).toBeNull();
      expect(sent() - before).toBe(limit - 1);
      const err = await refusal(refresh(withoutUserInfo(account), true));
      expect([err.kind, err.code]).toEqual(['rate_limited', 'local_rate_limit']);
      expect(sent() - before).toBe(limit - 1);
    });
  });

  it('TikTok unreachable is transient, not a reason to reconnect', async () => {
    const account = await connect();
    const closed = new FakeTikTok(APP);
    const url = await closed.start();
    await closed.stop();
    connector = makeConnector(url);
    const err = await refusal(refresh(asRefreshAccount(account)));
    expect(err.kind).toBe('transient');
  });

  it('a 5xx from the token endpoint is transient', async () => {
    const account = await connect();
    tt.inject({
      method: 'POST',
      path: /^\/v2\/oauth\/token\/$/,
      fault: { kind: 'status', status: 503, body: { error: 'server_error', error_description: 'try later' } },
    });
    expect((await refusal(refresh(asRefreshAccount(account)))).kind).toBe('transient');
    // Nothing was rotated: the same refresh token still works.
    expect(await refresh(asRefreshAccount(account))).not.toBeNull();
  });
});
