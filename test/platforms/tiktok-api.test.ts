import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ManualClock } from '../../src/lib/clock.js';
import {
  RateBudget,
  TikTokApi,
  chunkPlan,
  chunkRange,
  parseJsonExact,
  photoTitle,
  underVerifiedPrefix,
  MIN_CHUNK_BYTES,
} from '../../src/platforms/tiktok/index.js';
import { describeFailReason, v2Error } from '../../src/platforms/tiktok/errors.js';
import { resumeOffset } from '../../src/platforms/tiktok/upload.js';
import { PlatformError } from '../../src/platforms/types.js';
import { FakeTikTok, MAX_CHUNK, MAX_FINAL_CHUNK, MIN_CHUNK } from '../fakes/tiktok.js';
import { tempDir, TEST_SECRET } from '../helpers/herald.js';

describe('exact JSON for int64 post ids', () => {
  it('keeps integers beyond 2^53 as their digits and leaves everything else alone', () => {
    const text =
      '{"data":{"publicaly_available_post_id":[7391234567890123457,12],"n":-9007199254740993,' +
      '"f":1.5e3,"s":"id 7391234567890123457 \\" [1]"}}';
    expect(parseJsonExact(text)).toEqual({
      data: {
        publicaly_available_post_id: ['7391234567890123457', 12],
        n: '-9007199254740993',
        f: 1500,
        s: 'id 7391234567890123457 " [1]',
      },
    });
    // What plain JSON.parse would have made of it.
    expect(String((JSON.parse(text) as any).data.publicaly_available_post_id[0])).not.toBe('7391234567890123457');
  });
});

describe('FILE_UPLOAD chunk plan', () => {
  it.each([
    [1, 1, 1],
    [MIN_CHUNK_BYTES - 1, MIN_CHUNK_BYTES - 1, 1],
    [MIN_CHUNK_BYTES, MIN_CHUNK_BYTES, 1],
    [12_000_000, MIN_CHUNK_BYTES, 2],
    [1024 ** 3, 16 * 1024 ** 2, 64],
    [4 * 1024 ** 3, 64_000_000, 67],
  ])('%i bytes → chunks of %i, %i of them', (size, chunk, count) => {
    expect(chunkPlan(size)).toEqual({ videoSize: size, chunkSize: chunk, totalChunkCount: count });
  });

  it('always satisfies the rules the fake enforces, under either reading of "MB"', () => {
    for (let size = 1; size < 5 * 1024 ** 3; size = Math.ceil(size * 1.37) + 7) {
      const plan = chunkPlan(size);
      const ranges = Array.from({ length: plan.totalChunkCount }, (_, i) => chunkRange(plan, i));
      expect(ranges[0]!.first).toBe(0);
      expect(ranges.at(-1)!.last).toBe(size - 1);
      ranges.slice(1).forEach((r, i) => {
        expect(r.first).toBe(ranges[i]!.last + 1);
      });
      expect(plan.totalChunkCount).toBe(Math.floor(size / plan.chunkSize));
      expect(plan.totalChunkCount).toBeLessThanOrEqual(1000);
      if (size < MIN_CHUNK) {
        expect(plan).toEqual({ videoSize: size, chunkSize: size, totalChunkCount: 1 });
      } else {
        expect(plan.chunkSize).toBeGreaterThanOrEqual(MIN_CHUNK);
        expect(plan.chunkSize).toBeLessThanOrEqual(MAX_CHUNK);
        expect(size - plan.chunkSize * (plan.totalChunkCount - 1)).toBeLessThanOrEqual(MAX_FINAL_CHUNK);
      }
      if (size > 64_000_000) expect(plan.totalChunkCount).toBeGreaterThan(1);
    }
  });

  it('resumes only from chunk boundaries TikTok reports after a 416', () => {
    const plan = chunkPlan(12_000_000);
    expect(resumeOffset(plan, `bytes 0-${MIN_CHUNK - 1}/12000000`)).toBe(MIN_CHUNK);
    expect(resumeOffset(plan, 'bytes 0-11999999/12000000')).toBe(12_000_000);
    expect(resumeOffset(plan, 'bytes 0-0/12000000')).toBe(0);
    expect(resumeOffset(plan, 'bytes 0-1234/12000000')).toBeNull();
    expect(resumeOffset(plan, 'bytes 0-99/100')).toBeNull();
    expect(resumeOffset(plan, null)).toBeNull();
  });
});

