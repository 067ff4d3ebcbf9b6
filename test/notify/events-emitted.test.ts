import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import type { EventRecord } from '../../src/domain/events.js';
import { PlatformError, type Connector } from '../../src/platforms/types.js';
import { emitEvent } from '../../src/services/events.js';
import { aiHarness, type AiHarness } from '../helpers/ai-harness.js';
import { engineHarness, type EngineHarness } from '../helpers/engine-harness.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { FULL_ACCESS } from '../../src/domain/roles.js';

// Every happening writes its event in the transaction of the change, driven here through the real
// services, the publishing engine against a fake platform, the AI fakes and the scheduler.

let h: EngineHarness | undefined;
let ai: AiHarness | undefined;
let t: TestHerald | undefined;
afterEach(async () => {
  await h?.close();
  await ai?.close();
  await t?.close();
  h = ai = t = undefined;
});

const ADMIN: Actor = { kind: 'admin', id: 'adm_1', email: 'ana@agency.test', access: FULL_ACCESS };

function eventsOf(herald: TestHerald, type?: string): EventRecord[] {
  return herald.herald.repos.events.list({ type, limit: 1000 }).map((row) => ({
    id: row.id,
    type: row.type as EventRecord['type'],
    clientId: row.clientId,
    createdAt: new Date(row.createdAt).toISOString(),
    data: row.data,
  }));
}

/** The types written since `from` events, in order, leaving out account.connected from seeding. */
function typesSince(herald: TestHerald, from: number): string[] {
  return eventsOf(herald)
    .slice(from)
    .map((e) => e.type);
}

describe('publishing outcomes', () => {
  it.each([
    {
      name: 'published',
      fault: null,
      status: 'published',
      type: 'post.published',
      data: {
        permalink: 'https://platform.test/pp_1',
        externalId: 'pp_1',
        title: 'Post published on Acme Bakery’s Facebook',
      },
    },
    {
      name: 'refused by the network',
      fault: { kind: 'status' as const, status: 400, body: {} },
      status: 'failed',
      type: 'post.failed',
      data: { error: 'The platform refused the post (400).', title: 'Post failed on Acme Bakery’s Facebook' },
    },
  ])('$name: one $type with the words and ids a person needs', async ({ fault, status, type, data }) => {
    h = await engineHarness();
    if (fault) h.platform.inject({ method: 'POST', path: /^\/publish$/, fault });
    const before = eventsOf(h.t).length;
    const id = h.schedule('hello');
    await h.round();
    expect(h.status(id)).toBe(status);
    expect(typesSince(h.t, before)).toEqual([type]);
    const [event] = eventsOf(h.t, type);
    expect(event).toMatchObject({
      type,
      clientId: h.seeded.client.id,
      data: {
        ...data,
        postId: id,
        accountId: h.seeded.facebook.id,
        platform: 'facebook',
        accountName: 'Acme Page',
        clientName: 'Acme Bakery',
        url: `http://herald.test/posts/${id}`,
      },
    });
    expect(event!.data.text).toBeTruthy();
    // More rounds change nothing and tell nothing.
    await h.round();
    expect(typesSince(h.t, before)).toEqual([type]);
  });

  it('a post whose time passed while nothing could publish it: one post.missed', async () => {
    h = await engineHarness({ MISSED_GRACE_MINUTES: '5' });
    const before = eventsOf(h.t).length;
    const id = h.schedule('too late', 60_000);
    h.advance(60_000 + 6 * 60_000);
    await h.round();
    await h.round();
    expect(h.status(id)).toBe('missed');
    expect(typesSince(h.t, before)).toEqual(['post.missed']);
    expect(eventsOf(h.t, 'post.missed')[0]!.data).toMatchObject({
      postId: id,
      error: expect.stringMatching(/^Missed/),
    });
  });

  it('a refused account: one account.needs_reauth per breakage, account.connected on reconnect', async () => {
    h = await engineHarness();
    const { accounts } = h.t.herald.services;
    h.platform.inject({ method: 'POST', path: /^\/prepare$/, fault: { kind: 'status', status: 401, body: {} } });
    const before = eventsOf(h.t).length;
    h.schedule('first');
    h.schedule('second');
    await h.round();
    // A refused refresh later marks it again: no second event for the same breakage.
    accounts.markNeedsReauth(h.seeded.facebook.id, 'Refresh refused.');
    expect(typesSince(h.t, before)).toEqual(['account.needs_reauth']);
    const [broken] = eventsOf(h.t, 'account.needs_reauth');
    expect(broken).toMatchObject({
      clientId: h.seeded.client.id,
      data: {
        accountId: h.seeded.facebook.id,
        platform: 'facebook',
        accountName: 'Acme Page',
        clientName: 'Acme Bakery',
        waitingPosts: 2,
        title: 'Acme Bakery’s Facebook account Acme Page needs reconnecting',
      },
    });
    expect(broken!.data.error).toMatch(/no longer accepts/);
    expect(broken!.data.text).toMatch(/2 posts wait until it is reconnected/);

    accounts.connect({
      clientId: h.seeded.client.id,
      platform: 'facebook',
      externalId: h.seeded.facebook.externalId,
      name: 'Acme Page',
      accessToken: 'new-token',
      scopes: [],
    });
    const connected = eventsOf(h.t, 'account.connected').at(-1)!;
    expect(connected.data).toMatchObject({ accountId: h.seeded.facebook.id, reconnected: true });
    // Broken again after the reconnect: a new breakage, a new event.
    accounts.markNeedsReauth(h.seeded.facebook.id, 'Revoked again.');
    expect(eventsOf(h.t, 'account.needs_reauth')).toHaveLength(2);
  });
});

