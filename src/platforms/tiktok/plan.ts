// What prepare decides before anything is sent: privacy, interaction switches, where TikTok gets
// the media from. Saved in the attempt's state so send, confirm and a later lookup read the same.
import { stat } from 'node:fs/promises';
import type { Config } from '../../config.js';
import { PlatformError, type AttemptContext, type PublishMedia } from '../types.js';
import { chunkPlan, type ChunkPlan } from './upload.js';

/** `data` of creator_info/query (docs/platforms/tiktok.md#creator-info). */
export interface CreatorInfo {
  readonly creator_username?: string;
  readonly creator_nickname?: string;
  readonly privacy_level_options?: readonly string[];
  readonly comment_disabled?: boolean;
  readonly duet_disabled?: boolean;
  readonly stitch_disabled?: boolean;
  readonly max_video_post_duration_sec?: number;
}

export interface TikTokPlan {
  readonly kind: 'video' | 'photo';
  readonly privacy: string;
  readonly disableComment: boolean;
  readonly disableDuet: boolean;
  readonly disableStitch: boolean;
  /** From creator info, for the permalink. */
  readonly username: string | null;
  readonly source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  readonly videoUrl?: string;
  readonly upload?: ChunkPlan & { readonly path: string; readonly mime: string };
  readonly photoUrls?: readonly string[];
}

/** Most private first: the fallback when the client's choice is not offered. */
const PRIVACY_MOST_PRIVATE_FIRST = ['SELF_ONLY', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'PUBLIC_TO_EVERYONE'];
const UPLOAD_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];
const PHOTO_TYPES = ['image/jpeg', 'image/webp'];
const MAX_PHOTOS = 35;

/**
 * TIKTOK_VERIFIED_URL_PREFIX is either a URL prefix (exact prefix match) or a bare domain, which
 * TikTok's DNS verification extends to its subdomains (docs/platforms/tiktok.md#pull_from_url-and-verified-domains).
 */
