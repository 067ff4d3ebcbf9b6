import { describe, expect, it } from 'vitest';
import { checkLinkedInPost, LINKEDIN_LIMITS } from '../../src/platforms/linkedin/limits.js';

const jpeg = { mime: 'image/jpeg', size: 500_000, width: 1200, height: 900, durationMs: null };
const mp4 = { mime: 'video/mp4', size: 5_000_000, width: 1080, height: 1920, durationMs: 20_000 };

describe('checkLinkedInPost', () => {
  it('accepts text, up to 20 images, or one video', () => {
    expect(checkLinkedInPost('Hello', [])).toEqual({ caption: [], mediaIds: [] });
    expect(checkLinkedInPost('', Array(20).fill(jpeg))).toEqual({ caption: [], mediaIds: [] });
    expect(checkLinkedInPost('clip', [mp4])).toEqual({ caption: [], mediaIds: [] });
  });

  it('counts the commentary after escaping', () => {
    expect(checkLinkedInPost('a'.repeat(LINKEDIN_LIMITS.commentary), []).caption).toEqual([]);
    expect(checkLinkedInPost('('.repeat(1_501), []).caption[0]).toMatch(/at most 3,000 characters \(this has 3,002/);
  });

  it('refuses 21 images, video with images, short or long videos, huge images and other formats', () => {
    expect(checkLinkedInPost('x', Array(21).fill(jpeg)).mediaIds).toHaveLength(1);
    expect(checkLinkedInPost('x', [mp4, jpeg]).mediaIds[0]).toMatch(/one video/);
    expect(checkLinkedInPost('x', [{ ...mp4, durationMs: 2_000 }]).mediaIds[0]).toMatch(/3 seconds/);
    expect(checkLinkedInPost('x', [{ ...mp4, size: 600_000_000 }]).mediaIds[0]).toMatch(/500 MB/);
    expect(checkLinkedInPost('x', [{ ...jpeg, width: 7000, height: 6000 }]).mediaIds[0]).toMatch(/36 megapixels/);
    expect(checkLinkedInPost('x', [{ ...jpeg, mime: 'image/webp' }]).mediaIds[0]).toMatch(/JPEG, PNG or GIF/);
  });
});
