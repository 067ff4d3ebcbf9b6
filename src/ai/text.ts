import Groq from 'groq-sdk';
import { parseRetryAfter } from '../lib/backoff.js';
import type { RateLimiter } from '../lib/rate-limiter.js';
import { GenerationError } from './errors.js';

export interface TextAnswer {
  content: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

const MAX_RATE_LIMIT_WAITS = 5;

/**
 * Groq chat completions through groq-sdk, in JSON mode, under the requests-per-minute budget. The SDK's
 * own retries are off (maxRetries 0): it would sleep through a Retry-After outside the budget
 * (docs/platforms/groq.md#the-sdk-and-base-url); here a 429 holds the whole budget back for that long
 * instead.
 */
export class GroqWriter {
  private readonly client: Groq;

  constructor(
    private readonly options: { apiKey: string; baseUrl: string | null; model: string; timeoutMs: number },
    private readonly budget: RateLimiter,
  ) {
    this.client = new Groq({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      maxRetries: 0,
      timeout: options.timeoutMs,
    });
  }

  get model(): string {
    return this.options.model;
  }

  /**
   * One completion. Returns the raw content (checked by the caller); a JSON-mode refusal
   * (`json_validate_failed`) comes back as content so the caller can ask again with feedback.
   */
  async complete(system: string, user: string, maxTokens: number): Promise<TextAnswer> {
    for (let waits = 0; ; waits++) {
      await this.budget.acquire();
      try {
        const res = await this.client.chat.completions.create({
          model: this.options.model,
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: user },
          ],
          response_format: { type: 'json_object' },
          temperature: 0.9,
          max_completion_tokens: maxTokens,
        });
        const choice = res.choices[0];
        return {
          content: choice?.finish_reason === 'length' ? '' : (choice?.message.content ?? ''),
          model: res.model,
          promptTokens: res.usage?.prompt_tokens ?? 0,
          completionTokens: res.usage?.completion_tokens ?? 0,
        };
      } catch (err) {
        if (err instanceof Groq.RateLimitError) {
          const wait = parseRetryAfter(err.headers?.get('retry-after')) ?? 10_000;
          this.budget.blockFor(wait);
          if (waits < MAX_RATE_LIMIT_WAITS) continue;
          throw new GenerationError(`Groq kept answering "too many requests"; trying again later.`, true);
        }
        if (err instanceof Groq.BadRequestError) {
          const body = err.error as
            | { error?: { code?: string; failed_generation?: string; message?: string } }
            | undefined;
          if (body?.error?.code === 'json_validate_failed')
            return {
              content: body.error.failed_generation ?? '',
              model: this.options.model,
              promptTokens: 0,
              completionTokens: 0,
            };
          if (body?.error?.code === 'model_decommissioned')
            throw new GenerationError(
              `The model ${this.options.model} was retired by Groq: ` +
                'set GROQ_MODEL to a current model such as openai/gpt-oss-120b.',
              false,
            );
          throw new GenerationError(`Groq refused the request: ${body?.error?.message ?? err.message}`, false);
        }
        if (err instanceof Groq.AuthenticationError || err instanceof Groq.PermissionDeniedError)
          throw new GenerationError('Groq refused GROQ_API_KEY: check the key in your Groq console.', false);
        if (err instanceof Groq.NotFoundError)
          throw new GenerationError(
            `Groq does not know the model ${this.options.model}: ` +
              'set GROQ_MODEL to a current model such as openai/gpt-oss-120b.',
            false,
          );
        if (err instanceof Groq.APIError)
          throw new GenerationError(
            `Groq is not answering properly right now (${err.status ?? 'no answer'}); trying again later.`,
            true,
          );
        throw err;
      }
    }
  }
}
