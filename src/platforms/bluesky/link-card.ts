// Link cards: Bluesky does not unfurl links itself, the client reads the page's OpenGraph tags and
// sends them as an app.bsky.embed.external (docs/platforms/bluesky.md#link-cards).
import { sniffMime, SNIFF_BYTES } from '../../lib/media-sniff.js';
import { safeDownload } from '../../lib/safe-fetch.js';
import { allowedUrl, type BlueskySettings } from './settings.js';

export interface LinkCard {
  readonly uri: string;
  readonly title: string;
  readonly description: string;
  /** The page's `og:image`, downloaded and sniffed as an image; absent when there is none or it is too big. */
  readonly thumb?: { readonly bytes: Buffer; readonly mime: string };
}

/** external.thumb's limit in app.bsky.embed.external. */
const THUMB_MAX_BYTES = 1_000_000;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

function decode(value: string): string {
  return value
    .replace(/&(amp|lt|gt|quot|apos|#39);/g, (_, e: string) => ENTITIES[e] ?? _)
    .replace(/\s+/g, ' ')
    .trim();
}

/** `<meta property|name="…" content="…">` in either attribute order. */
function meta(html: string, names: readonly string[]): string | null {
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    const key = /\b(?:property|name)\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1]?.toLowerCase();
    if (!key || !names.includes(key)) continue;
    const content = /\bcontent\s*=\s*"([^"]*)"|\bcontent\s*=\s*'([^']*)'/i.exec(tag);
    const value = content?.[1] ?? content?.[2];
    if (value) return decode(value);
  }
  return null;
}

/**
 * The card for the first link of a post, or null when the page cannot be read (the link facet still
 * makes the link clickable). Only HTTPS pages (or a host the settings allow), at most 1 MB of HTML.
 */
export async function fetchLinkCard(
  settings: BlueskySettings,
  uri: string,
  signal?: AbortSignal,
): Promise<LinkCard | null> {
  const url = allowedUrl(settings, uri);
  if (!url) return null;
  if (signal?.aborted) return null;
  try {
    // The link is whatever a caption names: through the safe client, so a name or address on the
    // private network (the cloud metadata service, a neighbour's admin port) is never fetched.
    const page = await safeDownload(url.toString(), {
      allowedHosts: settings.insecureHosts.map((host) => new URL(`http://${host}`).hostname),
      anyPublicHost: true,
      maxBytes: 1_000_000,
      timeoutMs: Math.min(settings.requestTimeoutMs, 10_000),
      accept: 'text/html,application/xhtml+xml',
    });
    if (!(page.contentType ?? '').includes('html')) return null;
    const html = page.bytes.toString('utf8');
    const title =
      meta(html, ['og:title', 'twitter:title']) ?? decode(/<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1] ?? '');
    const description = meta(html, ['og:description', 'twitter:description', 'description']) ?? '';
    const image = meta(html, ['og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image']);
    const thumb = image ? await fetchThumb(settings, image, page.url) : null;
    return { uri, title: title || url.hostname, description, ...(thumb ? { thumb } : {}) };
  } catch {
    return null;
  }
}

/**
 * The card's image, fetched the same safe way as the page (it too is whatever the page names): an
 * image/* answer of at most 1,000,000 bytes whose bytes really are JPEG, PNG or WebP, else null.
 */
async function fetchThumb(
  settings: BlueskySettings,
  image: string,
  pageUrl: string,
): Promise<{ bytes: Buffer; mime: string } | null> {
  if (!URL.canParse(image, pageUrl)) return null;
  const url = allowedUrl(settings, new URL(image, pageUrl).toString());
  if (!url) return null;
  try {
    const file = await safeDownload(url.toString(), {
      allowedHosts: settings.insecureHosts.map((host) => new URL(`http://${host}`).hostname),
      anyPublicHost: true,
      maxBytes: THUMB_MAX_BYTES,
      timeoutMs: Math.min(settings.requestTimeoutMs, 10_000),
      accept: 'image/*',
    });
    if (!(file.contentType ?? '').startsWith('image/')) return null;
    const mime = sniffMime(file.bytes.subarray(0, SNIFF_BYTES));
    return mime?.startsWith('image/') ? { bytes: file.bytes, mime } : null;
  } catch {
    return null;
  }
}
