import { describe, expect, it } from 'vitest';
import { checkXPost } from '../../src/platforms/x/checks.js';
import { splitIntoThread, xWeightedLength } from '../../src/platforms/x/text.js';

// Cases in the manner of twitter-text's conformance file (conformance/validate.yml, WeightedTweetsCounterTest).
describe('X weighted length', () => {
  it('counts Latin 1, CJK 2, an emoji sequence 2 and every URL 23', () => {
    expect(xWeightedLength('Hello world')).toBe(11);
    expect(xWeightedLength('これは日本語')).toBe(12);
    expect(xWeightedLength('🙋🏽')).toBe(2);
    expect(xWeightedLength('👨‍👩‍👧‍👦')).toBe(2);
    expect(xWeightedLength('see https://example.com/a/very/long/path?with=query')).toBe(4 + 23);
    expect(xWeightedLength('visit example.com.')).toBe(6 + 23 + 1);
    expect(xWeightedLength('a'.repeat(280))).toBe(280);
    expect(xWeightedLength('我'.repeat(140))).toBe(280);
  });
  it('normalizes to NFC before counting (e + combining accent is one character)', () => {
    expect(xWeightedLength('cafe\u0301')).toBe(4);
  });
});

describe('threads', () => {
  it('splits a long text at sentence boundaries into parts of at most 280', () => {
    const text = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const parts = splitIntoThread(text);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) expect(xWeightedLength(p)).toBeLessThanOrEqual(280);
    expect(parts.join(' ')).toBe(text);
    expect(splitIntoThread('short')).toEqual(['short']);
  });
  it('the write-time check refuses a long caption unless split into a thread', () => {
    const long = 'word '.repeat(100);
    expect(checkXPost(long, [], false)?.caption?.[0]).toMatch(/Split into a thread/);
    expect(checkXPost(long, [], true)).toBeNull();
    const img = { mime: 'image/jpeg', size: 1000, width: 10, height: 10, durationMs: null };
    const vid = { mime: 'video/mp4', size: 1000, width: 10, height: 10, durationMs: 5000 };
    expect(checkXPost('x', [img, vid], false)?.mediaIds).toBeTruthy();
    expect(checkXPost('x', [img, img, img, img, img], false)?.mediaIds).toBeTruthy();
  });
});
