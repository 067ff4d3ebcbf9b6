import type { FieldErrors } from './errors.js';

/** A platform id ('facebook', 'instagram', …): the networks in src/platforms/registry.ts own the list. */
export type Platform = string;

/** The facts about a media file the limits depend on. */
export interface MediaFacts {
  readonly mime: string;
  readonly size: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly durationMs: number | null;
  /** Frames per second of a video, when known (Reels and Stories check it). */
  readonly frameRate?: number | null;
}

/** A hashtag and a mention as the networks count them (the previews highlight the same). */
export const HASHTAG = /(^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]+/gu;
export const MENTION = /(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_.]+/gu;

export interface CaptionStats {
  readonly characters: number;
  readonly utf16: number;
  readonly hashtags: number;
  readonly mentions: number;
}

export function captionStats(caption: string): CaptionStats {
  return {
    characters: [...caption].length,
    utf16: caption.length,
    hashtags: caption.match(HASHTAG)?.length ?? 0,
    mentions: caption.match(MENTION)?.length ?? 0,
  };
}

export function isImage(m: MediaFacts): boolean {
  return m.mime === 'image/jpeg' || m.mime === 'image/png' || m.mime === 'image/webp';
}
export function isVideo(m: MediaFacts): boolean {
  return m.mime === 'video/mp4' || m.mime === 'video/quicktime';
}

/** The limits the post editor shows and counts against, as plain data (each platform declares its own). */
export interface CaptionLimits {
  readonly characters: number;
  readonly hashtags: number | null;
  readonly mentions: number | null;
  /** Counted in UTF-16 units (TikTok's "runes") rather than characters (code points). */
  readonly countsUtf16: boolean;
}

export function addFieldError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

/** Caption checks every platform shares, from its declared limits; the platform adds its media rules. */
export function checkCaption(errors: FieldErrors, label: string, caption: string, limits: CaptionLimits): void {
  const stats = captionStats(caption);
  const length = limits.countsUtf16 ? stats.utf16 : stats.characters;
  if (length > limits.characters)
    addFieldError(
      errors,
      'caption',
      `${label} allows at most ${limits.characters.toLocaleString('en')} characters ` +
        `(this has ${length.toLocaleString('en')}).`,
    );
  if (limits.hashtags !== null && stats.hashtags > limits.hashtags)
    addFieldError(
      errors,
      'caption',
      `${label} allows at most ${limits.hashtags} hashtags (this has ${stats.hashtags}).`,
    );
  if (limits.mentions !== null && stats.mentions > limits.mentions)
    addFieldError(
      errors,
      'caption',
      `${label} allows at most ${limits.mentions} @-mentions (this has ${stats.mentions}).`,
    );
}
