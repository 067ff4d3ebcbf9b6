// A YouTube video's own fields (title, tags, category, privacy, made for kids, publishAt), the checks
// YouTube would otherwise refuse at upload, and the video resource sent when the upload starts
// (docs/platforms/youtube.md#video-resource). A Short is not a field: YouTube classifies square or
// vertical videos of at most 3 minutes as Shorts itself (docs/platforms/youtube.md#shorts), so the
// check derives it from the media's shape and says which it will be.
import { z } from 'zod';
import type { FieldErrors } from '../../domain/errors.js';
import { addFieldError, isVideo, type MediaFacts } from '../../domain/platform-limits.js';
import type { PostOptions } from '../network.js';

export const YOUTUBE = 'youtube' as const;

export const YOUTUBE_LIMITS = {
  title: 100,
  /** UTF-8 bytes, not characters. */
  descriptionBytes: 5_000,
  tagsTotal: 500,
  shortMaxMs: 3 * 60_000,
  /** Longer needs a verified channel (https://support.google.com/youtube/answer/71673). */
  unverifiedMaxMs: 15 * 60_000,
} as const;

/** Assignable categories in every region Herald's clients are in (videoCategories.list, regionCode=US). */
const CATEGORIES: readonly [string, string][] = [
  ['22', 'People & Blogs'],
  ['1', 'Film & Animation'],
  ['2', 'Autos & Vehicles'],
  ['10', 'Music'],
  ['15', 'Pets & Animals'],
  ['17', 'Sports'],
  ['19', 'Travel & Events'],
  ['20', 'Gaming'],
  ['23', 'Comedy'],
  ['24', 'Entertainment'],
  ['25', 'News & Politics'],
  ['26', 'Howto & Style'],
  ['27', 'Education'],
  ['28', 'Science & Technology'],
];

const empty = (v: string) => v || undefined;

const schema = z
  .object({
    title: z.string({ message: 'must be text' }).trim().transform(empty).optional(),
    tags: z.string({ message: 'must be text' }).trim().transform(empty).optional(),
    category: z
      .enum(CATEGORIES.map(([v]) => v) as [string, ...string[]], { message: 'is not a YouTube category' })
      .default('22'),
    privacy: z
      .enum(['private', 'unlisted', 'public'], { message: 'must be private, unlisted or public' })
      .default('public'),
    madeForKids: z.enum(['no', 'yes'], { message: 'must be yes or no' }).default('no'),
    /** UTC wall clock; YouTube makes a private video public then. */
    publishAt: z
      .string({ message: 'must be a date and time' })
      .trim()
      .refine(
        (v) => v === '' || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v),
        'must be a date and time (YYYY-MM-DDTHH:MM)',
      )
      .transform(empty)
      .optional(),
  })
  .strict();

export type YouTubeOptions = z.output<typeof schema>;

export const YOUTUBE_POST_OPTIONS: PostOptions = {
  schema,
  fields: [
    {
      name: 'title',
      label: 'Video title',
      kind: 'text',
      help: 'At most 100 characters; the caption’s first line when empty.',
    },
    { name: 'tags', label: 'Tags', kind: 'text', help: 'Separated by commas; 500 characters in all.' },
    { name: 'category', label: 'Category', kind: 'select', choices: CATEGORIES },
    {
      name: 'privacy',
      label: 'Visibility',
      kind: 'select',
      choices: [
        ['public', 'Public'],
        ['unlisted', 'Unlisted'],
        ['private', 'Private'],
      ],
      help: 'Until Google audits the server’s project, YouTube keeps every video it uploads private.',
    },
    {
      name: 'madeForKids',
      label: 'Made for kids',
      kind: 'select',
      choices: [
        ['no', 'No, not made for kids'],
        ['yes', 'Yes, made for kids'],
      ],
      help: 'YouTube requires this declaration (COPPA).',
    },
    {
      name: 'publishAt',
      label: 'Goes public at (UTC)',
      kind: 'datetime',
      help: 'Optional: uploads the video private and lets YouTube make it public then.',
    },
  ],
};

