// Rich text: links, mentions and hashtags are not found by the server, the client sends them as
// facets whose ranges count UTF-8 bytes of the text (docs/platforms/bluesky.md#facets).

export interface Facet {
  readonly index: { readonly byteStart: number; readonly byteEnd: number };
  readonly features: ReadonlyArray<
    | { readonly $type: 'app.bsky.richtext.facet#link'; readonly uri: string }
    | { readonly $type: 'app.bsky.richtext.facet#mention'; readonly did: string }
    | { readonly $type: 'app.bsky.richtext.facet#tag'; readonly tag: string }
  >;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** User-perceived characters, as Bluesky counts its 300-character limit. */
export function graphemeLength(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The byte range of `text.slice(start, end)` (UTF-16 indexes) within `text`. */
function byteRange(text: string, start: number, end: number): Facet['index'] {
  const byteStart = utf8Length(text.slice(0, start));
  return { byteStart, byteEnd: byteStart + utf8Length(text.slice(start, end)) };
}

// Explicit http(s) links only: a bare "example.com" stays text rather than guessing.
const LINK = /(^|[\s(])(https?:\/\/[^\s<>"]+)/giu;
// A handle after "@": labels of letters, digits and hyphens joined by dots (https://atproto.com/specs/handle).
const MENTION = /(^|[\s(])@([a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+)/giu;
// "#" or the full-width "＃", then anything up to a space; trailing punctuation is not part of the tag.
const TAG = /(^|\s)[#＃]([^\s#＃]+)/gu;
const TRAILING_PUNCTUATION = /[\p{P}\p{S}]+$/u;

/** Trailing sentence punctuation is not part of a link, and neither is an unmatched ")". */
function trimLink(url: string): string {
  let out = url.replace(/[.,;:!?'"]+$/, '');
  while (out.endsWith(')') && (out.match(/\(/g)?.length ?? 0) < (out.match(/\)/g)?.length ?? 0)) {
    out = out.slice(0, -1).replace(/[.,;:!?'"]+$/, '');
  }
  return out;
}

export interface DetectOptions {
  /** Handle → DID; null when the handle does not resolve (the mention then stays plain text). */
  resolveMention(handle: string): Promise<string | null>;
}

/** Every link, resolvable mention and hashtag in `text`, in order, with UTF-8 byte ranges. */
export async function detectFacets(text: string, options: DetectOptions): Promise<Facet[]> {
  const facets: Facet[] = [];
  for (const m of text.matchAll(LINK)) {
    const start = m.index + m[1]!.length;
    const uri = trimLink(m[2]!);
    if (!URL.canParse(uri)) continue;
    facets.push({
      index: byteRange(text, start, start + uri.length),
      features: [{ $type: 'app.bsky.richtext.facet#link', uri }],
    });
  }
  for (const m of text.matchAll(MENTION)) {
    const start = m.index + m[1]!.length;
    const handle = m[2]!.replace(/[.-]+$/, '');
    if (!/\.[a-z][a-z0-9-]*$/i.test(handle)) continue;
    const end = start + 1 + handle.length;
    if (overlaps(facets, byteRange(text, start, end))) continue;
    const did = await options.resolveMention(handle.toLowerCase());
    if (!did) continue;
    facets.push({ index: byteRange(text, start, end), features: [{ $type: 'app.bsky.richtext.facet#mention', did }] });
  }
  for (const m of text.matchAll(TAG)) {
    const start = m.index + m[1]!.length;
    const tag = m[2]!.replace(TRAILING_PUNCTUATION, '');
    // A tag is not only digits ("#1") and at most 64 graphemes (the facet lexicon's limit).
    if (!tag || /^\d+$/.test(tag) || graphemeLength(tag) > 64) continue;
    const range = byteRange(text, start, start + m[0]!.length - m[1]!.length - (m[2]!.length - tag.length));
    if (overlaps(facets, range)) continue;
    facets.push({ index: range, features: [{ $type: 'app.bsky.richtext.facet#tag', tag }] });
  }
  return facets.sort((a, b) => a.index.byteStart - b.index.byteStart);
}

function overlaps(facets: readonly Facet[], range: Facet['index']): boolean {
  return facets.some((f) => range.byteStart < f.index.byteEnd && f.index.byteStart < range.byteEnd);
}
