import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { GraphClient, mapGraphError, readUsage, type GraphErrorBody } from '../../src/platforms/meta/index.js';
import { PlatformError } from '../../src/platforms/types.js';
import { FakeMeta } from '../fakes/meta.js';

const APP = { appId: '1234567890', appSecret: 'app-secret' };
const HOUR = 3_600_000;

type Expect = { kind: PlatformError['kind']; message: RegExp; retryAfterMs?: number; scope?: 'account' | 'platform' };

const TABLE: Array<[string, GraphErrorBody, 'facebook' | 'instagram', Expect]> = [
  [
    '190/460 password changed',
    { code: 190, error_subcode: 460, message: 'Error validating access token' },
    'facebook',
    { kind: 'auth', message: /^Facebook refused the access token: the Facebook password was changed/ },
  ],
  [
    '190/459 checkpoint',
    { code: 190, error_subcode: 459 },
    'facebook',
    { kind: 'auth', message: /log in on facebook\.com and follow the instructions/ },
  ],
  [
    '102 session',
    { code: 102, message: 'API Session' },
    'instagram',
    { kind: 'auth', message: /^Instagram no longer accepts the access token \(API Session\)\.$/ },
  ],
  [
    '492 role lost',
    { code: 200, error_subcode: 492, message: 'Invalid session' },
    'facebook',
    { kind: 'auth', message: /no longer has a role on the Page/ },
  ],
  [
    '1404078 publishing authorization',
    { code: 100, error_subcode: 1404078 },
    'facebook',
    { kind: 'auth', message: /Page Publishing Authorization/ },
  ],
  [
    '200 missing permission',
    {
      code: 200,
      message: '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin',
    },
    'facebook',
    {
      kind: 'permanent',
      message: /^Facebook refused: the permissions pages_read_engagement and pages_manage_posts are missing\./,
    },
  ],
  [
    '10 permission denied',
    { code: 10, message: '(#10) Application does not have permission for this action' },
    'instagram',
    { kind: 'permanent', message: /^Instagram refused: permission denied \(Application does not have permission/ },
  ],
  [
    '368 policy block',
    { code: 368, message: 'blocked', error_user_msg: 'You’re temporarily blocked from posting.' },
    'facebook',
    {
      kind: 'rate_limited',
      message: /temporarily blocked .*You’re temporarily blocked from posting/,
      retryAfterMs: 6 * HOUR,
      scope: 'account',
    },
  ],
  [
    '4 app limit',
    { code: 4, message: '(#4) Application request limit reached' },
    'facebook',
    {
      kind: 'rate_limited',
      message: /Herald’s Meta app reached its request limit/,
      retryAfterMs: HOUR,
      scope: 'platform',
    },
  ],
  [
    '80002 IG BUC',
    { code: 80002 },
    'instagram',
    { kind: 'rate_limited', message: /this account reached its request limit/, retryAfterMs: HOUR, scope: 'account' },
  ],
  [
    '4/2207051 spam',
    { code: 4, error_subcode: 2207051 },
    'instagram',
    { kind: 'permanent', message: /^Instagram restricted the action as suspected spam/ },
  ],
  [
    '9/2207042 daily limit',
    { code: 9, error_subcode: 2207042 },
    'instagram',
    { kind: 'rate_limited', message: /daily limit/, retryAfterMs: HOUR, scope: 'account' },
  ],
  [
    '506 duplicate',
    { code: 506, message: '(#506) Duplicate status message' },
    'facebook',
    { kind: 'permanent', message: /duplicate/ },
  ],
  [
    '1 unknown',
    { code: 1, message: 'An unknown error occurred' },
    'facebook',
    { kind: 'transient', message: /temporary problem/ },
  ],
  [
    '2 service',
    { code: 2, message: 'Service temporarily unavailable' },
    'facebook',
    { kind: 'transient', message: /temporary problem/ },
  ],
  [
    '-1/2207001 server error',
    { code: -1, error_subcode: 2207001 },
    'instagram',
    { kind: 'transient', message: /server error/ },
  ],
  [
    '-2/2207020 expired',
    { code: -2, error_subcode: 2207020 },
    'instagram',
    { kind: 'transient', message: /new one is made/ },
  ],
  [
    '9007/2207027 not ready',
    { code: 9007, error_subcode: 2207027 },
    'instagram',
    { kind: 'transient', message: /not finished processing/ },
  ],
  [
    '36003/2207009 aspect ratio',
    { code: 36003, error_subcode: 2207009 },
    'instagram',
    { kind: 'permanent', message: /^Instagram refused the image: the aspect ratio must be between 4:5 and 1\.91:1\.$/ },
  ],
  [
    '36001/2207005 format',
    { code: 36001, error_subcode: 2207005 },
    'instagram',
    { kind: 'permanent', message: /only JPEG/ },
  ],
  [
    '352/2207026 video format',
    { code: 352, error_subcode: 2207026 },
    'instagram',
    { kind: 'permanent', message: /use MP4 or MOV/ },
  ],
  [
    '100/2207028 carousel size',
    { code: 100, error_subcode: 2207028 },
    'instagram',
    { kind: 'permanent', message: /between 2 and 10 items/ },
  ],
  [
    '100 bad parameter',
    { code: 100, message: '(#100) Invalid parameter' },
    'facebook',
    { kind: 'permanent', message: /^Facebook refused the request: Invalid parameter\.$/ },
  ],
  [
    '1366046 photo',
    { code: 100, error_subcode: 1366046 },
    'facebook',
    { kind: 'permanent', message: /^Facebook refused the photo: photos must be JPG or PNG and smaller than 4 MB\.$/ },
  ],
  [
    '9007 without subcode',
    { code: 9007, message: 'Media ID is not available' },
    'instagram',
    { kind: 'transient', message: /not finished processing/ },
  ],
  [
    '36003 without subcode',
    { code: 36003 },
    'instagram',
    { kind: 'permanent', message: /aspect ratio must be between 4:5 and 1\.91:1/ },
  ],
  [
    'REVOKED_ACCESS_TOKEN text',
    { code: 100, message: 'REVOKED_ACCESS_TOKEN' },
    'instagram',
    { kind: 'auth', message: /no longer accepts the access token/ },
  ],
  [
    'unknown transient flag',
    { code: 12345, message: 'Odd', is_transient: true },
    'facebook',
    { kind: 'transient', message: /temporary problem \(Odd\)/ },
  ],
];

describe('Graph error mapping', () => {
  it.each(TABLE)('%s', (_, body, surface, expected) => {
    const err = mapGraphError(body, surface);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.kind).toBe(expected.kind);
    expect(err.message).toMatch(expected.message);
    expect(err.code).toMatch(new RegExp(`^meta:${body.code}`));
    if (expected.retryAfterMs !== undefined) expect(err.retryAfterMs).toBe(expected.retryAfterMs);
    if (expected.scope) expect(err.options.scope).toBe(expected.scope);
  });

  it('takes the wait and scope from the usage headers when they give one', () => {
    const err = mapGraphError({ code: 80001 }, 'facebook', { retryAfterMs: 7 * 60_000, scope: 'account' });
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7 * 60_000, options: { scope: 'account' } });
  });
});