export function underVerifiedPrefix(url: string, prefix: string | null): boolean {
  if (!prefix) return false;
  if (/^https?:\/\//i.test(prefix)) return url.startsWith(prefix);
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  const domain = prefix.toLowerCase().replace(/\.$/, '');
  return host === domain || host.endsWith(`.${domain}`);
}

/**
 * Unaudited apps may only post SELF_ONLY (docs/platforms/tiktok.md#unaudited-apps-and-daily-caps).
 * Audited: the client's setting when the account offers it, else the most private option offered (the
 * audit rules allow no silent "public").
 */
export function choosePrivacy(config: Config, ctx: AttemptContext, options: readonly string[]): string {
  if (!config.tiktok.audited) {
    if (options.includes('SELF_ONLY')) return 'SELF_ONLY';
    throw new PlatformError(
      'permanent',
      `Until Herald's TikTok app passes TikTok's audit it may only post as "only me" (SELF_ONLY), ` +
        `and this account does not offer that (it offers ${options.join(', ') || 'nothing'}).`,
      'self_only_unavailable',
    );
  }
  const wanted = ctx.client.settings.privacy ?? null;
  if (wanted && options.includes(wanted)) return wanted;
  const fallback = PRIVACY_MOST_PRIVATE_FIRST.find((p) => options.includes(p)) ?? options[0];
  if (!fallback)
    throw new PlatformError(
      'permanent',
      'TikTok offers no privacy setting for this account, so it cannot post now.',
      'no_privacy_options',
    );
  if (wanted)
    ctx.log({
      step: 'prepare',
      level: 'warn',
      message: `The account does not offer the client's TikTok privacy ${wanted}; posting as ${fallback}.`,
    });
  return fallback;
}

/**
 * A photo post's title: the caption's first line, at most 90 UTF-16 units
 * (docs/platforms/tiktok.md#photo-posts), not cutting a character in half.
 */
export function photoTitle(caption: string): string {
  const line = caption.split(/\r?\n/, 1)[0]!.trim();
  if (line.length <= 90) return line;
  let cut = 90;
  const code = line.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return line.slice(0, cut);
}

function refuse(message: string, code: string): PlatformError {
  return new PlatformError('permanent', message, code);
}

/** Checks the media against the post types TikTok has and the creator's limits, and picks the source. */
export async function planPost(config: Config, ctx: AttemptContext, creator: CreatorInfo): Promise<TikTokPlan> {
  const videos = ctx.media.filter((m) => m.mime.startsWith('video/'));
  const photos = ctx.media.filter((m) => m.mime.startsWith('image/'));
  if (ctx.media.length === 0) throw refuse('A TikTok post needs a video or photos.', 'no_media');
  if (videos.length > 1 || (videos.length === 1 && photos.length > 0))
    throw refuse('A TikTok post is one video, or photos only.', 'mixed_media');
  if (photos.length > MAX_PHOTOS)
    throw refuse(`A TikTok photo post holds at most ${MAX_PHOTOS} photos.`, 'too_many_photos');

  const privacy = choosePrivacy(config, ctx, creator.privacy_level_options ?? []);
  const base = {
    privacy,
    // Off where the creator switched them off (docs/platforms/tiktok.md#creator-info); duet/stitch do not
    // exist for photos.
    disableComment: creator.comment_disabled === true,
    disableDuet: videos.length === 1 && creator.duet_disabled === true,
    disableStitch: videos.length === 1 && creator.stitch_disabled === true,
    username: creator.creator_username ?? null,
  };
  const prefix = config.tiktok.verifiedUrlPrefix;

  const video = videos[0];
  if (video) {
    const maxSec = creator.max_video_post_duration_sec;
    if (video.durationMs !== null && typeof maxSec === 'number' && video.durationMs > maxSec * 1000) {
      throw refuse(
        `The video is ${Math.ceil(video.durationMs / 1000)} s long; ` +
          `TikTok lets this account post videos of at most ${maxSec} s.`,
        'duration_too_long',
      );
    }
    if (underVerifiedPrefix(video.url, prefix))
      return { kind: 'video', ...base, source: 'PULL_FROM_URL', videoUrl: video.url };
    return {
      kind: 'video',
      ...base,
      source: 'FILE_UPLOAD',
      upload: {
        path: video.path,
        mime: UPLOAD_TYPES.includes(video.mime) ? video.mime : 'video/mp4',
        ...chunkPlan(await fileSize(video)),
      },
    };
  }

  // Photo posts exist only as PULL_FROM_URL from a verified domain (docs/platforms/tiktok.md#photo-posts).
  if (!prefix) {
    throw refuse(
      'TikTok photo posts are pulled from a verified domain only: ' +
        "set TIKTOK_VERIFIED_URL_PREFIX to the domain or URL prefix verified in TikTok's developer portal, " +
        'or post a video instead.',
      'photos_need_verified_prefix',
    );
  }
  const photoUrls: string[] = [];
  for (const photo of photos) photoUrls.push(PHOTO_TYPES.includes(photo.mime) ? photo.url : await photo.jpegUrl());
  const outside = photoUrls.find((u) => !underVerifiedPrefix(u, prefix));
  if (outside) {
    throw refuse(
      'TikTok photo posts are pulled from a verified domain only, ' +
        `and Herald's media address (${new URL(outside).origin}) ` +
        `is not under TIKTOK_VERIFIED_URL_PREFIX (${prefix}): ` +
        "set it to the domain or URL prefix verified in TikTok's developer portal that covers PUBLIC_URL.",
      'photos_need_verified_prefix',
    );
  }
  return { kind: 'photo', ...base, source: 'PULL_FROM_URL', photoUrls };
}

async function fileSize(media: PublishMedia): Promise<number> {
  try {
    return (await stat(media.path)).size;
  } catch {
    throw refuse("The video file is missing from Herald's media folder; upload it again.", 'file_missing');
  }
}

/** The plan prepare saved, read back (also in a later process, from the attempt's JSON state). */
export function savedPlan(state: Readonly<Record<string, unknown>>): TikTokPlan | null {
  const plan = state.tiktok;
  return typeof plan === 'object' && plan !== null && typeof (plan as TikTokPlan).kind === 'string'
    ? (plan as TikTokPlan)
    : null;
}
