import { afterEach, describe, expect, it } from 'vitest';
import type { GroqChatBody } from '../fakes/groq.js';
import { aiHarness, goodAnswer, requestedPosts, userMessage, type AiHarness } from '../helpers/ai-harness.js';

let h: AiHarness;

/** Answers in turn, then like a well-behaved model. */
function inTurn(...answers: Array<(body: GroqChatBody) => string>) {
  let i = 0;
  return (body: GroqChatBody) => (answers[i++] ?? goodAnswer)(body);
}
afterEach(async () => h?.close());

const posts = (h: AiHarness) => h.t.herald.services.posts.list({ clientId: h.seeded.client.id }, 200).data;

function rule(h: AiHarness, input: Record<string, unknown>) {
  return h.t.herald.services.rules.create(h.seeded.client.id, {
    name: 'Daily bread',
    cron: '0 9 * * *',
    topics: ['sourdough', 'rye', 'croissants'],
    accountIds: [h.seeded.facebook.id],
    ...input,
  });
}

describe('generate-content', () => {
  it("fills a rule's week once: a second run creates nothing", async () => {
    h = await aiHarness();
    rule(h, { horizonDays: 7 });
    const first = await h.t.herald.generator.generateDue();
    expect(first).toMatchObject({ created: 7, failed: 0, requests: 1 });
    const second = await h.t.herald.generator.generateDue();
    expect(second).toMatchObject({ created: 0, upToDate: 7, requests: 0 });
    const all = posts(h);
    expect(all).toHaveLength(7);
    expect(all.every((p) => p.status === 'scheduled' && p.source === 'ai' && p.aiModel === 'openai/gpt-oss-120b')).toBe(
      true,
    );
    expect(new Set(all.map((p) => p.scheduledAt)).size).toBe(7);
    // One request wrote the week; the captions carry the platform's hashtag habit.
    expect(h.groq.completionCalls()).toHaveLength(1);
    expect(all[0]!.caption).toMatch(/^Fresh from the oven: .+\n\n#bakery #freshbread$/);
    const usage = h.t.herald.database.sqlite
      .prepare(
        'SELECT kind, count(*) AS n, sum(prompt_tokens) > 0 AS tokens FROM ai_usage WHERE client_id = ? GROUP BY kind',
      )
      .all(h.seeded.client.id);
    expect(usage).toEqual([{ kind: 'text', n: 1, tokens: 1 }]);
  });

  it.each([
    [
      'Europe/Berlin',
      '30 2 * * *',
      '2026-03-26T12:00:00Z',
      ['2026-03-27T01:30:00.000Z', '2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'],
    ],
    [
      'America/New_York',
      '0 9 * * *',
      '2026-03-06T15:00:00Z',
      ['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z', '2026-03-10T13:00:00.000Z'],
    ],
  ])('a week with the daylight-saving change in %s', async (zone, cron, now, firstSlots) => {
    h = await aiHarness({}, { now: Date.parse(now) });
    h.t.herald.services.clients.update(h.seeded.client.id, { timezone: zone });
    rule(h, { cron, horizonDays: 7 });
    await h.t.herald.generator.generateDue();
    const slots = posts(h).map((p) => new Date(p.scheduledAt!).toISOString());
    expect(slots).toHaveLength(7);
    expect(slots.slice(0, 4)).toEqual(firstSlots);
    // The prompt gives each post its local time, zone-correct.
    expect(userMessage(JSON.parse(h.groq.completionCalls()[0]!.raw.toString()))).toMatch(
      zone === 'Europe/Berlin' ? /Sun, 29 Mar 2026, 03:00/ : /Sun, 8 Mar 2026, 09:00/,
    );
  });

  it('asks again after invalid JSON, and after a caption over the platform limit', async () => {
    h = await aiHarness();
    h.groq.validateJsonMode = false;
    h.groq.responder = inTurn(
      () => 'this is not json at all',
      (body) =>
        JSON.stringify({ posts: requestedPosts(body).map(() => ({ caption: 'x'.repeat(70_000), hashtags: [] })) }),
    );
    rule(h, { horizonDays: 1 });
    const counts = await h.t.herald.generator.generateDue();
    expect(counts).toMatchObject({ created: 1, requests: 3 });
    const prompts = h.groq.completionCalls().map((c) => userMessage(JSON.parse(c.raw.toString())));
    expect(prompts[1]).toMatch(/not valid JSON/);
    expect(prompts[2]).toMatch(/too long/);
    expect(posts(h)[0]!.caption.length).toBeLessThan(500);
  });

  it('after three bad answers the slot gets a draft that says what failed', async () => {
    h = await aiHarness();
    h.groq.validateJsonMode = false;
    h.groq.responder = () => '{"nothing": "useful"}';
    rule(h, { horizonDays: 1 });
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ created: 0, failed: 1, requests: 3 });
    const [draft] = posts(h);
    expect(draft).toMatchObject({ status: 'draft', caption: '' });
    expect(draft!.lastError).toMatch(/^AI writing failed after 3 tries/);
    // The next run leaves the slot alone; Regenerate is how it is retried.
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ requests: 0 });
  });

  it('skips paused clients, disabled or broken accounts, and platforms the rule cannot serve', async () => {
    h = await aiHarness({ TIKTOK_VERIFIED_URL_PREFIX: '' });
    const { accounts } = h.t.herald.services;
    // A second Facebook page that needs reconnecting: a text rule could serve it otherwise.
    const broken = accounts.connect({
      clientId: h.seeded.client.id,
      platform: 'facebook',
      externalId: 'fb-broken',
      name: 'Broken Page',
      accessToken: 'token-facebook-broken',
      refreshToken: null,
      tokenExpiresAt: null,
      scopes: [],
    });
    accounts.markNeedsReauth(broken.id, 'Token revoked');
    rule(h, {
      accountIds: [h.seeded.facebook.id, broken.id, h.seeded.instagram.id, h.seeded.tiktok.id],
      horizonDays: 1,
    });
    accounts.patch(h.seeded.facebook.id, { status: 'disabled' }, { kind: 'system' });
    const counts = await h.t.herald.generator.generateDue();
    expect(counts).toMatchObject({ created: 0, skippedAccounts: 4, requests: 0 });
    expect(posts(h)).toHaveLength(0);
    accounts.patch(h.seeded.facebook.id, { status: 'connected' }, { kind: 'system' });
    h.t.herald.services.clients.update(h.seeded.client.id, { status: 'paused' });
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ created: 0, requests: 0 });
    expect(posts(h)).toHaveLength(0);
    // Active again: only the connected Facebook page gets its post; the broken one is still skipped.
    h.t.herald.services.clients.update(h.seeded.client.id, { status: 'active' });
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ created: 1, skippedAccounts: 3, requests: 1 });
    expect(posts(h).map((p) => p.accountId)).toEqual([h.seeded.facebook.id]);
  });
});

