import Groq from 'groq-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGroq, groqDuration } from './groq.js';
import { rejection } from '../helpers/sdk-errors.js';

const MODEL = 'openai/gpt-oss-120b';
const KEY = 'gsk_test_key';

let fake: FakeGroq;

beforeEach(async () => {
  fake = new FakeGroq({ apiKey: KEY });
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});

function client(options: { apiKey?: string; maxRetries?: number } = {}): Groq {
  return new Groq({ apiKey: options.apiKey ?? KEY, baseURL: fake.url, maxRetries: options.maxRetries ?? 0 });
}

function ask(groq: Groq, text = 'Write a caption as JSON') {
  return groq.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: text }],
    response_format: { type: 'json_object' },
  });
}

describe('FakeGroq through groq-sdk', () => {
  it('answers a JSON-mode completion with the scripted content, usage and rate-limit headers', async () => {
    fake.enqueue({ content: '{"caption":"Hello"}', completionTokens: 7 });
    const { data, response } = await ask(client()).withResponse();

    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe(MODEL);
    expect(data.choices[0]?.message.content).toBe('{"caption":"Hello"}');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.completion_tokens).toBe(7);
    expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? 0) + 7);
    expect(data.x_groq?.id).toMatch(/^req_/);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('14399');
    expect(response.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(\d+m)?[\d.]+s$/);
    expect(response.headers.get('retry-after')).toBeNull();

    // The SDK appends /openai/v1/... to the host-only base URL
    // (docs/platforms/groq.md#the-sdk-and-base-url) and sends a Bearer key.
    const [call] = fake.completionCalls();
    expect(call?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(call?.body).toMatchObject({
      model: MODEL,
      response_format: { type: 'json_object' },
      messages: [{ role: 'user' }],
    });
  });

  it('uses the responder when nothing is queued, and passes a length finish through', async () => {
    fake.responder = (body) => ({ content: `{"model":"${String(body.model)}"}`, finishReason: 'length' });
    const res = await ask(client());
    expect(res.choices[0]?.message.content).toBe(`{"model":"${MODEL}"}`);
    expect(res.choices[0]?.finish_reason).toBe('length');
  });

  it(
    'rejects invalid JSON in JSON mode with 400 json_validate_failed, ' + 'then serves the next scripted answer',
    async () => {
      fake.enqueue('Sure! Here is your JSON: {caption: hi', '{"caption":"hi"}');
      const groq = client();
      const err = await rejection(ask(groq));
      expect(err).toBeInstanceOf(Groq.BadRequestError);
      expect(err.error.error.code).toBe('json_validate_failed');
      expect(err.error.error.failed_generation).toBe('Sure! Here is your JSON: {caption: hi');
      expect((await ask(groq)).choices[0]?.message.content).toBe('{"caption":"hi"}');
    },
  );

  it('returns invalid JSON with 200 when JSON-mode validation is off', async () => {
    fake.validateJsonMode = false;
    fake.enqueue('not json');
    expect((await ask(client())).choices[0]?.message.content).toBe('not json');
  });

  it('answers a wrong key with 401 AuthenticationError and the Groq error body', async () => {
    const err = await rejection(ask(client({ apiKey: 'gsk_wrong' })));
    expect(err).toBeInstanceOf(Groq.AuthenticationError);
    expect(err.status).toBe(401);
    // `.error` is the whole response body, so the Groq object sits one level down.
    expect(err.error).toEqual({
      error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' },
    });
  });

  it('answers an unknown model with 404 model_not_found and a decommissioned one with 400', async () => {
    const groq = client();
    const missing = await rejection(
      groq.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(missing).toBeInstanceOf(Groq.NotFoundError);
    expect(missing.error.error.code).toBe('model_not_found');

    fake.decommissioned = ['llama-3.3-70b-versatile'];
    const gone = await rejection(
      groq.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(gone).toBeInstanceOf(Groq.BadRequestError);
    expect(gone.error.error.code).toBe('model_decommissioned');
  });

  it('rejects an empty messages list', async () => {
    const err = await rejection(client().chat.completions.create({ model: MODEL, messages: [] }));
    expect(err).toBeInstanceOf(Groq.BadRequestError);
  });

  it('lists models', async () => {
    const page = await client().models.list();
    expect(page.data.map((m) => m.id)).toContain(MODEL);
  });

  it('enforces a requests-per-minute limit with 429, retry-after and x-ratelimit headers', async () => {
    fake.requestsPerMinute = 3;
    const groq = client();
    for (let i = 0; i < 3; i++) await ask(groq);
    const err = await rejection(ask(groq));
    expect(err).toBeInstanceOf(Groq.RateLimitError);
    expect(err.error.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(err.error.error.message).toMatch(/Please try again in [\d.]+s\.$/);
    const retryAfter = Number(err.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(err.headers.get('x-ratelimit-limit-requests')).toBe('3');
    expect(err.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(fake.maxRequestsInWindow()).toBe(4);
  });

  it('slides the rate-limit window', async () => {
    fake.requestsPerMinute = 2;
    fake.windowMs = 300;
    const groq = client();
    await ask(groq);
    await ask(groq);
    expect(await rejection(ask(groq))).toBeInstanceOf(Groq.RateLimitError);
    await new Promise((r) => setTimeout(r, 320));
    expect((await ask(groq)).object).toBe('chat.completion');
  });

  it('counts the busiest window of request arrivals', async () => {
    const groq = client();
    for (let i = 0; i < 3; i++) await ask(groq);
    // A pause longer than the window, and a window that three local requests fill with room to spare.
    await new Promise((r) => setTimeout(r, 1_500));
    for (let i = 0; i < 2; i++) await ask(groq);
    expect(fake.requestTimes()).toHaveLength(5);
    expect(fake.maxRequestsInWindow(1_000)).toBe(3);
    expect(fake.maxRequestsInWindow()).toBe(5);
  });

  it('lets the SDK retry a 429 after the retry-after it was given', async () => {
    fake.rateLimitStorm(1, 1);
    const started = Date.now();
    const res = await ask(client({ maxRetries: 2 }));
    const elapsed = Date.now() - started;
    expect(res.object).toBe('chat.completion');
    // Without retry-after the SDK would back off 0.375–0.5 s; it waited the full second instead.
    expect(elapsed).toBeGreaterThanOrEqual(950);
    // One wait of one second, not several: a sanity bound with room for a busy machine.
    expect(elapsed).toBeLessThan(5_000);
    const calls = fake.completionCalls();
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
  });

  it('gives up with RateLimitError when the storm outlasts maxRetries', async () => {
    fake.rateLimitStorm(5, 1);
    const err = await rejection(ask(client({ maxRetries: 2 })));
    expect(err).toBeInstanceOf(Groq.RateLimitError);
    expect(err.headers.get('retry-after')).toBe('1');
    expect(fake.completionCalls()).toHaveLength(3);
  });

  it('answers after the configured latency', async () => {
    fake.latencyMs = 200;
    const started = Date.now();
    await ask(client());
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('formats reset durations like Groq', () => {
    expect(groqDuration(7660)).toBe('7.66s');
    expect(groqDuration(179_560)).toBe('2m59.56s');
    expect(groqDuration(0)).toBe('0s');
  });
});
