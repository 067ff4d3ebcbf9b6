import { createHash } from 'node:crypto';
import { extractFromXml } from '@extractus/feed-extractor';

/** One article of a feed, as Herald keeps it. */
export interface FeedArticle {
  /** What makes the item the same item however often it is edited: its guid (RSS) or id (Atom), else its link. */
  key: string;
  title: string;
  link: string | null;
  summary: string;
  publishedAt: number | null;
  /** The item's picture (enclosure, media:content, media:thumbnail or the first <img> of its text), absolute. */
  imageUrl: string | null;
}

/** The longest key kept as it is; a longer guid is kept as its hash (the primary key stays small). */
const MAX_KEY = 500;

type Raw = Record<string, unknown>;

/** The text of a parsed XML node: a string, or `#text` of an element with attributes. */
function text(node: unknown): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node).trim();
  if (node && typeof node === 'object' && '#text' in node) return text((node as Raw)['#text']);
  return '';
}

const list = (node: unknown): Raw[] =>
  (Array.isArray(node) ? node : node ? [node] : []).filter((n): n is Raw => !!n && typeof n === 'object');

const attr = (node: Raw, name: string) => text(node[`@_${name}`]);

const looksLikeImage = (url: string) => /\.(jpe?g|png|gif|webp)(\?|#|$)/i.test(url);

/** The item's picture, in the order feeds usually declare one. */
function imageOf(item: Raw): string | null {
  const media = [...list(item['media:content']), ...list(item['media:group']).flatMap((g) => list(g['media:content']))];
  const candidates = [
    // RSS <enclosure url type> (https://www.rssboard.org/rss-specification#ltenclosuregtSubelementOfLtitemgt)
    ...list(item.enclosure)
      .filter((e) => attr(e, 'type').startsWith('image/') || (!attr(e, 'type') && looksLikeImage(attr(e, 'url'))))
      .map((e) => attr(e, 'url')),
    // Media RSS (https://www.rssboard.org/media-rss#media-content)
    ...media
      .filter(
        (m) =>
          attr(m, 'medium') === 'image' ||
          attr(m, 'type').startsWith('image/') ||
          (!attr(m, 'medium') && !attr(m, 'type') && looksLikeImage(attr(m, 'url'))),
      )
      .map((m) => attr(m, 'url')),
    ...list(item['media:thumbnail']).map((m) => attr(m, 'url')),
    // Atom <link rel="enclosure" type="image/…"> (https://datatracker.ietf.org/doc/html/rfc4287#section-4.2.7.2)
    ...list(item.link)
      .filter((l) => attr(l, 'rel') === 'enclosure' && attr(l, 'type').startsWith('image/'))
      .map((l) => attr(l, 'href')),
  ].filter(Boolean);
  if (candidates[0]) return candidates[0];
  for (const field of ['content:encoded', 'description', 'content', 'summary']) {
    const html = text(item[field]);
    const src = /<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/i.exec(html)?.[1];
    if (src) return src.replace(/&amp;/g, '&');
  }
  return null;
}

function absolute(url: string | null, base: string): string | null {
  if (!url || !URL.canParse(url, base)) return null;
  const parsed = new URL(url, base);
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.toString() : null;
}

function keyOf(guid: string, link: string | null, title: string, published: string): string {
  const key = guid || link || `sha256:${createHash('sha256').update(`${title}\n${published}`).digest('hex')}`;
  return key.length > MAX_KEY ? `sha256:${createHash('sha256').update(key).digest('hex')}` : key;
}

/**
 * Reads an RSS 2.0, RSS 1.0 or Atom document Herald downloaded itself (the parser never fetches).
 * Throws with a readable message when the text is not a feed.
 */
export function parseFeed(xml: string, feedUrl: string): FeedArticle[] {
  let data: ReturnType<typeof extractFromXml>;
  try {
    data = extractFromXml(xml, {
      descriptionMaxLen: 500,
      baseUrl: feedUrl,
      // The parser's own id falls back to a hash of the link and date; the guid itself is the key here.
      getExtraEntryFields: (item) => ({ guid: text(item.guid) || text(item.id), image: imageOf(item) }),
    });
  } catch (err) {
    const reason = (err as Error).message;
    // An Atom feed without entries yet is a feed all the same (the parser wants one entry to recognise Atom).
    if (/unrecognized/i.test(reason) && /<feed[\s>]/.test(xml) && !/<entry[\s>]/.test(xml)) return [];
    throw new Error(/not well-formed/i.test(reason) ? 'the answer is not well-formed XML' : 'not an RSS or Atom feed');
  }
  return (data.entries ?? []).map((entry) => {
    const title = (entry.title ?? '').replace(/\s+/g, ' ').trim();
    const link = absolute(entry.link || null, feedUrl);
    const published = entry.published ?? '';
    const time = published ? Date.parse(published) : Number.NaN;
    return {
      key: keyOf(String(entry.guid ?? '').trim(), link, title, published),
      title,
      link,
      summary: (entry.description ?? '').replace(/\s+/g, ' ').trim(),
      publishedAt: Number.isFinite(time) ? time : null,
      // Relative addresses in the feed's text are relative to the feed document (no xml:base support).
      imageUrl: absolute(entry.image as string | null, feedUrl),
    };
  });
}
