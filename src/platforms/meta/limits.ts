// What Facebook and Instagram accept, checked when a post is written
// (docs/platforms/meta.md#media-requirements). Captions are counted in characters (code points).
import type { FieldErrors } from '../../domain/errors.js';
import {
  addFieldError as add,
  checkCaption,
  isImage,
  isVideo,
  type CaptionLimits,
  type MediaFacts,
} from '../../domain/platform-limits.js';

const MiB = 1024 * 1024;

export const FACEBOOK_LIMITS: CaptionLimits = {
  characters: 63_206,
  hashtags: null,
  mentions: null,
  countsUtf16: false,
};
export const INSTAGRAM_LIMITS: CaptionLimits = { characters: 2_200, hashtags: 30, mentions: 20, countsUtf16: false };

const FB = { maxImages: 10, imageBytes: 4 * MiB };
const IG = {
  maxItems: 10,
  imageBytes: 8 * MiB,
  minRatio: 4 / 5,
  maxRatio: 1.91,
  minVideoMs: 3_000,
  maxVideoMs: 15 * 60_000,
};

const result = (errors: FieldErrors) => (Object.keys(errors).length > 0 ? errors : null);

export function checkFacebookPost(caption: string, media: readonly MediaFacts[]): FieldErrors | null {
  const errors: FieldErrors = {};
  const images = media.filter(isImage);
  const videos = media.filter(isVideo);
  checkCaption(errors, 'Facebook', caption, FACEBOOK_LIMITS);
  if (!caption.trim() && media.length === 0) add(errors, 'caption', 'A Facebook post needs text or media.');
  if (videos.length > 0 && media.length > 1)
    add(errors, 'mediaIds', 'A Facebook post can have one video, or up to 10 photos, not both.');
  if (images.length > FB.maxImages) add(errors, 'mediaIds', `A Facebook post can have at most ${FB.maxImages} photos.`);
  for (const image of images) {
    if (image.size > FB.imageBytes)
      add(errors, 'mediaIds', 'Facebook refuses photos over 4 MB; upload a smaller image.');
  }
  return result(errors);
}

export function checkInstagramPost(caption: string, media: readonly MediaFacts[]): FieldErrors | null {
  const errors: FieldErrors = {};
  const images = media.filter(isImage);
  const videos = media.filter(isVideo);
  checkCaption(errors, 'Instagram', caption, INSTAGRAM_LIMITS);
  if (media.length === 0) add(errors, 'mediaIds', 'An Instagram post needs an image or a video.');
  if (media.length > IG.maxItems)
    add(errors, 'mediaIds', `An Instagram carousel holds 2 to ${IG.maxItems} items (this has ${media.length}).`);
  for (const image of images) {
    if (image.size > IG.imageBytes) add(errors, 'mediaIds', 'Instagram refuses images over 8 MB.');
    if (image.width && image.height) {
      const ratio = image.width / image.height;
      if (ratio < IG.minRatio - 0.005 || ratio > IG.maxRatio + 0.005) {
        add(
          errors,
          'mediaIds',
          `Instagram needs an aspect ratio between 4:5 and 1.91:1 (this image is ${image.width}×${image.height}).`,
        );
      }
    }
  }
  for (const video of videos) {
    if (video.durationMs !== null && (video.durationMs < IG.minVideoMs || video.durationMs > IG.maxVideoMs)) {
      add(errors, 'mediaIds', 'Instagram Reels must be between 3 seconds and 15 minutes long.');
    }
  }
  return result(errors);
}

// ---- Stories and Reels (docs/platforms/meta-surfaces.md) -----------------------------------

/** Write-time figures of each surface; docs/platforms/meta-surfaces.md says where each comes from. */
const SURFACE = {
  igStory: {
    imageBytes: 8 * MiB,
    videoBytes: 100 * MiB,
    minVideoMs: 3_000,
    maxVideoMs: 60_000,
    maxWidth: 1920,
    minRatio: 0.1,
    maxRatio: 10,
    minFps: 23,
    maxFps: 60,
  },
  fbReel: { minVideoMs: 3_000, maxVideoMs: 90_000, minShort: 540, minLong: 960, minFps: 24, maxFps: 60 },
  fbStory: { imageBytes: 4 * MiB, maxVideoMs: 60_000 },
} as const;
/** Reels must lie between 9:16 and 16:9 (error 1363040). */
const PORTRAIT = 9 / 16;
const LANDSCAPE = 16 / 9;
/** Pixel sizes are rounded: 1080×1920 and 1079×1920 are both "9:16". */
const RATIO_SLACK = 0.005;
const FB_STORY_IMAGE_MIMES = new Set(['image/jpeg', 'image/png']);

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const isNineSixteen = (m: MediaFacts) =>
  !!m.width && !!m.height && Math.abs(m.width / m.height - PORTRAIT) <= RATIO_SLACK;

function checkDuration(errors: FieldErrors, what: string, video: MediaFacts, min: number, max: number): void {
  if (video.durationMs === null) return;
  if (video.durationMs < min || video.durationMs > max)
    add(
      errors,
      'mediaIds',
      `${what} must be ${min / 1000} to ${max / 1000} seconds long (this video is ${seconds(video.durationMs)}).`,
    );
}

