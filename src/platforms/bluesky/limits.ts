// What an app.bsky.feed.post accepts, checked when a post is written and again before it is sent
// (docs/platforms/bluesky.md#the-post-record, docs/platforms/bluesky.md#images, docs/platforms/bluesky.md#video).
import type { FieldErrors } from '../../domain/errors.js';
import { addFieldError as add, isImage, type CaptionLimits, type MediaFacts } from '../../domain/platform-limits.js';
import { graphemeLength, utf8Length } from './facets.js';

export const BLUESKY_LIMITS = {
  /** Counted in graphemes (Intl.Segmenter), not characters. */
  graphemes: 300,
  utf8Bytes: 3_000,
  maxImages: 4,
  /** Herald's default image cap; see BlueskySettings.imageMaxBytes. */
  imageBytes: 1_000_000,
  /** One video per post, in place of images (docs/platforms/bluesky.md#video). */
  maxVideos: 1,
  /** app.bsky.embed.video's blob limit since 2026-08 (100 MB before). */
  videoBytes: 300_000_000,
} as const;

/**
 * What the post editor counts against. It counts code points, never fewer than Bluesky's graphemes,
 * so the editor may warn early on joined emoji; the check below counts graphemes as Bluesky does.
 */
export const BLUESKY_CAPTION_LIMITS: CaptionLimits = {
  characters: BLUESKY_LIMITS.graphemes,
  hashtags: null,
  mentions: null,
  countsUtf16: false,
};

export function checkBlueskyPost(caption: string, media: readonly MediaFacts[]): FieldErrors | null {
  const errors: FieldErrors = {};
  const graphemes = graphemeLength(caption);
  if (graphemes > BLUESKY_LIMITS.graphemes)
    add(errors, 'caption', `Bluesky allows at most ${BLUESKY_LIMITS.graphemes} characters (this has ${graphemes}).`);
  else if (utf8Length(caption) > BLUESKY_LIMITS.utf8Bytes)
    add(errors, 'caption', 'This text is too long for Bluesky (it holds at most 3,000 bytes of text).');
  const videos = media.filter((m) => m.mime.startsWith('video/'));
  if (videos.length > 0) {
    if (videos.length < media.length)
      add(errors, 'mediaIds', 'A Bluesky post holds either one video or images, not both.');
    else if (videos.length > BLUESKY_LIMITS.maxVideos) add(errors, 'mediaIds', 'A Bluesky post holds one video.');
    if (videos.some((m) => m.mime !== 'video/mp4')) add(errors, 'mediaIds', 'Bluesky takes MP4 videos.');
    if (videos.some((m) => m.size > BLUESKY_LIMITS.videoBytes))
      add(errors, 'mediaIds', 'Bluesky takes videos up to 300 MB; make the video smaller.');
    return Object.keys(errors).length > 0 ? errors : null;
  }
  if (media.some((m) => !isImage(m))) add(errors, 'mediaIds', 'Bluesky posts take JPEG, PNG or WebP images.');
  if (media.length > BLUESKY_LIMITS.maxImages)
    add(errors, 'mediaIds', `A Bluesky post holds at most ${BLUESKY_LIMITS.maxImages} images.`);
  if (media.some((m) => isImage(m) && m.size > BLUESKY_LIMITS.imageBytes))
    add(errors, 'mediaIds', 'Bluesky takes images up to 1 MB; make the image smaller.');
  return Object.keys(errors).length > 0 ? errors : null;
}
