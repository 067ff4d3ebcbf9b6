// Does Herald learn? A client with a synthetic history where Tuesday 18:00 and "how-to" posts do
// best (plus noise), measured as the history grows: the suggested schedule of a once-a-week rule
// and of a three-a-week rule, the examples in the prompt (how many are how-to posts, best first),
// and, as reviewers reject and edit posts, the standing guidance and the prompts that carry it.
// Everything is deterministic: a manual clock, a seeded generator, and a fake Groq model.
// Usage: node --import tsx bench/learning.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { ManualClock } from '../src/lib/clock.js';
import { fromLocalInput, partsInZone } from '../src/lib/zoned-time.js';
import { createLogger } from '../src/log.js';
import { createHerald } from '../src/main.js';
import { FakeGroq, type GroqChatBody } from '../test/fakes/groq.js';
import { requestedPosts, userMessage } from '../test/helpers/ai-harness.js';
import { FULL_ACCESS } from '../src/domain/roles.js';

const DAY = 86_400_000;
const TZ = 'Europe/Berlin';
const STAGES = [0, 4, 8, 16, 32, 64, 128];
const REVIEWS = [0, 1, 2, 4, 8, 16];
/** Where an agency's posts usually go out: the history is spread over these (weekday 1 = Monday, hour). */
const SLOTS: Array<[number, number]> = [
  [1, 9],
  [2, 9],
  [2, 18],
  [3, 12],
  [4, 18],
  [5, 9],
  [6, 11],
  [7, 18],
];
const TOPICS = ['how-to', 'news', 'offer', 'behind the scenes'];

let seed = 42;
/** A deterministic pseudo-random number in [0, 1) (a linear congruential generator). */
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

/** The synthetic truth: 2% engagement, ×2.2 on Tuesdays at 18:00, ×1.8 for how-to posts, ±30% noise. */
function trueRate(weekday: number, hour: number, topic: string): number {
  const when = weekday === 2 && hour === 18 ? 2.2 : 1;
  const what = topic === 'how-to' ? 1.8 : 1;
  return 0.02 * when * what * (0.7 + 0.6 * random());
}

/** A fake model that answers with captions shaped by the prompt's topic, long and tag-heavy (reviewers cut them). */
function model(body: GroqChatBody): string {
  return JSON.stringify({
    posts: requestedPosts(body).map((p) => ({
      caption: `Amazing news!!! Our incredible ${p.topic} special is here, the best you will ever see 🎉🔥`,
      hashtags: ['bakery', 'bread', 'fresh', 'local'],
    })),
  });
}

const groq = new FakeGroq({ apiKey: 'gsk_bench', responder: model });
await groq.start();
const dir = mkdtempSync(join(tmpdir(), 'herald-bench-learning-'));
const config = loadConfig({
  DATA_DIR: dir,
  SECRET_KEY: 'd'.repeat(64),
  LOG_LEVEL: 'warn',
  GROQ_API_KEY: 'gsk_bench',
  GROQ_BASE_URL: groq.url,
});
const clock = new ManualClock(Date.parse('2026-06-01T04:00:00Z'));
const herald = createHerald({ config, log: createLogger('warn'), clock });
const { services, repos, generator } = herald;
const client = services.clients.create({ name: 'Bench Bakery', timezone: TZ, approvalMode: 'admin' });
const account = services.accounts.connect({
  clientId: client.id,
  platform: 'facebook',
  externalId: 'page-bench',
  name: 'Bench Page',
  accessToken: 'x',
  scopes: [],
});
const weekly = services.rules.create(client.id, { name: 'Weekly', cron: '0 9 * * 1', accountIds: [account.id] });
const thrice = services.rules.create(client.id, { name: 'Thrice', cron: '0 9 * * 1,3,5', accountIds: [account.id] });
for (const r of [weekly, thrice]) services.rules.update(r.id, { active: false });

let history = 0;
/** One published post in the last 12 weeks at one of the usual slots, with its 24 h snapshot. */
function publishOne(): void {
  const [weekday, hour] = SLOTS[Math.floor(random() * SLOTS.length)]!;
  const topic = TOPICS[Math.floor(random() * TOPICS.length)]!;
  const weeksAgo = 1 + Math.floor(random() * 11);
  // The local date of that weekday, `weeksAgo` weeks back.
  const today = partsInZone(clock.now(), TZ);
  const todayIso = today.weekday === 0 ? 7 : today.weekday;
  const back = (todayIso - weekday + 7) % 7 || 7;
  const day = new Date(Date.UTC(today.year, today.month - 1, today.day) - (back + 7 * (weeksAgo - 1)) * DAY);
  const at = fromLocalInput(`${day.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`, TZ)!;
  const caption = `${topic === 'how-to' ? 'How-to: ' : ''}${topic} post number ${history}`;
  const post = services.posts.create({ accountId: account.id, caption }, { kind: 'system' });
  repos.posts.update(post.id, { status: 'published', publishedAt: at, externalId: `x${history}`, topic });
  const rate = trueRate(weekday, hour, topic);
  repos.metrics.insertPostSnapshot({
    postId: post.id,
    horizon: '24h',
    clientId: client.id,
    accountId: account.id,
    platform: 'facebook',
    collectedAt: at + DAY,
    views: null,
    reach: 1000,
    likes: Math.round(rate * 1000),
    comments: null,
    shares: null,
    saves: null,
    clicks: null,
    follows: null,
    watchTimeMs: null,
    raw: {},
    error: null,
  });
  history++;
}