describe('the token refresher', () => {
  it('a refused refresh marks the account once, however often the network refuses it again', async () => {
    let refreshes = 0;
    const refusing: Connector = {
      id: 'meta',
      label: 'Meta',
      platforms: ['facebook'],
      refresh: async () => {
        refreshes++;
        throw new PlatformError('auth', 'The session was invalidated by the user.', '190');
      },
    };
    t = await makeHerald({}, { connectors: [refusing] });
    const seeded = seedClient(t);
    const before = eventsOf(t).length;
    for (let i = 0; i < 3; i++) {
      const account = t.herald.repos.accounts.get(seeded.facebook.id)!;
      await expect(t.herald.tokens.refresh(account, true)).rejects.toThrow(/invalidated/);
    }
    expect(refreshes).toBe(3);
    expect(typesSince(t, before)).toEqual(['account.needs_reauth']);
    expect(eventsOf(t, 'account.needs_reauth')[0]!.data.error).toMatch(/invalidated by the user/);
  });
});

describe('post.unconfirmed', () => {
  async function unconfirmedPost(): Promise<string> {
    h = await engineHarness();
    // The send's answer is lost and the platform cannot be asked: the outcome stays unknown.
    h.platform.inject({ method: 'POST', path: /^\/publish$/, fault: { kind: 'reset' } });
    h.platform.inject({
      method: 'GET',
      path: /^\/posts$/,
      fault: { kind: 'status', status: 500, body: {} },
      times: 1000,
    });
    const id = h.schedule('did it land?');
    await h.round();
    expect(h.status(id)).toBe('unconfirmed');
    return id;
  }

  it('is told only once the outcome has been unknown for 30 minutes, and only once', async () => {
    const id = await unconfirmedPost();
    // Checked at 1 and at 29 minutes: not yet.
    for (const step of [60_000, 28 * 60_000]) {
      h!.advance(step);
      await h!.t.herald.engine.reconcile();
    }
    expect(eventsOf(h!.t, 'post.unconfirmed')).toEqual([]);
    h!.advance(60_000 + 1000);
    const counts = await h!.t.herald.engine.reconcile();
    expect(counts.toldUnconfirmed).toBe(1);
    for (let i = 0; i < 3; i++) {
      h!.advance(10 * 60_000);
      await h!.t.herald.engine.reconcile();
    }
    const told = eventsOf(h!.t, 'post.unconfirmed');
    expect(told).toHaveLength(1);
    expect(told[0]!.data).toMatchObject({ postId: id, title: 'Post outcome unknown on Acme Bakery’s Facebook' });
    expect(h!.t.herald.services.posts.get(id).status).toBe('unconfirmed');
  });

  it('is not told when the reconciler settled the post before', async () => {
    const id = await unconfirmedPost();
    h!.advance(10 * 60_000);
    h!.platform.clearFaults();
    await h!.t.herald.engine.reconcile();
    h!.advance(6_000);
    await h!.t.herald.engine.reconcile();
    await h!.round();
    expect(h!.status(id)).toBe('published');
    h!.advance(40 * 60_000);
    await h!.t.herald.engine.reconcile();
    expect(eventsOf(h!.t, 'post.unconfirmed')).toEqual([]);
    expect(eventsOf(h!.t, 'post.published')).toHaveLength(1);
  });
});

