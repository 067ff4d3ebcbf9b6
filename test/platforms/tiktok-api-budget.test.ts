import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RateBudget, TikTokApi } from '../../src/platforms/tiktok/index.js';
import { PlatformError } from '../../src/platforms/types.js';
import { FakeTikTok } from '../fakes/tiktok.js';
import { tempDir, TEST_SECRET } from '../helpers/herald.js';

describe('TikTok API: waiting for the per-token budget', () => {
  let tt: FakeTikTok;
  let dataDir: string;
  let api: TikTokApi;

  beforeEach(async () => {
    tt = new FakeTikTok({ clientKey: 'k', clientSecret: 's' });
    await tt.start();
    dataDir = tempDir();
    const config = loadConfig({
      DATA_DIR: dataDir,
      SECRET_KEY: TEST_SECRET,
      LOG_LEVEL: 'silent',
      TIKTOK_CLIENT_KEY: 'k',
      TIKTOK_CLIENT_SECRET: 's',
      TIKTOK_API_URL: tt.url,
    });
    // One creator-info call a minute, and a caller may wait up to two minutes for the next slot.
    const budget = new RateBudget({
      maxWaitMs: 120_000,
      limits: { creatorInfo: 1, videoInit: 1, contentInit: 1, status: 1 },
    });
    api = new TikTokApi(config.tiktok, { timeoutMs: 2_000, budget });
  });

  afterEach(async () => {
    await tt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an abort while waiting for a slot is a transient PlatformError, and nothing is sent', async () => {
    const creatorInfo = (signal?: AbortSignal) =>
      api.call('some-token', {
        method: 'POST',
        path: '/v2/post/publish/creator_info/query/',
        endpoint: 'creatorInfo',
        ...(signal ? { signal } : {}),
      });
    // The first call uses the minute's only slot (TikTok refuses the unknown token; that is fine).
    await creatorInfo().catch(() => undefined);
    const sent = tt.calls(/creator_info/).length;

    const controller = new AbortController();
    const waiting = creatorInfo(controller.signal).then(
      () => null,
      (e: unknown) => e,
    );
    setTimeout(() => controller.abort(), 30);
    const err = await waiting;
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ kind: 'transient', code: 'aborted' });
    expect(tt.calls(/creator_info/)).toHaveLength(sent);
  });
});
