import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { blueskyPlatform } from '../../src/platforms/bluesky/index.js';
import { ConnectError, PlatformError, type ConnectedAccount, type RefreshAccount } from '../../src/platforms/types.js';
import { FakeBluesky, type BlueskyAccount } from '../fakes/bluesky.js';

const APP_PASSWORD = 'abcd-efgh-ijkl-mnop';
let bs: FakeBluesky;
let alice: BlueskyAccount;

function platform() {
  return blueskyPlatform({
    log: createLogger('silent'),
    settings: {
      handleResolverUrl: bs.url,
      plcDirectoryUrl: bs.plcUrl,
      insecureHosts: [bs.host],
      requestTimeoutMs: 5_000,
    },
  });
}

const refreshInput = (a: ConnectedAccount, over: Partial<{ tokenExpiresAt: number }> = {}): RefreshAccount => ({
  id: 'acc-1',
  platform: a.platform,
  externalId: a.externalId,
  name: a.name,
  platformData: a.platformData ?? {},
  accessToken: a.accessToken,
  refreshToken: a.refreshToken ?? null,
  tokenExpiresAt: a.tokenExpiresAt,
  refreshExpiresAt: a.refreshExpiresAt ?? null,
  scopes: a.scopes,
  lastRefreshedAt: null,
  ...over,
});

beforeEach(async () => {
  bs = new FakeBluesky();
  await bs.start();
  alice = bs.addAccount({ handle: 'alice.test', displayName: 'Alice’s Bakery', avatar: 'https://cdn.test/alice.jpg' });
});
afterEach(() => bs.stop());

async function failure(p: Promise<unknown>): Promise<ConnectError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