describe('images', () => {
  it("a Replicate image per post: JPEG in the platform's aspect ratio, stored as Herald media", async () => {
    h = await aiHarness();
    rule(h, { accountIds: [h.seeded.instagram.id], media: 'image', horizonDays: 2 });
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ created: 2 });
    expect(h.replicate.predictions.map((p) => [p.input.aspect_ratio, p.input.output_format])).toEqual([
      ['4:5', 'jpg'],
      ['4:5', 'jpg'],
    ]);
    const post = posts(h)[0]!;
    expect(post.mediaIds).toHaveLength(1);
    const media = h.t.herald.services.media.get(post.mediaIds[0]!);
    expect(media).toMatchObject({ mime: 'image/jpeg', source: 'ai', width: 896, height: 1088 });
    expect(media.altText).toMatch(/on a wooden table/);
    expect(post.aiPrompt).toMatch(/Image: a photo of/);
  });

  it.each([
    [
      'fails',
      { outcome: 'fail' as const, error: 'NSFW content detected' },
      /image model failed: NSFW content detected/,
    ],
    ['is slower than our deadline', { outcome: 'slow' as const }, /longer than 2 s; it was cancelled/],
    [
      'serves its output from a host not allowed',
      { outcome: 'succeed' as const, output: { kind: 'foreign-host' as const, host: 'localhost' } },
      /not in MEDIA_FETCH_HOSTS/,
    ],
    [
      'redirects its output to a private address',
      { outcome: 'succeed' as const, output: { kind: 'redirect' as const } },
      /169\.254\.169\.254:?\d* is not in MEDIA_FETCH_HOSTS/,
    ],
    [
      'serves HTML instead of an image',
      { outcome: 'succeed' as const, output: { kind: 'html' as const } },
      /could not be made|Only JPEG/,
    ],
  ])('when the image model %s, the post stays a draft with the reason', async (_, scenario, reason) => {
    h = await aiHarness();
    h.replicate.nextScenarios(scenario);
    rule(h, { accountIds: [h.seeded.facebook.id], media: 'image', horizonDays: 1 });
    expect(await h.t.herald.generator.generateDue()).toMatchObject({ created: 0, failed: 1 });
    const [post] = posts(h);
    expect(post).toMatchObject({ status: 'draft', mediaIds: [] });
    expect(post!.caption).toMatch(/Fresh from the oven/);
    expect(post!.lastError).toMatch(reason);
    expect(h.t.herald.services.media.list(h.seeded.client.id, 10).data).toHaveLength(0);
  });
});