describe('reviews', () => {
  async function clientReviewed() {
    t = await makeHerald();
    const seeded = seedClient(t, { approvalMode: 'client' });
    return { posts: t.herald.services.posts, seeded };
  }

  it('a post waiting for the client, rejected with a comment, sent again and approved', async () => {
    const { posts, seeded } = await clientReviewed();
    const before = eventsOf(t!).length;
    const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
    const post = posts.create(
      { accountId: seeded.facebook.id, caption: 'New rye', scheduledAt, status: 'scheduled' },
      ADMIN,
    );
    expect(post.status).toBe('pending_approval');
    expect(typesSince(t!, before)).toEqual(['approval.requested']);
    expect(eventsOf(t!, 'approval.requested')[0]).toMatchObject({
      clientId: seeded.client.id,
      data: {
        count: 1,
        postIds: [post.id],
        waitingFor: 'client',
        earliestScheduledAt: new Date(scheduledAt).toISOString(),
        reviewUrl: 'http://herald.test/portal/posts',
        title: '1 post is waiting for Acme Bakery’s approval',
      },
    });

    posts.act(post.id, 'reject', { kind: 'client', clientId: seeded.client.id }, { comment: 'Too sweet' });
    expect(typesSince(t!, before)).toEqual(['approval.requested', 'post.rejected', 'approval.decided']);
    expect(eventsOf(t!, 'post.rejected')[0]!.data).toMatchObject({
      postId: post.id,
      comment: 'Too sweet',
      reviewer: 'the client (portal)',
    });
    expect(eventsOf(t!, 'approval.decided')[0]!.data).toMatchObject({ decision: 'rejected', comment: 'Too sweet' });

    posts.act(post.id, 'submit', ADMIN);
    posts.act(post.id, 'approve', { kind: 'client', clientId: seeded.client.id });
    expect(typesSince(t!, before)).toEqual([
      'approval.requested',
      'post.rejected',
      'approval.decided',
      'approval.requested',
      'approval.decided',
    ]);
    expect(eventsOf(t!, 'approval.decided')[1]!.data).toMatchObject({
      decision: 'approved',
      reviewer: 'the client (portal)',
    });
  });

  it('changing the words of an approved post asks the client again', async () => {
    const { posts, seeded } = await clientReviewed();
    const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
    const post = posts.create(
      { accountId: seeded.facebook.id, caption: 'Rye', scheduledAt, status: 'scheduled' },
      ADMIN,
    );
    const approved = posts.act(post.id, 'approve', { kind: 'client', clientId: seeded.client.id });
    posts.update(post.id, { caption: 'Rye, now with seeds', version: approved.version }, ADMIN);
    expect(eventsOf(t!, 'approval.requested').map((e) => e.data.postIds)).toEqual([[post.id], [post.id]]);
  });

  it('a refused change or a stale version writes no event', async () => {
    const { posts, seeded } = await clientReviewed();
    const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
    const post = posts.create(
      { accountId: seeded.facebook.id, caption: 'Rye', scheduledAt, status: 'scheduled' },
      ADMIN,
    );
    posts.act(post.id, 'cancel', ADMIN);
    const before = eventsOf(t!).length;
    expect(() => posts.act(post.id, 'approve', ADMIN)).toThrow(/cannot be approved/);
    expect(() => posts.act(post.id, 'reject', ADMIN, { comment: 'no' })).toThrow(/cannot be rejected/);
    const other = posts.create({ accountId: seeded.facebook.id, caption: 'Oat', scheduledAt, status: 'draft' }, ADMIN);
    expect(() => posts.update(other.id, { caption: 'Oats', version: other.version + 5 }, ADMIN)).toThrow(/changed by/);
    // A client may not approve what is not waiting for it.
    expect(() => posts.act(other.id, 'approve', { kind: 'client', clientId: seeded.client.id })).toThrow();
    expect(eventsOf(t!).length).toBe(before);
  });
});

