// What a status accepts. Each instance sets its own limits and says them in GET /api/v2/instance
// (docs/platforms/mastodon.md#instance-limits); Herald stores them on the account at connect, reads
// them again before each send, and checks posts against the account's own when they are written.
// Without an instance's word, the defaults of a stock Mastodon 4 apply.
import type { FieldErrors } from '../../domain/errors.js';
import {
  addFieldError as add,
  isImage,
  isVideo,
  type CaptionLimits,
  type MediaFacts,
} from '../../domain/platform-limits.js';

export interface InstanceLimits {
  readonly maxCharacters: number;
  readonly maxMediaAttachments: number;
  /** Every URL counts as this many characters, whatever its length. */
  readonly charactersReservedPerUrl: number;
  readonly imageSizeLimit: number;
  readonly videoSizeLimit: number;
}

/** A stock Mastodon 4.x instance (https://docs.joinmastodon.org/entities/Instance/#configuration). */
export const DEFAULT_LIMITS: InstanceLimits = {
  maxCharacters: 500,
  maxMediaAttachments: 4,
  charactersReservedPerUrl: 23,
  imageSizeLimit: 16_777_216,
  videoSizeLimit: 103_809_024,
};

export const MASTODON_CAPTION_LIMITS: CaptionLimits = {
  characters: DEFAULT_LIMITS.maxCharacters,
  hashtags: null,
  mentions: null,
  countsUtf16: false,
};

/** The limits an instance's GET /api/v2/instance states, each missing one the default. */
export function limitsOf(instance: unknown): InstanceLimits {
  const c = (instance as { configuration?: Record<string, Record<string, unknown>> } | null)?.configuration ?? {};
  const n = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);
  return {
    maxCharacters: n(c.statuses?.max_characters, DEFAULT_LIMITS.maxCharacters),
    maxMediaAttachments: n(c.statuses?.max_media_attachments, DEFAULT_LIMITS.maxMediaAttachments),
    charactersReservedPerUrl: n(c.statuses?.characters_reserved_per_url, DEFAULT_LIMITS.charactersReservedPerUrl),
    imageSizeLimit: n(c.media_attachments?.image_size_limit, DEFAULT_LIMITS.imageSizeLimit),
    videoSizeLimit: n(c.media_attachments?.video_size_limit, DEFAULT_LIMITS.videoSizeLimit),
  };
}

/** The limits stored on an account at connect (`platformData.limits`), each missing one the default. */
export function accountLimits(platformData: Readonly<Record<string, unknown>> | undefined): InstanceLimits {
  const stored = (platformData?.limits ?? {}) as Record<string, unknown>;
  const n = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);
  return {
    maxCharacters: n(stored.maxCharacters, DEFAULT_LIMITS.maxCharacters),
    maxMediaAttachments: n(stored.maxMediaAttachments, DEFAULT_LIMITS.maxMediaAttachments),
    charactersReservedPerUrl: n(stored.charactersReservedPerUrl, DEFAULT_LIMITS.charactersReservedPerUrl),
    imageSizeLimit: n(stored.imageSizeLimit, DEFAULT_LIMITS.imageSizeLimit),
    videoSizeLimit: n(stored.videoSizeLimit, DEFAULT_LIMITS.videoSizeLimit),
  };
}

/** Mastodon's count: code points, each http(s) URL as `charactersReservedPerUrl`, a mention by its local part. */
export function statusLength(text: string, limits: InstanceLimits): number {
  const urls = /https?:\/\/[^\s<>"]+/g;
  let counted = text.replace(urls, '');
  counted = counted.replace(/(^|\s)@([a-z0-9_]+)@[a-z0-9.-]+\.[a-z]+/gi, '$1@$2');
  const urlCount = (text.match(urls) ?? []).length;
  return [...counted].length + urlCount * limits.charactersReservedPerUrl;
}

const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;

export function checkMastodonPost(
  caption: string,
  media: readonly MediaFacts[],
  limits: InstanceLimits = DEFAULT_LIMITS,
  spoilerText = '',
): FieldErrors | null {
  const errors: FieldErrors = {};
  const length = statusLength(caption, limits) + [...spoilerText].length;
  if (length > limits.maxCharacters)
    add(
      errors,
      'caption',
      `This Mastodon instance allows ${limits.maxCharacters} characters, content warning included ` +
        `(this has ${length}).`,
    );
  if (caption.trim() === '' && media.length === 0) add(errors, 'caption', 'A Mastodon post needs text or media.');
  if (media.length > limits.maxMediaAttachments)
    add(errors, 'mediaIds', `This Mastodon instance takes at most ${limits.maxMediaAttachments} files per post.`);
  if (media.some((m) => !isImage(m) && !isVideo(m)))
    add(errors, 'mediaIds', 'Mastodon posts take images and videos only.');
  if (media.some(isVideo) && media.length > 1)
    add(errors, 'mediaIds', 'A Mastodon post with a video holds only that video.');
  if (media.some((m) => isImage(m) && m.size > limits.imageSizeLimit))
    add(errors, 'mediaIds', `This Mastodon instance takes images up to ${mb(limits.imageSizeLimit)}.`);
  if (media.some((m) => isVideo(m) && m.size > limits.videoSizeLimit))
    add(errors, 'mediaIds', `This Mastodon instance takes videos up to ${mb(limits.videoSizeLimit)}.`);
  return Object.keys(errors).length > 0 ? errors : null;
}
