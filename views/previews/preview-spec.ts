// How each network shows a post, as far as a preview needs it: where the caption is cut with its
// "… more", and the shapes images are cropped to. These are APPROXIMATIONS of what the apps show
// today (they change by device and by experiment); docs/composer.md#previews says so.
import type { Surface } from '../../src/domain/composer.js';

export interface PreviewSpec {
  /** Characters (code points) shown before the caption is cut; null: never cut. */
  readonly truncateAt: number | null;
  /** Lines shown before the caption is cut (Facebook also cuts a tall caption); null: no line cut. */
  readonly maxLines: number | null;
  readonly moreLabel: string;
  /** The width/height ratios a feed image is cropped to: its own ratio clamped to [min, max]. */
  readonly feedRatio: { readonly min: number; readonly max: number };
  /** The network builds a link card from the first URL's OpenGraph tags (when no media is attached). */
  readonly linkCard: boolean;
}

const FULL_FRAME = 9 / 16;

const spec = (
  truncateAt: number | null,
  maxLines: number | null,
  moreLabel: string,
  min: number,
  max: number,
  linkCard = false,
): PreviewSpec => ({ truncateAt, maxLines, moreLabel, feedRatio: { min, max }, linkCard });

// biome-ignore format: one network per line (characters, lines, "more", narrowest and widest feed crop)
const SPECS: Readonly<Record<string, PreviewSpec>> = {
  facebook:        spec(480, 5, 'See more', 4 / 5, 1.91, true),
  instagram:       spec(125, 2, 'more', 4 / 5, 1.91),
  tiktok:          spec(100, 2, 'more', FULL_FRAME, FULL_FRAME),
  linkedin:        spec(210, 3, '…see more', 4 / 5, 1.91),
  threads:         spec(null, null, 'more', 4 / 5, 1.91),
  x:               spec(280, null, 'Show more', 4 / 5, 16 / 9),
  bluesky:         spec(null, null, 'more', 4 / 5, 16 / 9),
  mastodon:        spec(500, null, 'Show more', 1, 16 / 9),
  pinterest:       spec(100, 2, 'more', 1 / 2.1, 1),
  youtube:         spec(100, 2, '…more', 16 / 9, 16 / 9),
  google_business: spec(150, 3, 'More', 4 / 3, 4 / 3),
};

const GENERIC: PreviewSpec = {
  truncateAt: 300,
  maxLines: null,
  moreLabel: 'more',
  feedRatio: { min: 4 / 5, max: 1.91 },
  linkCard: false,
};

export function previewSpec(platform: string): PreviewSpec {
  return SPECS[platform] ?? GENERIC;
}

/**
 * The ratios the stylesheet knows (public/previews.css `[data-ratio]`), narrow to wide. The CSP
 * forbids inline styles, so a crop is one of these classes rather than a computed style.
 */
const RATIOS = [
  ['9-16', 9 / 16],
  ['1-2.1', 1 / 2.1],
  ['2-3', 2 / 3],
  ['4-5', 4 / 5],
  ['1-1', 1],
  ['4-3', 4 / 3],
  ['16-9', 16 / 9],
  ['1.91-1', 1.91],
] as const;

/** The crop a network shows an image or video in, as a `data-ratio` name of public/previews.css. */
export function cropRatio(
  platform: string,
  surface: Surface,
  size: { readonly width: number | null; readonly height: number | null },
): string {
  // Stories and Reels fill the phone's screen, whatever the file's shape.
  if (surface !== 'feed') return '9-16';
  const { min, max } = previewSpec(platform).feedRatio;
  const own = size.width && size.height ? size.width / size.height : 1;
  const wanted = Math.min(max, Math.max(min, own));
  let best: (typeof RATIOS)[number] = RATIOS[0];
  for (const r of RATIOS) if (Math.abs(Math.log(r[1] / wanted)) < Math.abs(Math.log(best[1] / wanted))) best = r;
  return best[0];
}
