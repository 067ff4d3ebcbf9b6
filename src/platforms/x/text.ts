// X's weighted character count and thread splitting (docs/platforms/x.md#counting-characters),
// following the twitter-text v3 configuration
// (https://docs.x.com/fundamentals/counting-characters, https://github.com/twitter/twitter-text):
// text is NFC-normalized; code points in the light ranges weigh 1, every other weighs 2; an emoji
// (with its modifiers and joiners) weighs 2 however many code points it has; a URL weighs 23.

/** The weighted maximum of a standard account's post. */
export const X_MAX_WEIGHT = 280;
/** Every URL, whatever its length, is a t.co link of this weight. */
export const X_URL_WEIGHT = 23;

/** twitter-text v3's ranges of weight 1 (Latin, punctuation and spaces); everything else weighs 2. */
const LIGHT: readonly (readonly [number, number])[] = [
  [0, 4351],
  [8192, 8205],
  [8208, 8223],
  [8242, 8247],
];

// URLs as twitter-text finds them: with a scheme, or a bare host on a common top-level domain.
const TLDS = 'com|org|net|edu|gov|io|co|ai|app|dev|me|info|biz|uk|de|fr|es|it|nl|eu|us|ca|au|jp|ly|tv|gl|be';
const URL_PATTERN = new RegExp(
  `(?:https?:\\/\\/[^\\s]+|(?<![\\p{L}\\p{N}@.\\-_/])(?:[\\p{L}\\p{N}-]+\\.)+(?:${TLDS})(?![\\p{L}\\p{N}-])[^\\s]*)`,
  'giu',
);
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

function trimUrl(url: string): string {
  // Trailing punctuation ends a sentence, not the link.
  return url.replace(/[.,;:!?'")\]]+$/, '');
}

function weightOfPlain(text: string): number {
  let weight = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (EMOJI.test(segment)) {
      weight += 2;
      continue;
    }
    for (const ch of segment) {
      const cp = ch.codePointAt(0)!;
      weight += LIGHT.some(([a, b]) => cp >= a && cp <= b) ? 1 : 2;
    }
  }
  return weight;
}

/** The weighted length X counts against 280. */
export function xWeightedLength(text: string): number {
  const normalized = text.normalize('NFC');
  let weight = 0;
  let last = 0;
  for (const m of normalized.matchAll(URL_PATTERN)) {
    const url = trimUrl(m[0]);
    weight += weightOfPlain(normalized.slice(last, m.index)) + X_URL_WEIGHT;
    last = m.index + url.length;
  }
  return weight + weightOfPlain(normalized.slice(last));
}

/**
 * A long text as a thread: parts of at most `max` weight, cut between paragraphs, then sentences,
 * then words (a word longer than a part is cut by characters). Each part after the first replies
 * to the one before it.
 */
export function splitIntoThread(text: string, max = X_MAX_WEIGHT): string[] {
  const source = text.normalize('NFC').trim();
  if (xWeightedLength(source) <= max) return [source];
  const pieces = source
    .split(/(\n\s*\n)/)
    .flatMap((p) => (/^\n\s*\n$/.test(p) ? [p] : p.split(/(?<=[.!?…])(\s+)/)))
    .flatMap((p) => (xWeightedLength(p) <= max ? [p] : p.split(/(\s+)/)))
    .flatMap((p) => (xWeightedLength(p) <= max ? [p] : [...p]));
  const parts: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const joined = current + piece;
    if (xWeightedLength(joined.trim()) <= max) current = joined;
    else {
      if (current.trim()) parts.push(current.trim());
      current = piece.trimStart();
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** Text as the timeline shows it, for matching: X rewrites links to t.co and appends media links. */
export function comparable(text: string): string {
  return text
    .normalize('NFC')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}
