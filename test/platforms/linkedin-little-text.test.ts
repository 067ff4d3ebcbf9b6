import { describe, expect, it } from 'vitest';
import { escapeLittleText, RESERVED } from '../../src/platforms/linkedin/little-text.js';
import { littleTextProblem } from '../fakes/linkedin.js';

describe('escapeLittleText', () => {
  it('escapes each of the 15 reserved characters with one backslash', () => {
    expect(RESERVED).toHaveLength(15);
    for (const ch of RESERVED) expect(escapeLittleText(`a${ch}b`)).toBe(`a\\${ch}b`);
  });

  it('escapes all of them together, backslash first and never twice', () => {
    const all = '\\|{}@[]()<>#*_~';
    expect(escapeLittleText(all)).toBe('\\\\\\|\\{\\}\\@\\[\\]\\(\\)\\<\\>\\#\\*\\_\\~');
    expect(escapeLittleText('C:\\temp\\(x)')).toBe('C:\\\\temp\\\\\\(x\\)');
    expect(littleTextProblem(escapeLittleText(all))).toBeNull();
  });

  it('leaves mentions and #hashtags as elements, and escapes what is around them', () => {
    const text =
      'Launch (finally) with @[Acme Corp](urn:li:organization:1234) and @[Jane](urn:li:person:ab-C_9) #launch #2026';
    expect(escapeLittleText(text)).toBe(
      'Launch \\(finally\\) with @[Acme Corp](urn:li:organization:1234) ' +
        'and @[Jane](urn:li:person:ab-C_9) #launch #2026',
    );
    expect(littleTextProblem(escapeLittleText(text))).toBeNull();
  });

  it('escapes a # or @ that is not an element, and the reserved characters in URLs', () => {
    expect(escapeLittleText('mail me @ home, C# rocks, email a@b.c')).toBe(
      'mail me \\@ home, C\\# rocks, email a\\@b.c',
    );
    expect(escapeLittleText('see https://x.example/a_b_(c)')).toBe('see https://x.example/a\\_b\\_\\(c\\)');
  });

  it('passes ordinary text, emoji and other scripts through unchanged', () => {
    const text = 'Grüße aus Köln! 🎉 Neue Brötchen — 3,50 € & mehr: "ja"?';
    expect(escapeLittleText(text)).toBe(text);
  });
});
