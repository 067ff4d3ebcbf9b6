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
