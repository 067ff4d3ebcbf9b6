// What Threads accepts, as data for the post editor and the registry
// (docs/platforms/threads.md#limits-and-media).

const MiB = 1024 * 1024;

export const THREADS_LIMITS = {
  /** Characters of post text; newer docs count an emoji as its UTF-8 bytes. */
  text: 500,
  /** Distinct links per post (in the text plus a different link attachment). */
  links: 5,
  topicTag: { min: 1, max: 50, forbidden: ['.', '&'] },
  carousel: { minItems: 2, maxItems: 20 },
  image: {
    mimes: ['image/jpeg', 'image/png'],
    bytes: 8 * MiB,
    /** Wider or taller than 10:1 is refused. */
    maxRatio: 10,
    minWidth: 320,
    maxWidth: 1440,
  },
  video: {
    mimes: ['video/mp4', 'video/quicktime'],
    bytes: 1024 * MiB,
    maxMs: 5 * 60_000,
    maxWidth: 1920,
    minFps: 23,
    maxFps: 60,
    maxRatio: 10,
  },
  altText: 1_000,
  /** Posts published through the API per profile in a rolling 24 hours (the API reports the live value). */
  postsPerDay: 250,
  /** A container not published within this expires. */
  containerLifetimeMs: 24 * 3_600_000,
} as const;

/**
 * Text length as Threads counts it on its newer pages: characters, with each character outside
 * the Basic Multilingual Plane (emoji) costing its UTF-8 bytes.
 */
export function threadsTextLength(text: string): number {
  let n = 0;
  for (const ch of text) n += ch.codePointAt(0)! > 0xffff ? Buffer.byteLength(ch, 'utf8') : 1;
  return n;
}

const URL_IN_TEXT = /https?:\/\/[^\s]+/gi;

/** Distinct links in the text, as Threads counts them against the limit of five. */
export function threadsLinkCount(text: string): number {
  return new Set(text.match(URL_IN_TEXT) ?? []).size;
}
