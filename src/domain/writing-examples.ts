// Which of a client's recent posts the AI sees as examples of what worked and what did not, and
// the patterns that set the weakest apart (docs/results.md#learning). Ranked by engagement rate,
// never raw counts: a big account's average post must not outrank a small account's best.

export interface MeasuredPost {
  readonly postId: string;
  readonly platform: string;
  readonly caption: string;
  readonly rate: number;
}

export interface WritingExamples {
  readonly good: MeasuredPost[];
  readonly poor: MeasuredPost[];
  /** Short phrases naming what the weakest posts do that the best do not. */
  readonly avoid: string[];
}

/** Examples given to the AI at most; the prompt stays short. */
export const GOOD_EXAMPLES = 3;
export const POOR_EXAMPLES = 2;
/** Fewer measured posts than this give no poor examples: the "worst" of four is noise. */
export const MIN_FOR_POOR = 6;

const HASHTAG = /#[\p{L}\p{N}_]+/gu;
const EMOJI = /\p{Extended_Pictographic}/gu;
const LINK = /https?:\/\/\S+/;

interface Shape {
  length: number;
  hashtags: number;
  emojis: number;
  question: boolean;
  link: boolean;
  exclamations: number;
}

function shapeOf(caption: string): Shape {
  const text = caption.replace(HASHTAG, '').trim();
  return {
    length: text.length,
    hashtags: caption.match(HASHTAG)?.length ?? 0,
    emojis: caption.match(EMOJI)?.length ?? 0,
    question: text.includes('?'),
    link: LINK.test(caption),
    exclamations: (text.match(/!/g) ?? []).length,
  };
}

const avg = (list: readonly number[]) => (list.length ? list.reduce((a, b) => a + b, 0) / list.length : 0);
const share = (list: readonly boolean[]) => avg(list.map((b) => (b ? 1 : 0)));

/** What the poor posts do clearly more (or less) than the good ones, in a few words each. */
export function poorPatterns(good: readonly MeasuredPost[], poor: readonly MeasuredPost[]): string[] {
  if (!good.length || !poor.length) return [];
  const g = good.map((p) => shapeOf(p.caption));
  const b = poor.map((p) => shapeOf(p.caption));
  const out: string[] = [];
  const gl = avg(g.map((s) => s.length));
  const bl = avg(b.map((s) => s.length));
  if (bl > gl * 1.5 && bl - gl > 60)
    out.push(`long captions (about ${Math.round(bl)} characters; the best about ${Math.round(gl)})`);
  if (gl > bl * 1.5 && gl - bl > 60)
    out.push(`very short captions (about ${Math.round(bl)} characters; the best about ${Math.round(gl)})`);
  const gh = avg(g.map((s) => s.hashtags));
  const bh = avg(b.map((s) => s.hashtags));
  if (bh >= gh + 2) out.push(`many hashtags (about ${Math.round(bh)}; the best about ${Math.round(gh)})`);
  const ge = avg(g.map((s) => s.emojis));
  const be = avg(b.map((s) => s.emojis));
  if (be >= ge + 2) out.push(`many emojis (about ${Math.round(be)}; the best about ${Math.round(ge)})`);
  if (avg(b.map((s) => s.exclamations)) >= avg(g.map((s) => s.exclamations)) + 1.5) out.push('many exclamation marks');
  if (share(g.map((s) => s.question)) >= 0.5 && share(b.map((s) => s.question)) === 0)
    out.push('no question to the reader (the best ask one)');
  if (share(b.map((s) => s.link)) >= 0.5 && share(g.map((s) => s.link)) === 0) out.push('links in the caption');
  return out;
}

/**
 * The best `GOOD_EXAMPLES` posts by rate, the worst `POOR_EXAMPLES` (only with enough posts to tell,
 * never overlapping the best, and below the mean), and the patterns that set them apart.
 */
export function chooseExamples(posts: readonly MeasuredPost[]): WritingExamples {
  const ranked = [...posts].sort((a, b) => b.rate - a.rate || a.postId.localeCompare(b.postId));
  const good = ranked.slice(0, GOOD_EXAMPLES);
  const mean = avg(ranked.map((p) => p.rate));
  const poor =
    ranked.length >= MIN_FOR_POOR
      ? ranked
          .slice(GOOD_EXAMPLES)
          .filter((p) => p.rate < mean)
          .slice(-POOR_EXAMPLES)
          .reverse()
      : [];
  return { good, poor, avoid: poorPatterns(good, poor) };
}
