// Standing guidance for the AI, learned from what a client's reviewers reject and how they edit
// the AI's captions before approving (docs/results.md#learning). Pure: the signals come in, a few
// short lines come out, and an admin's own lines are never rewritten by learning.

export interface CaptionEdit {
  /** Runs of words the reviewer took out, and put in (in caption order, trimmed). */
  readonly removed: string[];
  readonly added: string[];
  readonly lengthBefore: number;
  readonly lengthAfter: number;
  readonly hashtagsRemoved: number;
  readonly emojisRemoved: number;
  readonly exclamationsRemoved: number;
}

export type ReviewSignal =
  | { readonly kind: 'rejection'; readonly postId: string; readonly comment: string }
  | { readonly kind: 'edit'; readonly postId: string; readonly edit: CaptionEdit };

/** The most lines and characters standing guidance may have (learning drops its oldest lines first). */
export const MAX_GUIDANCE_LINES = 8;
export const MAX_GUIDANCE_CHARS = 800;
/** What a learned line ends with: the lines learning owns (and may update or drop). */
const LEARNED = /\s*\(learned from (\d+) reviews?\)$/;

const HASHTAG = /^#[\p{L}\p{N}_]+$/u;
const EMOJI = /\p{Extended_Pictographic}/gu;
const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;

/** Word-level differences between the AI's caption and the one approved (longest common subsequence). */
export function captionEdit(aiCaption: string, approved: string): CaptionEdit {
  const a = aiCaption.split(/\s+/).filter(Boolean).slice(0, 400);
  const b = approved.split(/\s+/).filter(Boolean).slice(0, 400);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const removed: string[] = [];
  const added: string[] = [];
  let out: string[] = [];
  let inn: string[] = [];
  const flush = () => {
    if (out.length) removed.push(out.join(' '));
    if (inn.length) added.push(inn.join(' '));
    out = [];
    inn = [];
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(a[i++]!);
    else inn.push(b[j++]!);
  }
  flush();
  const tags = (words: string[]) => words.filter((w) => HASHTAG.test(w)).length;
  return {
    removed,
    added,
    lengthBefore: aiCaption.trim().length,
    lengthAfter: approved.trim().length,
    hashtagsRemoved: Math.max(0, tags(a) - tags(b)),
    emojisRemoved: Math.max(0, count(aiCaption, EMOJI) - count(approved, EMOJI)),
    exclamationsRemoved: Math.max(0, count(aiCaption, /!/g) - count(approved, /!/g)),
  };
}

const clip = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const quote = (text: string, max = 60) => `“${clip(text, max)}”`;
const COMMENT_CHARS = 120;

/** One line for people: "shortened by 40%; removed “amazing”; added “Book via the link”". */
export function describeEdit(edit: CaptionEdit): string {
  const parts: string[] = [];
  const change = edit.lengthBefore ? Math.round((1 - edit.lengthAfter / edit.lengthBefore) * 100) : 0;
  if (change >= 10) parts.push(`shortened by ${change}%`);
  else if (change <= -10) parts.push(`lengthened by ${-change}%`);
  if (edit.removed.length)
    parts.push(
      `removed ${edit.removed
        .slice(0, 3)
        .map((r) => quote(r, 40))
        .join(', ')}`,
    );
  if (edit.added.length)
    parts.push(
      `added ${edit.added
        .slice(0, 3)
        .map((r) => quote(r, 40))
        .join(', ')}`,
    );
  return parts.join('; ') || 'unchanged';
}

/** A phrase worth remembering: not a hashtag, not a bare number or stop word. */
function phrasesOf(runs: readonly string[]): string[] {
  return runs
    .map((r) =>
      r
        .split(' ')
        .filter((w) => !w.startsWith('#'))
        .join(' ')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s'-]/gu, '')
        .trim(),
    )
    .filter((r) => r.length >= 4 && r.split(' ').length <= 4 && !/^\d+$/.test(r));
}

/** A comment's key: as quoted in its line (clipped), so the line can be found again. */
function normaliseComment(comment: string): string {
  return clip(comment, COMMENT_CHARS)
    .replace(/…$/, '')
    .toLowerCase()
    .replace(/[.!]+$/, '')
    .trim();
}

const reviews = (n: number) => `(learned from ${n} review${n === 1 ? '' : 's'})`;

