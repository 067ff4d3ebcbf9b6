import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { type GoogleConnector, googlePlatform } from '../../src/platforms/google/index.js';
import type { AuthorizationRequest, RefreshAccount } from '../../src/platforms/types.js';
import { BUSINESS_MANAGE, FakeGoogle } from '../fakes/google.js';
import { type FakeChannel, FakeYouTube, YT_ANALYTICS, YT_READONLY, YT_UPLOAD } from '../fakes/youtube.js';

const APP = { clientId: 'herald.apps.googleusercontent.com', clientSecret: 'gs-secret' };
const REQUEST: AuthorizationRequest = {
  state: 'state-123',
  redirectUri: 'https://herald.example.com/auth/google/callback',
  codeVerifier: 'a-verifier-long-enough-for-pkce-0123456789abcdef',
};

let g: FakeGoogle;
let yt: FakeYouTube;
let channel: FakeChannel;
let connector: GoogleConnector;

beforeEach(async () => {
  g = new FakeGoogle(APP);
  yt = new FakeYouTube();
  await g.start();
  await yt.start();
  channel = yt.addChannel('Acme Bakery');
  // A token the Google fake issued reaches the channel of the user who signed in.
  yt.resolve = (token) => {
    const t = g.accessTokens.get(token);
    return t ? { channelId: t.userId === g.loginAs ? channel.id : null, scopes: t.scopes } : undefined;
  };
  connector = googlePlatform({
    settings: { ...APP, ...g.settings(), youtubeUrl: yt.url },
    log: createLogger('silent'),
    options: { requestTimeoutMs: 3_000 },
  }).connector;
});
afterEach(async () => {
  await g.stop();
  await yt.stop();
});

async function connect(request: AuthorizationRequest) {
  const url = new URL(await connector.authorizationUrl(request));
  const res = await fetch(url, { redirect: 'manual' });
  return { url, result: await connector.complete(new URL(res.headers.get('location')!), request) };
}

describe('YouTube through the Google connection', () => {
  it('the main button never asks for YouTube; "Connect YouTube" asks for its scopes, incrementally', async () => {
    const main = new URL(await connector.authorizationUrl(REQUEST));
    expect(main.searchParams.get('scope')).toBe(BUSINESS_MANAGE);
    const { url, result } = await connect({ ...REQUEST, entry: 'youtube' });
    expect(url.searchParams.get('scope')!.split(' ').sort()).toEqual([YT_ANALYTICS, YT_READONLY, YT_UPLOAD].sort());
    expect(url.searchParams.get('include_granted_scopes')).toBe('true');
    expect(result.accounts).toHaveLength(1);
    const account = result.accounts[0]!;
    expect(account).toMatchObject({ platform: 'youtube', externalId: channel.id, name: 'Acme Bakery' });
    expect(account.platformData).toMatchObject({
      uploadsPlaylist: channel.uploads,
      avatarUrl: `${yt.url}/thumbs/${channel.id}.jpg`,
    });
    expect(yt.calls(/\/channels$/)[0]!.query).toMatchObject({ mine: 'true' });
  });

  it('a Google user without a channel is told to create one', async () => {
    channel.id = 'UCnone';
    yt.channels.clear();
    await expect(connect({ ...REQUEST, entry: 'youtube' })).rejects.toMatchObject({ reason: 'no_accounts' });
  });

  it('the daily check reads the channel; a revoked grant means reconnecting', async () => {
    const { result } = await connect({ ...REQUEST, entry: 'youtube' });
    const a = result.accounts[0]!;
    const account: RefreshAccount = {
      id: 'acc_1',
      platform: a.platform,
      externalId: a.externalId,
      name: a.name,
      platformData: a.platformData ?? {},
      accessToken: a.accessToken,
      refreshToken: a.refreshToken ?? null,
      // Nothing due: the check only reads the channel.
      tokenExpiresAt: Date.now() + 24 * 3_600_000,
      refreshExpiresAt: null,
      scopes: a.scopes,
      lastRefreshedAt: null,
    };
    const signal = new AbortController().signal;
    expect(await connector.refresh(account, { check: true, signal })).toBeNull();
    expect(yt.calls(/\/channels$/).at(-1)!.query).toMatchObject({ id: channel.id });
    g.accessTokens.delete(a.accessToken);
    await expect(connector.refresh(account, { check: true, signal })).rejects.toMatchObject({ kind: 'auth' });
  });
});
