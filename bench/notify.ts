// Notification delivery to three local webhook receivers (each verifying every signature with the
// standardwebhooks library) and by email to a local SMTP server (smtp-server, parsing every mail
// with mailparser), with the real server in a child process; the admin hears of the bench's event
// type at once, so every event is four deliveries:
//  1. publishing lateness alone: a steady 5 posts/s for 30 s against a platform answering in 100 ms;
//  2. 10,000 events at once (40,000 deliveries) while the same steady publishing runs: delay from
//     event creation to receipt (p50/p99), delivery rate, publishing lateness meanwhile;
//  3. a steady stream of 50 events/s for 30 s (an agency's busy day) while publishing runs: the
//     delay from event to receipt, and publishing lateness meanwhile;
//  4. 10,000 more events with one receiver down (port closed): the rate to the other three targets.
// Usage: npm run bench:notify (BENCH_CPU_PROF=<dir> writes the server's CPU profile there).
import { rmSync } from 'node:fs';
import { FakePlatform } from '../test/fakes/fake-platform.js';
import { startFakeSmtp } from '../test/fakes/smtp.js';
import { WebhookReceiver } from '../test/fakes/webhook-receiver.js';
import { json, makeHerald, TEST_SECRET, tempDir } from '../test/helpers/herald.js';
import { startEngineProcess } from '../test/helpers/processes.js';

const EVENTS = 10_000;
const STREAM_PER_SECOND = 50;
const STREAM_SECONDS = 30;
const LATENCY_MS = 100;
const STEADY_POSTS = 150;
const STEADY_SPACING_MS = 200;
// Not post.published: the steady publishing emits those, and publishing alone must run without fan-out.
const TYPE = 'approval.decided';

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
  const res = await seeder.api('POST', '/webhooks', { url: receiver.url, events: [TYPE], clientId: null });
  receiver.secret = (await json(res)).secret;
}
// Email: one admin who hears of the bench's event type at once (its default is the digest).
const smtp = await startFakeSmtp();
const admin = await services.auth.createAdmin({ email: 'ops@agency.test', password: 'correct horse battery' });
services.emailPrefs.update(admin.id, { timezone: 'UTC', digestHour: 8, modes: { [TYPE]: 'immediate' } });
const TARGETS = receivers.length + 1;

const platform = new FakePlatform({ latencyMs: LATENCY_MS });
await platform.start();
const profile = process.env.BENCH_CPU_PROF;
const server = startEngineProcess(
  {
    DATA_DIR: dir,
    SECRET_KEY: TEST_SECRET,
    OUTBOUND_PRIVATE_HOSTS: '127.0.0.1',
    FAKE_PLATFORM_URL: platform.url,
    TEST_SKIP_PREPARE_CALL: 'true',
    TEST_REQUEST_TIMEOUT_MS: '10000',
    LOG_LEVEL: 'warn',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Herald <herald@agency.test>',
  },
  profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
);
let stopping = false;
void server.exited.then((code) => {
  if (stopping) return;
  console.error(`the server exited (${code}):\n${server.lines.join('\n')}`);
  process.exit(1);
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

/** Event id → creation time, for every event the bench emitted. */
const created = new Map<string, number>();
function emit(label: string, i: number): string {
  const event = services.events.emit(TYPE, null, { title: `${label} ${i}`, postId: `pst_${i}`, url: 'https://x' });
  created.set(event.id, Date.parse(event.createdAt));
  return event.id;
}
/**
 * EVENTS events at once, in transactions of 500: one transaction of 10,000 would hold the write lock
 * for seconds, and the server's own writes (publishing among them) would wait for the bench.
 */
async function emitBurst(label: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let i = 0; i < EVENTS; i += 500)
    await write(() => {
      for (let j = i; j < Math.min(EVENTS, i + 500); j++) ids.add(emit(label, j));
    });
  return ids;
}
/** A write of the bench's own, tried again while the busy server holds the write lock past the busy timeout. */
async function write<T>(fn: () => T): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      const result = database.immediate(fn);
      await new Promise((r) => setImmediate(r));
      return result;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || tries >= 20) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
/** Receipts of the events in `ids` so far (a redelivery would count twice: at least once). */
function received(ids: Set<string>): () => number {
  // Counted as they come (the bench's own event loop also serves the receivers and the platform).
  const seen = { hooks: receivers.map(() => 0), mails: 0, n: 0 };
  return () => {
    receivers.forEach((r, i) => {
      for (; seen.hooks[i]! < r.accepted.length; seen.hooks[i]!++)
        if (ids.has(r.accepted[seen.hooks[i]!]!.id)) seen.n++;
    });
    for (; seen.mails < smtp.received.length; seen.mails++)
      if (ids.has(String(smtp.received[seen.mails]!.parsed.headers.get('x-herald-event')))) seen.n++;
    return seen.n;
  };
}

