import { describe, expect, it } from 'vitest';
import { Preview, type PreviewData, type PreviewMedia } from '../../views/previews/preview.js';
import { cropRatio } from '../../views/previews/preview-spec.js';

const base: PreviewData = {
  platform: 'facebook',
  platformLabel: 'Facebook',
  surface: 'feed',
  accountName: 'Acme Page',
  avatarUrl: '/accounts/acc_1/avatar',
  caption: '',
  firstComment: '',
  media: [],
  link: null,
};

async function html(data: Partial<PreviewData>): Promise<string> {
  return String(await (Preview({ data: { ...base, ...data } }) as unknown as { toString(): unknown }).toString());
}

const image = (w: number, h: number, id = 'm1'): PreviewMedia => ({
  id,
  url: `/media/${id}.jpg`,
  mime: 'image/jpeg',
  altText: '',
  width: w,
  height: h,
  posterUrl: null,
  posterStatus: 'none',
});

const PLATFORMS = [
  'facebook',
  'instagram',
  'tiktok',
  'linkedin',
  'threads',
  'x',
  'bluesky',
  'mastodon',
  'pinterest',
  'youtube',
  'google_business',
  'some_new_network',
];

describe('previews: hostile text', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    'javascript:alert(1)',
    "<a href='javascript:alert(1)'>x</a>",
  ];

  for (const platform of PLATFORMS) {
    it(`${platform}: caption, first comment and account name are escaped, never markup`, async () => {
      const out = await html({
        platform,
        caption: hostile.join(' '),
        firstComment: hostile.join(' '),
        accountName: '</bdi><script>alert(2)</script>',
        media: [image(1080, 1080)],
      });
      expect(out).not.toContain('<script>');
      expect(out).not.toMatch(/<img[^>]*onerror/);
      expect(out).not.toMatch(/href=["']?javascript:/i);
      expect(out).toContain('&lt;script&gt;');
      expect(out).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    });
  }

  it('links stay text: no anchor is made from a caption', async () => {
    const out = await html({ caption: 'Read https://example.com/a?b=1 and javascript:alert(1)' });
    expect(out).toContain('<span class="pv-url">https://example.com/a?b=1</span>');
    expect(out).not.toContain('<a ');
  });

  it('right-to-left and zero-width text is isolated and kept', async () => {
    const caption = '\u202Eevil\u202C שלום \u200B#tag\u200D';
    const out = await html({ platform: 'instagram', caption, media: [image(1080, 1080)] });
    expect(out).toContain('dir="auto"');
    expect(out).toContain('\u202Eevil\u202C');
    expect(out).toContain('\u200B');
  });
});

describe('previews: captions cut where the network cuts them', () => {
  const long = 'word '.repeat(2000).trim(); // 9,999 characters

  it.each([
    ['instagram', 125],
    ['facebook', 480],
    ['linkedin', 210],
    ['tiktok', 100],
  ])('%s cuts at about %i characters with its "more"', async (platform, at) => {
    const out = await html({ platform, caption: long, media: [image(1080, 1080)] });
    const caption = /<p class="pv-caption"[^>]*>([\s\S]*?)<bdi>/.exec(out)?.[1] ?? '';
    expect(caption.length).toBeLessThanOrEqual(at);
    expect(caption.length).toBeGreaterThan(at * 0.8);
    expect(caption.endsWith('word')).toBe(true); // at a word boundary
    expect(out).toContain('class="pv-more"');
    expect(out.length).toBeLessThan(5_000);
  });

  it('a 10,000-character word is cut mid-word', async () => {
    const out = await html({ platform: 'instagram', caption: 'x'.repeat(10_000), media: [image(1080, 1080)] });
    expect(out).toContain(`${'x'.repeat(125)}<bdi>`);
    expect(out).not.toContain('x'.repeat(126));
  });

  it('Facebook also cuts after five lines; a short caption is not cut', async () => {
    const lines = ['one', 'two', 'three', 'four', 'five', 'six'].join('\n');
    expect(await html({ caption: lines })).toContain('five<bdi>… </bdi><span class="pv-more">See more</span>');
    expect(await html({ caption: 'Short #news @friend' })).not.toContain('pv-more');
  });

  it('hashtags and mentions are highlighted with the caption counters’ patterns', async () => {
    const out = await html({ caption: 'Hi @friend.co, fresh #bread! a&#notatag' });
    expect(out).toContain('<span class="pv-mention">@friend.co</span>');
    expect(out).toContain('<span class="pv-hashtag">#bread</span>');
    expect(out).not.toContain('<span class="pv-hashtag">#notatag</span>');
  });
});

