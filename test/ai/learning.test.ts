// Herald learns: the examples in the prompt follow the client's results (by engagement rate), the
// standing guidance follows its reviewers' rejections and edits, and a rule's suggested schedule
// follows the evidence (the general prior first, the client's own posts as they accumulate).
import { afterEach, describe, expect, it } from 'vitest';
import type { PostMetricValues } from '../../src/domain/metrics.js';
import { aiHarness, userMessage, type AiHarness } from '../helpers/ai-harness.js';
import { PageClient } from '../helpers/page-client.js';
import { fromLocalInput } from '../../src/lib/zoned-time.js';
import { FULL_ACCESS } from '../../src/domain/roles.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ADMIN = { email: 'admin@agency.test', password: 'correct horse battery staple' };
let h: AiHarness;
afterEach(async () => h?.close());

/** A post published at `at` on the Facebook page, with one snapshot at `horizon`. */
function published(h: AiHarness, at: number, caption: string, values: PostMetricValues, horizon = '24h'): string {
  const { herald } = h.t;
  const account = h.seeded.facebook;
  const post = herald.services.posts.create({ accountId: account.id, caption }, { kind: 'system' });
  herald.repos.posts.update(post.id, { status: 'published', publishedAt: at, externalId: `x_${post.id}` });
  herald.repos.metrics.insertPostSnapshot({
    postId: post.id,
    horizon,
    clientId: h.seeded.client.id,
    accountId: account.id,
    platform: account.platform,
    collectedAt: at + DAY,
    views: null,
    reach: null,
    likes: null,
    comments: null,
    shares: null,
    saves: null,
    clicks: null,
    follows: null,
    watchTimeMs: null,
    ...values,
    raw: {},
    error: null,
  });
  return post.id;
}

function aiPostsAfter(h: AiHarness, after: number) {
  const ids = h.t.herald.database.sqlite
    .prepare("SELECT id FROM posts WHERE source = 'ai' AND scheduled_at > ? ORDER BY scheduled_at")
    .all(after) as Array<{ id: string }>;
  return ids.map((r) => h.t.herald.repos.posts.get(r.id)!);
}

const prompts = (h: AiHarness) => h.groq.completionCalls().map((c) => userMessage(JSON.parse(c.raw.toString())));

function rule(h: AiHarness, input: Record<string, unknown> = {}) {
  return h.t.herald.services.rules.create(h.seeded.client.id, {
    name: 'Daily bread',
    cron: '0 9 * * *',
    topics: ['sourdough', 'rye'],
    accountIds: [h.seeded.facebook.id],
    horizonDays: 2,
    ...input,
  });
}

