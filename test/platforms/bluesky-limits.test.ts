import { describe, expect, it } from 'vitest';
import type { MediaFacts } from '../../src/domain/platform-limits.js';
import { checkBlueskyPost } from '../../src/platforms/bluesky/limits.js';

// What a Bluesky post may carry, checked when it is written: up to four images, or one MP4 video of
// at most 300 MB in their place (docs/platforms/bluesky.md#video).

const image = (size = 200_000): MediaFacts => ({ mime: 'image/jpeg', size, width: 800, height: 600, durationMs: null });
const video = (size = 5_000_000, mime = 'video/mp4'): MediaFacts => ({
  mime,
  size,
  width: 1080,
  height: 1920,
  durationMs: 30_000,
});

describe('Bluesky write-time checks', () => {
  it('accept one video alone', () => {
    expect(checkBlueskyPost('A clip', [video()])).toBeNull();
    expect(checkBlueskyPost('A clip', [video(300_000_000)])).toBeNull();
  });

  it('refuse a video with images, two videos, a video over 300 MB and one that is not MP4', () => {
    expect(checkBlueskyPost('x', [video(), image()])).toEqual({
      mediaIds: ['A Bluesky post holds either one video or images, not both.'],
    });
    expect(checkBlueskyPost('x', [video(), video()])).toEqual({ mediaIds: ['A Bluesky post holds one video.'] });
    expect(checkBlueskyPost('x', [video(300_000_001)])).toEqual({
      mediaIds: ['Bluesky takes videos up to 300 MB; make the video smaller.'],
    });
    expect(checkBlueskyPost('x', [video(1_000, 'video/quicktime')])).toEqual({
      mediaIds: ['Bluesky takes MP4 videos.'],
    });
  });

  it('still refuse five images and images over 1 MB', () => {
    expect(checkBlueskyPost('x', [image(), image(), image(), image(), image()])?.mediaIds).toEqual([
      'A Bluesky post holds at most 4 images.',
    ]);
    expect(checkBlueskyPost('x', [image(1_000_001)])?.mediaIds).toEqual([
      'Bluesky takes images up to 1 MB; make the image smaller.',
    ]);
  });
});
