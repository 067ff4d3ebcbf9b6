import { randomBytes } from 'node:crypto';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';

/**
 * A local Groq chat-completions API (docs/platforms/groq.md). Herald's real `groq-sdk` client talks to
 * it with `baseURL = fake.url`: the SDK itself appends `/openai/v1/chat/completions`
 * (docs/platforms/groq.md#the-sdk-and-base-url).
 */

export const COMPLETIONS_PATH = /^\/openai\/v1\/chat\/completions$/;

/** The part of a chat-completion request body the fake looks at (docs/platforms/groq.md#chat-completions). */
export interface GroqChatBody {
  model?: unknown;
  messages?: unknown;
  response_format?: { type?: string };
  n?: unknown;
  stream?: unknown;
  [key: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'function_call';

/** One model answer: the assistant message content and why generation stopped. */
export interface GroqAnswer {
  content: string;
  finishReason?: FinishReason;
  promptTokens?: number;
  completionTokens?: number;
}

export type GroqResponder = (
  body: GroqChatBody,
  req: RecordedRequest,
) => string | GroqAnswer | Promise<string | GroqAnswer>;

export interface FakeGroqOptions {
  /** The only key accepted in `Authorization: Bearer <key>`. */
  apiKey?: string;
  /**
   * Model ids that exist; anything else is 404 `model_not_found`. Defaults to the models in
   * docs/platforms/groq.md#models.
   */
  models?: string[];
  /** Model ids that answer 400 `model_decommissioned` (deprecations: docs/platforms/groq.md#models). */
  decommissioned?: string[];
  /** Answers used when the scripted queue is empty. */
  responder?: GroqResponder;
  /** Requests per `windowMs` the fake admits before answering 429 (null: unlimited). */
  requestsPerMinute?: number | null;
  /** Length of the sliding rate-limit window; 60 s like Groq's RPM, shorter only for tests. */
  windowMs?: number;
  /** Nominal tokens-per-minute reported in the `x-ratelimit-*-tokens` headers (not enforced). */
  tokensPerMinute?: number;
  /** Answer successful completions after this many ms (simulates model time). */
  latencyMs?: number;
  /**
   * In JSON mode Groq checks the generated text and answers 400 `json_validate_failed` with
   * `failed_generation` instead of returning invalid JSON (observed on the real API, not described by
   * Groq; docs/platforms/groq.md#chat-completions). Turn off to get the invalid text back with 200.
   */
  validateJsonMode?: boolean;
}

/** Models from docs/platforms/groq.md#models (SDK enum; volatile in reality). */
export const GROQ_MODELS = [
  'openai/gpt-oss-120b',
  'openai/gpt-oss-20b',
  'llama-3.1-8b-instant',
  'llama-3.3-70b-versatile',
  'qwen/qwen3-32b',
  'qwen/qwen3.6-27b',
  'moonshotai/kimi-k2-instruct',
  'meta-llama/llama-4-maverick-17b-128e-instruct',
];

/** Groq error body (docs/platforms/groq.md#errors). */
function groqError(
  status: number,
  message: string,
  type: string,
  code: string | null,
  extra: Record<string, unknown> = {},
): Reply {
  return { status, json: { error: { message, type, ...(code ? { code } : {}), ...extra } } };
}

/**
 * Duration strings as in the `x-ratelimit-reset-*` headers: `7.66s`, `2m59.56s`
 * (docs/platforms/groq.md#rate-limits).
 */
export function groqDuration(ms: number): string {
  const total = Math.max(0, ms) / 1000;
  const minutes = Math.floor(total / 60);
  const seconds = Number((total - minutes * 60).toFixed(2));
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** Rough token count (≈ 4 characters a token) so `usage` moves with the text. */
function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function messageText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  return messages
    .map((m: { content?: unknown }) => (typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? '')))
    .join('\n');
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const defaultResponder: GroqResponder = (body) => {
  const last = Array.isArray(body.messages) ? (body.messages.at(-1) as { content?: unknown } | undefined) : undefined;
  const said = typeof last?.content === 'string' ? last.content : '';
  const jsonMode = body.response_format?.type === 'json_object' || body.response_format?.type === 'json_schema';
  return jsonMode ? JSON.stringify({ echo: said }) : `echo: ${said}`;
};

export class FakeGroq extends FakeServer {
  apiKey: string;
  models: string[];
  decommissioned: string[];
  responder: GroqResponder;
  requestsPerMinute: number | null;
  windowMs: number;
  tokensPerMinute: number;
  latencyMs: number;
  validateJsonMode: boolean;

  private readonly script: Array<string | GroqAnswer> = [];
  private stormLeft = 0;
  private stormRetryAfter = 1;
  /** Admission times of requests that counted against the limit, and their token totals. */
  private readonly admitted: Array<{ at: number; tokens: number }> = [];

  constructor(options: FakeGroqOptions = {}) {
    super('groq');
    this.apiKey = options.apiKey ?? 'gsk_test_key';
    this.models = options.models ?? [...GROQ_MODELS];
    this.decommissioned = options.decommissioned ?? [];
    this.responder = options.responder ?? defaultResponder;
    this.requestsPerMinute = options.requestsPerMinute ?? null;
    this.windowMs = options.windowMs ?? 60_000;
    this.tokensPerMinute = options.tokensPerMinute ?? 6_000;
    this.latencyMs = options.latencyMs ?? 0;
    this.validateJsonMode = options.validateJsonMode ?? true;
    this.route('POST', COMPLETIONS_PATH, (req) => this.complete(req));
    this.route('GET', /^\/openai\/v1\/models$/, (req) => this.listModels(req));
  }

  /** Queue answers used in order (before the responder), e.g. invalid JSON first, then valid. */
  enqueue(...answers: Array<string | GroqAnswer>): this {
    this.script.push(...answers);
    return this;
  }

  /** Answer the next `n` completion requests 429 whatever the window says. */
  rateLimitStorm(n: number, retryAfterSeconds = 1): this {
    this.stormLeft = n;
    this.stormRetryAfter = retryAfterSeconds;
    return this;
  }

  /** Every chat-completion request the fake saw (including rejected ones), in order. */
  completionCalls(): RecordedRequest[] {
    return this.calls(COMPLETIONS_PATH, 'POST');
  }

  /** Arrival times (ms since epoch) of every chat-completion request. */
  requestTimes(): number[] {
    return this.completionCalls().map((r) => r.at);
  }

  /**
   * The most chat-completion requests that arrived within any window of `windowMs` (default
   * 60 s): what a client-side RPM budget must keep at or below the limit. Rejected requests
   * count too, because they spent the client's budget all the same.
   */
  maxRequestsInWindow(windowMs = 60_000): number {
    const times = this.requestTimes().sort((a, b) => a - b);
    let best = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end]! - times[start]! >= windowMs) start++;
      best = Math.max(best, end - start + 1);
    }
    return best;
  }

  private prune(now: number): void {
    while (this.admitted.length > 0 && now - this.admitted[0]!.at >= this.windowMs) this.admitted.shift();
  }

  /** `x-ratelimit-*` headers for the window as it stands (on every response: docs/platforms/groq.md#rate-limits). */
  private rateHeaders(now: number): Record<string, string> {
    this.prune(now);
    const limit = this.requestsPerMinute ?? 14_400;
    const oldest = this.admitted[0]?.at;
    const reset = oldest === undefined ? 0 : oldest + this.windowMs - now;
    const usedTokens = this.admitted.reduce((sum, a) => sum + a.tokens, 0);
    return {
      'x-ratelimit-limit-requests': String(limit),
      'x-ratelimit-remaining-requests': String(Math.max(0, limit - this.admitted.length)),
      'x-ratelimit-reset-requests': groqDuration(reset),
      'x-ratelimit-limit-tokens': String(this.tokensPerMinute),
      'x-ratelimit-remaining-tokens': String(Math.max(0, this.tokensPerMinute - usedTokens)),
      'x-ratelimit-reset-tokens': groqDuration(reset),
      'x-request-id': `req_${randomBytes(12).toString('hex')}`,
    };
  }

  private tooMany(model: string, now: number, retryAfterMs: number, reason: string): Reply {
    const seconds = retryAfterMs / 1000;
    const reply = groqError(
      429,
      `Rate limit reached for model \`${model}\` in organization \`org_fake\` ` +
        `service tier \`on_demand\` on ${reason}. Please try again in ${Number(seconds.toFixed(3))}s.`,
      'requests',
      'rate_limit_exceeded',
    );
    // retry-after is whole seconds and only sent on 429 (docs/platforms/groq.md#rate-limits).
    reply.headers = { ...this.rateHeaders(now), 'retry-after': String(Math.max(1, Math.ceil(seconds))) };
    return reply;
  }

  private authorized(req: RecordedRequest): boolean {
    return req.headers.authorization === `Bearer ${this.apiKey}`;
  }

  private listModels(req: RecordedRequest): Reply {
    if (!this.authorized(req)) return groqError(401, 'Invalid API Key', 'invalid_request_error', 'invalid_api_key');
    const created = 1_730_000_000;
    return {
      json: {
        object: 'list',
        data: this.models.map((id) => ({
          id,
          object: 'model',
          created,
          owned_by: 'fake',
          active: true,
          context_window: 131_072,
        })),
      },
    };
  }

  private async complete(req: RecordedRequest): Promise<Reply> {
    if (!this.authorized(req)) return groqError(401, 'Invalid API Key', 'invalid_request_error', 'invalid_api_key');
    const body = req.body as GroqChatBody;
    const model = typeof body.model === 'string' ? body.model : '';
    const now = Date.now();
    if (this.stormLeft > 0) {
      this.stormLeft--;
      return this.tooMany(model, now, this.stormRetryAfter * 1000, 'requests per minute (RPM)');
    }
    const invalid = this.validate(body, model);
    if (invalid) return { ...invalid, headers: this.rateHeaders(now) };

    this.prune(now);
    if (this.requestsPerMinute !== null && this.admitted.length >= this.requestsPerMinute) {
      const wait = this.admitted[0]!.at + this.windowMs - now;
      return this.tooMany(
        model,
        now,
        wait,
        `requests per minute (RPM): Limit ${this.requestsPerMinute}, Used ${this.admitted.length}, Requested 1`,
      );
    }
    const slot = { at: now, tokens: 0 };
    this.admitted.push(slot);

    const scripted = this.script.shift();
    const raw = scripted ?? (await this.responder(body, req));
    const answer: GroqAnswer = typeof raw === 'string' ? { content: raw } : raw;
    const promptTokens = answer.promptTokens ?? tokens(messageText(body.messages));
    const completionTokens = answer.completionTokens ?? tokens(answer.content);
    slot.tokens = promptTokens + completionTokens;
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const headers = this.rateHeaders(Date.now());

    const jsonMode = body.response_format?.type === 'json_object' || body.response_format?.type === 'json_schema';
    if (jsonMode && this.validateJsonMode && !isJson(answer.content)) {
      const failed = groqError(
        400,
        "Failed to generate JSON. Please adjust your prompt. See 'failed_generation' for more details.",
        'invalid_request_error',
        'json_validate_failed',
        { failed_generation: answer.content },
      );
      return { ...failed, headers };
    }
    return { json: this.completion(model, answer, promptTokens, completionTokens), headers };
  }

  /** Request checks in the order Groq reports them; null when the request is acceptable. */
  private validate(body: GroqChatBody, model: string): Reply | null {
    if (!model) return groqError(400, "'model' : property 'model' is missing", 'invalid_request_error', null);
    if (this.decommissioned.includes(model)) {
      return groqError(
        400,
        `The model \`${model}\` has been decommissioned and is no longer supported. ` +
          'Please refer to the deprecations page for a recommendation on which model to use instead.',
        'invalid_request_error',
        'model_decommissioned',
      );
    }
    if (!this.models.includes(model)) {
      return groqError(
        404,
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    }
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      return groqError(400, "'messages' : minimum number of items is 1", 'invalid_request_error', null);
    }
    const bad = messages.findIndex(
      (m: { role?: unknown; content?: unknown }) =>
        !['system', 'user', 'assistant', 'tool'].includes(String(m?.role)) || m?.content === undefined,
    );
    if (bad >= 0)
      return groqError(
        400,
        `'messages.${bad}' : each message needs a valid 'role' and 'content'`,
        'invalid_request_error',
        null,
      );
    // Only n = 1 is supported (docs/platforms/groq.md#chat-completions).
    if (body.n !== undefined && body.n !== null && body.n !== 1)
      return groqError(400, "'n' : number must be at most 1", 'invalid_request_error', null);
    // Streaming is not something Herald uses; fail loudly rather than answer a non-stream body.
    if (body.stream === true)
      return groqError(400, 'the Groq fake does not implement stream: true', 'invalid_request_error', null);
    return null;
  }

  /** The `chat.completion` object (docs/platforms/groq.md#chat-completions). */
  private completion(
    model: string,
    answer: GroqAnswer,
    promptTokens: number,
    completionTokens: number,
  ): Record<string, unknown> {
    const completionTime = Number((completionTokens / 500).toFixed(4));
    return {
      id: `chatcmpl-${randomBytes(12).toString('hex')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answer.content },
          logprobs: null,
          finish_reason: answer.finishReason ?? 'stop',
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        queue_time: 0.0012,
        prompt_time: 0.0021,
        completion_time: completionTime,
        total_time: Number((0.0021 + completionTime).toFixed(4)),
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
      system_fingerprint: 'fp_fake',
      service_tier: 'on_demand',
      x_groq: { id: `req_${randomBytes(12).toString('hex')}` },
    };
  }
}
