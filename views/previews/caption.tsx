import { LINK } from '../../src/domain/links.js';
import { HASHTAG, MENTION } from '../../src/domain/platform-limits.js';
import { previewSpec } from './preview-spec.js';

type Segment = { kind: 'text' | 'hashtag' | 'mention' | 'url'; text: string };

/**
 * The caption split into plain text, hashtags, mentions and links, in order. Links are shown as
 * text only: a preview never makes a caption's words into a live link (`javascript:` stays words).
 */
export function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const m of text.matchAll(LINK)) {
    out.push(...tagged(text.slice(at, m.index)));
    out.push({ kind: 'url', text: m[0] });
    at = m.index + m[0].length;
  }
  out.push(...tagged(text.slice(at)));
  return out.filter((s) => s.text !== '');
}

/** Hashtags and mentions, with the patterns the caption limits count (the character before them kept as text). */
function tagged(text: string): Segment[] {
  const found: Array<{ start: number; end: number; kind: 'hashtag' | 'mention' }> = [];
  for (const [pattern, kind] of [
    [HASHTAG, 'hashtag'],
    [MENTION, 'mention'],
  ] as const) {
    for (const m of text.matchAll(pattern)) {
      const start = m.index + (m[1]?.length ?? 0);
      found.push({ start, end: m.index + m[0].length, kind });
    }
  }
  found.sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let at = 0;
  for (const f of found) {
    if (f.start < at) continue;
    out.push({ kind: 'text', text: text.slice(at, f.start) });
    out.push({ kind: f.kind, text: text.slice(f.start, f.end) });
    at = f.end;
  }
  out.push({ kind: 'text', text: text.slice(at) });
  return out;
}

/**
 * The caption as the network first shows it: cut at its character or line limit, back to a word
 * boundary when one is near, or the whole caption (`cut: false`).
 */
export function cutCaption(platform: string, caption: string): { shown: string; cut: boolean } {
  const spec = previewSpec(platform);
  let shown = caption;
  if (spec.maxLines !== null) {
    const lines = shown.split('\n');
    if (lines.length > spec.maxLines) shown = lines.slice(0, spec.maxLines).join('\n');
  }
  const chars = [...shown];
  if (spec.truncateAt !== null && chars.length > spec.truncateAt) {
    shown = chars.slice(0, spec.truncateAt).join('');
    const space = shown.search(/\s\S*$/u);
    // A word boundary within the last fifth of the limit; otherwise cut mid-word (a 10,000-character word).
    if (space > spec.truncateAt * 0.8) shown = shown.slice(0, space);
  }
  shown = shown.replace(/\s+$/u, '');
  return { shown, cut: shown.length < caption.replace(/\s+$/u, '').length };
}

/**
 * A caption with its hashtags, mentions and links marked, cut where the network cuts it with its
 * "… more". All text goes through JSX escaping; `dir="auto"` isolates right-to-left text so it
 * cannot reorder what follows.
 */
export function Caption({ platform, text, full = false }: { platform: string; text: string; full?: boolean }) {
  if (!text.trim()) return null;
  const { shown, cut } = full ? { shown: text, cut: false } : cutCaption(platform, text);
  return (
    <p class="pv-caption" dir="auto" data-cut={cut ? 'true' : undefined}>
      {segments(shown).map((s) => (s.kind === 'text' ? s.text : <span class={`pv-${s.kind}`}>{s.text}</span>))}
      {cut ? (
        <>
          <bdi>… </bdi>
          <span class="pv-more">{previewSpec(platform).moreLabel}</span>
        </>
      ) : null}
    </p>
  );
}