describe('the outbox is the change’s own transaction', () => {
  it('an event written in a transaction that then fails is gone with it; none is written outside one', async () => {
    t = await makeHerald();
    const { database, repos, clock } = t.herald;
    expect(() =>
      database.immediate(() => {
        emitEvent({ database, repos, clock }, 'job.failed', null, { title: 'never committed' });
        throw new Error('the change failed after its event');
      }),
    ).toThrow(/the change failed/);
    expect(eventsOf(t)).toEqual([]);
    expect(() => emitEvent({ database, repos, clock }, 'job.failed', null, { title: 'no transaction' })).toThrow(
      /outside a transaction/,
    );
    expect(eventsOf(t)).toEqual([]);
  });

  it('a post change that fails while writing its event leaves neither the change nor the event', async () => {
    t = await makeHerald();
    const seeded = seedClient(t, { approvalMode: 'client' });
    const { posts } = t.herald.services;
    const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
    const post = posts.create(
      { accountId: seeded.facebook.id, caption: 'Rye', scheduledAt, status: 'scheduled' },
      ADMIN,
    );
    const before = eventsOf(t).length;
    // The outbox refuses writes (a trigger stands in for a full disk): the rejection must not stick.
    t.herald.database.sqlite.exec(
      "CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'outbox full'); END",
    );
    expect(() => posts.act(post.id, 'reject', ADMIN, { comment: 'no' })).toThrow(/outbox full/);
    expect(posts.get(post.id).status).toBe('pending_approval');
    expect(posts.logs(post.id).map((l) => l.step)).not.toContain('reject');
    t.herald.database.sqlite.exec('DROP TRIGGER refuse_events');
    posts.act(post.id, 'reject', ADMIN, { comment: 'no' });
    expect(typesSince(t, before)).toEqual(['post.rejected', 'approval.decided']);
  });
});

