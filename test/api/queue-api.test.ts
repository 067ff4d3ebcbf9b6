import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { appPath } from '../../src/paths.js';
import { json, makeHerald, seedClient, TEST_ORIGIN, TEST_SECRET, type TestHerald } from '../helpers/herald.js';

// Monday 7 December 2026, 07:00 in Berlin (CET, +01:00).
const NOW = Date.parse('2026-12-07T06:00:00Z');
const TIMES = [
  { weekday: 1, time: '09:00' },
  { weekday: 2, time: '09:00' },
  { weekday: 3, time: '09:00' },
];
// The first posting times after NOW, in UTC.
const SLOT = [
  '2026-12-07T08:00:00.000Z',
  '2026-12-08T08:00:00.000Z',
  '2026-12-09T08:00:00.000Z',
  '2026-12-14T08:00:00.000Z',
  '2026-12-15T08:00:00.000Z',
];

describe('queue API', () => {
  let t: TestHerald;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    t = await makeHerald({}, { clock });
  });
  afterAll(() => t.close());

  /** A fresh client whose Facebook account has the three weekly posting times. */
  async function queueOf(overrides: Record<string, unknown> = {}) {
    const seeded = seedClient(t, overrides);
    const res = await t.api('PATCH', `/accounts/${seeded.facebook.id}`, { postingTimes: TIMES });
    expect(res.status).toBe(200);
    return seeded;
  }
  async function draft(accountId: string, caption = 'Fresh bread') {
    return json(await t.api('POST', '/posts', { accountId, caption }));
  }
  async function queue(id: string, body: unknown = {}) {
    return t.api('POST', `/posts/${id}/queue`, body);
  }
  const timeOf = async (id: string) => (await json(await t.api('GET', `/posts/${id}`))).scheduledAt as string;

  it('sets posting times on the account (sorted) and refuses bad ones with the field named', async () => {
    const { facebook } = seedClient(t);
    const ok = await t.api('PATCH', `/accounts/${facebook.id}`, {
      postingTimes: [
        { weekday: 5, time: '17:00' },
        { weekday: 1, time: '09:30' },
      ],
    });
    expect(await json(ok)).toMatchObject({
      id: facebook.id,
      status: 'connected',
      postingTimes: [
        { weekday: 1, time: '09:30' },
        { weekday: 5, time: '17:00' },
      ],
    });
    const bad = await t.api('PATCH', `/accounts/${facebook.id}`, {
      postingTimes: [
        { weekday: 9, time: '09:00' },
        { weekday: 1, time: '25:00' },
      ],
    });
    expect(bad.status).toBe(400);
    const body = await json(bad);
    expect(body.error.code).toBe('validation_failed');
    expect(Object.keys(body.error.details)).toEqual(
      expect.arrayContaining(['postingTimes.0.weekday', 'postingTimes.1.time']),
    );
    const empty = await t.api('PATCH', `/accounts/${facebook.id}`, {});
    expect(empty.status).toBe(400);
    expect((await json(await t.api('GET', `/accounts/${facebook.id}`))).postingTimes).toHaveLength(2);
  });

  it('puts posts in the next free posting times, in order, scheduled and marked queued', async () => {
    const { facebook } = await queueOf();
    const posts = [await draft(facebook.id), await draft(facebook.id), await draft(facebook.id)];
    for (const [i, p] of posts.entries()) {
      const res = await queue(p.id);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ status: 'scheduled', queued: true, scheduledAt: SLOT[i] });
    }
    const created = await t.api('POST', '/posts', { accountId: facebook.id, caption: 'Queued at once', queue: true });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ status: 'scheduled', queued: true, scheduledAt: SLOT[3] });
    const logs = await json(await t.api('GET', `/posts/${posts[0].id}/logs`));
    expect(logs.data.map((l: { message: string }) => l.message).join('\n')).toMatch(/Added to the queue: Mon, 7 Dec/);
  });

  it('skips a posting time held by a post scheduled by hand, and refuses bad requests', async () => {
    const { facebook, instagram } = await queueOf();
    const manual = await t.api('POST', '/posts', {
      accountId: facebook.id,
      caption: 'By hand',
      status: 'scheduled',
      scheduledAt: SLOT[0],
    });
    expect(manual.status).toBe(201);
    const p = await draft(facebook.id);
    expect(await json(await queue(p.id))).toMatchObject({ scheduledAt: SLOT[1] });
    // A draft does not hold a time.
    await t.api('POST', '/posts', { accountId: facebook.id, caption: 'draft', scheduledAt: SLOT[2] });
    expect(await json(await queue((await draft(facebook.id)).id))).toMatchObject({ scheduledAt: SLOT[2] });

    const withTime = await t.api('POST', '/posts', {
      accountId: facebook.id,
      caption: 'x',
      queue: true,
      scheduledAt: SLOT[4],
    });
    expect(withTime.status).toBe(400);
    expect((await json(withTime)).error.details).toHaveProperty('scheduledAt');
    const badFlag = await t.api('POST', '/posts', { accountId: facebook.id, caption: 'x', queue: 'yes' });
    expect((await json(badFlag)).error.details).toHaveProperty('queue');
    const badBody = await queue(p.id, { front: 'soon' });
    expect(badBody.status).toBe(400);
    // An account without posting times: a clear conflict, and nothing written.
    const noTimes = await t.api('POST', '/posts', {
      accountId: instagram.id,
      caption: 'x',
      queue: true,
      mediaIds: [],
    });
    expect(noTimes.status).toBe(400); // Instagram needs media: the post's own checks come first
    const plain = await draft(facebook.id);
    await t.api('PATCH', `/accounts/${facebook.id}`, { postingTimes: [] });
    const none = await queue(plain.id);
    expect(none.status).toBe(409);
    expect((await json(none)).error.message).toMatch(/no posting times/);
    expect(await json(await t.api('GET', `/posts/${plain.id}`))).toMatchObject({
      status: 'draft',
      queued: false,
    });
  });

  it('"Share next" takes the first posting time and moves the queued posts in its way one later each', async () => {
    const { facebook } = await queueOf();
    const a = await draft(facebook.id, 'a');
    const b = await draft(facebook.id, 'b');
    const c = await draft(facebook.id, 'c');
    for (const p of [a, b, c]) await queue(p.id);
    // Free the third time: the shift stops at that gap; the post after it stays.
    await t.api('POST', `/posts/${c.id}/cancel`);
    const d = await draft(facebook.id, 'd');
    // d takes the gap at SLOT[2]; moved by hand to SLOT[3] it leaves a gap before it.
    await queue(d.id);
    const dv = await json(await t.api('GET', `/posts/${d.id}`));
    await t.api('PATCH', `/posts/${d.id}`, { scheduledAt: SLOT[3], version: dv.version });
    const e = await draft(facebook.id, 'e');
    const res = await queue(e.id, { front: true });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ scheduledAt: SLOT[0], queued: true, status: 'scheduled' });
    expect(await timeOf(a.id)).toBe(SLOT[1]);
    expect(await timeOf(b.id)).toBe(SLOT[2]);
    expect(await timeOf(d.id)).toBe(SLOT[3]);
    const logs = await json(await t.api('GET', `/posts/${a.id}/logs`));
    expect(logs.data.at(-1).message).toMatch(/to make room for a post shared next/);
  });

  it('never moves a post that is publishing: share next goes after it', async () => {
    const { facebook } = await queueOf();
    const a = await draft(facebook.id, 'a');
    const b = await draft(facebook.id, 'b');
    await queue(a.id);
    await queue(b.id);
    t.herald.repos.posts.update(a.id, { status: 'publishing' });
    const x = await draft(facebook.id, 'x');
    expect(await json(await queue(x.id, { front: true }))).toMatchObject({ scheduledAt: SLOT[1] });
    const after = await json(await t.api('GET', `/posts/${a.id}`));
    expect(after).toMatchObject({ status: 'publishing', scheduledAt: SLOT[0] });
    expect(await timeOf(b.id)).toBe(SLOT[2]);
    // A publishing post cannot itself be queued.
    expect((await queue(a.id)).status).toBe(409);
  });

  it('under client approval a queued draft waits for the client, holding its time', async () => {
    const { facebook } = await queueOf({ approvalMode: 'client' });
    const p = await draft(facebook.id);
    expect(await json(await queue(p.id))).toMatchObject({ status: 'pending_approval', scheduledAt: SLOT[0] });
    const q = await draft(facebook.id);
    expect(await json(await queue(q.id))).toMatchObject({ status: 'pending_approval', scheduledAt: SLOT[1] });
  });

  it('lists the queue: posting times with their posts and the gaps', async () => {
    const { facebook } = await queueOf();
    const a = await draft(facebook.id, 'a');
    await queue(a.id);
    await t.api('POST', '/posts', { accountId: facebook.id, caption: 'b', status: 'scheduled', scheduledAt: SLOT[2] });
    const slots = t.herald.services.queue.slots(facebook.id, 4);
    expect(slots.map((s) => [new Date(s.at).toISOString(), s.post?.caption ?? null])).toEqual([
      [SLOT[0], 'a'],
      [SLOT[1], null],
      [SLOT[2], 'b'],
      [SLOT[3], null],
    ]);
    expect(new Date(t.herald.services.queue.nextFree(facebook.id)!).toISOString()).toBe(SLOT[1]);
  });
});