describe('TIKTOK_VERIFIED_URL_PREFIX and titles', () => {
  it('a bare domain covers its subdomains; a URL prefix is matched as a prefix', () => {
    expect(underVerifiedPrefix('https://media.example.com/media/a.mp4', 'example.com')).toBe(true);
    expect(underVerifiedPrefix('https://example.com/media/a.mp4', 'example.com')).toBe(true);
    expect(underVerifiedPrefix('https://badexample.com/a.mp4', 'example.com')).toBe(false);
    expect(underVerifiedPrefix('https://example.com.evil.net/a.mp4', 'example.com')).toBe(false);
    expect(underVerifiedPrefix('https://herald.example.com/media/a.mp4', 'https://herald.example.com/media/')).toBe(
      true,
    );
    expect(underVerifiedPrefix('https://herald.example.com/other/a.mp4', 'https://herald.example.com/media/')).toBe(
      false,
    );
    expect(underVerifiedPrefix('https://herald.example.com/media/a.mp4', null)).toBe(false);
  });

  it('a photo title is the first line, at most 90 UTF-16 units, never half a character', () => {
    expect(photoTitle('Short\nand more')).toBe('Short');
    expect(photoTitle('x'.repeat(120))).toBe('x'.repeat(90));
    expect(photoTitle(`${'x'.repeat(89)}🍞 more`)).toBe('x'.repeat(89));
  });
});

describe('per-token rate budget', () => {
  it('waits for a slot within the bound, else says how long to wait', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T09:00:00Z'));
    const t0 = clock.now();
    const budget = new RateBudget({
      maxWaitMs: 5_000,
      limits: { creatorInfo: 2, videoInit: 1, contentInit: 1, status: 1 },
      clock,
    });
    await budget.take('token-a', 'creatorInfo');
    await budget.take('token-a', 'creatorInfo');
    await budget.take('token-b', 'creatorInfo');
    const err = (await budget.take('token-a', 'creatorInfo').catch((e: unknown) => e)) as PlatformError;
    expect(err).toBeInstanceOf(PlatformError);
    expect([err.kind, err.options.scope]).toEqual(['rate_limited', 'account']);
    expect(err.retryAfterMs).toBeGreaterThan(59_000);
    // 300 ms before the oldest call leaves the window (and the margin Herald keeps): a short wait,
    // well within the bound, then the slot, on the budget's clock.
    clock.set(t0 + 61_001 - 300);
    await budget.take('token-a', 'creatorInfo');
    expect(clock.now()).toBe(t0 + 61_001);
  });
});

describe('TikTok error mapping', () => {
  it.each([
    ['access_token_invalid', 401, 'auth'],
    ['scope_not_authorized', 401, 'auth'],
    ['scope_permission_missed', 401, 'auth'],
    ['invalid_params', 400, 'permanent'],
    ['invalid_param', 400, 'permanent'],
    ['invalid_file_upload', 400, 'permanent'],
    ['rate_limit_exceeded', 429, 'rate_limited'],
    ['internal_error', 500, 'transient'],
    ['spam_risk_too_many_posts', 200, 'rate_limited'],
    ['spam_risk_user_banned_from_posting', 200, 'permanent'],
    ['reached_active_user_cap', 200, 'rate_limited'],
    ['unaudited_client_can_only_post_to_private_accounts', 403, 'permanent'],
    ['url_ownership_unverified', 403, 'permanent'],
    ['privacy_level_option_mismatch', 403, 'rate_limited'],
    ['spam_risk_too_many_pending_share', 403, 'permanent'],
    ['something_new', 403, 'permanent'],
    ['something_new', 503, 'transient'],
  ])('%s (HTTP %i) → %s', (code, status, kind) => {
    const err = v2Error({ status, code, message: 'vendor words' }, false);
    expect([err.kind, err.code]).toEqual([kind, code]);
    if (kind === 'rate_limited') expect(err.retryAfterMs).toBeGreaterThanOrEqual(60_000);
  });

  it('explains the admin-fixable ones in words', () => {
    expect(v2Error({ status: 403, code: 'url_ownership_unverified', message: '' }, true).message).toBe(
      'TikTok can only pull media from a verified domain: ' +
        'set TIKTOK_VERIFIED_URL_PREFIX to the prefix verified in the developer portal, or unset it to upload instead.',
    );
    expect(
      v2Error({ status: 403, code: 'unaudited_client_can_only_post_to_private_accounts', message: '' }, true).message,
    ).toMatch(/audit.*private/);
    expect(
      v2Error({ status: 200, code: 'spam_risk_too_many_posts', message: '' }, false).retryAfterMs,
    ).toBeGreaterThanOrEqual(3 * 3_600_000);
    expect(describeFailReason('video_pull_failed')).toMatch(/could not download the video/);
    expect(describeFailReason('brand_new_reason')).toMatch(/brand_new_reason/);
  });
});