function checkFrameRate(errors: FieldErrors, what: string, video: MediaFacts, min: number, max: number): void {
  const fps = video.frameRate ?? null;
  if (fps === null) return;
  // 29.97 and 59.94 are the usual NTSC rates: compared with a small tolerance, not rounded up.
  if (fps < min - 0.01 || fps > max + 0.01)
    add(errors, 'mediaIds', `${what} needs ${min} to ${max} frames per second (this video has ${fps}).`);
}

/** Reel-grade video: at least 540×960, 9:16 to 16:9, 24–60 fps (docs/platforms/meta-surfaces.md#facebook-reels). */
function checkReelVideo(errors: FieldErrors, what: string, video: MediaFacts): void {
  const { minShort, minLong, minFps, maxFps } = SURFACE.fbReel;
  if (video.width && video.height) {
    const short = Math.min(video.width, video.height);
    const long = Math.max(video.width, video.height);
    if (short < minShort || long < minLong)
      add(
        errors,
        'mediaIds',
        `${what} needs at least ${minShort}×${minLong} pixels (this video is ${video.width}×${video.height}).`,
      );
    const ratio = video.width / video.height;
    if (ratio < PORTRAIT - RATIO_SLACK || ratio > LANDSCAPE + RATIO_SLACK)
      add(errors, 'mediaIds', `${what} must be between 9:16 and 16:9 (this video is ${video.width}×${video.height}).`);
  }
  checkFrameRate(errors, what, video, minFps, maxFps);
}

/** An Instagram Story: one JPEG (PNG and WebP are converted) or one MP4/MOV video. */
export function checkInstagramStory(media: readonly MediaFacts[]): FieldErrors | null {
  const errors: FieldErrors = {};
  const s = SURFACE.igStory;
  const what = 'An Instagram Story';
  for (const item of media) {
    if (isImage(item)) {
      if (item.size > s.imageBytes) add(errors, 'mediaIds', `${what} image must be 8 MB or smaller.`);
      continue;
    }
    if (item.size > s.videoBytes) add(errors, 'mediaIds', `${what} video must be 100 MB or smaller.`);
    checkDuration(errors, what, item, s.minVideoMs, s.maxVideoMs);
    if (item.width && item.height) {
      if (item.width > s.maxWidth)
        add(errors, 'mediaIds', `${what} video can be at most ${s.maxWidth} pixels wide (this is ${item.width}).`);
      const ratio = item.width / item.height;
      if (ratio < s.minRatio || ratio > s.maxRatio)
        add(errors, 'mediaIds', `${what} video must have an aspect ratio between 1:10 and 10:1.`);
    }
    checkFrameRate(errors, what, item, s.minFps, s.maxFps);
  }
  return result(errors);
}

/** A Facebook Reel: one video, 3–90 s, and reel-grade frames. Its caption is the reel's description. */
export function checkFacebookReel(caption: string, media: readonly MediaFacts[]): FieldErrors | null {
  const errors: FieldErrors = {};
  const what = 'A Facebook Reel';
  checkCaption(errors, 'Facebook', caption, FACEBOOK_LIMITS);
  for (const item of media) {
    if (!isVideo(item)) {
      add(errors, 'mediaIds', `${what} is a video; choose a video instead of the image.`);
      continue;
    }
    checkDuration(errors, what, item, SURFACE.fbReel.minVideoMs, SURFACE.fbReel.maxVideoMs);
    checkReelVideo(errors, what, item);
  }
  return result(errors);
}

/** A Facebook Page Story: one JPEG or PNG photo up to 4 MB, or one video as a Reel's but 3–60 s. */
export function checkFacebookStory(media: readonly MediaFacts[]): FieldErrors | null {
  const errors: FieldErrors = {};
  const what = 'A Facebook Story';
  for (const item of media) {
    if (isImage(item)) {
      if (!FB_STORY_IMAGE_MIMES.has(item.mime)) add(errors, 'mediaIds', `${what} photo must be a JPEG or PNG.`);
      if (item.size > SURFACE.fbStory.imageBytes) add(errors, 'mediaIds', `${what} photo must be 4 MB or smaller.`);
      continue;
    }
    checkDuration(errors, what, item, SURFACE.fbReel.minVideoMs, SURFACE.fbStory.maxVideoMs);
    checkReelVideo(errors, what, item);
  }
  return result(errors);
}

/** How a Story or Reel will show these media: a note when not 9:16, or when the frame rate is unknown. */
export function describeVerticalMedia(network: 'Facebook' | 'Instagram', media: readonly MediaFacts[]): string | null {
  const item = media[0];
  if (!item) return null;
  const notes: string[] = [];
  if (item.width && item.height && !isNineSixteen(item))
    notes.push(`it is ${item.width}×${item.height}, not 9:16, so ${network} may show it with bars or cropped`);
  if (isVideo(item) && (item.frameRate ?? null) === null)
    notes.push('its frame rate is unknown, so it could not be checked before publishing');
  return notes.length ? `${notes.join('; ')}.`.replace(/^./, (c) => c.toUpperCase()) : null;
}