describe('writing from results', () => {
  it('puts the best recent posts by rate in the prompt, best first, names the worst, and records them', async () => {
    h = await aiHarness();
    const now = h.clock.now();
    rule(h);
    await h.t.herald.generator.generateDue();
    expect(prompts(h)[0]).not.toMatch(/best recent posts/);

    const best = published(h, now - 5 * DAY, 'How-to: shape a sourdough loaf in 3 steps. What do you bake?', {
      reach: 1000,
      likes: 90,
      comments: 10,
    });
    const second = published(h, now - 6 * DAY, 'How-to: feed your starter. Questions?', { reach: 1000, likes: 60 });
    const third = published(h, now - 7 * DAY, 'Rye is back on the shelf', { reach: 1000, likes: 40 });
    // The most likes of all, but on a huge reach: a low rate, so not an example of what works.
    const loud = published(h, now - 8 * DAY, 'Big numbers, weak rate', { reach: 200_000, likes: 2000 });
    const worst = published(
      h,
      now - 9 * DAY,
      `SALE SALE SALE!!! ${'Everything must go, come now, limited offer, '.repeat(5)} #a #b #c #d #e #f`,
      { reach: 1000, likes: 1 },
    );
    published(h, now - 10 * DAY, 'An ordinary Tuesday', { reach: 1000, likes: 20 });
    // Only an hour old when measured: too early to say, never an example.
    const early = published(h, now - 2 * DAY, 'Measured after an hour only', { reach: 10, likes: 9 }, '1h');
    // Older than 90 days: not recent.
    published(h, now - 120 * DAY, 'Ancient triumph', { reach: 100, likes: 90 });

    h.clock.advance(2 * DAY);
    await h.t.herald.generator.generateDue();
    const prompt = prompts(h).at(-1)!;
    const section = prompt.split("This client's best recent posts")[1]!.split('weakest recent posts')[0]!;
    const order = ['shape a sourdough loaf', 'feed your starter', 'Rye is back'].map((s) => section.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(prompt).toMatch(/\[facebook, 10\.0%\] How-to: shape/);
    expect(section).not.toMatch(/Big numbers|Measured after an hour|Ancient triumph/);
    // The worst first; the loudest post by raw counts is among the weakest by rate.
    const weakest = prompt.split('weakest recent posts; avoid their patterns:\n')[1]!.split('\n');
    expect(weakest[0]).toMatch(/^- \[facebook, 0\.1%\] SALE SALE SALE/);
    expect(weakest[1]).toMatch(/^- \[facebook, 1\.0%\] Big numbers/);
    expect(prompt).toMatch(/What set the weakest apart: .*many hashtags/);
    // Excerpts are capped: the long weak caption is cut.
    expect(prompt.split('weakest recent posts')[1]).not.toContain('#f');

    const fresh = aiPostsAfter(h, now + 2 * DAY);
    expect(fresh.length).toBeGreaterThan(0);
    for (const p of fresh) {
      expect(p.aiExamples).toEqual({ good: [best, second, third], poor: [worst, loud] });
      expect(p.aiExamples!.good).not.toContain(early);
      expect(['sourdough', 'rye']).toContain(p.topic);
      expect(p.aiCaption).toBe(p.caption);
    }
  });
});

const REVIEWER = { kind: 'admin' as const, id: 'adm_1', email: 'reviewer@agency.test', access: FULL_ACCESS };

describe('writing from rejections and edits', () => {
  it('turns rejections and edits into guidance that later prompts carry; an admin edit is kept', async () => {
    h = await aiHarness({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }, { clientApproval: 'admin' });
    const { services, repos, generator } = h.t.herald;
    const clientId = h.seeded.client.id;
    h.groq.responder = (body) =>
      JSON.stringify({
        posts: [...userMessage(body).matchAll(/^\d+\. for (.+), topic: (.+)$/gm)].map((m) => ({
          caption: `Amazing news!!! Our incredible ${m[2]} is the best thing you will ever taste, truly unmissable 🎉🔥`,
          hashtags: ['bakery', 'bread', 'fresh'],
        })),
      });
    rule(h, { horizonDays: 5 });
    await generator.generateDue();
    const pending = aiPostsAfter(h, 0);
    expect(pending).toHaveLength(5);
    expect(prompts(h)[0]).not.toMatch(/Standing guidance/);
    expect(repos.clients.get(clientId)!.guidance).toBe('');

    services.posts.act(pending[0]!.id, 'reject', REVIEWER, { comment: 'Too salesy: no superlatives please.' });
    expect(repos.clients.get(clientId)!.guidance).toBe(
      '- A reviewer asked: “Too salesy: no superlatives please.” (learned from 1 review)',
    );
    // Two edits before approving: shortened, emojis and hashtags out, the same words removed.
    for (const post of pending.slice(1, 3)) {
      const edited = services.posts.update(
        post.id,
        { caption: `Our ${post.topic} is back today.\n\n#bakery`, version: post.version },
        REVIEWER,
      );
      services.posts.act(edited.id, 'approve', REVIEWER);
    }
    const guidance = repos.clients.get(clientId)!.guidance;
    expect(guidance).toMatch(/^- A reviewer asked: “Too salesy/);
    expect(guidance).toMatch(
      /Keep captions short \(about \d+ characters\): reviewers cut them by \d+% \(learned from 2/,
    );
    expect(guidance).toMatch(/Use fewer hashtags: reviewers removed them \(learned from 2 reviews\)/);
    expect(guidance).toMatch(/Use fewer emojis/);
    expect(guidance).toMatch(/Avoid words reviewers keep removing: .*“amazing news”/i);
    expect(guidance.split('\n').length).toBeLessThanOrEqual(8);
    const logs = services.posts.logs(pending[1]!.id).map((l) => l.message);
    expect(logs.some((m) => /remembered for guidance: shortened by \d+%; removed/.test(m))).toBe(true);

    // Every later prompt carries it: a regeneration and the next run.
    await generator.regenerate(pending[0]!.id, REVIEWER);
    expect(prompts(h).at(-1)).toMatch(
      /Standing guidance from this client's reviewers \(follow it\):\n- A reviewer asked/,
    );
    expect(prompts(h).at(-1)).toMatch(/Use fewer hashtags/);

    // An admin rewrites it (through the client page): their lines stay; a learned line they deleted
    // does not come back from unrelated reviews; new evidence is appended.
    await services.auth.ensureConfiguredAdmin();
    const admin = new PageClient(h.t.herald.app);
    await admin.post('/login', ADMIN);
    const page = await admin.get(`/clients/${clientId}`);
    expect(page.html).toContain('AI guidance');
    expect(page.html).toContain('Use fewer hashtags');
    const mine = ['Never mention prices.', 'Use fewer hashtags: reviewers removed them (learned from 2 reviews)'];
    const saved = await admin.post(`/clients/${clientId}/guidance`, { guidance: mine.join('\n') });
    expect(saved.status).toBe(303);
    expect(repos.clients.get(clientId)!.guidance).toBe(mine.map((l) => `- ${l}`).join('\n'));
    const tooLong = await admin.post(`/clients/${clientId}/guidance`, { guidance: 'x'.repeat(900) });
    expect(tooLong.status).toBe(422);
    expect(await tooLong.text()).toContain('must be at most 800 characters');
    const noCsrf = await admin.post(`/clients/${clientId}/guidance`, { guidance: 'x' }, { csrf: false });
    expect(noCsrf.status).toBe(403);

    services.posts.act(pending[3]!.id, 'reject', REVIEWER, { comment: 'Mention the opening hours.' });
    const after = repos.clients.get(clientId)!.guidance.split('\n');
    expect(after[0]).toBe('- Never mention prices.');
    expect(after[1]).toBe('- Use fewer hashtags: reviewers removed them (learned from 2 reviews)');
    expect(after).toContain('- A reviewer asked: “Mention the opening hours.” (learned from 1 review)');
    // The deleted lines (shorter captions, emojis, the first comment) did not come back.
    expect(after.join('\n')).not.toMatch(/Keep captions short|fewer emojis|Too salesy/);
    expect(after).toHaveLength(3);

    h.clock.advance(5 * DAY);
    await generator.generateDue();
    expect(prompts(h).at(-1)).toMatch(/- Never mention prices\.\n.*\n- A reviewer asked: “Mention the opening hours/);
  });
});

describe('suggested schedule', () => {
  it('follows the general prior with little data, the evidence as it grows, and applies in one click', async () => {
    h = await aiHarness({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    const { services } = h.t.herald;
    const r = rule(h, { cron: '0 13 * * 3' });
    const berlin = (local: string) => fromLocalInput(local, 'Europe/Berlin')!;
    const week = (n: number) => 7 * n * DAY;
    // Baseline posts on Wednesdays at 13:00 (2% engagement), lucky ones on Tuesdays at 03:00 (6%).
    const addPosts = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        published(h, berlin('2026-05-27T13:00') - week(i), `Wednesday ${i}`, { reach: 1000, likes: 20 });
        published(h, berlin('2026-05-26T03:00') - week(i), `Tuesday night ${i}`, { reach: 1000, likes: 60 });
      }
    };

    let s = services.learning.suggestionFor(r.id);
    expect(s).toMatchObject({ posts: 0, description: 'Mon at 09:00', cron: '0 9 * * 1' });
    expect(s.evidence).toMatch(/No measured posts yet/);

    // One lucky night post (and a few ordinary ones): the prior still holds.
    addPosts(0, 1);
    published(h, berlin('2026-05-13T13:00'), 'Wednesday extra', { reach: 1000, likes: 20 });
    published(h, berlin('2026-05-06T13:00'), 'Wednesday extra 2', { reach: 1000, likes: 20 });
    s = services.learning.suggestionFor(r.id);
    expect(s).toMatchObject({ posts: 4, description: 'Mon at 09:00' });
    expect(s.evidence).toMatch(/Acme Page: 4 measured posts averaging 3\.0% engagement; Tue 03:00 did best \(6\.0%/);
    expect(s.evidence).toMatch(/Still mostly the general pattern/);

    // Eight weeks of it: the evidence wins.
    addPosts(1, 8);
    s = services.learning.suggestionFor(r.id);
    expect(s).toMatchObject({ description: 'Tue at 03:00', cron: '0 3 * * 2', same: false });

    await services.auth.ensureConfiguredAdmin();
    const admin = new PageClient(h.t.herald.app);
    await admin.post('/login', ADMIN);
    const before = await admin.get(`/rules/${r.id}/edit`);
    expect(before.html).toContain('Suggested schedule');
    expect(before.html).toContain('18 measured posts');
    expect(before.html).toMatch(/Now: Wed at 13:00/);
    expect(before.html).toMatch(/Suggested: Tue at 03:00/);
    expect(await admin.post(`/rules/${r.id}/suggested-schedule`, {}, { csrf: false }).then((x) => x.status)).toBe(403);
    expect(services.rules.get(r.id).cron).toBe('0 13 * * 3');
    const applied = await admin.post(`/rules/${r.id}/suggested-schedule`, {});
    expect(applied.status).toBe(303);
    expect(services.rules.get(r.id).cron).toBe('0 3 * * 2');
    const after = await admin.get(`/rules/${r.id}/edit`);
    expect(after.html).toContain('This rule already posts at these times.');
    const preview = after.html.split('id="slot-preview"')[1]!.split('</ol>')[0]!;
    expect(preview.match(/Tue, \d+ \w+ 2026, 03:00/g)).toHaveLength(10);
    expect(preview).not.toMatch(/13:00/);

    // A monthly rule is not turned into a weekly one.
    const monthly = rule(h, { name: 'Monthly', cron: '0 10 1 * *' });
    expect(services.learning.suggestionFor(monthly.id).applicable).toBe(false);
    expect((await admin.get(`/rules/${monthly.id}/edit`)).html).toContain('posts less than once a week');
    expect((await admin.post(`/rules/${monthly.id}/suggested-schedule`, {})).status).toBe(303);
    expect(services.rules.get(monthly.id).cron).toBe('0 10 1 * *');
  });
});
