// What TikTok accepts, checked when a post is written (docs/platforms/tiktok.md). Captions are
// counted in UTF-16 units ("runes"); a photo post's description has its own, longer limit.
import type { FieldErrors } from '../../domain/errors.js';
import {
  addFieldError as add,
  captionStats,
  isImage,
  isVideo,
  type CaptionLimits,
  type MediaFacts,
} from '../../domain/platform-limits.js';

const MiB = 1024 * 1024;

export const TIKTOK_LIMITS: CaptionLimits = { characters: 2_200, hashtags: null, mentions: null, countsUtf16: true };
const L = { photoDescription: 4_000, maxPhotos: 35, photoBytes: 20 * MiB };

/** `photosAllowed`: photo posts need PULL_FROM_URL from a verified domain (TIKTOK_VERIFIED_URL_PREFIX). */
export function checkTikTokPost(
  caption: string,
  media: readonly MediaFacts[],
  options: { photosAllowed: boolean },
): FieldErrors | null {
  const errors: FieldErrors = {};
  const stats = captionStats(caption);
  const images = media.filter(isImage);
  const videos = media.filter(isVideo);
  if (videos.length === 0 && images.length === 0) add(errors, 'mediaIds', 'A TikTok post needs a video or photos.');
  if (videos.length > 0 && media.length > 1) add(errors, 'mediaIds', 'A TikTok post is one video, or photos only.');
  if (videos.length === 1 && stats.utf16 > TIKTOK_LIMITS.characters)
    add(
      errors,
      'caption',
      `TikTok allows at most ${TIKTOK_LIMITS.characters.toLocaleString('en')} characters in a video caption ` +
        `(this has ${stats.utf16.toLocaleString('en')}).`,
    );
  if (videos.length === 0 && images.length > 0) {
    if (!options.photosAllowed) {
      add(
        errors,
        'mediaIds',
        'TikTok photo posts need media on a domain verified with TikTok: ' +
          'set TIKTOK_VERIFIED_URL_PREFIX, or post a video instead.',
      );
    }
    if (images.length > L.maxPhotos)
      add(errors, 'mediaIds', `A TikTok photo post holds at most ${L.maxPhotos} photos.`);
    if (images.some((i) => i.mime === 'image/png'))
      add(errors, 'mediaIds', 'TikTok photo posts take JPEG or WebP images, not PNG.');
    if (images.some((i) => i.size > L.photoBytes)) add(errors, 'mediaIds', 'TikTok refuses photos over 20 MB.');
    if (stats.utf16 > L.photoDescription)
      add(
        errors,
        'caption',
        `TikTok allows at most ${L.photoDescription.toLocaleString('en')} characters in a photo description.`,
      );
  }
  return Object.keys(errors).length > 0 ? errors : null;
}
