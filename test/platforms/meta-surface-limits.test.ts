import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { MediaFacts } from '../../src/domain/platform-limits.js';
import { createLogger } from '../../src/log.js';
import { Networks } from '../../src/platforms/registry.js';
import { TEST_SECRET } from '../helpers/herald.js';

const MiB = 1024 * 1024;
const networks = new Networks({
  config: loadConfig({ DATA_DIR: '/nonexistent', SECRET_KEY: TEST_SECRET }),
  log: createLogger('silent'),
});

const jpeg: MediaFacts = { mime: 'image/jpeg', size: 500_000, width: 1080, height: 1920, durationMs: null };
const png: MediaFacts = { ...jpeg, mime: 'image/png' };
const video: MediaFacts = {
  mime: 'video/mp4',
  size: 20 * MiB,
  width: 1080,
  height: 1920,
  durationMs: 15_000,
  frameRate: 30,
};
const sec = (s: number): MediaFacts => ({ ...video, durationMs: Math.round(s * 1000) });
const fps = (f: number | null): MediaFacts => ({ ...video, frameRate: f });

const igStory = (media: MediaFacts[], caption = '') => networks.check('instagram', caption, media, null, null, 'story');
const fbReel = (media: MediaFacts[], caption = 'Our new oven') =>
  networks.check('facebook', caption, media, null, null, 'reel');
const fbStory = (media: MediaFacts[], caption = '') => networks.check('facebook', caption, media, null, null, 'story');

describe('Instagram Story checks', () => {
  it('takes exactly one image or video, and no caption', () => {
    expect(igStory([jpeg])).toBeNull();
    expect(igStory([png])).toBeNull();
    expect(igStory([video])).toBeNull();
    expect(igStory([])?.mediaIds?.[0]).toMatch(/exactly 1/);
    expect(igStory([jpeg, jpeg])?.mediaIds?.[0]).toMatch(/exactly 1/);
    expect(igStory([jpeg], 'Hello')?.caption?.[0]).toMatch(/no caption/);
  });

  it.each([
    [2.9, false],
    [3, true],
    [60, true],
    [60.1, false],
  ])('a %s s video passes: %s', (s, ok) => {
    expect(igStory([sec(s)]) === null).toBe(ok);
  });

  it.each([
    [22, false],
    [23, true],
    [24, true],
    [60, true],
    [61, false],
  ])('%s fps passes: %s', (f, ok) => {
    const errors = igStory([fps(f)]);
    expect(errors === null).toBe(ok);
    if (!ok) expect(errors?.mediaIds?.[0]).toMatch(/23 to 60 frames per second/);
  });

  it('keeps images to 8 MB and videos to 100 MB and 1920 columns, with no feed ratio rule', () => {
    expect(igStory([{ ...jpeg, size: 8 * MiB }])).toBeNull();
    expect(igStory([{ ...jpeg, size: 8 * MiB + 1 }])?.mediaIds?.[0]).toMatch(/8 MB/);
    expect(igStory([{ ...video, size: 100 * MiB }])).toBeNull();
    expect(igStory([{ ...video, size: 100 * MiB + 1 }])?.mediaIds?.[0]).toMatch(/100 MB/);
    expect(igStory([{ ...video, width: 1921, height: 3414 }])?.mediaIds?.[0]).toMatch(/1920 pixels wide/);
    expect(igStory([{ ...video, width: 100, height: 1001 }])?.mediaIds?.[0]).toMatch(/1:10 and 10:1/);
    // 1:2 would be refused in the feed (4:5 to 1.91:1); a Story only recommends 9:16.
    expect(igStory([{ ...jpeg, width: 1000, height: 2000 }])).toBeNull();
    expect(networks.check('instagram', 'x', [{ ...jpeg, width: 1000, height: 2000 }])).not.toBeNull();
  });

  it('notes a ratio other than 9:16 and an unknown frame rate instead of refusing them', () => {
    expect(networks.describe('instagram', [jpeg], 'story')).toBeNull();
    expect(networks.describe('instagram', [{ ...jpeg, width: 1080, height: 1080 }], 'story')).toMatch(
      /1080×1080, not 9:16/,
    );
    expect(igStory([fps(null)])).toBeNull();
    expect(networks.describe('instagram', [fps(null)], 'story')).toMatch(/frame rate is unknown/);
  });

  it('takes no first comment', () => {
    expect(networks.takesFirstComment('instagram', 'story')).toBe(false);
  });
});

