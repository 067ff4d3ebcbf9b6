import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { MastodonConnector } from '../../src/platforms/mastodon/connector.js';
import { DEFAULT_SETTINGS } from '../../src/platforms/mastodon/settings.js';
import type { NetworkStore } from '../../src/platforms/network.js';
import {
  ConnectError,
  PlatformError,
  type AuthorizationRequest,
  type RefreshAccount,
} from '../../src/platforms/types.js';
import { FakeMastodon, type FakeMastodonUser } from '../fakes/mastodon.js';

const PUBLIC_URL = 'https://herald.example.com';
let fake: FakeMastodon;
let host: string;
let user: FakeMastodonUser;
let store: Map<string, string>;
let connector: MastodonConnector;

function memory(): NetworkStore {
  return { get: (k) => store.get(k) ?? null, put: (k, v) => void store.set(k, v), delete: (k) => void store.delete(k) };
}

beforeEach(async () => {
  fake = new FakeMastodon({ maxCharacters: 1000 });
  host = new URL(await fake.start()).host;
  user = fake.addUser('bakery');
  fake.signedIn = user;
  store = new Map();
  const settings = { ...DEFAULT_SETTINGS, privateHosts: ['127.0.0.1'], requestTimeoutMs: 5_000 };
  connector = new MastodonConnector(settings, memory(), PUBLIC_URL, createLogger('silent'), new ManualClock(0));
});
afterEach(() => fake.stop());

const request = (state: string): AuthorizationRequest => ({
  state,
  codeVerifier: 'v'.repeat(43),
  redirectUri: `${PUBLIC_URL}/auth/mastodon/callback`,
});
const signal = () => AbortSignal.timeout(5_000);

/** Form → the instance's consent page → the callback, as the browser would go. */
async function connect(state = 'state-1') {
  const answer = await connector.connectWithForm(
    { instance: `http://${host}` },
    { signal: signal(), authorization: () => request(state) },
  );
  if (!('redirectTo' in answer)) throw new Error('expected a redirect');
  const consent = await fetch(answer.redirectTo, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location')!);
  return { answer, back, result: await connector.complete(back, request(back.searchParams.get('state')!)) };
}

describe('Mastodon connector', () => {
  it('registers once per instance, runs its OAuth and reads its limits', async () => {
    const { answer, back, result } = await connect();
    expect(new URL(answer.redirectTo).pathname).toBe('/oauth/authorize');
    expect(new URL(answer.redirectTo).searchParams.get('code_challenge_method')).toBe('S256');
    expect(fake.calls(/\/oauth\/token$/)[0]!.body.code_verifier).toBe('v'.repeat(43));
    expect(back.searchParams.get('state')).toBe('state-1');
    expect(fake.calls(/\/api\/v1\/apps$/)[0]!.body).toMatchObject({
      redirect_uris: `${PUBLIC_URL}/auth/mastodon/callback`,
      scopes: 'read:accounts read:statuses write:statuses write:media',
    });
    const [account] = result.accounts;
    expect(account).toMatchObject({
      platform: 'mastodon',
      externalId: `${user.id}@${host}`,
      username: `bakery@${host}`,
      tokenExpiresAt: null,
      platformData: { instance: `http://${host}`, avatarUrl: user.avatar, limits: { maxCharacters: 1000 } },
    });
    // The client secret is kept in the network's (sealed) store, and the app reused next time.
    expect(JSON.parse(store.get(`app:http://${host}`)!).clientSecret).toBe(fake.apps[0]!.clientSecret);
    await connect('state-2');
    expect(fake.apps).toHaveLength(1);
  });

  it('registers again with an instance whose app was registered before results asked for read:statuses', async () => {
    // An app registered without read:statuses: the instance would refuse the scope at consent.
    const old = await fetch(`http://${host}/api/v1/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_name: 'Herald',
        redirect_uris: `${PUBLIC_URL}/auth/mastodon/callback`,
        scopes: 'read:accounts write:statuses write:media',
      }),
    }).then((r) => r.json() as Promise<{ client_id: string; client_secret: string }>);
    store.set(`app:http://${host}`, JSON.stringify({ clientId: old.client_id, clientSecret: old.client_secret }));
    const { result } = await connect();
    expect(fake.apps).toHaveLength(2);
    expect(result.accounts[0]!.scopes).toContain('read:statuses');
  });

  it('refuses private addresses, plain HTTP and a callback it did not start', async () => {
    const tryForm = (instance: string) =>
      connector.connectWithForm({ instance }, { signal: signal(), authorization: () => request('s') });
    await expect(tryForm('http://mastodon.social')).rejects.toThrow(/HTTPS only/);
    await expect(tryForm('https://10.0.0.8')).rejects.toThrow(/not a public address/);
    await expect(tryForm('https://169.254.169.254')).rejects.toThrow(ConnectError);
    await expect(tryForm('localhost')).rejects.toThrow(ConnectError);
    expect(fake.requests).toHaveLength(0);
    await expect(
      connector.complete(new URL(`${PUBLIC_URL}/auth/mastodon/callback?code=x&state=zzz`), request('zzz')),
    ).rejects.toThrow(/lost track/);
  });

  it('checks the token with verify_credentials; a revoked one needs reconnecting', async () => {
    const { result } = await connect();
    const a = result.accounts[0]!;
    const account: RefreshAccount = {
      id: 'acc',
      platform: 'mastodon',
      externalId: a.externalId,
      name: a.name,
      platformData: a.platformData!,
      accessToken: a.accessToken,
      refreshToken: null,
      tokenExpiresAt: null,
      refreshExpiresAt: null,
      scopes: a.scopes,
      lastRefreshedAt: null,
    };
    expect(await connector.refresh(account, { check: true, signal: signal() })).toBeNull();
    expect(fake.calls(/verify_credentials/)).toHaveLength(2);
    fake.revokeAll(user.id);
    const err = await connector.refresh(account, { check: true, signal: signal() }).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.kind).toBe('auth');
  });
});
