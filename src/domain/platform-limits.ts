import type { FieldErrors } from './errors.js';

export const PLATFORMS = ['facebook', 'instagram', 'tiktok'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const PLATFORM_LABELS: Record<Platform, string> = {
  facebook: 'Facebook',
  instagram: 'Instagram',
  tiktok: 'TikTok',
};

/** The facts about a media file the limits depend on. */
export interface MediaFacts {
  readonly mime: string;
  readonly size: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly durationMs: number | null;
}

export interface PlatformOptions {
  /** TikTok photo posts need PULL_FROM_URL from a verified domain (TIKTOK_VERIFIED_URL_PREFIX). */
  readonly tiktokPhotosAllowed: boolean;
}

const MiB = 1024 * 1024;

/**
 * Numbers from the vendors' docs (docs/platforms/meta.md#media-requirements, docs/platforms/tiktok.md).
 * Captions are counted the way each platform counts: Instagram and Facebook by characters (code
 * points), TikTok by UTF-16 units ("runes").
 */
export const LIMITS = {
  facebook: { caption: 63_206, hashtags: null, mentions: null, maxImages: 10, imageBytes: 4 * MiB },
  instagram: {
    caption: 2_200,
    hashtags: 30,
    mentions: 20,
    maxItems: 10,
    imageBytes: 8 * MiB,
    minRatio: 4 / 5,
    maxRatio: 1.91,
    minVideoMs: 3_000,
    maxVideoMs: 15 * 60_000,
  },
  tiktok: { caption: 2_200, photoTitle: 90, photoDescription: 4_000, maxPhotos: 35, photoBytes: 20 * MiB },
} as const;

const HASHTAG = /(^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]+/gu;
const MENTION = /(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_.]+/gu;

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

/** The limits the post editor shows and counts against, as plain data. */
export function captionLimits(platform: Platform): {
  characters: number;
  hashtags: number | null;
  mentions: number | null;
  countsUtf16: boolean;
} {
  switch (platform) {
    case 'facebook':
      return { characters: LIMITS.facebook.caption, hashtags: null, mentions: null, countsUtf16: false };
    case 'instagram':
      return {
        characters: LIMITS.instagram.caption,
        hashtags: LIMITS.instagram.hashtags,
        mentions: LIMITS.instagram.mentions,
        countsUtf16: false,
      };
    case 'tiktok':
      return { characters: LIMITS.tiktok.caption, hashtags: null, mentions: null, countsUtf16: true };
  }
}

function add(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

/**
 * Checks a caption and its media against what the platform would accept, so a post that would
 * be refused is refused when it is written, not at publish time. Returns field errors, or null.
 */
export function checkPostForPlatform(
  platform: Platform,
  caption: string,
  media: readonly MediaFacts[],
  options: PlatformOptions,
): FieldErrors | null {
  const errors: FieldErrors = {};
  const stats = captionStats(caption);
  const images = media.filter(isImage);
  const videos = media.filter(isVideo);

  if (platform === 'facebook') {
    if (stats.characters > LIMITS.facebook.caption)
      add(
        errors,
        'caption',
        `Facebook allows at most ${LIMITS.facebook.caption.toLocaleString('en')} characters (this has ${stats.characters.toLocaleString('en')}).`,
      );
    if (!caption.trim() && media.length === 0) add(errors, 'caption', 'A Facebook post needs text or media.');
    if (videos.length > 0 && media.length > 1)
      add(errors, 'mediaIds', 'A Facebook post can have one video, or up to 10 photos, not both.');
    if (images.length > LIMITS.facebook.maxImages)
      add(errors, 'mediaIds', `A Facebook post can have at most ${LIMITS.facebook.maxImages} photos.`);
    for (const image of images) {
      if (image.size > LIMITS.facebook.imageBytes)
        add(errors, 'mediaIds', 'Facebook refuses photos over 4 MB; upload a smaller image.');
    }
  }

  if (platform === 'instagram') {
    const l = LIMITS.instagram;
    if (stats.characters > l.caption)
      add(
        errors,
        'caption',
        `Instagram allows at most ${l.caption.toLocaleString('en')} characters (this has ${stats.characters.toLocaleString('en')}).`,
      );
    if (stats.hashtags > l.hashtags)
      add(errors, 'caption', `Instagram allows at most ${l.hashtags} hashtags (this has ${stats.hashtags}).`);
    if (stats.mentions > l.mentions)
      add(errors, 'caption', `Instagram allows at most ${l.mentions} @-mentions (this has ${stats.mentions}).`);
    if (media.length === 0) add(errors, 'mediaIds', 'An Instagram post needs an image or a video.');
    if (media.length > l.maxItems)
      add(errors, 'mediaIds', `An Instagram carousel holds 2 to ${l.maxItems} items (this has ${media.length}).`);
    for (const image of images) {
      if (image.size > l.imageBytes) add(errors, 'mediaIds', 'Instagram refuses images over 8 MB.');
      if (image.width && image.height) {
        const ratio = image.width / image.height;
        if (ratio < l.minRatio - 0.005 || ratio > l.maxRatio + 0.005) {
          add(
            errors,
            'mediaIds',
            `Instagram needs an aspect ratio between 4:5 and 1.91:1 (this image is ${image.width}×${image.height}).`,
          );
        }
      }
    }
    for (const video of videos) {
      if (video.durationMs !== null && (video.durationMs < l.minVideoMs || video.durationMs > l.maxVideoMs)) {
        add(errors, 'mediaIds', 'Instagram Reels must be between 3 seconds and 15 minutes long.');
      }
    }
  }

  if (platform === 'tiktok') {
    const l = LIMITS.tiktok;
    if (videos.length === 0 && images.length === 0) add(errors, 'mediaIds', 'A TikTok post needs a video or photos.');
    if (videos.length > 0 && media.length > 1) add(errors, 'mediaIds', 'A TikTok post is one video, or photos only.');
    if (videos.length === 1 && stats.utf16 > l.caption)
      add(
        errors,
        'caption',
        `TikTok allows at most ${l.caption.toLocaleString('en')} characters in a video caption (this has ${stats.utf16.toLocaleString('en')}).`,
      );
    if (videos.length === 0 && images.length > 0) {
      if (!options.tiktokPhotosAllowed) {
        add(
          errors,
          'mediaIds',
          'TikTok photo posts need media on a domain verified with TikTok: set TIKTOK_VERIFIED_URL_PREFIX, or post a video instead.',
        );
      }
      if (images.length > l.maxPhotos)
        add(errors, 'mediaIds', `A TikTok photo post holds at most ${l.maxPhotos} photos.`);
      if (images.some((i) => i.mime === 'image/png'))
        add(errors, 'mediaIds', 'TikTok photo posts take JPEG or WebP images, not PNG.');
      if (images.some((i) => i.size > l.photoBytes)) add(errors, 'mediaIds', 'TikTok refuses photos over 20 MB.');
      if (stats.utf16 > l.photoDescription)
        add(
          errors,
          'caption',
          `TikTok allows at most ${l.photoDescription.toLocaleString('en')} characters in a photo description.`,
        );
    }
  }

  return Object.keys(errors).length > 0 ? errors : null;
}
