// What Threads would refuse, checked when a post is written rather than at publish time
// (docs/platforms/threads.md#limits-and-media). Pure: the registry calls it with the caption and
// the media facts.
import type { FieldErrors } from '../../domain/errors.js';
import { isImage, isVideo, type MediaFacts } from '../../domain/platform-limits.js';
import { THREADS_LIMITS, threadsLinkCount, threadsTextLength } from './limits.js';

function add(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

export function checkThreadsPost(caption: string, media: readonly MediaFacts[]): FieldErrors | null {
  const errors: FieldErrors = {};
  const l = THREADS_LIMITS;
  const length = threadsTextLength(caption);
  if (length > l.text)
    add(
      errors,
      'caption',
      `Threads allows at most ${l.text} characters, emoji counting as several (this has ${length}).`,
    );
  const links = threadsLinkCount(caption);
  if (links > l.links) add(errors, 'caption', `Threads allows at most ${l.links} links in a post (this has ${links}).`);
  if (!caption.trim() && media.length === 0) add(errors, 'caption', 'A Threads post needs text, an image or a video.');
  if (media.length > l.carousel.maxItems)
    add(errors, 'mediaIds', `A Threads carousel holds 2 to ${l.carousel.maxItems} items (this has ${media.length}).`);
  for (const m of media) {
    if (!isImage(m) && !isVideo(m)) add(errors, 'mediaIds', `Threads does not take ${m.mime} files.`);
    // Other image types go as Herald's JPEG rendition, whose size is not known yet.
    if ((l.image.mimes as readonly string[]).includes(m.mime) && m.size > l.image.bytes)
      add(errors, 'mediaIds', 'Threads refuses images over 8 MB.');
    if (isVideo(m) && m.size > l.video.bytes) add(errors, 'mediaIds', 'Threads refuses videos over 1 GB.');
    if (isVideo(m) && m.durationMs !== null && m.durationMs > l.video.maxMs)
      add(errors, 'mediaIds', 'Threads videos can be at most 5 minutes long.');
    if (m.width && m.height) {
      const ratio = Math.max(m.width / m.height, m.height / m.width);
      const max = isVideo(m) ? l.video.maxRatio : l.image.maxRatio;
      if (ratio > max + 0.005)
        add(errors, 'mediaIds', `Threads refuses media wider or taller than 10:1 (this is ${m.width}×${m.height}).`);
    }
  }
  return Object.keys(errors).length ? errors : null;
}
