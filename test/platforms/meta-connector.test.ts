import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { metaPlatform, type MetaConnector } from '../../src/platforms/meta/index.js';
import {
  ConnectError,
  PlatformError,
  type AuthorizationRequest,
  type RefreshAccount,
} from '../../src/platforms/types.js';
import { FakeMeta } from '../fakes/meta.js';
import { tempDir, TEST_SECRET } from '../helpers/herald.js';

const APP = { appId: '1234567890', appSecret: 'app-secret' };
const REQUEST: AuthorizationRequest = {
  state: 'state-abc',
  redirectUri: 'http://127.0.0.1:9/auth/meta/callback',
  codeVerifier: 'unused-by-meta',
};
const DAY = 86_400_000;

let meta: FakeMeta;
let connector: MetaConnector;
let dataDir: string;

beforeEach(async () => {
  meta = new FakeMeta(APP);
  const url = await meta.start();
  dataDir = tempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET_KEY: TEST_SECRET,
    PUBLIC_URL: 'http://127.0.0.1:9',
    META_APP_ID: APP.appId,
    META_APP_SECRET: APP.appSecret,
    META_GRAPH_URL: `${url}/v25.0`,
    META_DIALOG_URL: `${url}/v25.0/dialog/oauth`,
  });
  // A page size of 2 makes the fake split the Page listings into several pages.
  connector = metaPlatform({ config, log: createLogger('silent'), options: { pageSize: 2 } }).connector;
});

