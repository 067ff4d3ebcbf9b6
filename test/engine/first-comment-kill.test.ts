import { afterEach, describe, expect, it } from 'vitest';
import { FakeMeta } from '../fakes/meta.js';
import { makeHerald, TEST_SECRET, type TestHerald } from '../helpers/herald.js';
import { startEngineProcess, waitFor, type HeraldProcess } from '../helpers/processes.js';

// Real processes on one SQLite file with Meta's own publisher against the strict Meta fake, killed
// or frozen around a post's first comment. Each check ends with: the post once, its comment once.

const APP = { appId: '1234567890', appSecret: 'app-secret' };
const children: HeraldProcess[] = [];
let meta: FakeMeta | null = null;
let seeder: TestHerald | null = null;

afterEach(async () => {
  for (const c of children.splice(0)) {
    c.child.kill('SIGCONT');
    c.child.kill('SIGKILL');
  }
  await meta?.stop();
  await seeder?.close();
  meta = null;
  seeder = null;
});

/** A Facebook Page post with a first comment, due in `dueInMs`, on a fresh database. */
async function setup(dueInMs: number) {
  meta = new FakeMeta(APP);
  const url = await meta.start();
  seeder = await makeHerald();
  const { clients, accounts, posts } = seeder.herald.services;
  const clientId = clients.create({ name: 'Acme Bakery', timezone: 'Europe/Berlin', approvalMode: 'none' }).id;
  const page = meta.addPage({ name: 'Acme Bakery' });
  const accountId = accounts.connect({
    clientId,
    platform: 'facebook',
    externalId: page.pageId,
    name: 'Acme Bakery',
    accessToken: page.pageToken,
    scopes: [],
  }).id;
  const id = posts.create(
    {
      accountId,
      caption: 'Fresh bread today',
      scheduledAt: new Date(Date.now() + dueInMs).toISOString(),
      status: 'scheduled',
    },
    { kind: 'system' },
  ).id;
  const sqlite = seeder.herald.database.sqlite;
  sqlite
    .prepare("UPDATE posts SET first_comment = 'Order here', first_comment_status = 'waiting' WHERE id = ?")
    .run(id);
  const env = {
    DATA_DIR: seeder.dataDir,
    SECRET_KEY: TEST_SECRET,
    LEASE_TTL_SECONDS: '3',
    TEST_NETWORK_PUBLISHERS: 'true',
    TEST_SETTLE_MS: '500',
    META_APP_ID: APP.appId,
    META_APP_SECRET: APP.appSecret,
    META_GRAPH_URL: `${url}/v25.0`,
    META_DIALOG_URL: `${url}/v25.0/dialog/oauth`,
  };
  const row = () =>
    sqlite
      .prepare(
        'SELECT status, first_comment_status AS comment, first_comment_id AS commentId, ' +
          'first_comment_sends AS commentSends, sends FROM posts WHERE id = ?',
      )
      .get(id) as { status: string; comment: string; commentId: string | null; commentSends: number; sends: number };
  const leader = () => {
    const lease = sqlite
      .prepare("SELECT holder, expires_at AS expiresAt, epoch FROM leases WHERE name = 'scheduler'")
      .get() as { holder: string | null; expiresAt: number; epoch: number } | undefined;
    return lease?.holder && lease.expiresAt > Date.now()
      ? { pid: Number(lease.holder.split(':')[1]), epoch: lease.epoch }
      : null;
  };
  const logs = (step: string) =>
    (
      sqlite
        .prepare('SELECT message FROM post_logs WHERE post_id = ? AND step = ? ORDER BY id')
        .all(id, step) as Array<{
        message: string;
      }>
    ).map((l) => l.message);
  return { id, env, row, leader, logs, meta };
}

function spawn(env: Record<string, string>): HeraldProcess {
  const child = startEngineProcess(env);
  children.push(child);
  return child;
}

async function kill(victim: HeraldProcess): Promise<void> {
  victim.child.kill('SIGKILL');
  await victim.exited;
  children.splice(children.indexOf(victim), 1);
}

/** The confirm read of the published post (`GET /{page}_{post}`), the step between the send and the settle. */
const CONFIRM = /^\/v25\.0\/\d+_\d+$/;