describe('Graph usage headers', () => {
  it('reads app, business-use-case and legacy page usage', () => {
    const headers = new Headers({
      'x-app-usage': JSON.stringify({ call_count: 12, total_time: 85, total_cputime: 3 }),
      'x-business-use-case-usage': JSON.stringify({
        '111': [
          { type: 'pages', call_count: 100, total_time: 4, total_cputime: 2, estimated_time_to_regain_access: 9 },
        ],
      }),
      'x-page-usage': JSON.stringify({ call_count: 91, total_time: 0, total_cputime: 0 }),
    });
    const usage = readUsage(headers, '222');
    expect(usage.appPct).toBe(85);
    expect(Object.fromEntries(usage.objects)).toEqual({
      '111': { pct: 100, regainMinutes: 9 },
      '222': { pct: 91, regainMinutes: 0 },
    });
  });
});

describe('Graph client against the fake', () => {
  let meta: FakeMeta;
  let graph: GraphClient;
  let slept: number[];
  let page: { pageId: string; pageToken: string };

  beforeEach(async () => {
    meta = new FakeMeta(APP);
    const url = await meta.start();
    slept = [];
    graph = new GraphClient({
      graphUrl: `${url}/v25.0`,
      appId: APP.appId,
      appSecret: APP.appSecret,
      log: createLogger('silent'),
      requestTimeoutMs: 500,
      slowDownMaxMs: 10_000,
      clock: { now: () => Date.now(), sleep: async (ms) => void slept.push(ms) },
    });
    page = meta.addPage({ name: 'Bakery' });
  });
  afterEach(() => meta.stop());

  const read = (publishing = false) =>
    graph.call({
      method: publishing ? 'POST' : 'GET',
      path: publishing ? `/${page.pageId}/feed` : `/${page.pageId}`,
      params: publishing ? { message: `hi ${Math.random()}` } : { fields: 'name' },
      token: page.pageToken,
      surface: 'facebook',
      objectId: page.pageId,
      publishing,
    });

  it('slows down before the next call when usage is over 80 %', async () => {
    meta.appUsage = { call_count: 90, total_time: 10, total_cputime: 10 };
    await read();
    expect(slept).toEqual([]);
    meta.appUsage = { call_count: 1, total_time: 1, total_cputime: 1 };
    await read();
    // 90 % is half-way from 80 to 100: half of the longest pause.
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(4_000);
    expect(slept[0]).toBeLessThanOrEqual(5_000);
    await read();
    expect(slept).toHaveLength(1);
  });

  it('stops calling once a successful answer shows the Page at 100 %, for the estimated time', async () => {
    meta.bucUsage = { call_count: 100, total_time: 20, total_cputime: 20, estimated_time_to_regain_access: 3 };
    await read();
    const calls = meta.requests.length;
    const err = await read().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rate_limited', options: { scope: 'account' } });
    expect((err as PlatformError).retryAfterMs).toBeGreaterThan(2.9 * 60_000);
    expect((err as PlatformError).retryAfterMs).toBeLessThanOrEqual(3 * 60_000);
    expect(meta.requests.length).toBe(calls);
  });

  it('sends appsecret_proof with user and Page tokens', async () => {
    meta.requireAppSecretProof = true;
    await expect(read()).resolves.toMatchObject({ data: { name: 'Bakery' } });
  });

  it('a lost answer is unknown for the publishing call and transient otherwise', async () => {
    meta.inject({ path: /\/feed$/, fault: { kind: 'lose-response' } });
    await expect(read(true)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    expect(meta.published).toHaveLength(1);
    meta.inject({ path: /./, fault: { kind: 'hang' } });
    await expect(read()).rejects.toMatchObject({ kind: 'transient', code: 'network:timeout' });
  });

  it('a 5xx after the publish left is unknown; a 4xx envelope is a refusal', async () => {
    meta.failNext({ code: 2, message: 'Service temporarily unavailable', path: /\/feed$/ });
    await expect(read(true)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    meta.failNext({ code: 2, message: 'Service temporarily unavailable' });
    await expect(read()).rejects.toMatchObject({ kind: 'transient' });
    meta.failNext({ code: 100, message: '(#100) Invalid parameter', path: /\/feed$/ });
    await expect(read(true)).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('never follows a paging link to another host with the token', async () => {
    await expect(
      graph.call({
        path: 'https://elsewhere.example/v25.0/me/accounts?after=x',
        token: page.pageToken,
        surface: 'facebook',
      }),
    ).rejects.toMatchObject({ kind: 'permanent' });
  });
});
