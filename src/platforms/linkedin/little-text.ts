// Post commentary is LinkedIn's "little" text format, not plain text: the reserved characters
// must be backslash-escaped or LinkedIn reads them as syntax and silently cuts the post off there
// (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format,
// docs/platforms/linkedin.md#commentary-escaping).

/** The reserved set of the format's Text rule: backslash first, so escapes are never escaped twice. */
export const RESERVED = ['\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~'] as const;

const RESERVED_CLASS = /[\\|{}@[\]()<>#*_~]/g;
/** Elements kept as written: mentions of a person or organization, and `#word` hashtags. */
const ELEMENT = /@\[[^\]\\]+\]\(urn:li:(?:person|organization):[A-Za-z0-9_-]+\)|(?<![\p{L}\p{N}])#[\p{L}\p{N}]+/gu;

function escapePlain(text: string): string {
  return text.replace(RESERVED_CLASS, (ch) => `\\${ch}`);
}

/**
 * Escapes every reserved character except in mention elements (`@[Name](urn:li:organization:1)`)
 * and plain `#word` hashtags, which stay elements so they render as links.
 */
export function escapeLittleText(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(ELEMENT)) {
    out += escapePlain(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapePlain(text.slice(last));
}

/** The first URL in a text, for link (article) posts. */
export function firstUrl(text: string): string | null {
  const match = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/.exec(text);
  return match ? match[0] : null;
}