/** Learned lines by key (the theme a line is about), from the signals, most recent first. */
export function learnedLines(signals: readonly ReviewSignal[]): Map<string, string> {
  const lines = new Map<string, string>();
  const edits = signals.flatMap((s) => (s.kind === 'edit' ? [s.edit] : []));
  const shortened = edits.filter((e) => e.lengthBefore > 0 && e.lengthAfter < e.lengthBefore * 0.8);
  if (shortened.length >= 2) {
    const cut = Math.round(100 * (1 - avgOf(shortened.map((e) => e.lengthAfter / e.lengthBefore))));
    const target = Math.round(avgOf(shortened.map((e) => e.lengthAfter)) / 10) * 10;
    lines.set(
      'shorter',
      `Keep captions short (about ${target} characters): reviewers cut them by ${cut}% ${reviews(shortened.length)}`,
    );
  }
  const themes: Array<[string, (e: CaptionEdit) => number, string]> = [
    ['hashtags', (e) => e.hashtagsRemoved, 'Use fewer hashtags: reviewers removed them'],
    ['emojis', (e) => e.emojisRemoved, 'Use fewer emojis: reviewers removed them'],
    ['exclamations', (e) => e.exclamationsRemoved, 'Use fewer exclamation marks: reviewers removed them'],
  ];
  for (const [key, of, text] of themes) {
    const n = edits.filter((e) => of(e) > 0).length;
    if (n >= 2) lines.set(key, `${text} ${reviews(n)}`);
  }
  const recurring = (runs: (e: CaptionEdit) => readonly string[]) => {
    const seen = new Map<string, number>();
    for (const e of edits) for (const p of new Set(phrasesOf(runs(e)))) seen.set(p, (seen.get(p) ?? 0) + 1);
    return [...seen].filter(([, n]) => n >= 2).sort((x, y) => y[1] - x[1]);
  };
  const removed = recurring((e) => e.removed).slice(0, 4);
  if (removed.length)
    lines.set(
      'removed',
      `Avoid words reviewers keep removing: ${removed.map(([p]) => quote(p, 30)).join(', ')} ` +
        reviews(Math.max(...removed.map(([, n]) => n))),
    );
  const added = recurring((e) => e.added).slice(0, 3);
  if (added.length)
    lines.set(
      'added',
      `Reviewers keep adding: ${added.map(([p]) => quote(p, 40)).join(', ')} ` +
        reviews(Math.max(...added.map(([, n]) => n))),
    );
  const comments = new Map<string, { text: string; n: number }>();
  for (const s of signals) {
    if (s.kind !== 'rejection' || !s.comment.trim()) continue;
    const key = `comment:${normaliseComment(s.comment)}`;
    const c = comments.get(key) ?? { text: s.comment, n: 0 };
    c.n += 1;
    comments.set(key, c);
  }
  for (const [key, c] of [...comments].slice(0, 4))
    lines.set(key, `A reviewer asked: ${quote(c.text, COMMENT_CHARS)} ${reviews(c.n)}`);
  return lines;
}

function avgOf(list: readonly number[]): number {
  return list.length ? list.reduce((a, b) => a + b, 0) / list.length : 0;
}

/** The theme of a learned line (null: a line an admin wrote, which learning leaves alone). */
function keyOfLine(line: string): string | null {
  if (!LEARNED.test(line)) return null;
  const text = line.replace(LEARNED, '');
  const fixed: Array<[string, string]> = [
    ['Keep captions short', 'shorter'],
    ['Use fewer hashtags', 'hashtags'],
    ['Use fewer emojis', 'emojis'],
    ['Use fewer exclamation marks', 'exclamations'],
    ['Avoid words reviewers keep removing', 'removed'],
    ['Reviewers keep adding', 'added'],
  ];
  for (const [prefix, key] of fixed) if (text.startsWith(prefix)) return key;
  const asked = /^A reviewer asked: “(.*?)…?”$/.exec(text);
  return asked ? `comment:${normaliseComment(asked[1]!)}` : text;
}

/** Guidance as lines, without bullets or blanks. */
export function guidanceLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/^\s*[-*•]\s*/, '').trim())
    .filter(Boolean);
}

/**
 * Merges what learning found into the current guidance. An admin's lines stay as written; learned
 * lines are updated with their new counts, or dropped once their evidence is gone. A learned line
 * that is missing (an admin deleted it, or it is new) is added only when `touched` names its theme,
 * that is when the newest review is part of its evidence: learning appends, it does not undo an edit.
 * Over MAX_GUIDANCE_LINES or MAX_GUIDANCE_CHARS the oldest learned lines go first.
 */
export function mergeGuidance(
  current: string,
  learned: ReadonlyMap<string, string>,
  touched: ReadonlySet<string>,
): string {
  const lines = guidanceLines(current);
  const present = new Set<string>();
  const merged: Array<{ text: string; learned: boolean }> = [];
  for (const line of lines) {
    const key = keyOfLine(line);
    if (key === null) merged.push({ text: line, learned: false });
    else if (learned.has(key) && !present.has(key)) {
      present.add(key);
      merged.push({ text: learned.get(key)!, learned: true });
    }
  }
  for (const [key, text] of learned) if (!present.has(key) && touched.has(key)) merged.push({ text, learned: true });
  const size = () => merged.reduce((n, l) => n + l.text.length + 3, 0);
  while ((merged.length > MAX_GUIDANCE_LINES || size() > MAX_GUIDANCE_CHARS) && merged.some((l) => l.learned))
    merged.splice(
      merged.findIndex((l) => l.learned),
      1,
    );
  return merged.map((l) => `- ${l.text}`).join('\n');
}

/** The themes whose line the newest signal changed (it is part of their evidence now). */
export function touchedBy(withNewest: ReadonlyMap<string, string>, without: ReadonlyMap<string, string>): Set<string> {
  return new Set([...withNewest].filter(([key, text]) => without.get(key) !== text).map(([key]) => key));
}
