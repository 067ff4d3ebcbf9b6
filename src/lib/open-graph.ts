// A page's OpenGraph tags (https://ogp.me/), read from its <head>. A small scanner rather than a
// full HTML parser: only <meta> and <title> matter, and whatever the page holds is treated as data.

export interface OpenGraph {
  readonly title: string | null;
  readonly description: string | null;
  readonly image: string | null;
  readonly siteName: string | null;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decode(value: string): string {
  return value
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, e: string) => {
      if (e[0] !== '#') return NAMED[e.toLowerCase()] ?? whole;
      const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** A tag's attributes, names lower-cased: `a="x"`, `a='x'` or `a=x`. */
function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/g))
    out.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? m[4] ?? '');
  return out;
}

/** The OpenGraph tags of an HTML page (og:* first, then the ordinary title and description). */
export function readOpenGraph(html: string): OpenGraph {
  const end = html.search(/<\/head\s*>/i);
  const head = end >= 0 ? html.slice(0, end) : html;
  const found = new Map<string, string>();
  for (const tag of head.match(/<meta\b[^>]*>/gi) ?? []) {
    const attrs = attributes(tag.slice(5));
    const key = (attrs.get('property') ?? attrs.get('name'))?.toLowerCase();
    const content = attrs.get('content');
    if (key && content !== undefined && !found.has(key)) found.set(key, decode(content));
  }
  const pick = (...keys: string[]) => keys.map((k) => found.get(k)).find((v) => v) ?? null;
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(head)?.[1];
  return {
    title: pick('og:title', 'twitter:title') ?? (title ? decode(title) || null : null),
    description: pick('og:description', 'twitter:description', 'description'),
    image: pick('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image'),
    siteName: pick('og:site_name'),
  };
}
