import { describe, expect, it } from 'vitest';
import { captionStats, type MediaFacts } from '../../src/domain/platform-limits.js';
import { checkFacebookPost, checkInstagramPost } from '../../src/platforms/meta/limits.js';
import { checkTikTokPost } from '../../src/platforms/tiktok/limits.js';

/** Each platform's check, as its network declares it. */
function checkPostForPlatform(
  platform: 'facebook' | 'instagram' | 'tiktok',
  caption: string,
  media: readonly MediaFacts[],
  options: { tiktokPhotosAllowed: boolean },
) {
  if (platform === 'facebook') return checkFacebookPost(caption, media);
  if (platform === 'instagram') return checkInstagramPost(caption, media);
  return checkTikTokPost(caption, media, { photosAllowed: options.tiktokPhotosAllowed });
}

const jpeg = (w = 1080, h = 1080, size = 200_000): MediaFacts => ({
  mime: 'image/jpeg',
  size,
  width: w,
  height: h,
  durationMs: null,
});
const png = (): MediaFacts => ({ mime: 'image/png', size: 100_000, width: 1080, height: 1080, durationMs: null });
const mp4 = (ms = 10_000): MediaFacts => ({
  mime: 'video/mp4',
  size: 5_000_000,
  width: 1080,
  height: 1920,
  durationMs: ms,
});
const opts = { tiktokPhotosAllowed: false };

describe('caption stats', () => {
  it('counts characters, hashtags and mentions', () => {
    const text = 'Fresh bread 🍞 #bakery #berlin with @anna and @bob.b — email a@b.c #1';
    const s = captionStats(text);
    expect(s.hashtags).toBe(3);
    expect(s.mentions).toBe(2);
    expect(s.characters).toBe([...text].length);
    expect(s.utf16).toBeGreaterThan(s.characters);
  });
});

describe('platform limits', () => {
  it('instagram needs media and caps caption, hashtags and mentions', () => {
    expect(checkPostForPlatform('instagram', 'hello', [], opts)?.mediaIds?.[0]).toMatch(/needs an image or a video/);
    expect(checkPostForPlatform('instagram', 'x'.repeat(2201), [jpeg()], opts)?.caption?.[0]).toMatch(/2,200/);
    expect(checkPostForPlatform('instagram', 'x'.repeat(2200), [jpeg()], opts)).toBeNull();
    const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' ');
    expect(checkPostForPlatform('instagram', tags, [jpeg()], opts)?.caption?.[0]).toMatch(/30 hashtags/);
    const mentions = Array.from({ length: 21 }, (_, i) => `@u${i}`).join(' ');
    expect(checkPostForPlatform('instagram', mentions, [jpeg()], opts)?.caption?.[0]).toMatch(/20 @-mentions/);
  });

  it('instagram checks aspect ratio, size, carousel length and reel length', () => {
    expect(checkPostForPlatform('instagram', '', [jpeg(1000, 2000)], opts)?.mediaIds?.[0]).toMatch(/4:5 and 1.91:1/);
    expect(checkPostForPlatform('instagram', '', [jpeg(1080, 1350)], opts)).toBeNull();
    expect(checkPostForPlatform('instagram', '', [jpeg(1080, 1080, 9 * 1024 * 1024)], opts)?.mediaIds?.[0]).toMatch(
      /8 MB/,
    );
    expect(
      checkPostForPlatform(
        'instagram',
        '',
        Array.from({ length: 11 }, () => jpeg()),
        opts,
      )?.mediaIds?.[0],
    ).toMatch(/2 to 10/);
    expect(checkPostForPlatform('instagram', '', [mp4(2000)], opts)?.mediaIds?.[0]).toMatch(/3 seconds/);
    expect(checkPostForPlatform('instagram', 'reel', [mp4()], opts)).toBeNull();
  });

  it('tiktok needs a video, or photos from a verified domain', () => {
    expect(checkPostForPlatform('tiktok', 'hi', [], opts)?.mediaIds?.[0]).toMatch(/video or photos/);
    expect(checkPostForPlatform('tiktok', 'hi', [mp4()], opts)).toBeNull();
    expect(checkPostForPlatform('tiktok', 'hi', [jpeg()], opts)?.mediaIds?.[0]).toMatch(/TIKTOK_VERIFIED_URL_PREFIX/);
    expect(checkPostForPlatform('tiktok', 'hi', [jpeg()], { tiktokPhotosAllowed: true })).toBeNull();
    expect(checkPostForPlatform('tiktok', 'hi', [png()], { tiktokPhotosAllowed: true })?.mediaIds?.[0]).toMatch(
      /not PNG/,
    );
    expect(checkPostForPlatform('tiktok', 'hi', [mp4(), jpeg()], opts)?.mediaIds?.[0]).toMatch(
      /one video, or photos only/,
    );
  });

  it('facebook takes text or media', () => {
    expect(checkPostForPlatform('facebook', '', [], opts)?.caption?.[0]).toMatch(/text or media/);
    expect(checkPostForPlatform('facebook', 'Just words', [], opts)).toBeNull();
    expect(checkPostForPlatform('facebook', '', [jpeg(), jpeg()], opts)).toBeNull();
    expect(checkPostForPlatform('facebook', '', [mp4(), jpeg()], opts)?.mediaIds?.[0]).toMatch(/one video/);
  });
});
