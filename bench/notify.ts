// Notification delivery against three local webhook receivers (each verifying every signature
// with the standardwebhooks library), with the real server in a child process:
//  1. publishing lateness alone: a steady 5 posts/s for 30 s against a platform answering in 100 ms;
//  2. 10,000 events at once, fanned out to the 3 receivers (30,000 deliveries), while the same
//     steady publishing runs: delay from event creation to receipt (p50/p99), delivery rate, and
//     publishing lateness with the fan-out running;
//  3. 10,000 more events with one receiver down (port closed): the rate to the other two.
// Usage: node --import tsx bench/notify.ts
import { rmSync } from 'node:fs';
import { FakePlatform } from '../test/fakes/fake-platform.js';
import { WebhookReceiver } from '../test/fakes/webhook-receiver.js';
import { json, makeHerald, TEST_SECRET, tempDir } from '../test/helpers/herald.js';
import { startEngineProcess } from '../test/helpers/processes.js';

const EVENTS = 10_000;
const LATENCY_MS = 100;
const STEADY_POSTS = 150;
const STEADY_SPACING_MS = 200;

const dir = tempDir('herald-bench-notify-');
const seeder = await makeHerald({ OUTBOUND_PRIVATE_HOSTS: '127.0.0.1' }, { dataDir: dir });
const { services, database } = seeder.herald;
const sqlite = database.sqlite;

// 30 Facebook accounts (the scripted publisher's network), so per-account pacing never queues a post.
const accountIds: string[] = [];
for (let c = 0; c < 10; c++) {
  const client = services.clients.create({ name: `Client ${c}`, timezone: 'Europe/Berlin', approvalMode: 'none' });
  for (let a = 0; a < 3; a++)
    accountIds.push(
      services.accounts.connect({
        clientId: client.id,
        platform: 'facebook',
        externalId: `fb-${c}-${a}`,
        name: `Page ${c}.${a}`,
        accessToken: 'x',
        refreshToken: null,
        tokenExpiresAt: null,
        scopes: [],
      }).id,
    );
}

const receivers = await Promise.all([1, 2, 3].map(() => new WebhookReceiver().start()));
for (const receiver of receivers) {
  const res = await seeder.api('POST', '/webhooks', { url: receiver.url, events: [], clientId: null });
  receiver.secret = (await json(res)).secret;
}
// EMAIL: when createNotifiers has an `email` sender, start a local smtp-server here (as the email
// tests do), point the child at it with SMTP_URL and MAIL_FROM, give the admin an "immediate"
// preference for post.failed, and count the mails it accepts beside the webhook receipts below.
const smtpEnv: Record<string, string> = {};

const platform = new FakePlatform({ latencyMs: LATENCY_MS });
await platform.start();
const server = startEngineProcess({
  DATA_DIR: dir,
  SECRET_KEY: TEST_SECRET,
  OUTBOUND_PRIVATE_HOSTS: '127.0.0.1',
  FAKE_PLATFORM_URL: platform.url,
  TEST_SKIP_PREPARE_CALL: 'true',
  TEST_REQUEST_TIMEOUT_MS: '10000',
  LOG_LEVEL: 'warn',
  ...smtpEnv,
});
const count = (sql: string) => (sqlite.prepare(sql).get() as { n: number }).n;
async function until(check: () => boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
await until(() => count('SELECT count(*) AS n FROM leases WHERE holder IS NOT NULL') > 0, 'the server to lead');

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

/** A steady publishing phase; resolves with its lateness (platform receipt minus scheduled time). */
async function steady(label: string): Promise<number[]> {
  const start = Date.now() + 2000;
  const ids = new Map<string, number>();
  for (let i = 0; i < STEADY_POSTS; i++) {
    const at = start + i * STEADY_SPACING_MS;
    const post = services.posts.create(
      {
        accountId: accountIds[i % accountIds.length]!,
        caption: `${label} ${i}`,
        scheduledAt: new Date(at).toISOString(),
        status: 'scheduled',
      },
      { kind: 'system' },
    );
    ids.set(post.id, at);
  }
  await until(() => platform.posts.filter((p) => ids.has(p.key)).length === STEADY_POSTS, `${label} published`);
  return sorted(platform.posts.filter((p) => ids.has(p.key)).map((p) => p.at - ids.get(p.key)!));
}

const lateness = (l: number[]) => `p50 ${pct(l, 0.5)} ms, p99 ${pct(l, 0.99)} ms, max ${l[l.length - 1]} ms`;

function emitAll(n: number, label: string): number {
  const at = Date.now();
  database.immediate(() => {
    for (let i = 0; i < n; i++)
      services.events.emit('post.published', null, { title: `${label} ${i}`, postId: `pst_${i}`, url: 'https://x' });
  });
  return at;
}

// 1. Publishing alone.
console.error('publishing alone…');
const alone = await steady('alone');
console.log(`publishing lateness, no fan-out (5 posts/s, ${LATENCY_MS} ms platform): ${lateness(alone)}`);

// 2. 10,000 events to 3 healthy receivers while publishing runs.
console.error('fan-out to 3 healthy receivers…');
const fanStart = emitAll(EVENTS, 'healthy');
const during = steady('during');
const target = 3 * EVENTS;
await until(() => count("SELECT count(*) AS n FROM deliveries WHERE status = 'delivered'") === target, 'all delivered');
const fanSeconds = (Date.now() - fanStart) / 1000;
const withFanOut = await during;
const delays = sorted(receivers.flatMap((r) => r.accepted.map((a) => a.at - Date.parse(a.body.createdAt))));
const bad = receivers.reduce((n, r) => n + r.received.filter((x) => !x.verified).length, 0);
console.log(
  `${EVENTS} events × 3 receivers: ${target} deliveries in ${fanSeconds.toFixed(1)} s = ` +
    `${(target / fanSeconds).toFixed(0)} deliveries/s; event→receipt p50 ${pct(delays, 0.5)} ms, ` +
    `p99 ${pct(delays, 0.99)} ms; unverifiable signatures: ${bad}`,
);
console.log(`publishing lateness during the fan-out: ${lateness(withFanOut)}`);

// 3. One receiver down.
console.error('one receiver down…');
await receivers[2]!.stop();
const before = receivers[0]!.accepted.length + receivers[1]!.accepted.length;
const downStart = emitAll(EVENTS, 'one down');
await until(
  () => receivers[0]!.accepted.length + receivers[1]!.accepted.length - before === 2 * EVENTS,
  'the healthy receivers served',
);
const downSeconds = (Date.now() - downStart) / 1000;
const failed = count(
  "SELECT count(*) AS n FROM deliveries WHERE status = 'pending' AND attempts > 0 AND response_status IS NULL",
);
console.log(
  `one receiver down: ${2 * EVENTS} deliveries to the other two in ${downSeconds.toFixed(1)} s = ` +
    `${((2 * EVENTS) / downSeconds).toFixed(0)} deliveries/s; ${failed} deliveries to the dead one waiting to retry`,
);

server.child.kill('SIGTERM');
await server.exited;
for (const r of receivers) await r.stop();
await platform.stop();
await seeder.close();
rmSync(dir, { recursive: true, force: true });
