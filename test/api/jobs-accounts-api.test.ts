import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

describe('jobs API', () => {
  let t: TestHerald;
  let leading = false;
  beforeAll(async () => {
    t = await makeHerald();
  });
  afterAll(() => t.close());

  /** Makes this Herald the leader that runs queued jobs (once). */
  function lead(): void {
    if (leading) return;
    t.herald.lease.start();
    t.herald.scheduler.start();
    leading = true;
  }

  /** POST /jobs/:name/run, then the run as GET /jobs/runs/:id shows it once finished (or after 5 s). */
  async function runJob(name: string): Promise<{ runId: string; run: Record<string, unknown> | undefined }> {
    const res = await t.api('POST', `/jobs/${name}/run`);
    expect(res.status).toBe(202);
    const { runId } = await json(res);
    let run: Record<string, unknown> | undefined;
    for (let i = 0; i < 50; i++) {
      run = await json(await t.api('GET', `/jobs/runs/${runId}`));
      if (run?.status === 'ok' || run?.status === 'error') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { runId, run };
  }

  it('lists every job with its last run', async () => {
    const body = await json(await t.api('GET', '/jobs'));
    expect(body.jobs.map((j: { id: string }) => j.id)).toEqual(expect.arrayContaining(['maintenance', 'backup']));
    expect(body.data).toEqual([]);
    // Nothing has run yet.
    for (const job of body.jobs) expect(job.lastRun, job.id).toBeNull();
    lead();
    const { runId, run } = await runJob('maintenance');
    expect(run).toMatchObject({ id: runId, status: 'ok', job: 'maintenance', trigger: 'manual' });
    const after = await json(await t.api('GET', '/jobs'));
    expect(after.jobs.find((j: { id: string }) => j.id === 'maintenance').lastRun).toEqual(run);
  });

  it('queues a run (202) that the leader executes and records', async () => {
    lead();
    const { runId, run } = await runJob('maintenance');
    expect(run).toMatchObject({ status: 'ok', job: 'maintenance', trigger: 'manual' });
    const list = await json(await t.api('GET', '/jobs?job=maintenance'));
    expect(list.data[0]).toMatchObject({ id: runId, status: 'ok' });
    expect(list.jobs.find((j: { id: string }) => j.id === 'maintenance').lastRun.id).toBe(runId);
  });

  it('answers 404 for an unknown job and 400 for an unknown filter', async () => {
    const res = await t.api('POST', '/jobs/make-coffee/run');
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
    expect((await t.api('GET', '/jobs?job=make-coffee')).status).toBe(400);
  });
});

describe('queued runs of the same job are merged', () => {
  let t: TestHerald;
  beforeAll(async () => {
    // No leader here until the last test: requested runs stay queued.
    t = await makeHerald();
  });
  afterAll(() => t.close());

  const queued = () =>
    t.herald.database.sqlite
      .prepare("SELECT id, job, params FROM job_runs WHERE status = 'queued' ORDER BY requested_at, id")
      .all();

  it('a second request while the first is still queued returns the queued run', async () => {
    const first = await json(await t.api('POST', '/jobs/maintenance/run'));
    expect(first).toMatchObject({ runId: expect.any(String), merged: false });
    const again = await t.api('POST', '/jobs/maintenance/run');
    expect(again.status).toBe(202);
    expect(await json(again)).toEqual({ runId: first.runId, merged: true });
    // Another job is a run of its own.
    const other = await json(await t.api('POST', '/jobs/backup/run'));
    expect(other.merged).toBe(false);
    expect(queued()).toEqual([
      { id: first.runId, job: 'maintenance', params: null },
      { id: other.runId, job: 'backup', params: null },
    ]);
  });

  it('merges only requests with the same params (in any key order)', () => {
    const { scheduler } = t.herald;
    const a = scheduler.runNow('generate-content', { clientId: 'cli_a', ruleId: 'rule_1' });
    const b = scheduler.runNow('generate-content', { clientId: 'cli_b', ruleId: 'rule_1' });
    const aAgain = scheduler.runNow('generate-content', { ruleId: 'rule_1', clientId: 'cli_a' });
    const all = scheduler.runNow('generate-content');
    expect(b.runId).not.toBe(a.runId);
    expect(aAgain).toEqual({ runId: a.runId, merged: true });
    expect(all.merged).toBe(false);
    expect(scheduler.runNow('generate-content', {})).toEqual({ runId: all.runId, merged: true });
    expect(queued().filter((r: any) => r.job === 'generate-content')).toHaveLength(3);
  });

  it('once the queued run has started, a new request queues a new run', async () => {
    const [waiting] = queued().filter((r: any) => r.job === 'maintenance') as Array<{ id: string }>;
    t.herald.lease.start();
    t.herald.scheduler.start();
    for (let i = 0; i < 50 && t.herald.repos.system.getRun(waiting!.id)?.status === 'queued'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(t.herald.repos.system.getRun(waiting!.id)?.status).not.toBe('queued');
    const next = await json(await t.api('POST', '/jobs/maintenance/run'));
    expect(next.runId).not.toBe(waiting!.id);
    expect(next.merged).toBe(false);
  });
});

describe('accounts API', () => {
  let t: TestHerald;
  let seeded: ReturnType<typeof seedClient>;
  beforeAll(async () => {
    t = await makeHerald();
    seeded = seedClient(t);
  });
  afterAll(() => t.close());

  it('disables and re-enables an account', async () => {
    expect(await json(await t.api('PATCH', `/accounts/${seeded.facebook.id}`, { status: 'disabled' }))).toMatchObject({
      status: 'disabled',
    });
    expect(await json(await t.api('PATCH', `/accounts/${seeded.facebook.id}`, { status: 'connected' }))).toMatchObject({
      status: 'connected',
    });
  });

  it('cannot flag a broken account back to connected: it needs OAuth', async () => {
    t.herald.services.accounts.markNeedsReauth(seeded.instagram.id, 'Token revoked');
    const res = await t.api('PATCH', `/accounts/${seeded.instagram.id}`, { status: 'connected' });
    expect(res.status).toBe(409);
  });

  it.each([[{ status: 'needs_reauth' }], [{ status: 'on' }], [{ name: 'x' }]])('refuses %j', async (body) => {
    const res = await t.api('PATCH', `/accounts/${seeded.tiktok.id}`, body);
    expect(res.status).toBe(400);
  });

  it('deletes an account', async () => {
    expect((await t.api('DELETE', `/accounts/${seeded.tiktok.id}`)).status).toBe(204);
    expect((await t.api('DELETE', `/accounts/${seeded.tiktok.id}`)).status).toBe(404);
    expect((await t.api('PATCH', '/accounts/acc_missing', { status: 'disabled' })).status).toBe(404);
  });

  it('keeps tokens encrypted at rest', () => {
    const rows = t.herald.database.sqlite.prepare('SELECT access_token_enc, refresh_token_enc FROM accounts').all();
    const dump = JSON.stringify(rows);
    expect(dump).not.toMatch(/token-(facebook|instagram|tiktok)/);
    expect(dump).toMatch(/v1\./);
  });
});
