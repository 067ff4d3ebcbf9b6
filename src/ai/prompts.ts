import type { DraftTarget } from './drafts.js';

export interface PromptInput {
  client: { name: string; brandVoice: string; audience: string; language: string };
  rule: { name: string; tone: string; instructions: string; media: 'none' | 'image' };
  /** The platform's label, limits and writing habits (declared by its network). */
  platform: DraftTarget;
  /** One entry per post to write: when it goes out (in the client's zone) and its topic. */
  slots: Array<{ when: string; topic: string }>;
  /** Captions already used for this client, newest first: not to be repeated. */
  recent: string[];
  /** What a reviewer asked to change (regeneration after a rejection). */
  feedback?: string | null;
  /** The client's best and worst recent posts by engagement rate, and what sets the worst apart. */
  examples?: {
    good: Array<{ platform: string; caption: string; rate: number }>;
    poor: Array<{ platform: string; caption: string; rate: number }>;
    avoid: string[];
  } | null;
  /** Standing guidance learned from this client's reviewers (and written by its admins). */
  guidance?: string;
  /** The client's snippets marked for the AI: hashtag sets, signatures and calls to action. */
  snippets?: ReadonlyArray<{ kind: 'hashtags' | 'signature' | 'cta' | 'other'; text: string }>;
}

/** Caption excerpts in the prompt are capped: examples teach a voice, they need not be whole. */
const EXCERPT = 280;
const GUIDANCE_CHARS = 800;
const excerpt = (caption: string, max = EXCERPT) => {
  const flat = caption.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
/** Sign-offs shown to the model: a few, each short (they end a caption; they are not the post). */
const SIGN_OFFS = 5;
const SIGN_OFF_CHARS = 200;

/**
 * The client's standard hashtags (from its hashtag snippets, in order, once each), no more than
 * the network takes by habit, and its sign-offs (signatures and calls to action).
 */
function snippetLines(snippets: NonNullable<PromptInput['snippets']>, hashtagLimit: number): string[] {
  const tags = [
    ...new Map(
      snippets
        .filter((s) => s.kind === 'hashtags')
        .flatMap((s) => s.text.match(/#[\p{L}\p{N}_]+/gu) ?? [])
        .map((t) => [t.toLowerCase(), t]),
    ).values(),
  ].slice(0, hashtagLimit);
  const signOffs = snippets
    .filter((s) => s.kind === 'signature' || s.kind === 'cta')
    .map((s) => excerpt(s.text, SIGN_OFF_CHARS))
    .filter(Boolean)
    .slice(0, SIGN_OFFS);
  const lines: string[] = [];
  if (tags.length)
    lines.push(
      '',
      `This client's standard hashtags (put them in "hashtags" first; at most ${hashtagLimit} hashtags in all):`,
      tags.join(' '),
    );
  if (signOffs.length)
    lines.push(
      '',
      "This client's sign-offs (end a caption with one of them, word for word, where it fits):",
      ...signOffs.map((s) => `- ${s}`),
    );
  return lines;
}

/** The system and user messages for one batch of posts. Everything user-supplied is data here. */
export function buildPrompt(input: PromptInput): { system: string; user: string } {
  const limits = input.platform.limits;
  const system = [
    `You write social media posts for ${input.client.name}, a client of a marketing agency.`,
    'Answer with a single JSON object and nothing else, shaped exactly:',
    '{"posts": [{"caption": string, "hashtags": string[], "imagePrompt": string, "altText": string}]}',
    'with one entry per requested post, in the order requested.',
    `Write in the language with the tag "${input.client.language}".`,
    `Platform: ${input.platform.label}. ${input.platform.ai.style}`,
    `Hard limits: the caption plus hashtags at most ${Math.min(limits.characters, 2000)} characters; ` +
      `at most ${input.platform.ai.hashtags} hashtags` +
      `${limits.mentions !== null ? `; at most ${limits.mentions} @-mentions` : ''}. ` +
      'Put hashtags in "hashtags", not in the caption.',
    input.rule.media === 'image'
      ? 'Each post gets a generated photo: "imagePrompt" describes it for an image model ' +
        '(no text in the image, no logos), "altText" describes it for people who cannot see it.'
      : 'These posts have no image: leave "imagePrompt" and "altText" empty.',
    'Never invent prices, dates, discounts or claims that are not in the instructions.',
  ].join('\n');
  const lines = [
    `Brand voice: ${input.client.brandVoice || '(not given)'}`,
    `Audience: ${input.client.audience || '(not given)'}`,
    `Content rule: ${input.rule.name}`,
    `Tone: ${input.rule.tone || '(not given)'}`,
    `Instructions: ${input.rule.instructions || '(none)'}`,
    '',
    `Write ${input.slots.length} post(s):`,
    ...input.slots.map((s, i) => `${i + 1}. for ${s.when}, topic: ${s.topic}`),
  ];
  if (input.recent.length) {
    lines.push(
      '',
      'Recent posts for this client; do not repeat their openings, ideas or hashtags:',
      ...input.recent.slice(0, 10).map((c) => `- ${c.replace(/\s+/g, ' ').slice(0, 200)}`),
    );
  }
  if (input.snippets?.length) lines.push(...snippetLines(input.snippets, input.platform.ai.hashtags));
  const guidance = (input.guidance ?? '').trim();
  if (guidance)
    lines.push('', "Standing guidance from this client's reviewers (follow it):", guidance.slice(0, GUIDANCE_CHARS));
  const examples = input.examples;
  if (examples?.good.length) {
    lines.push(
      '',
      "This client's best recent posts by engagement rate; learn from what they do (do not copy them):",
      ...examples.good.map((p) => `- [${p.platform}, ${percent(p.rate)}] ${excerpt(p.caption)}`),
    );
  }
  if (examples?.poor.length) {
    lines.push(
      '',
      'Its weakest recent posts; avoid their patterns:',
      ...examples.poor.map((p) => `- [${p.platform}, ${percent(p.rate)}] ${excerpt(p.caption, 160)}`),
    );
    if (examples.avoid.length) lines.push(`What set the weakest apart: ${examples.avoid.join('; ')}.`);
  }
  if (input.feedback) lines.push('', `The reviewer asked for changes: ${input.feedback}`);
  return { system, user: lines.join('\n') };
}