afterEach(async () => {
  await meta.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The browser's part: open the authorization URL and come back with the callback URL. */
async function consent(request = REQUEST): Promise<URL> {
  const res = await fetch(await connector.authorizationUrl(request), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

function account(overrides: Partial<RefreshAccount>): RefreshAccount {
  return {
    id: 'acc_1',
    platform: 'facebook',
    externalId: '0',
    name: 'Page',
    platformData: {},
    accessToken: '',
    refreshToken: null,
    tokenExpiresAt: null,
    refreshExpiresAt: null,
    scopes: [],
    lastRefreshedAt: null,
    ...overrides,
  };
}

describe('Meta connector: connecting', () => {
  it('asks for the Meta permissions Herald needs, with state, client_id and the exact redirect URI', async () => {
    const url = new URL(await connector.authorizationUrl(REQUEST));
    expect(`${url.origin}${url.pathname}`).toBe(`${meta.url}/v25.0/dialog/oauth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: APP.appId,
      redirect_uri: REQUEST.redirectUri,
      response_type: 'code',
      state: REQUEST.state,
      scope:
        'pages_show_list,pages_read_engagement,pages_manage_posts,business_management,' +
        'instagram_basic,instagram_content_publish,publish_video,read_insights,instagram_manage_insights,' +
        'pages_manage_engagement,instagram_manage_comments',
    });
  });

  it('connects every Page (paged, and through Business Manager) and the linked Instagram accounts', async () => {
    const direct = ['A', 'B', 'C'].map((n) =>
      meta.addPage({
        name: `Page ${n}`,
        instagram: n === 'A' ? { username: 'page_a', name: 'Page A on IG' } : undefined,
      }),
    );
    const biz = meta.addBusiness('Agency BM');
    const owned = meta.addPage({ name: 'Owned via BM', business: biz, instagram: { username: 'owned_ig' } });
    const client = meta.addPage({ name: 'Client via BM', business: biz, relation: 'client' });
    const before = Date.now();

    const result = await connector.complete(await consent(), REQUEST);

    const fb = result.accounts.filter((a) => a.platform === 'facebook');
    expect(fb.map((a) => [a.externalId, a.name])).toEqual([
      [direct[0]!.pageId, 'Page A'],
      [direct[1]!.pageId, 'Page B'],
      [direct[2]!.pageId, 'Page C'],
      [owned.pageId, 'Owned via BM'],
      [client.pageId, 'Client via BM'],
    ]);
    const pageTokens = [...direct, owned, client].map((p) => p.pageToken);
    expect(fb.map((a) => a.accessToken)).toEqual(pageTokens);
    // The long-lived user token is kept to derive Page tokens again; Page tokens never expire
    // (docs/platforms/meta.md#token-lifetimes).
    const userToken = meta.auth.tokens.get(fb[0]!.refreshToken!)!;
    expect(userToken).toMatchObject({ type: 'USER', longLived: true });
    for (const a of fb) {
      expect(a).toMatchObject({ tokenExpiresAt: null, refreshToken: userToken.value });
      expect(a.refreshExpiresAt).toBeGreaterThanOrEqual(before + meta.auth.longLivedTtlSec * 1000);
      expect(a.refreshExpiresAt).toBeLessThanOrEqual(Date.now() + meta.auth.longLivedTtlSec * 1000);
      expect(a.scopes).toContain('pages_manage_posts');
    }
    const ig = result.accounts.filter((a) => a.platform === 'instagram');
    expect(ig).toEqual([
      expect.objectContaining({
        externalId: direct[0]!.igUserId,
        username: 'page_a',
        name: 'Page A on IG',
        parentExternalId: direct[0]!.pageId,
        accessToken: direct[0]!.pageToken,
        tokenExpiresAt: null,
      }),
      expect.objectContaining({
        externalId: owned.igUserId,
        username: 'owned_ig',
        parentExternalId: owned.pageId,
        accessToken: owned.pageToken,
      }),
    ]);
    expect(result.warnings).toEqual(
      expect.arrayContaining([`Instagram: no business account is linked to Page Page B.`]),
    );
    // Each account's picture, as Graph gives it (Page `picture`, IG user `profile_picture_url`).
    const fbA = result.accounts.find((a) => a.externalId === direct[0]!.pageId)!;
    expect(fbA.platformData?.avatarUrl).toBe(`https://scontent.xx.fbcdn.net/${direct[0]!.pageId}.jpg`);
    expect(ig[0]!.platformData?.avatarUrl).toBe('https://scontent.cdninstagram.com/page_a.jpg');

    // The code went to the token endpoint once, with the dialog's exact redirect_uri
    // (docs/platforms/meta.md#authorization-dialog).
    const exchanges = meta.calls(/\/oauth\/access_token$/);
    expect(exchanges.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(exchanges[0]!.body).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: REQUEST.redirectUri,
      client_id: APP.appId,
      client_secret: APP.appSecret,
    });
    expect(exchanges[1]!.query).toMatchObject({ grant_type: 'fb_exchange_token' });
    // Two Page listings of /me/accounts (paging.next followed), and both Business Manager edges.
    expect(meta.calls(/\/me\/accounts$/)).toHaveLength(2);
    expect(meta.calls(new RegExp(`/${biz}/(owned|client)_pages$`))).toHaveLength(2);
  });

  it('works when the app requires appsecret_proof', async () => {
    meta.requireAppSecretProof = true;
    const { pageId } = meta.addPage({ name: 'Bakery' });
    const result = await connector.complete(await consent(), REQUEST);
    expect(result.accounts.map((a) => a.externalId)).toEqual([pageId]);
  });

  it('reports a cancelled dialog as denied', async () => {
    meta.addPage({ name: 'Bakery' });
    meta.user.denyLogin = true;
    const err = await connector.complete(await consent(), REQUEST).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err).toMatchObject({ reason: 'denied', message: expect.stringMatching(/cancelled/) });
    expect(meta.calls(/\/oauth\/access_token$/)).toHaveLength(0);
  });

  it('lists a declined publishing permission as missing', async () => {
    meta.addPage({ name: 'Bakery' });
    meta.declinePermissions('pages_manage_posts');
    const err = await connector.complete(await consent(), REQUEST).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err).toMatchObject({ reason: 'missing_permissions', details: { missing: ['pages_manage_posts'] } });
    expect((err as ConnectError).details.help?.length).toBeGreaterThan(0);
  });

  it('connects the Pages only, with a warning, when an Instagram permission is declined', async () => {
    const page = meta.addPage({ name: 'Bakery', instagram: { username: 'bakery' } });
    meta.declinePermissions('instagram_content_publish');
    const result = await connector.complete(await consent(), REQUEST);
    expect(result.accounts.map((a) => [a.platform, a.externalId])).toEqual([['facebook', page.pageId]]);
    expect(result.warnings.join(' ')).toMatch(/Instagram was not connected: instagram_content_publish was not granted/);
  });

  it('connects for publishing, with a warning, when an insights permission is declined', async () => {
    const page = meta.addPage({ name: 'Bakery', instagram: { username: 'bakery' } });
    meta.declinePermissions('read_insights', 'instagram_manage_insights');
    const result = await connector.complete(await consent(), REQUEST);
    expect(result.accounts.map((a) => a.externalId)).toEqual([page.pageId, page.igUserId]);
    expect(result.accounts[0]!.scopes).not.toContain('read_insights');
    expect(result.warnings.join(' ')).toMatch(
      /Results cannot be shown: read_insights and instagram_manage_insights were not granted/,
    );
  });

  it('connects without the first-comment permissions, with a warning, and stores what was granted', async () => {
    const page = meta.addPage({ name: 'Bakery', instagram: { username: 'bakery' } });
    meta.declinePermissions('pages_manage_engagement', 'instagram_manage_comments');
    const result = await connector.complete(await consent(), REQUEST);
    expect(result.accounts.map((a) => a.externalId)).toEqual([page.pageId, page.igUserId]);
    expect(result.warnings.join(' ')).toMatch(
      /First comments cannot be added: pages_manage_engagement and instagram_manage_comments were not granted/,
    );
    for (const account of result.accounts) {
      expect(account.platformData?.scopes).toContain('pages_manage_posts');
      expect(account.platformData?.scopes).not.toContain('pages_manage_engagement');
    }
  });

  it('stores the first-comment permissions when granted, without a warning about them', async () => {
    meta.addPage({ name: 'Bakery', instagram: { username: 'bakery' } });
    const result = await connector.complete(await consent(), REQUEST);
    expect(result.warnings.join(' ')).not.toMatch(/First comments/);
    expect(result.accounts[0]!.platformData?.scopes).toContain('pages_manage_engagement');
    expect(result.accounts[1]!.platformData?.scopes).toContain('instagram_manage_comments');
  });

  it('says so when the login reaches no Page', async () => {
    const err = await connector.complete(await consent(), REQUEST).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'no_accounts' });
    expect((err as ConnectError).details.help?.join(' ')).toMatch(/Pages/);
  });

  it('passes on Facebook’s words when the code exchange fails', async () => {
    meta.addPage({ name: 'Bakery' });
    const callback = await consent();
    await connector.complete(callback, REQUEST);
    const err = await connector.complete(callback, REQUEST).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'failed', message: expect.stringMatching(/authorization code has been used/) });
  });

  it('skips a Page where the person cannot create content, and says why', async () => {
    meta.addPage({ name: 'Analytics only', tasks: ['ANALYZE'] });
    const err = await connector.complete(await consent(), REQUEST).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'no_accounts' });
    expect((err as ConnectError).details.help).toContain(
      'Page Analytics only: your role on the Page does not allow creating content, so it was skipped.',
    );
  });

  it('refuses a callback that belongs to another connection attempt', async () => {
    meta.addPage({ name: 'Bakery' });
    const callback = await consent({ ...REQUEST, state: 'someone-else' });
    const err = await connector.complete(callback, REQUEST).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'failed', message: expect.stringMatching(/does not belong/) });
    expect(meta.calls(/\/oauth\/access_token$/)).toHaveLength(0);
  });
});

