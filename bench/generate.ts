// AI writing at agency scale: 100 clients × 3 content rules × 7 days of daily slots, against a
// fake Groq answering each request in 1 s, with GROQ_REQUESTS_PER_MINUTE=30. Prints the time to
// fill the pipeline and the most requests the fake saw in any 60-second window.
// Usage: node --import tsx bench/generate.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createHerald } from '../src/main.js';
import { FakeGroq } from '../test/fakes/groq.js';
import { goodAnswer } from '../test/helpers/ai-harness.js';

const CLIENTS = 100;
const RULES = 3;
const DAYS = 7;
const RPM = 30;

const groq = new FakeGroq({ apiKey: 'gsk_bench', responder: goodAnswer, latencyMs: 1000, requestsPerMinute: RPM });
await groq.start();
const dir = mkdtempSync(join(tmpdir(), 'herald-bench-generate-'));
const config = loadConfig({
  DATA_DIR: dir,
  SECRET_KEY: 'd'.repeat(64),
  LOG_LEVEL: 'warn',
  GROQ_API_KEY: 'gsk_bench',
  GROQ_BASE_URL: groq.url,
  GROQ_REQUESTS_PER_MINUTE: String(RPM),
});
const herald = createHerald({ config, log: createLogger('warn') });
const { services } = herald;
const zones = ['Europe/Berlin', 'America/New_York', 'Europe/London', 'Asia/Tokyo'];
for (let c = 0; c < CLIENTS; c++) {
  const client = services.clients.create({
    name: `Client ${c}`,
    timezone: zones[c % zones.length]!,
    approvalMode: 'admin',
    brandVoice: 'warm and local',
  });
  const account = services.accounts.connect({
    clientId: client.id,
    platform: 'facebook',
    externalId: `page-${c}`,
    name: `Page ${c}`,
    accessToken: 'x',
    scopes: [],
  });
  for (let r = 0; r < RULES; r++) {
    services.rules.create(client.id, {
      name: `Rule ${r}`,
      cron: `0 ${8 + r * 4} * * *`,
      topics: ['bread', 'coffee', 'cakes'],
      accountIds: [account.id],
      horizonDays: DAYS,
    });
  }
}
const expected = CLIENTS * RULES * DAYS;
console.error(`${CLIENTS} clients, ${CLIENTS * RULES} rules: ${expected} slots to fill…`);
const started = Date.now();
const counts = await herald.generator.generateDue();
const seconds = (Date.now() - started) / 1000;
const calls = groq.completionCalls().length;
console.log(
  `filled ${counts.created} posts (${counts.failed} failed) with ${counts.requests} Groq requests ` +
    `in ${(seconds / 60).toFixed(1)} min (${seconds.toFixed(0)} s)`,
);
console.log(
  `requests the fake saw: ${calls}; rejected with 429: ${calls - counts.requests}; ` +
    `most in any 60 s window: ${groq.maxRequestsInWindow(60_000)} (budget ${RPM})`,
);
console.log(`a second run: ${JSON.stringify(await herald.generator.generateDue())}`);
await herald.stop();
await groq.stop();
rmSync(dir, { recursive: true, force: true });