describe('Facebook Reel checks', () => {
  it('takes one video with its caption as the description, never an image', () => {
    expect(fbReel([video])).toBeNull();
    expect(fbReel([video], '')).toBeNull();
    expect(fbReel([jpeg])?.mediaIds?.[0]).toMatch(/is a video/);
    expect(fbReel([video, video])?.mediaIds?.[0]).toMatch(/exactly 1/);
  });

  it.each([
    [2.9, false],
    [3, true],
    [60, true],
    [60.1, true],
    [90, true],
    [90.1, false],
  ])('a %s s video passes: %s', (s, ok) => {
    expect(fbReel([sec(s)]) === null).toBe(ok);
  });

  it.each([
    [22, false],
    [23, false],
    [24, true],
    [59.94, true],
    [60, true],
  ])('%s fps passes: %s', (f, ok) => {
    expect(fbReel([fps(f)]) === null).toBe(ok);
  });

  it('needs 540×960 at least and a ratio between 9:16 and 16:9', () => {
    expect(fbReel([{ ...video, width: 540, height: 960 }])).toBeNull();
    expect(fbReel([{ ...video, width: 539, height: 959 }])?.mediaIds?.[0]).toMatch(/540×960/);
    expect(fbReel([{ ...video, width: 1920, height: 1080 }])).toBeNull();
    expect(fbReel([{ ...video, width: 1080, height: 2400 }])?.mediaIds?.[0]).toMatch(/between 9:16 and 16:9/);
    expect(networks.describe('facebook', [{ ...video, width: 1920, height: 1080 }], 'reel')).toMatch(/not 9:16/);
  });

  it('counts its caption against the Facebook limits', () => {
    expect(fbReel([video], 'a'.repeat(63_207))?.caption?.[0]).toMatch(/63,206/);
  });
});

describe('Facebook Story checks', () => {
  it('takes one photo up to 4 MB or one video of 3 to 60 s, and no caption', () => {
    expect(fbStory([jpeg])).toBeNull();
    expect(fbStory([{ ...jpeg, size: 4 * MiB }])).toBeNull();
    expect(fbStory([{ ...jpeg, size: 4 * MiB + 1 }])?.mediaIds?.[0]).toMatch(/4 MB/);
    expect(fbStory([{ ...jpeg, mime: 'image/webp' }])?.mediaIds?.[0]).toMatch(/JPEG or PNG/);
    expect(fbStory([jpeg], 'Hi')?.caption?.[0]).toMatch(/no caption/);
    expect(fbStory([sec(2.9)])).not.toBeNull();
    expect(fbStory([sec(3)])).toBeNull();
    expect(fbStory([sec(60)])).toBeNull();
    expect(fbStory([sec(60.1)])?.mediaIds?.[0]).toMatch(/3 to 60 seconds/);
    expect(fbStory([fps(23)])).not.toBeNull();
    expect(fbStory([{ ...video, width: 539, height: 959 }])).not.toBeNull();
  });

  it('takes no first comment, while a Reel does once first comments are declared', () => {
    expect(networks.checkFirstComment('facebook', 'story', 'Link in the comments')?.firstComment?.[0]).toBeTruthy();
    expect(networks.surfaces('facebook').map((s) => s.surface)).toEqual(['feed', 'reel', 'story']);
    expect(networks.surfaces('instagram').map((s) => s.surface)).toEqual(['feed', 'story']);
  });
});