describe('generation', () => {
  async function withRules(mode: 'admin' | 'client') {
    ai = await aiHarness({}, { clientApproval: mode });
    const { rules } = ai.t.herald.services;
    for (const cron of ['0 9 * * *', '0 17 * * *'])
      rules.create(ai.seeded.client.id, {
        name: `Bread at ${cron}`,
        cron,
        topics: ['rye'],
        accountIds: [ai.seeded.facebook.id],
        horizonDays: 3,
      });
    return ai;
  }

  it('one approval.requested per client for a whole run, with what the reminders need', async () => {
    const { t: th, seeded, clock } = await withRules('client');
    await th.herald.generator.generateDue();
    const pending = th.herald.services.posts.list({ clientId: seeded.client.id, status: 'pending_approval' }, 50).data;
    expect(pending).toHaveLength(6);
    const requested = eventsOf(th, 'approval.requested');
    expect(requested).toHaveLength(1);
    const earliest = Math.min(...pending.map((p) => p.scheduledAt!));
    expect(requested[0]).toMatchObject({
      clientId: seeded.client.id,
      data: {
        count: 6,
        waitingFor: 'client',
        earliestScheduledAt: new Date(earliest).toISOString(),
        reviewUrl: 'http://herald.test/portal/posts',
        url: `http://herald.test/pipeline?clientId=${seeded.client.id}&status=pending_approval`,
      },
    });
    expect([...(requested[0]!.data.postIds as string[])].sort()).toEqual(pending.map((p) => p.id).sort());
    // The next run has nothing new to write and nothing new to tell.
    clock.advance(60_000);
    await th.herald.generator.generateDue();
    expect(eventsOf(th, 'approval.requested')).toHaveLength(1);
  });

  it('under admin approval the event waits for an admin', async () => {
    const { t: th } = await withRules('admin');
    await th.herald.generator.generateDue();
    expect(eventsOf(th, 'approval.requested').map((e) => [e.data.waitingFor, e.data.count])).toEqual([['admin', 6]]);
  });

  it('posts a run wrote but could not announce (it was cut off) are announced by the next run, once', async () => {
    const { t: th, seeded } = await withRules('client');
    // Between the rules' slots: a time the account already has a post at is not written for again.
    const slot = Date.parse('2026-06-03T07:30:00Z');
    for (const [i, key] of ['cut|a', 'cut|b'].entries())
      th.herald.services.posts.insertGenerated({
        clientId: seeded.client.id,
        accountId: seeded.facebook.id,
        ruleId: th.herald.services.rules.listByClient(seeded.client.id)[0]!.id,
        slotKey: key,
        scheduledAt: slot + i * 3_600_000,
        caption: `Left behind ${i}`,
        mediaIds: [],
        status: 'pending_approval',
        aiPrompt: 'p',
        aiModel: 'm',
        lastError: null,
        note: 'Written by AI.',
      });
    expect(eventsOf(th, 'approval.requested')).toEqual([]);
    await th.herald.generator.generateDue();
    const requested = eventsOf(th, 'approval.requested');
    // The left-behind two on their own, then this run's six.
    expect(requested.map((e) => e.data.count)).toEqual([2, 6]);
    expect(requested[0]!.data.earliestScheduledAt).toBe(new Date(slot).toISOString());
    await th.herald.generator.generateDue();
    expect(eventsOf(th, 'approval.requested')).toHaveLength(2);
  });

  it('rule.idle says why, at most once a day per rule and reason', async () => {
    ai = await aiHarness({}, { clientApproval: 'none' });
    const { t: th, seeded, clock } = ai;
    const rule = th.herald.services.rules.create(seeded.client.id, {
      name: 'Daily bread',
      cron: '0 9 * * *',
      topics: ['rye'],
      accountIds: [],
      horizonDays: 2,
    });
    await th.herald.generator.generateDue();
    await th.herald.generator.generateDue();
    clock.advance(23 * 3_600_000);
    await th.herald.generator.generateDue();
    let idle = eventsOf(th, 'rule.idle');
    expect(idle).toHaveLength(1);
    expect(idle[0]).toMatchObject({
      clientId: seeded.client.id,
      data: {
        ruleId: rule.id,
        reasonCode: 'no_accounts',
        title: 'Rule “Daily bread” for Acme Bakery writes nothing',
        url: `http://herald.test/rules/${rule.id}/edit`,
      },
    });
    clock.advance(3_600_000 + 1000);
    await th.herald.generator.generateDue();
    expect(eventsOf(th, 'rule.idle')).toHaveLength(2);

    // Another reason is told at once: its only account must be reconnected.
    th.herald.services.rules.update(rule.id, { accountIds: [seeded.facebook.id] });
    th.herald.services.accounts.markNeedsReauth(seeded.facebook.id, 'Token revoked.');
    await th.herald.generator.generateDue();
    await th.herald.generator.generateDue();
    idle = eventsOf(th, 'rule.idle');
    expect(idle.map((e) => e.data.reasonCode)).toEqual(['no_accounts', 'no_accounts', 'accounts_need_reconnecting']);
    expect(idle[2]!.data.reason).toMatch(/Acme Page/);
  });

  it('a rule that could write is not idle', async () => {
    ai = await aiHarness({}, { clientApproval: 'none' });
    ai.t.herald.services.rules.create(ai.seeded.client.id, {
      name: 'Daily bread',
      cron: '0 9 * * *',
      topics: ['rye'],
      accountIds: [ai.seeded.facebook.id],
      horizonDays: 2,
    });
    await ai.t.herald.generator.generateDue();
    await ai.t.herald.generator.generateDue();
    expect(eventsOf(ai.t, 'rule.idle')).toEqual([]);
  });

  it('a refused AI key: the generation run fails (job.failed) and the rule says why (rule.idle)', async () => {
    ai = await aiHarness({ GROQ_API_KEY: 'gsk_revoked' }, { clientApproval: 'none' });
    const { t: th, seeded } = ai;
    const rule = th.herald.services.rules.create(seeded.client.id, {
      name: 'Daily bread',
      cron: '0 9 * * *',
      topics: ['rye'],
      accountIds: [seeded.facebook.id],
      horizonDays: 2,
    });
    th.herald.lease.tick();
    th.herald.scheduler.start();
    const { runId } = th.herald.scheduler.runNow('generate-content');
    for (let i = 0; i < 200 && th.herald.repos.system.getRun(runId)?.status !== 'error'; i++)
      await new Promise((r) => setTimeout(r, 20));
    const run = th.herald.repos.system.getRun(runId)!;
    expect(run.status).toBe('error');
    expect(eventsOf(th, 'rule.idle').map((e) => [e.data.ruleId, e.data.reasonCode])).toEqual([[rule.id, 'ai_refused']]);
    expect(eventsOf(th, 'rule.idle')[0]!.data.reason).toMatch(/GROQ_API_KEY/);
    expect(eventsOf(th, 'job.failed').map((e) => [e.data.jobId, e.data.runId, e.data.error])).toEqual([
      ['generate-content', runId, run.error],
    ]);
  });

  it('without AI configured every active rule is idle, saying so', async () => {
    t = await makeHerald();
    const seeded = seedClient(t);
    t.herald.services.rules.create(seeded.client.id, {
      name: 'Daily bread',
      cron: '0 9 * * *',
      topics: ['rye'],
      accountIds: [seeded.facebook.id],
      horizonDays: 2,
    });
    await t.herald.generator.generateDue();
    await t.herald.generator.generateDue();
    expect(eventsOf(t, 'rule.idle').map((e) => [e.data.reasonCode, e.data.reason])).toEqual([
      ['ai_not_configured', expect.stringMatching(/GROQ_API_KEY/)],
    ]);
  });
});