/** What the receivers and the SMTP server got so far: event id and time of receipt, per kind. */
function receipts(): { hooks: Array<{ id: string; at: number }>; mails: Array<{ id: string; at: number }> } {
  const hooks = receivers.flatMap((r) => r.accepted.map((a) => ({ id: a.id, at: a.at })));
  const mails = smtp.received.map((m) => ({ id: String(m.parsed.headers.get('x-herald-event') ?? ''), at: m.at }));
  return { hooks, mails };
}
/** Delays from event to receipt for the events in `ids`. */
const delaysOf = (got: Array<{ id: string; at: number }>, ids: Set<string>) =>
  sorted(got.filter((g) => ids.has(g.id)).map((g) => g.at - created.get(g.id)!));
const delayLine = (d: number[]) => `p50 ${pct(d, 0.5)} ms, p99 ${pct(d, 0.99)} ms, max ${d[d.length - 1]} ms`;
function forget(): void {
  // Parsed mails are large; what was measured is not kept.
  smtp.received.length = 0;
  for (const r of receivers) {
    r.accepted.length = 0;
    r.received.length = 0;
  }
}

// 1. Publishing alone.
console.error('publishing alone…');
const alone = await steady('alone');
console.log(`publishing lateness, no fan-out (5 posts/s, ${LATENCY_MS} ms platform): ${lateness(alone)}`);

// 2. A burst of 10,000 events to 3 healthy receivers and email, while publishing runs.
console.error('burst to 3 healthy receivers and email…');
const burstStart = Date.now();
const burstIds = await emitBurst('burst');
const during = steady('burst');
const target = TARGETS * EVENTS;
const burstCount = received(burstIds);
await until(() => burstCount() >= target, 'all delivered');
const burstSeconds = (Date.now() - burstStart) / 1000;
const duringBurst = await during;
{
  const { hooks, mails } = receipts();
  const all = delaysOf([...hooks, ...mails], burstIds);
  const bad = receivers.reduce((n, r) => n + r.received.filter((x) => !x.verified).length, 0);
  console.log(`burst: ${EVENTS} events × ${TARGETS} targets (3 webhooks, 1 email) = ${target} deliveries`);
  console.log(`burst: webhooks received ${hooks.length}, mails received ${mails.length}`);
  console.log(
    `burst: all delivered in ${burstSeconds.toFixed(1)} s = ${(target / burstSeconds).toFixed(0)} deliveries/s`,
  );
  console.log(`burst: event→delivery ${delayLine(all)}`);
  console.log(`burst: event→webhook ${delayLine(delaysOf(hooks, burstIds))}`);
  console.log(`burst: event→mail ${delayLine(delaysOf(mails, burstIds))}`);
  console.log(`burst: unverifiable signatures ${bad}`);
  console.log(`publishing lateness during the burst: ${lateness(duringBurst)}`);
}
forget();

// 3. A steady stream of events, as an agency's day brings them, while publishing runs.
console.error(`steady stream of ${STREAM_PER_SECOND} events/s…`);
const streamIds = new Set<string>();
const stream = STREAM_PER_SECOND * STREAM_SECONDS;
const duringStream = steady('stream');
{
  const start = Date.now();
  for (let i = 0; i < stream; i++) {
    const wait = start + (i * 1000) / STREAM_PER_SECOND - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    streamIds.add(await write(() => emit('stream', i)));
  }
}
const streamCount = received(streamIds);
await until(() => streamCount() >= TARGETS * stream, 'the stream delivered');
const duringStreamLateness = await duringStream;
{
  const { hooks, mails } = receipts();
  console.log(
    `stream: ${STREAM_PER_SECOND} events/s for ${STREAM_SECONDS} s × ${TARGETS} targets = ` +
      `${TARGETS * stream} deliveries`,
  );
  console.log(`stream: event→delivery ${delayLine(delaysOf([...hooks, ...mails], streamIds))}`);
  console.log(`stream: event→webhook ${delayLine(delaysOf(hooks, streamIds))}`);
  console.log(`stream: event→mail ${delayLine(delaysOf(mails, streamIds))}`);
  console.log(`publishing lateness during the stream: ${lateness(duringStreamLateness)}`);
}
forget();

// 4. One receiver down: the rate to the other two and to email.
console.error('one receiver down…');
await receivers[2]!.stop();
const downStart = Date.now();
const downIds = await emitBurst('one down');
const healthy = (TARGETS - 1) * EVENTS;
const downCount = received(downIds);
await until(() => downCount() >= healthy, 'the healthy targets served');
const downSeconds = (Date.now() - downStart) / 1000;
const failed = count(
  "SELECT count(*) AS n FROM deliveries WHERE status = 'pending' AND attempts > 0 AND response_status IS NULL",
);
console.log(
  `one receiver down: ${healthy} deliveries to the other 2 webhooks and email in ${downSeconds.toFixed(1)} s = ` +
    `${(healthy / downSeconds).toFixed(0)} deliveries/s`,
);
console.log(`one receiver down: ${failed} deliveries to the dead one waiting to retry`);

stopping = true;
server.child.kill('SIGTERM');
await server.exited;
for (const r of receivers.slice(0, 2)) await r.stop();
await smtp.close();
await platform.stop();
await seeder.close();
rmSync(dir, { recursive: true, force: true });
