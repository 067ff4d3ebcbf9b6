import { ManualClock } from '../../src/lib/clock.js';
import type { Publisher } from '../../src/platforms/types.js';
import { FakeGroq, type GroqChatBody } from '../fakes/groq.js';
import { FakeReplicate } from '../fakes/replicate.js';
import { makeHerald, seedClient, type TestHerald } from './herald.js';

export const GROQ_KEY = 'gsk_test_key';

/** The user message of a chat request. */
export function userMessage(body: GroqChatBody): string {
  const last = (body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'user').at(-1);
  return last?.content ?? '';
}

/** How many posts the prompt asks for ("1. for …", "2. for …"). */
export function requestedPosts(body: GroqChatBody): Array<{ when: string; topic: string }> {
  return [...userMessage(body).matchAll(/^\d+\. for (.+), topic: (.+)$/gm)].map((m) => ({ when: m[1]!, topic: m[2]! }));
}

/** A well-behaved model: one short post per requested slot, naming its time and topic. */
export function goodAnswer(body: GroqChatBody): string {
  return JSON.stringify({
    posts: requestedPosts(body).map((p) => ({
      caption: `Fresh from the oven: ${p.topic} (${p.when})`,
      hashtags: ['bakery', 'fresh bread'],
      imagePrompt: `a photo of ${p.topic}`,
      altText: `${p.topic} on a wooden table`,
    })),
  });
}

export interface AiHarness {
  t: TestHerald;
  clock: ManualClock;
  groq: FakeGroq;
  replicate: FakeReplicate;
  seeded: ReturnType<typeof seedClient>;
  close(): Promise<void>;
}

/** Herald with AI pointed at the Groq and Replicate fakes (through the real SDKs), time in hand. */
export async function aiHarness(
  env: Record<string, string> = {},
  options: {
    clientApproval?: 'none' | 'admin' | 'client';
    budgetWindowMs?: number;
    now?: number;
    publishers?: Publisher[];
  } = {},
): Promise<AiHarness> {
  const groq = new FakeGroq({ apiKey: GROQ_KEY, responder: goodAnswer });
  const replicate = new FakeReplicate();
  await groq.start();
  await replicate.start();
  const clock = new ManualClock(options.now ?? Date.parse('2026-06-01T06:00:00Z'));
  const t = await makeHerald(
    {
      GROQ_API_KEY: GROQ_KEY,
      GROQ_BASE_URL: groq.url,
      GROQ_MODEL: 'openai/gpt-oss-120b',
      REPLICATE_API_TOKEN: replicate.token,
      REPLICATE_BASE_URL: `${replicate.url}/v1`,
      MEDIA_FETCH_HOSTS: '127.0.0.1',
      TIKTOK_VERIFIED_URL_PREFIX: 'https://media.agency.test/',
      ...env,
    },
    {
      clock,
      ai: { imagePollMs: 20, imageDeadlineMs: 1500, budgetWindowMs: options.budgetWindowMs },
      ...(options.publishers ? { publishers: options.publishers } : {}),
    },
  );
  const seeded = seedClient(t, { approvalMode: options.clientApproval ?? 'none' });
  return {
    t,
    clock,
    groq,
    replicate,
    seeded,
    async close() {
      await t.close();
      await groq.stop();
      await replicate.stop();
    },
  };
}