describe('failed backups and jobs', () => {
  async function runAndWait(herald: TestHerald, job: string): Promise<void> {
    const { runId } = herald.herald.scheduler.runNow(job);
    for (let i = 0; i < 200; i++) {
      const run = herald.herald.repos.system.getRun(runId);
      if (run && run.status !== 'queued' && run.status !== 'running') return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`run ${runId} did not finish`);
  }

  it('a backup that cannot be written: backup.failed and job.failed, each once, with the error', async () => {
    t = await makeHerald();
    // The backup folder is a file: the snapshot cannot be written there.
    rmSync(t.config.backupDir, { recursive: true, force: true });
    writeFileSync(t.config.backupDir, 'not a folder');
    t.herald.lease.tick();
    t.herald.scheduler.start();
    await runAndWait(t, 'backup');
    expect(eventsOf(t).map((e) => e.type)).toEqual(['backup.failed', 'job.failed']);
    const [backup] = eventsOf(t, 'backup.failed');
    const [job] = eventsOf(t, 'job.failed');
    expect(backup).toMatchObject({ clientId: null, data: { automatic: true, url: 'http://herald.test/system' } });
    expect(backup!.data.error).toMatch(/could not be written/);
    const run = t.herald.repos.system.lastRunPerJob(['backup'])[0]!;
    expect(job).toMatchObject({
      clientId: null,
      data: {
        jobId: 'backup',
        jobTitle: 'Daily backup',
        runId: run.id,
        error: run.error,
        title: 'Job failed: Daily backup',
      },
    });
    expect(run.status).toBe('error');
  });

  it('a job failing the same way again within the hour is told once', async () => {
    t = await makeHerald();
    rmSync(join(t.config.mediaDir), { recursive: true, force: true });
    t.herald.lease.tick();
    t.herald.scheduler.start();
    // Housekeeping reads the media folder; without it, every run fails alike.
    await runAndWait(t, 'maintenance');
    await runAndWait(t, 'maintenance');
    const failed = eventsOf(t, 'job.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ jobId: 'maintenance', error: expect.stringMatching(/ENOENT/) });
    expect(t.herald.repos.system.recentRuns(10, 'maintenance').map((r) => r.status)).toEqual(['error', 'error']);
  });
});