describe('queue across processes', () => {
  it('two Herald processes queueing at the same moment never give one posting time two posts', async () => {
    const t = await makeHerald();
    try {
      const { facebook } = seedClient(t);
      // Seven times a day, every day: 49 posting times a week.
      const postingTimes = [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) =>
        ['08:00', '10:00', '12:00', '14:00', '16:00', '18:00', '20:00'].map((time) => ({ weekday, time })),
      );
      t.herald.services.accounts.patch(facebook.id, { postingTimes }, { kind: 'system' });
      const ids = Array.from(
        { length: 40 },
        (_, i) =>
          t.herald.services.posts.create({ accountId: facebook.id, caption: `post ${i}` }, { kind: 'system' }).id,
      );
      const goFile = join(t.dataDir, 'go');
      const env = (part: string[], front: boolean) => ({
        DATA_DIR: t.dataDir,
        SECRET_KEY: TEST_SECRET,
        PUBLIC_URL: TEST_ORIGIN,
        LOG_LEVEL: 'silent',
        QUEUE_POST_IDS: part.join(','),
        QUEUE_FRONT: String(front),
        QUEUE_GO_FILE: goFile,
      });
      // One adds to the queue while the other shares next: the second shifts what the first placed.
      const children = [queueChild(env(ids.slice(0, 20), false)), queueChild(env(ids.slice(20), true))];
      await Promise.all(children.map((c) => c.ready));
      writeFileSync(goFile, 'go');
      const [a, b] = await Promise.all(children.map((c) => c.result));
      expect([...a!, ...b!].filter((r) => r.error)).toEqual([]);
      const times = ids.map((id) => t.herald.services.posts.get(id).scheduledAt!);
      expect(new Set(times).size).toBe(40);
      const first40 = t.herald.services.queue.slots(facebook.id, 40);
      expect([...times].sort((x, y) => x - y)).toEqual(first40.map((s) => s.at));
    } finally {
      await t.close();
    }
  }, 90_000);
});

type ChildResult = Array<{ id: string; at?: number; error?: string }>;

function queueChild(env: Record<string, string>): { ready: Promise<void>; result: Promise<ChildResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', appPath('test/helpers/queue-child.ts')], {
    cwd: appPath(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.includes('ready\n')) markReady();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const result = new Promise<ChildResult>((resolve, reject) =>
    child.once('exit', (code) => {
      markReady();
      const line = out.split('\n').find((l) => l.startsWith('['));
      if (code !== 0 || !line) reject(new Error(`queue child exited ${code}: ${err}${out}`));
      else resolve(JSON.parse(line) as ChildResult);
    }),
  );
  return { ready, result };
}