describe('TikTok API client against the fake', () => {
  const APP = { clientKey: 'k', clientSecret: 's' };
  let tt: FakeTikTok;
  let api: TikTokApi;
  let token: string;
  let dataDir: string;

  beforeAll(async () => {
    tt = new FakeTikTok(APP);
    await tt.start();
    dataDir = tempDir();
  });
  afterAll(async () => {
    await tt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    tt.clearFaults();
    tt.user.postingBlock = null;
    const config = loadConfig({
      DATA_DIR: dataDir,
      SECRET_KEY: TEST_SECRET,
      TIKTOK_CLIENT_KEY: APP.clientKey,
      TIKTOK_CLIENT_SECRET: APP.clientSecret,
      TIKTOK_API_URL: tt.url,
    });
    api = new TikTokApi(config.tiktok, { timeoutMs: 2_000, budget: new RateBudget({ maxWaitMs: 0 }) });
    const back = new URL(
      (
        await fetch(
          `${tt.url}/v2/auth/authorize/?client_key=k&scope=user.info.basic,video.publish` +
            '&response_type=code&redirect_uri=https://h.example/cb&state=s',
          { redirect: 'manual' },
        )
      ).headers.get('location')!,
    );
    token = (
      await api.token({
        code: back.searchParams.get('code')!,
        grant_type: 'authorization_code',
        redirect_uri: 'https://h.example/cb',
      })
    ).access_token;
  });

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e as PlatformError,
    );
  const creatorInfo = () =>
    api.call(token, { method: 'POST', path: '/v2/post/publish/creator_info/query/', endpoint: 'creatorInfo' });
  const init = () => api.call(token, { method: 'POST', path: '/v2/post/publish/video/init/', json: {}, sends: true });

  it('reads an HTTP 200 business error from the envelope', async () => {
    tt.user.postingBlock = 'reached_active_user_cap';
    const err = await refusal(creatorInfo());
    expect([err?.kind, err?.code]).toEqual(['rate_limited', 'reached_active_user_cap']);
  });

  it('a 5xx is "try again" for a read but an unknown outcome for init', async () => {
    const fault = {
      kind: 'status' as const,
      status: 500,
      body: { data: {}, error: { code: 'internal_error', message: 'oops', log_id: 'x' } },
    };
    tt.inject({ path: /creator_info/, fault });
    tt.inject({ path: /video\/init/, fault });
    expect((await refusal(creatorInfo()))?.kind).toBe('transient');
    expect((await refusal(init()))?.kind).toBe('unknown_outcome');
    tt.inject({ path: /video\/init/, fault: { kind: 'status', status: 502, body: undefined } });
    expect((await refusal(init()))?.kind).toBe('unknown_outcome');
    tt.inject({ path: /video\/init/, fault: { kind: 'hang' } });
    expect((await refusal(init()))?.kind).toBe('unknown_outcome');
  });

  it('honours Retry-After on a 429', async () => {
    tt.inject({
      path: /creator_info/,
      fault: {
        kind: 'status',
        status: 429,
        headers: { 'retry-after': '42' },
        body: { data: {}, error: { code: 'rate_limit_exceeded', message: '', log_id: 'x' } },
      },
    });
    const err = await refusal(creatorInfo());
    expect([err?.kind, err?.retryAfterMs]).toEqual(['rate_limited', 42_000]);
  });

  it('an init that could not connect at all is transient: nothing left', async () => {
    const closed = new FakeTikTok(APP);
    const url = await closed.start();
    await closed.stop();
    const config = loadConfig({ DATA_DIR: dataDir, SECRET_KEY: TEST_SECRET, TIKTOK_API_URL: url });
    const offline = new TikTokApi(config.tiktok, { timeoutMs: 2_000, budget: new RateBudget({ maxWaitMs: 0 }) });
    const err = await refusal(
      offline.call(token, { method: 'POST', path: '/v2/post/publish/video/init/', json: {}, sends: true }),
    );
    expect(err?.kind).toBe('transient');
  });
});
