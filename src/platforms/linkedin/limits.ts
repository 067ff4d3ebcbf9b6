// LinkedIn's limits as data, for checking a post when it is written (docs/platforms/linkedin.md#limits).
import type { FieldErrors } from '../../domain/errors.js';
import type { CaptionLimits, MediaFacts } from '../../domain/platform-limits.js';
import { escapeLittleText } from './little-text.js';

const MB = 1_000_000;

export const LINKEDIN_LIMITS = {
  /** Counted on the escaped commentary, which is what LinkedIn stores. */
  commentary: 3_000,
  /** A multi-image post holds 2 to 20 images, images only. */
  minMultiImages: 2,
  maxImages: 20,
  imageMimes: ['image/jpeg', 'image/png', 'image/gif'],
  /** Width × height must stay under this. */
  maxImagePixels: 36_152_320,
  videoMimes: ['video/mp4'],
  minVideoBytes: 75_000,
  maxVideoBytes: 500 * MB,
  minVideoMs: 3_000,
  maxVideoMs: 30 * 60_000,
  altText: 4_086,
} as const;

/**
 * What the post editor counts against. The escaped commentary is measured in UTF-16 units (what
 * the check counts); the editor's count is a guide, the check has the last word.
 */
export const LINKEDIN_CAPTION_LIMITS: CaptionLimits = {
  characters: LINKEDIN_LIMITS.commentary,
  hashtags: null,
  mentions: null,
  countsUtf16: true,
};

export interface LinkedInPostProblems {
  readonly caption: string[];
  readonly mediaIds: string[];
}

/** What LinkedIn would refuse in this caption and media, in words for the person writing it. */
export function checkLinkedInPost(caption: string, media: readonly MediaFacts[]): LinkedInPostProblems {
  const l = LINKEDIN_LIMITS;
  const caption_: string[] = [];
  const mediaIds: string[] = [];
  const escaped = escapeLittleText(caption).length;
  if (escaped > l.commentary)
    caption_.push(
      `LinkedIn allows at most ${l.commentary.toLocaleString('en')} characters (this has ` +
        `${escaped.toLocaleString('en')}, counting the backslashes LinkedIn needs before characters such as ( ) # _).`,
    );
  if (!caption.trim() && media.length === 0) caption_.push('A LinkedIn post needs text or media.');
  const images = media.filter((m) => (l.imageMimes as readonly string[]).includes(m.mime));
  const videos = media.filter((m) => (l.videoMimes as readonly string[]).includes(m.mime));
  if (images.length + videos.length < media.length)
    mediaIds.push('LinkedIn takes JPEG, PNG or GIF images and MP4 videos.');
  if (videos.length > 0 && media.length > 1)
    mediaIds.push('A LinkedIn post is one video, or up to 20 images, not both.');
  if (images.length > l.maxImages) mediaIds.push(`A LinkedIn post holds at most ${l.maxImages} images.`);
  for (const image of images) {
    if (image.width && image.height && image.width * image.height >= l.maxImagePixels)
      mediaIds.push(`LinkedIn refuses images of 36 megapixels or more (this one is ${image.width}×${image.height}).`);
  }
  for (const video of videos) {
    if (video.size < l.minVideoBytes || video.size > l.maxVideoBytes)
      mediaIds.push('LinkedIn takes videos from 75 KB to 500 MB.');
    if (video.durationMs !== null && (video.durationMs < l.minVideoMs || video.durationMs > l.maxVideoMs))
      mediaIds.push('LinkedIn videos must be between 3 seconds and 30 minutes long.');
  }
  return { caption: caption_, mediaIds };
}

/** The problems as the post editor's field errors, or null when LinkedIn would take the post. */
export function linkedInFieldErrors(caption: string, media: readonly MediaFacts[]): FieldErrors | null {
  const { caption: captionProblems, mediaIds } = checkLinkedInPost(caption, media);
  const errors: FieldErrors = {};
  if (captionProblems.length) errors.caption = captionProblems;
  if (mediaIds.length) errors.mediaIds = mediaIds;
  return Object.keys(errors).length ? errors : null;
}
