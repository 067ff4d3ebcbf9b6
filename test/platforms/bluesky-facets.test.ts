import { describe, expect, it } from 'vitest';
import { detectFacets, graphemeLength } from '../../src/platforms/bluesky/facets.js';
import { isTid, newTid, tidAt } from '../../src/platforms/bluesky/tid.js';

const dids: Record<string, string> = { 'alice.test': 'did:plc:alice', 'bob.bsky.social': 'did:plc:bob' };
const resolveMention = async (handle: string) => dids[handle] ?? null;

/** The text a facet covers, read back by bytes as Bluesky does. */
function covered(text: string, facet: { index: { byteStart: number; byteEnd: number } }): string {
  return Buffer.from(text, 'utf8').subarray(facet.index.byteStart, facet.index.byteEnd).toString('utf8');
}

describe('Bluesky facets', () => {
  it('counts UTF-8 bytes, not UTF-16 units, after emoji and accented letters', async () => {
    const text = 'Grüße 👋🏽 from Zürich! See https://example.com/menü?x=1. cc @alice.test #Brötchen';
    const facets = await detectFacets(text, { resolveMention });
    expect(facets.map((f) => [covered(text, f), f.features[0]])).toEqual([
      ['https://example.com/menü?x=1', { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/menü?x=1' }],
      ['@alice.test', { $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:alice' }],
      ['#Brötchen', { $type: 'app.bsky.richtext.facet#tag', tag: 'Brötchen' }],
    ]);
    // "Grüße " is 8 bytes, the waving hand with its skin tone 8 more: UTF-16 indexes would be off.
    const link = facets[0]!;
    expect(link.index.byteStart).toBe(Buffer.byteLength(text.slice(0, text.indexOf('https'))));
    expect(link.index.byteStart).not.toBe(text.indexOf('https'));
  });

  it('leaves unresolvable mentions, number-only tags, trailing punctuation and e-mail addresses alone', async () => {
    const text = 'Ask @nobody.test or mail me@shop.test (#1, #open!) and (https://shop.test/a_(b)).';
    const facets = await detectFacets(text, { resolveMention });
    expect(facets.map((f) => covered(text, f))).toEqual(['#open', 'https://shop.test/a_(b)']);
  });

  it('handles non-Latin scripts and full-width hashtags', async () => {
    const text = 'こんにちは @bob.bsky.social ＃東京 #日本語';
    const facets = await detectFacets(text, { resolveMention });
    expect(facets.map((f) => covered(text, f))).toEqual(['@bob.bsky.social', '＃東京', '#日本語']);
    expect(facets.map((f) => f.features[0])).toContainEqual({ $type: 'app.bsky.richtext.facet#tag', tag: '東京' });
  });

  it('counts graphemes for the 300 limit', () => {
    expect(graphemeLength('👨‍👩‍👧‍👦')).toBe(1);
    expect(graphemeLength('e\u0301')).toBe(1);
    expect(graphemeLength('abc')).toBe(3);
  });
});

describe('record keys (TIDs)', () => {
  it('are 13 base32-sortable characters that sort by time', () => {
    const a = tidAt(Date.UTC(2026, 10, 30, 12), 0, 0);
    const b = tidAt(Date.UTC(2026, 10, 30, 12) + 1, 0, 0);
    expect(a).toHaveLength(13);
    expect(isTid(a) && isTid(b)).toBe(true);
    expect(a < b).toBe(true);
    expect(isTid(newTid(Date.now()))).toBe(true);
    expect(isTid('3l4qmxyzabc2-')).toBe(false);
  });
});
