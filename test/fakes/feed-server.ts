import { createHash } from 'node:crypto';
import { makeImage } from '../helpers/media-fixtures.js';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';

/** One article of the fake blog. */
export interface FeedItem {
  /** The RSS guid or Atom id; omit to test an item keyed by its link. */
  guid?: string;
  title: string;
  link?: string;
  description?: string;
  published: string;
  /** How the picture is declared (a path under /img/ on this server). */
  image?: { path: string; as: 'enclosure' | 'media' | 'img' };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A blog's feeds on 127.0.0.1: RSS 2.0 at /rss.xml (https://www.rssboard.org/rss-specification),
 * Atom at /atom.xml (https://datatracker.ietf.org/doc/html/rfc4287), a broken feed at /broken.xml,
 * a feed too large at /huge.xml and pictures under /img/. Both feeds answer conditional requests
 * like a real server: ETag and Last-Modified on every answer, 304 when If-None-Match or
 * If-Modified-Since says nothing changed.
 */
export class FakeFeedServer extends FakeServer {
  readonly rss: FeedItem[] = [];
  readonly atom: FeedItem[] = [];
  /** What /broken.xml answers: a 500, or text that is not XML. */
  broken: 'status' | 'garbage' = 'status';
  private changed: Record<'rss' | 'atom', number> = { rss: Date.now() - 60_000, atom: Date.now() - 60_000 };
  private picture: Buffer | null = null;

  constructor() {
    super('feeds');
    this.route('GET', /^\/rss\.xml$/, (req) => this.answer(req, 'rss'));
    this.route('GET', /^\/atom\.xml$/, (req) => this.answer(req, 'atom'));
    this.route('GET', /^\/broken\.xml$/, () =>
      this.broken === 'status'
        ? { status: 500, text: 'Internal Server Error' }
        : { text: '<html><body>Not a feed <b>at all', headers: { 'content-type': 'text/html' } },
    );
    // Larger than a feed may be (2 MB), sent without a Content-Length so only counting stops it.
    this.route('GET', /^\/huge\.xml$/, () => ({
      raw: Buffer.from(
        `<rss version="2.0"><channel>${'<item><title>x</title></item>'.repeat(100_000)}</channel></rss>`,
      ),
      headers: { 'content-type': 'application/rss+xml', 'transfer-encoding': 'chunked' },
    }));
    this.route('GET', /^\/img\/.+$/, async () => {
      this.picture ??= await makeImage(800, 600, 'png');
      return { raw: this.picture, headers: { 'content-type': 'image/png' } };
    });
  }

  /** Adds an item at the top of a feed (newest first, as blogs list them). */
  add(feed: 'rss' | 'atom', item: FeedItem): void {
    this[feed].unshift(item);
    this.changed[feed] = Math.max(Date.now(), this.changed[feed] + 1000);
  }

  /** Changes an item in place (a corrected title): same guid, new words. */
  edit(feed: 'rss' | 'atom', guid: string, patch: Partial<FeedItem>): void {
    const item = this[feed].find((i) => i.guid === guid);
    if (!item) throw new Error(`no item ${guid}`);
    Object.assign(item, patch);
    this.changed[feed] = Math.max(Date.now(), this.changed[feed] + 1000);
  }

  /** Answers to a feed that were 304. */
  notModified(feed: 'rss' | 'atom'): number {
    return this.calls(new RegExp(`^/${feed}\\.xml$`)).filter((r) => r.headers['if-none-match'] === this.etag(feed))
      .length;
  }

  etag(feed: 'rss' | 'atom'): string {
    return `"${createHash('sha256').update(this.render(feed)).digest('hex').slice(0, 16)}"`;
  }

  private answer(req: RecordedRequest, feed: 'rss' | 'atom'): Reply {
    const body = this.render(feed);
    const etag = this.etag(feed);
    const lastModified = new Date(Math.floor(this.changed[feed] / 1000) * 1000).toUTCString();
    const headers = { etag, 'last-modified': lastModified };
    const since = req.headers['if-modified-since'] as string | undefined;
    if (req.headers['if-none-match'] === etag || (!req.headers['if-none-match'] && since === lastModified))
      return { status: 304, text: '', headers };
    const type = feed === 'rss' ? 'application/rss+xml' : 'application/atom+xml';
    return { text: body, headers: { ...headers, 'content-type': `${type}; charset=utf-8` } };
  }

  private render(feed: 'rss' | 'atom'): string {
    return feed === 'rss' ? this.renderRss() : this.renderAtom();
  }

  private image(item: FeedItem): { tag: string; html: string } {
    if (!item.image) return { tag: '', html: '' };
    const url = `${this.url}${item.image.path}`;
    if (item.image.as === 'enclosure')
      return { tag: `<enclosure url="${url}" type="image/png" length="1"/>`, html: '' };
    if (item.image.as === 'media') return { tag: `<media:content url="${url}" medium="image"/>`, html: '' };
    return { tag: '', html: `<p><img src="${esc(item.image.path)}" alt=""></p>` };
  }

  private renderRss(): string {
    const items = this.rss.map((i) => {
      const img = this.image(i);
      return [
        '<item>',
        `<title>${esc(i.title)}</title>`,
        i.link ? `<link>${esc(i.link)}</link>` : '',
        i.guid ? `<guid isPermaLink="false">${esc(i.guid)}</guid>` : '',
        `<pubDate>${new Date(i.published).toUTCString()}</pubDate>`,
        `<description>${esc(`${i.description ?? ''}${img.html}`)}</description>`,
        img.tag,
        '</item>',
      ].join('');
    });
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>' +
      `<title>Acme Bakery blog</title><link>${this.url}/</link><description>Bread news</description>` +
      `${items.join('\n')}</channel></rss>`
    );
  }

  private renderAtom(): string {
    const entries = this.atom.map((i) => {
      const img = this.image(i);
      return [
        '<entry>',
        `<title>${esc(i.title)}</title>`,
        i.link ? `<link rel="alternate" href="${esc(i.link)}"/>` : '',
        i.guid ? `<id>${esc(i.guid)}</id>` : '',
        `<updated>${new Date(i.published).toISOString()}</updated>`,
        `<summary type="html">${esc(`${i.description ?? ''}${img.html}`)}</summary>`,
        img.tag,
        '</entry>',
      ].join('');
    });
    return (
      '<?xml version="1.0" encoding="utf-8"?>\n' +
      '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">' +
      '<title>Acme Bakery news</title><id>urn:acme:news</id>' +
      `<updated>${new Date(this.changed.atom).toISOString()}</updated>` +
      `${entries.join('\n')}</feed>`
    );
  }
}
