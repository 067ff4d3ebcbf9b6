import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/lib/feed-parse.js';

const FEED = 'https://blog.acme.test/feed.xml';
const rss = (items: string) =>
  '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" ' +
  `xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>B</title>${items}</channel></rss>`;

describe('parseFeed', () => {
  it('keys an item by guid, else link, else a hash of title and date', () => {
    const items = parseFeed(
      rss(
        '<item><title>A &amp; B</title><link>https://blog.acme.test/a</link><guid isPermaLink="false">g-1</guid>' +
          '<pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate></item>' +
          '<item><title>Linked</title><link>https://blog.acme.test/b</link></item>' +
          '<item><title>Bare</title><pubDate>Tue, 03 Nov 2026 09:00:00 GMT</pubDate></item>',
      ),
      FEED,
    );
    expect(items.map((i) => i.key)).toEqual(['g-1', 'https://blog.acme.test/b', expect.stringMatching(/^sha256:/)]);
    expect(items[0]).toMatchObject({ title: 'A & B', publishedAt: Date.parse('2026-11-02T09:00:00Z') });
    // The hash is stable: the same title and date give the same key.
    expect(
      parseFeed(rss('<item><title>Bare</title><pubDate>Tue, 03 Nov 2026 09:00:00 GMT</pubDate></item>'), FEED)[0]!.key,
    ).toBe(items[2]!.key);
  });

  it('finds the picture: enclosure, media:content, media:thumbnail, then the first <img>, made absolute', () => {
    const images = parseFeed(
      rss(
        '<item><guid>1</guid><title>E</title>' +
          '<enclosure url="https://cdn.test/e.jpg" type="image/jpeg" length="9"/></item>' +
          '<item><guid>2</guid><title>Audio</title><enclosure url="https://cdn.test/a.mp3" type="audio/mpeg"/></item>' +
          '<item><guid>3</guid><title>M</title><media:content url="https://cdn.test/m.png" medium="image"/></item>' +
          '<item><guid>4</guid><title>T</title><media:thumbnail url="https://cdn.test/t.webp"/></item>' +
          '<item><guid>5</guid><title>I</title>' +
          '<content:encoded><![CDATA[<p>Hi <img src="/up/i.jpg?x=1&amp;y=2"></p>]]></content:encoded></item>' +
          '<item><guid>6</guid><title>J</title><description>&lt;img src="javascript:alert(1)"&gt;</description></item>',
      ),
      FEED,
    ).map((i) => i.imageUrl);
    expect(images).toEqual([
      'https://cdn.test/e.jpg',
      null,
      'https://cdn.test/m.png',
      'https://cdn.test/t.webp',
      'https://blog.acme.test/up/i.jpg?x=1&y=2',
      null,
    ]);
  });

  it('reads Atom: id, alternate link, enclosure link; an Atom feed without entries is empty, not broken', () => {
    const atom =
      '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>N</title><id>urn:n</id>' +
      '<entry><id>urn:e:1</id><title>Hello</title><link rel="alternate" href="https://blog.acme.test/h"/>' +
      '<link rel="enclosure" type="image/png" href="https://cdn.test/h.png"/>' +
      '<updated>2026-11-04T08:00:00Z</updated><summary>S</summary></entry></feed>';
    expect(parseFeed(atom, FEED)).toEqual([
      {
        key: 'urn:e:1',
        title: 'Hello',
        link: 'https://blog.acme.test/h',
        summary: 'S',
        publishedAt: Date.parse('2026-11-04T08:00:00Z'),
        imageUrl: 'https://cdn.test/h.png',
      },
    ]);
    expect(parseFeed('<feed xmlns="http://www.w3.org/2005/Atom"><title>N</title></feed>', FEED)).toEqual([]);
  });

  it('says why a document is not a feed', () => {
    expect(() => parseFeed('<html><body>x', FEED)).toThrow('the answer is not well-formed XML');
    expect(() => parseFeed('<html><body>x</body></html>', FEED)).toThrow('not an RSS or Atom feed');
  });
});