describe('previews: media', () => {
  it('Instagram feed crops between 4:5 and 1.91:1; Stories and Reels are 9:16', () => {
    expect(cropRatio('instagram', 'feed', { width: 1000, height: 3000 })).toBe('4-5');
    expect(cropRatio('instagram', 'feed', { width: 1080, height: 1080 })).toBe('1-1');
    expect(cropRatio('instagram', 'feed', { width: 4000, height: 1000 })).toBe('1.91-1');
    expect(cropRatio('instagram', 'story', { width: 4000, height: 1000 })).toBe('9-16');
    expect(cropRatio('facebook', 'reel', { width: 1080, height: 1080 })).toBe('9-16');
    expect(cropRatio('tiktok', 'feed', { width: 1920, height: 1080 })).toBe('9-16');
    expect(cropRatio('youtube', 'feed', { width: 1080, height: 1920 })).toBe('16-9');
  });

  it('a tall image on an Instagram feed post is shown at 4:5; the story full-bleed', async () => {
    expect(await html({ platform: 'instagram', media: [image(1000, 3000)] })).toContain('data-ratio="4-5"');
    const story = await html({ platform: 'instagram', surface: 'story', media: [image(1000, 3000)] });
    expect(story).toContain('class="pv-story"');
    expect(story).toContain('data-ratio="9-16"');
  });

  it('a carousel is a strip with its count', async () => {
    const out = await html({ platform: 'instagram', media: [image(1, 1, 'a'), image(1, 1, 'b'), image(1, 1, 'c')] });
    expect(out).toContain('data-count="3"');
    expect(out).toContain('1/3');
    expect(out.match(/class="pv-frame"/g)).toHaveLength(3);
  });

  it('a video shows its poster with a play badge, or says why there is none', async () => {
    const video: PreviewMedia = {
      ...image(1080, 1920),
      mime: 'video/mp4',
      posterUrl: '/media/p.jpg',
      posterStatus: 'made',
    };
    const withPoster = await html({ platform: 'tiktok', media: [video] });
    expect(withPoster).toContain('src="/media/p.jpg"');
    expect(withPoster).toContain('pv-play');
    const noFfmpeg = await html({
      platform: 'tiktok',
      media: [{ ...video, posterUrl: null, posterStatus: 'no_ffmpeg' }],
    });
    expect(noFfmpeg).toContain('no poster (ffmpeg not installed)');
    expect(noFfmpeg).not.toContain('src="/media/p.jpg"');
  });

  it('the Facebook link card shows an https og:image without a referrer, never an http one', async () => {
    const link = {
      url: 'https://example.com/story',
      title: '<b>Big</b> news',
      description: 'All about it',
      imageUrl: 'https://cdn.example.com/i.jpg',
      siteName: 'Example',
    };
    const out = await html({ caption: 'See https://example.com/story', link });
    expect(out).toContain('referrerpolicy="no-referrer"');
    expect(out).toContain('src="https://cdn.example.com/i.jpg"');
    expect(out).toContain('&lt;b&gt;Big&lt;/b&gt; news');
    const plain = await html({
      caption: 'See https://example.com/story',
      link: { ...link, imageUrl: 'http://x.test/i.jpg' },
    });
    expect(plain).toContain('pv-linkcard');
    expect(plain).not.toContain('x.test/i.jpg');
    // With a photo attached, Facebook shows the photo and no card.
    expect(await html({ caption: 'See https://example.com/story', link, media: [image(1, 1)] })).not.toContain(
      'pv-linkcard',
    );
  });
});