describe('Meta connector: keeping access alive', () => {
  async function connected() {
    const page = meta.addPage({ name: 'Bakery', instagram: { username: 'bakery' } });
    const result = await connector.complete(await consent(), REQUEST);
    const fb = result.accounts.find((a) => a.platform === 'facebook')!;
    const ig = result.accounts.find((a) => a.platform === 'instagram')!;
    return { page, fb, ig };
  }
  const signal = () => AbortSignal.timeout(10_000);

  it('reads the Page picture and the Instagram profile picture with their own token', async () => {
    const { page, fb, ig } = await connected();
    const read = (a: typeof fb) =>
      connector.picture!(account({ platform: a.platform, externalId: a.externalId, accessToken: a.accessToken }), {
        signal: AbortSignal.timeout(5_000),
      });
    expect(await read(fb)).toBe(`https://scontent.xx.fbcdn.net/${page.pageId}.jpg`);
    expect(await read(ig)).toBe('https://scontent.cdninstagram.com/bakery.jpg');
  });

  it('re-exchanges the long-lived user token a week before it expires and re-derives the Page token', async () => {
    const { page, fb } = await connected();
    const due = account({
      externalId: page.pageId,
      accessToken: fb.accessToken,
      refreshToken: fb.refreshToken!,
      refreshExpiresAt: Date.now() + 3 * DAY,
    });
    const fresh = await connector.refresh(due, { check: false, signal: signal() });
    expect(fresh).not.toBeNull();
    expect(fresh!.refreshToken).not.toBe(fb.refreshToken);
    expect(meta.auth.tokens.get(fresh!.refreshToken!)).toMatchObject({ type: 'USER', longLived: true });
    expect(fresh).toMatchObject({ accessToken: page.pageToken, tokenExpiresAt: null });
    expect(fresh!.refreshExpiresAt).toBeGreaterThan(Date.now() + 59 * DAY);
    expect(meta.calls(/\/oauth\/access_token$/, 'GET').at(-1)!.query.fb_exchange_token).toBe(fb.refreshToken);

    // Far from expiry nothing is exchanged; a check only asks /debug_token.
    const calls = meta.requests.length;
    const later = account({
      externalId: page.pageId,
      accessToken: fb.accessToken,
      refreshToken: fresh!.refreshToken!,
      refreshExpiresAt: fresh!.refreshExpiresAt!,
    });
    expect(await connector.refresh(later, { check: true, signal: signal() })).toBeNull();
    expect(meta.requests.slice(calls).map((r) => r.path)).toEqual(['/v25.0/debug_token']);
    expect(meta.requests.at(-1)!.query.access_token).toBe(`${APP.appId}|${APP.appSecret}`);
  });

  it('throws auth when the Page token was revoked, for the Page and its Instagram account', async () => {
    const { page, fb, ig } = await connected();
    meta.revokeToken(page.pageToken, 460);
    for (const a of [
      account({ externalId: page.pageId, accessToken: fb.accessToken }),
      account({ platform: 'instagram', externalId: ig.externalId, accessToken: ig.accessToken }),
    ]) {
      const err = await connector.refresh(a, { check: true, signal: signal() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformError);
      expect(err).toMatchObject({ kind: 'auth', message: expect.stringMatching(/password was changed/) });
    }
  });

  it(
    'keeps a Page whose user token died while its own token still works, ' + 'and gives up when both are gone',
    async () => {
      const { page, fb } = await connected();
      meta.revokeToken(fb.refreshToken!, 467);
      const due = account({
        externalId: page.pageId,
        accessToken: fb.accessToken,
        refreshToken: fb.refreshToken!,
        refreshExpiresAt: Date.now() + DAY,
      });
      const calls = meta.requests.length;
      // The dead user token (and its expiry) is dropped; the still-valid Page token is kept.
      const fresh = await connector.refresh(due, { check: false, signal: signal() });
      expect(fresh).toEqual({
        accessToken: page.pageToken,
        refreshToken: null,
        tokenExpiresAt: null,
        refreshExpiresAt: null,
      });
      expect(meta.requests.slice(calls).map((r) => r.path)).toEqual([
        '/v25.0/oauth/access_token',
        '/v25.0/debug_token',
      ]);

      // Stored that way, the next runs only check the Page token: no exchange with the dead token.
      const after = account({
        externalId: page.pageId,
        accessToken: fresh!.accessToken,
        refreshToken: fresh!.refreshToken ?? null,
        refreshExpiresAt: fresh!.refreshExpiresAt ?? null,
      });
      const from = meta.requests.length;
      expect(await connector.refresh(after, { check: false, signal: signal() })).toBeNull();
      expect(meta.requests.length).toBe(from);
      expect(await connector.refresh(after, { check: true, signal: signal() })).toBeNull();
      expect(meta.requests.slice(from).map((r) => r.path)).toEqual(['/v25.0/debug_token']);

      meta.revokeAll(460);
      await expect(connector.refresh(due, { check: false, signal: signal() })).rejects.toMatchObject({ kind: 'auth' });
      await expect(connector.refresh(after, { check: true, signal: signal() })).rejects.toMatchObject({ kind: 'auth' });
    },
  );
});