describe('the Groq budget', () => {
  it('a 429 storm: waits out Retry-After, and never sends more than the budget per window', async () => {
    h = await aiHarness({ GROQ_REQUESTS_PER_MINUTE: '3' }, { budgetWindowMs: 1500 });
    h.groq.rateLimitStorm(2, 1);
    for (let i = 0; i < 5; i++)
      h.t.herald.services.rules.create(h.seeded.client.id, {
        name: `Rule ${i}`,
        cron: `${i} 9 * * *`,
        accountIds: [h.seeded.facebook.id],
        horizonDays: 1,
      });
    const started = Date.now();
    const counts = await h.t.herald.generator.generateDue();
    expect(counts).toMatchObject({ created: 5, requests: 5 });
    const times = h.groq.requestTimes();
    expect(times).toHaveLength(7);
    // After each 429 the next request waited the second Retry-After asked for.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(990);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(990);
    expect(h.groq.maxRequestsInWindow(1500)).toBeLessThanOrEqual(3);
    expect(Date.now() - started).toBeGreaterThan(2000);
  });
});

describe('approval modes', () => {
  it.each([
    ['none', 'scheduled'],
    ['admin', 'pending_approval'],
    ['client', 'pending_approval'],
  ] as const)('approval mode %s: generated posts are %s', async (mode, status) => {
    h = await aiHarness({}, { clientApproval: mode });
    rule(h, { horizonDays: 1 });
    await h.t.herald.generator.generateDue();
    expect(posts(h)[0]!.status).toBe(status);
  });

  it('a rejected post is regenerated with the comment as feedback, keeping its slot', async () => {
    h = await aiHarness({}, { clientApproval: 'admin' });
    rule(h, { horizonDays: 1 });
    await h.t.herald.generator.generateDue();
    const [post] = posts(h);
    h.t.herald.services.posts.act(post!.id, 'reject', { kind: 'system' }, { comment: 'Mention the Saturday market' });
    await h.t.herald.generator.regenerate(post!.id, { kind: 'system' });
    const prompt = userMessage(JSON.parse(h.groq.completionCalls().at(-1)!.raw.toString()));
    expect(prompt).toMatch(/The reviewer asked for changes: Mention the Saturday market/);
    const again = h.t.herald.services.posts.get(post!.id);
    expect(again).toMatchObject({
      status: 'pending_approval',
      scheduledAt: post!.scheduledAt,
      slotKey: post!.slotKey,
      reviewComment: null,
    });
    // Each time it starts waiting for approval, the history says the reviewers were asked.
    expect(h.t.herald.services.posts.logs(post!.id).map((l) => l.step)).toEqual([
      'generate',
      'approval_requested',
      'reject',
      'regenerate',
      'approval_requested',
    ]);
  });
});
