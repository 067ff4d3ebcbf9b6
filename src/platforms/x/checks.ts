// What X would refuse, checked when a post is written (docs/platforms/x.md#limits-and-media).
import type { FieldErrors } from '../../domain/errors.js';
import { addFieldError, type MediaFacts } from '../../domain/platform-limits.js';
import { splitIntoThread, X_MAX_WEIGHT, xWeightedLength } from './text.js';

/** Limits as data (https://docs.x.com/x-api/media/introduction). */
export const X_LIMITS = {
  images: { max: 4, bytes: 5 * 1024 * 1024, mimes: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] },
  gif: { bytes: 15 * 1024 * 1024 },
  video: { bytes: 512 * 1024 * 1024, minMs: 500, maxMs: 140_000, mimes: ['video/mp4', 'video/quicktime'] },
  /** Replies in one thread Herald will post. */
  threadParts: 25,
} as const;

export function checkXPost(caption: string, media: readonly MediaFacts[], thread: boolean): FieldErrors | null {
  const errors: FieldErrors = {};
  const weight = xWeightedLength(caption);
  if (!caption.trim() && !media.length) addFieldError(errors, 'caption', 'An X post needs text, an image or a video.');
  if (weight > X_MAX_WEIGHT && !thread)
    addFieldError(
      errors,
      'caption',
      `X allows ${X_MAX_WEIGHT} characters, links counting 23 and emoji or CJK characters 2 (this counts ${weight}); ` +
        'shorten it or choose “Split into a thread”.',
    );
  if (thread && splitIntoThread(caption).length > X_LIMITS.threadParts)
    addFieldError(errors, 'caption', `Herald splits a thread into at most ${X_LIMITS.threadParts} posts.`);
  const videos = media.filter((m) => (X_LIMITS.video.mimes as readonly string[]).includes(m.mime));
  const gifs = media.filter((m) => m.mime === 'image/gif');
  if ((videos.length || gifs.length) && media.length > 1)
    addFieldError(errors, 'mediaIds', 'An X post takes one video or one GIF on its own, or up to 4 images.');
  if (media.length > X_LIMITS.images.max) addFieldError(errors, 'mediaIds', 'An X post takes at most 4 images.');
  for (const m of media) {
    const image = (X_LIMITS.images.mimes as readonly string[]).includes(m.mime);
    const video = (X_LIMITS.video.mimes as readonly string[]).includes(m.mime);
    if (!image && !video) addFieldError(errors, 'mediaIds', `X does not take ${m.mime} files.`);
    if (m.mime === 'image/gif' && m.size > X_LIMITS.gif.bytes)
      addFieldError(errors, 'mediaIds', 'X refuses GIFs over 15 MB.');
    else if (image && m.size > X_LIMITS.images.bytes) addFieldError(errors, 'mediaIds', 'X refuses images over 5 MB.');
    if (video && m.size > X_LIMITS.video.bytes) addFieldError(errors, 'mediaIds', 'X refuses videos over 512 MB.');
    if (video && m.durationMs !== null && (m.durationMs < X_LIMITS.video.minMs || m.durationMs > X_LIMITS.video.maxMs))
      addFieldError(errors, 'mediaIds', 'X videos must be between 0.5 seconds and 2 minutes 20 seconds long.');
  }
  return Object.keys(errors).length ? errors : null;
}
