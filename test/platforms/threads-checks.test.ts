import { describe, expect, it } from 'vitest';
import type { MediaFacts } from '../../src/domain/platform-limits.js';
import { checkThreadsPost, threadsTextLength } from '../../src/platforms/threads/index.js';

const jpeg = (over: Partial<MediaFacts> = {}): MediaFacts => ({
  mime: 'image/jpeg',
  size: 500_000,
  width: 1080,
  height: 1350,
  durationMs: null,
  ...over,
});
const mp4 = (over: Partial<MediaFacts> = {}): MediaFacts => ({
  mime: 'video/mp4',
  size: 20_000_000,
  width: 1080,
  height: 1920,
  durationMs: 30_000,
  ...over,
});

describe('Threads checks when a post is written', () => {
  it('accepts text alone, an image, a video and a mixed carousel', () => {
    expect(checkThreadsPost('Fresh bread at 7.', [])).toBeNull();
    expect(checkThreadsPost('', [jpeg()])).toBeNull();
    expect(checkThreadsPost('Clip', [mp4()])).toBeNull();
    expect(checkThreadsPost('Week', [jpeg(), mp4(), jpeg({ mime: 'image/webp', size: 20_000_000 })])).toBeNull();
  });

  it('counts emoji as their UTF-8 bytes against the 500-character limit', () => {
    expect(threadsTextLength('a😀')).toBe(5);
    expect(checkThreadsPost('x'.repeat(500), [])).toBeNull();
    expect(checkThreadsPost(`${'x'.repeat(497)}😀`, [])?.caption?.[0]).toMatch(/at most 500 characters/);
  });

  it('refuses what Threads refuses: empty posts, six links, 21 items, big or too narrow media, long videos', () => {
    expect(checkThreadsPost('  ', [])?.caption).toHaveLength(1);
    const links = Array.from({ length: 6 }, (_, i) => `https://e.example/${i}`).join(' ');
    expect(checkThreadsPost(links, [])?.caption?.[0]).toMatch(/at most 5 links/);
    expect(
      checkThreadsPost(
        '',
        Array.from({ length: 21 }, () => jpeg()),
      )?.mediaIds?.[0],
    ).toMatch(/2 to 20/);
    expect(checkThreadsPost('', [jpeg({ size: 9 * 1024 * 1024 })])?.mediaIds?.[0]).toMatch(/8 MB/);
    expect(checkThreadsPost('', [jpeg({ width: 3300, height: 300 })])?.mediaIds?.[0]).toMatch(/10:1/);
    expect(checkThreadsPost('', [mp4({ durationMs: 6 * 60_000 })])?.mediaIds?.[0]).toMatch(/5 minutes/);
    expect(checkThreadsPost('', [jpeg({ mime: 'image/gif' })])?.mediaIds?.[0]).toMatch(/image\/gif/);
  });
});
