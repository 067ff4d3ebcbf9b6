// Asking the AI for one post: the prompt, then again with what was wrong, a few times, each call's
// tokens recorded. The content generator (regenerating a post) and feeds (rewriting an article)
// both write this way.
import type { GroqWriter } from '../ai/text.js';
import type { ServiceDeps } from './deps.js';

/** What a caller made of one answer: the value it wanted, or the problems to tell the AI. */
export type AnswerReview<T> = { value: T; problems?: undefined } | { value?: undefined; problems: string[] };

/**
 * Sends the prompt up to `attempts` times, each retry with the problems the last answer had, and
 * records each call's usage for the client (and the post, when there is one). Returns the first
 * value `review` accepts, or the last problems. Errors from the writer (rate limits, outages) are
 * the caller's to handle.
 */
export async function askForDraft<T>(
  deps: Pick<ServiceDeps, 'repos' | 'clock'>,
  writer: GroqWriter,
  prompt: { readonly system: string; readonly user: string },
  options: {
    readonly attempts: number;
    readonly clientId: string;
    readonly postId: string | null;
    review(content: string): AnswerReview<T>;
  },
): Promise<{ value: T | null; problems: string[] }> {
  let problems: string[] = [];
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    const answer = await writer.complete(
      prompt.system,
      problems.length ? `${prompt.user}\n\nFix these problems: ${problems.join(' ')}` : prompt.user,
      900,
    );
    deps.repos.system.insertAiUsage({
      clientId: options.clientId,
      postId: options.postId,
      kind: 'text',
      model: answer.model,
      promptTokens: answer.promptTokens,
      completionTokens: answer.completionTokens,
      createdAt: deps.clock.now(),
    });
    const review = options.review(answer.content);
    if (review.problems === undefined) return { value: review.value, problems: [] };
    problems = review.problems;
  }
  return { value: null, problems };
}