describe('first comment across process deaths', () => {
  it('SIGKILL after the post went out, before its settle: after restart, exactly one comment', async () => {
    const { env, row, logs, meta } = await setup(1500);
    // The confirm never answers: the process is killed with the post out and its comment not begun.
    meta.inject({ method: 'GET', path: CONFIRM, fault: { kind: 'hang' } });
    const first = spawn(env);
    await waitFor(() => meta.calls(CONFIRM, 'GET').length === 1, 30_000, 'the confirm read');
    expect(row()).toMatchObject({ status: 'publishing', comment: 'waiting', commentSends: 0 });
    await kill(first);

    spawn(env);
    await waitFor(() => row().comment === 'posted', 30_000, `the comment posted (now ${JSON.stringify(row())})`);
    expect(row()).toMatchObject({ status: 'published', sends: 1, commentSends: 1 });
    expect(meta.published).toHaveLength(1);
    expect(meta.comments.all).toHaveLength(1);
    expect(row().commentId).toBe(meta.comments.all[0]!.id);
    expect(meta.calls(/\/comments$/, 'POST')).toHaveLength(1);
    expect(logs('reconcile').join(' ')).toMatch(/shows it published/);
  }, 90_000);

  it('SIGKILL after the publish settled, before the comment fence committed: exactly one comment', async () => {
    const { env, row, meta } = await setup(1500);
    // The fence's commit (due → sent) cannot happen while this trigger exists: the process settles
    // the post as published, fails to record the comment's send, and is killed in that state.
    const sqlite = seeder!.herald.database.sqlite;
    sqlite.exec(
      'CREATE TRIGGER hold_comment_fence BEFORE UPDATE OF first_comment_status ON posts ' +
        "WHEN NEW.first_comment_status = 'sent' BEGIN SELECT RAISE(ABORT, 'held by the test'); END",
    );
    const first = spawn(env);
    await waitFor(
      () => first.lines.some((l) => l.includes('first comment step failed')),
      30_000,
      'the settle, and the fence refused',
    );
    expect(row()).toMatchObject({ status: 'published', comment: 'due', commentSends: 0 });
    await kill(first);
    expect(meta.calls(/\/comments$/, 'POST')).toHaveLength(0);

    sqlite.exec('DROP TRIGGER hold_comment_fence');
    spawn(env);
    await waitFor(() => row().comment === 'posted', 30_000, `the comment posted (now ${JSON.stringify(row())})`);
    expect(row()).toMatchObject({ status: 'published', sends: 1, commentSends: 1 });
    expect(meta.published).toHaveLength(1);
    expect(meta.comments.all).toHaveLength(1);
    expect(meta.calls(/\/comments$/, 'POST')).toHaveLength(1);
  }, 90_000);

  it('SIGKILL after the comment reached Facebook, before its answer: found by the reconciler, once', async () => {
    const { env, row, logs, meta } = await setup(1500);
    meta.comments.holdAnswers = 1;
    const first = spawn(env);
    await waitFor(() => meta.comments.all.length === 1, 30_000, 'the comment on Facebook');
    expect(row()).toMatchObject({ status: 'published', comment: 'sent', commentSends: 1 });
    await kill(first);

    spawn(env);
    await waitFor(() => row().comment === 'posted', 30_000, `the comment settled (now ${JSON.stringify(row())})`);
    expect(meta.comments.all).toHaveLength(1);
    expect(meta.calls(/\/comments$/, 'POST')).toHaveLength(1);
    expect(row()).toMatchObject({ commentId: meta.comments.all[0]!.id, commentSends: 1 });
    expect(logs('comment').at(-1)).toMatch(/found on Facebook after an unclear answer/);
  }, 90_000);

  it('a leader frozen mid-publish loses its lease: the new one comments, the old one sends nothing', async () => {
    const { env, row, leader, logs, meta } = await setup(2500);
    // The confirm answer comes late; the leader is frozen while it waits.
    meta.inject({ method: 'GET', path: CONFIRM, fault: { kind: 'delay', ms: 2_000 } });
    spawn(env);
    spawn(env);
    await waitFor(() => meta.calls(CONFIRM, 'GET').length === 1, 30_000, 'the confirm read');
    const old = leader()!;
    const victim = children.find((c) => c.child.pid === old.pid)!;
    victim.child.kill('SIGSTOP');
    await waitFor(() => (leader()?.epoch ?? 0) > old.epoch, 30_000, 'a takeover');
    await waitFor(() => row().comment === 'posted', 30_000, `the new leader's comment (now ${JSON.stringify(row())})`);
    victim.child.kill('SIGCONT');
    // Give the old leader time to act on its late answer, then check it did nothing.
    await waitFor(
      () => victim.lines.some((l) => l.includes('"msg":"lease lost"') || l.includes('self-deadline passed')),
      15_000,
      'the old leader to step down',
    );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(meta.published).toHaveLength(1);
    expect(meta.comments.all).toHaveLength(1);
    expect(meta.calls(/\/comments$/, 'POST')).toHaveLength(1);
    expect(row()).toMatchObject({ status: 'published', comment: 'posted', commentSends: 1 });
    expect(logs('comment').filter((m) => m.startsWith('Sending the first comment'))).toHaveLength(1);
  }, 120_000);
});
