import { z } from 'zod';
import type { FieldErrors } from '../domain/errors.js';
import type { MediaFacts } from '../domain/platform-limits.js';
import { fieldErrorsOf } from '../domain/validation.js';

/** What the model must answer: a JSON object with one entry per requested post. */
export const draftsSchema = z.object({
  posts: z
    .array(
      z.object({
        caption: z.string().min(1, 'caption is empty'),
        hashtags: z.array(z.string()).default([]),
        imagePrompt: z.string().default(''),
        altText: z.string().default(''),
      }),
    )
    .min(1, 'no posts in the answer'),
});
export type Draft = z.output<typeof draftsSchema>['posts'][number];

/** What drafts are written and checked for: the platform's habits and its own check (src/platforms/network.ts). */
export interface DraftTarget {
  readonly label: string;
  readonly limits: { readonly characters: number; readonly mentions: number | null };
  readonly ai: { readonly style: string; readonly hashtags: number; readonly image: { width: number; height: number } };
  check(caption: string, media: readonly MediaFacts[]): FieldErrors | null;
}

function normalizeTag(tag: string): string | null {
  const t = tag
    .trim()
    .replace(/^#+/, '')
    .replace(/[^\p{L}\p{N}_]/gu, '');
  return t ? `#${t}` : null;
}

/** The caption as published: the text, then the hashtags on their own line (deduplicated). */
export function composeCaption(draft: Draft, platform: DraftTarget): string {
  const inText = new Set((draft.caption.match(/#[\p{L}\p{N}_]+/gu) ?? []).map((t) => t.toLowerCase()));
  const tags = [...new Set(draft.hashtags.map(normalizeTag).filter((t): t is string => t !== null))]
    .filter((t) => !inText.has(t.toLowerCase()))
    .slice(0, platform.ai.hashtags);
  return tags.length ? `${draft.caption.trim()}\n\n${tags.join(' ')}` : draft.caption.trim();
}

/** The media a generated post will carry, for checking limits before the image exists. */
function plannedMedia(platform: DraftTarget, withImage: boolean): MediaFacts[] {
  if (!withImage) return [];
  const { width, height } = platform.ai.image;
  return [{ mime: 'image/jpeg', size: 500_000, width, height, durationMs: null }];
}

/**
 * Parses the model's answer and checks each draft against the platform's limits. Returns the
 * good drafts by position and, for the rest, the reason (fed back to the model on the next try).
 */
export function reviewAnswer(
  content: string,
  expected: number,
  platform: DraftTarget,
  withImage: boolean,
): { drafts: Array<Draft | null>; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return {
      drafts: Array(expected).fill(null),
      problems: ['The answer was not valid JSON. Answer with one JSON object only.'],
    };
  }
  const parsed = draftsSchema.safeParse(json);
  if (!parsed.success) {
    const fields = Object.entries(fieldErrorsOf(parsed.error)).map(([k, v]) => `${k}: ${v.join(', ')}`);
    return {
      drafts: Array(expected).fill(null),
      problems: [`The JSON did not have the required shape (${fields.join('; ')}).`],
    };
  }
  const drafts: Array<Draft | null> = [];
  const problems: string[] = [];
  for (let i = 0; i < expected; i++) {
    const draft = parsed.data.posts[i];
    if (!draft) {
      drafts.push(null);
      problems.push(`Post ${i + 1} was missing.`);
      continue;
    }
    const caption = composeCaption(draft, platform);
    const errors = platform.check(caption, plannedMedia(platform, withImage));
    if (errors?.caption) {
      // The platform check names the limit that applies (a TikTok photo description is not a video caption).
      drafts.push(null);
      problems.push(`Post ${i + 1} is too long or has too many tags: ${errors.caption.join(' ')}`);
      continue;
    }
    drafts.push(draft);
  }
  return { drafts, problems };
}
