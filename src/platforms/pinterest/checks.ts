// What Pinterest would refuse, checked when a post is written rather than at publish time
// (docs/platforms/pinterest.md#limits-and-media).
import type { FieldErrors } from '../../domain/errors.js';
import type { MediaFacts } from '../../domain/platform-limits.js';
import { PINTEREST_LIMITS } from './limits.js';

function add(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

const isPinImage = (m: MediaFacts) => (PINTEREST_LIMITS.image.mimes as readonly string[]).includes(m.mime);
const isPinVideo = (m: MediaFacts) => (PINTEREST_LIMITS.video.mimes as readonly string[]).includes(m.mime);

export function checkPinterestPost(caption: string, media: readonly MediaFacts[]): FieldErrors | null {
  const errors: FieldErrors = {};
  const l = PINTEREST_LIMITS;
  const length = [...caption].length;
  if (length > l.description)
    add(errors, 'caption', `A pin description holds at most ${l.description} characters (this has ${length}).`);
  if (media.length === 0) add(errors, 'mediaIds', 'A pin needs an image or a video.');
  const videos = media.filter(isPinVideo);
  if (videos.length > 0 && media.length > 1) add(errors, 'mediaIds', 'A video pin holds one video and nothing else.');
  if (videos.length === 0 && media.length > l.multiImage.maxItems)
    add(errors, 'mediaIds', `A pin holds at most ${l.multiImage.maxItems} images (this has ${media.length}).`);
  for (const m of media) {
    if (!isPinImage(m) && !isPinVideo(m)) add(errors, 'mediaIds', `Pinterest does not take ${m.mime} files.`);
    if (isPinImage(m) && m.size > l.image.bytes) add(errors, 'mediaIds', 'Pinterest refuses images over 20 MB.');
    if (isPinVideo(m) && m.size > l.video.bytes) add(errors, 'mediaIds', 'Pinterest refuses videos over 2 GB.');
    if (isPinVideo(m) && m.durationMs !== null && (m.durationMs < l.video.minMs || m.durationMs > l.video.maxMs))
      add(errors, 'mediaIds', 'Pinterest videos must be between 4 seconds and 15 minutes long.');
    if (isPinVideo(m) && m.width && m.height) {
      const wide = m.width / m.height;
      if (wide > l.video.maxWide + 0.005 || m.height / m.width > l.video.maxTall + 0.005)
        add(errors, 'mediaIds', `Pinterest videos must be between 1.91:1 and 1:2 (this is ${m.width}×${m.height}).`);
    }
  }
  return Object.keys(errors).length ? errors : null;
}