describe('Bluesky connector (handle + app password)', () => {
  it('resolves the handle to a DID and the DID to its PDS, then signs in there', async () => {
    const { connector } = platform();
    const started = Date.now();
    const { accounts, warnings } = await connector.connectWithForm({
      handle: ' @Alice.test ',
      appPassword: APP_PASSWORD,
    });
    expect(warnings).toEqual([]);
    const a = accounts[0]!;
    expect(a).toMatchObject({
      platform: 'bluesky',
      externalId: alice.did,
      name: 'Alice’s Bakery',
      username: 'alice.test',
      scopes: ['com.atproto.appPass'],
      platformData: { did: alice.did, handle: 'alice.test', pds: bs.pdsUrl, avatarUrl: 'https://cdn.test/alice.jpg' },
    });
    // Expiries come from the JWTs: 120 minutes and 90 days.
    expect(a.tokenExpiresAt! - started).toBeGreaterThan(119 * 60_000);
    expect(a.tokenExpiresAt! - started).toBeLessThan(121 * 60_000);
    expect(Math.round((a.refreshExpiresAt! - started) / 86_400_000)).toBe(90);
    expect(bs.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /xrpc/com.atproto.identity.resolveHandle',
      `GET /plc/${alice.did}`,
      'POST /pds/xrpc/com.atproto.server.createSession',
      'GET /pds/xrpc/app.bsky.actor.getProfile',
    ]);
    expect(bs.calls(/createSession/)[0]!.body).toEqual({ identifier: alice.did, password: APP_PASSWORD });
  });

  it('finds the PDS of a did:web account in its well-known DID document', async () => {
    const web = bs.addAccount({ handle: 'shop.test', did: `did:web:${encodeURIComponent(bs.host)}` });
    const { accounts } = await platform().connector.connectWithForm({ handle: 'shop.test', appPassword: APP_PASSWORD });
    expect(accounts[0]).toMatchObject({ externalId: web.did, platformData: { pds: bs.pdsUrl } });
    expect(bs.calls(/^\/\.well-known\/did\.json$/)).toHaveLength(1);
    expect(bs.calls(/^\/plc\//)).toHaveLength(0);
  });

  it('refuses the main password, drops the session it opened, and explains app passwords', async () => {
    const { connector } = platform();
    const err = await failure(connector.connectWithForm({ handle: 'alice.test', appPassword: 'main-password-1' }));
    expect(err.message).toMatch(/main password/);
    expect(err.message).toContain('https://bsky.app/settings/app-passwords');
    expect(err.details.help?.join(' ')).toMatch(/revoke it at any time/);
    expect(bs.calls(/deleteSession/)).toHaveLength(1);
    // With email sign-in codes on, the server says so itself.
    alice.emailAuthFactor = true;
    const coded = await failure(connector.connectWithForm({ handle: 'alice.test', appPassword: 'main-password-1' }));
    expect(coded.message).toMatch(/main password/);
  });

  it('says plainly when the handle or app password is wrong', async () => {
    const { connector } = platform();
    const wrong = await failure(
      connector.connectWithForm({ handle: 'alice.test', appPassword: 'wxyz-wxyz-wxyz-wxyz' }),
    );
    expect(wrong.reason).toBe('denied');
    expect(wrong.message).toMatch(/did not accept this handle and app password/);
    const unknown = await failure(connector.connectWithForm({ handle: 'nobody.invalid', appPassword: APP_PASSWORD }));
    expect(unknown.message).toMatch(/No Bluesky account was found for the handle @nobody.invalid/);
    const email = await failure(connector.connectWithForm({ handle: 'alice@example.com', appPassword: APP_PASSWORD }));
    expect(email.message).toMatch(/not the email address/);
  });

  it('refreshes with the refresh JWT, which rotates, and health-checks an unexpired session', async () => {
    const { connector } = platform();
    const a = (await connector.connectWithForm({ handle: 'alice.test', appPassword: APP_PASSWORD })).accounts[0]!;
    const signal = AbortSignal.timeout(5_000);
    const fresh = await connector.refresh(refreshInput(a), { check: false, signal });
    expect(fresh?.refreshToken).toBeTruthy();
    expect(fresh?.refreshToken).not.toBe(a.refreshToken);
    expect(fresh?.accessToken).not.toBe(a.accessToken);
    const refresh = bs.calls(/refreshSession/)[0]!;
    expect(refresh.headers.authorization).toBe(`Bearer ${a.refreshToken}`);
    // A check far from expiry asks getSession with the access JWT and stores nothing.
    const far = refreshInput(
      { ...a, accessToken: fresh!.accessToken },
      { tokenExpiresAt: Date.now() + 30 * 86_400_000 },
    );
    expect(await connector.refresh(far, { check: true, signal })).toBeNull();
    expect(bs.calls(/getSession/)).toHaveLength(1);
  });

  it('accepts a rotated refresh JWT again within the grace, and asks for a reconnect after it', async () => {
    const { connector } = platform();
    const a = (await connector.connectWithForm({ handle: 'alice.test', appPassword: APP_PASSWORD })).accounts[0]!;
    const signal = AbortSignal.timeout(5_000);
    const first = await connector.refresh(refreshInput(a), { check: false, signal });
    // A refresh whose answer was lost is repeated with the old token: the same successor comes back.
    const repeat = await connector.refresh(refreshInput(a), { check: false, signal });
    expect(repeat?.refreshToken).toBe(first?.refreshToken);
    bs.now = () => Date.now() + 3 * 3_600_000;
    const late = await connector.refresh(refreshInput(a), { check: false, signal }).catch((e) => e);
    expect((late as PlatformError).kind).toBe('auth');
  });

  it('asks for a reconnect once the app password is revoked', async () => {
    const { connector } = platform();
    const a = (await connector.connectWithForm({ handle: 'alice.test', appPassword: APP_PASSWORD })).accounts[0]!;
    bs.revokeAppPassword(alice.did, APP_PASSWORD);
    const err = await connector
      .refresh(refreshInput(a), { check: false, signal: AbortSignal.timeout(5_000) })
      .catch((e) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).kind).toBe('auth');
    expect((err as PlatformError).message).toMatch(/reconnect/);
  });
});