export function optionsOf(stored: Readonly<Record<string, unknown>>): YouTubeOptions | null {
  const parsed = schema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** The title: the option, else the caption's first line, cut to 100 characters. */
export function titleOf(caption: string, options: YouTubeOptions): string {
  const raw =
    options.title ??
    caption
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ??
    '';
  return [...raw].slice(0, YOUTUBE_LIMITS.title).join('');
}

export function tagsOf(options: YouTubeOptions): string[] {
  return (options.tags ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** YouTube's count: commas between tags count, a tag with a space counts its quotes. */
export function tagsLength(tags: readonly string[]): number {
  if (tags.length === 0) return 0;
  return tags.reduce((n, t) => n + [...t].length + (t.includes(' ') ? 2 : 0), 0) + tags.length - 1;
}

/** Square or vertical and at most 3 minutes: YouTube will show it as a Short. */
export function isShort(media: MediaFacts): boolean {
  const { width, height, durationMs } = media;
  return (
    width !== null &&
    height !== null &&
    height >= width &&
    durationMs !== null &&
    durationMs <= YOUTUBE_LIMITS.shortMaxMs
  );
}

/**
 * The editor's line on what the post's video will be, by the same rule the publisher uses
 * (`isShort`, docs/platforms/youtube.md#shorts); null when the post is not one video.
 */
export function describeYouTubeVideo(media: readonly MediaFacts[]): string | null {
  const video = media[0];
  if (media.length !== 1 || !video || !isVideo(video)) return null;
  const minutes = YOUTUBE_LIMITS.shortMaxMs / 60_000;
  return isShort(video)
    ? `This video will be published as a YouTube Short (vertical or square, ${minutes} minutes or less).`
    : `This video will be published as a regular YouTube video (it is horizontal or longer than ${minutes} minutes).`;
}

export function checkYouTubePost(
  caption: string,
  media: readonly MediaFacts[],
  stored: Readonly<Record<string, unknown>>,
): FieldErrors | null {
  const errors: FieldErrors = {};
  const options = optionsOf(stored);
  if (!options) return { options: ['The YouTube fields of this post are not valid; enter them again.'] };
  if (media.length !== 1 || !isVideo(media[0]!))
    addFieldError(errors, 'mediaIds', 'A YouTube post is exactly one video (MP4 or MOV).');
  const video = media[0];
  if (video && isVideo(video) && video.durationMs !== null && video.durationMs > YOUTUBE_LIMITS.unverifiedMaxMs)
    addFieldError(
      errors,
      'mediaIds',
      'Videos longer than 15 minutes need a verified YouTube channel; keep it under 15 minutes or verify the channel.',
    );
  const title = titleOf(caption, options);
  if (!title) addFieldError(errors, 'options.title', 'A YouTube video needs a title (or a first line in the caption).');
  if (options.title && [...options.title].length > YOUTUBE_LIMITS.title)
    addFieldError(errors, 'options.title', `A YouTube title is at most ${YOUTUBE_LIMITS.title} characters.`);
  if (/[<>]/.test(title)) addFieldError(errors, 'options.title', 'YouTube does not allow < or > in a title.');
  if (Buffer.byteLength(caption, 'utf8') > YOUTUBE_LIMITS.descriptionBytes)
    addFieldError(errors, 'caption', 'A YouTube description is at most 5,000 bytes (accented letters count double).');
  if (/[<>]/.test(caption)) addFieldError(errors, 'caption', 'YouTube does not allow < or > in a description.');
  if (tagsLength(tagsOf(options)) > YOUTUBE_LIMITS.tagsTotal)
    addFieldError(errors, 'options.tags', 'YouTube allows 500 characters of tags in all (commas and quotes count).');
  if (options.publishAt && options.privacy !== 'private')
    addFieldError(errors, 'options.publishAt', 'A video that goes public later must be uploaded as Private.');
  return Object.keys(errors).length ? errors : null;
}

/** The video resource of the upload's first request. */
export function videoResource(caption: string, options: YouTubeOptions): Record<string, unknown> {
  const tags = tagsOf(options);
  return {
    snippet: {
      title: titleOf(caption, options),
      description: caption,
      ...(tags.length ? { tags } : {}),
      categoryId: options.category,
    },
    status: {
      privacyStatus: options.privacy,
      selfDeclaredMadeForKids: options.madeForKids === 'yes',
      ...(options.publishAt ? { publishAt: `${options.publishAt}:00Z` } : {}),
    },
  };
}