let probe = 0;
/** Writes one post for a fresh one-day rule and returns the prompt it was written from. */
async function onePrompt(): Promise<string> {
  const rule = services.rules.create(client.id, {
    name: `Probe ${probe++}`,
    cron: `${probe % 60} 12 * * *`,
    accountIds: [account.id],
    topics: TOPICS,
    horizonDays: 1,
  });
  await generator.generateDue({ ruleId: rule.id });
  services.rules.update(rule.id, { active: false });
  return userMessage(JSON.parse(groq.completionCalls().at(-1)!.raw.toString()) as GroqChatBody);
}

console.log('Best times and examples as the history grows (truth: Tue 18:00 ×2.2, how-to ×1.8, ±30% noise)');
console.log(
  'posts | weekly rule suggests | 3-a-week rule suggests        | how-to among examples | prompt has examples',
);
let convergedAt: number | null = null;
let withExamples = 0;
for (const target of STAGES) {
  while (history < target) publishOne();
  const one = services.learning.suggestionFor(weekly.id);
  const three = services.learning.suggestionFor(thrice.id);
  if (convergedAt === null && one.description === 'Tue at 18:00') convergedAt = target;
  const prompt = await onePrompt();
  const section = prompt.split('best recent posts')[1]?.split('\n\n')[0] ?? '';
  const examples = section.split('\n').filter((l) => l.startsWith('- ['));
  const howTo = examples.filter((l) => l.includes('How-to')).length;
  if (examples.length) withExamples++;
  console.log(
    `${String(target).padStart(5)} | ${one.description.padEnd(20)} | ${three.description.padEnd(29)} | ` +
      `${howTo}/${examples.length}`.padEnd(21) +
      ` | ${examples.length ? 'yes' : 'no'}`,
  );
}
console.log(`The weekly rule's suggestion first reached Tue 18:00 at ${convergedAt ?? 'never within'} posts.`);
console.log(
  `Prompts with examples: ${withExamples} of ${STAGES.length} (none is possible before any post is measured).`,
);

console.log('\nGuidance as reviewers reject and edit AI posts (half rejections with a comment, half edits)');
console.log('reviews | guidance lines | chars | prompt carries it');
const comments = ['Too salesy, please.', 'No superlatives.', 'Mention the opening hours.', 'Too salesy, please.'];
services.rules.create(client.id, {
  name: 'Daily',
  cron: '0 8 * * *',
  accountIds: [account.id],
  topics: TOPICS,
  horizonDays: 30,
});
await generator.generateDue();
const pending = services.posts
  .list({ clientId: client.id, status: 'pending_approval' }, 100)
  .data.filter((p) => p.source === 'ai');
const reviewer = { kind: 'admin' as const, id: 'adm_bench', email: 'reviewer@bench.test', access: FULL_ACCESS };
let done = 0;
for (const target of REVIEWS) {
  while (done < target) {
    const post = pending[done]!;
    if (done % 2 === 0)
      services.posts.act(post.id, 'reject', reviewer, { comment: comments[(done / 2) % comments.length]! });
    else {
      const full = services.posts.get(post.id);
      const edited = services.posts.update(
        post.id,
        { caption: `Our ${full.topic ?? 'bread'} is back today.\n\n#bakery`, version: full.version },
        reviewer,
      );
      services.posts.act(edited.id, 'approve', reviewer);
    }
    done++;
  }
  const guidance = repos.clients.get(client.id)!.guidance;
  const lines = guidance ? guidance.split('\n').length : 0;
  const prompt = await onePrompt();
  console.log(
    `${String(target).padStart(7)} | ${String(lines).padStart(14)} | ${String(guidance.length).padStart(5)} | ` +
      `${prompt.includes("Standing guidance from this client's reviewers") ? 'yes' : 'no'}`,
  );
}
console.log(`\nThe guidance after ${done} reviews:\n${repos.clients.get(client.id)!.guidance}`);

await herald.stop();
await groq.stop();
rmSync(dir, { recursive: true, force: true });
