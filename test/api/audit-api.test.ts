import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Actor } from '../../src/domain/actor.js';
import { FULL_ACCESS } from '../../src/domain/roles.js';
import { maintenanceJob } from '../../src/jobs/maintenance.js';
import { ManualClock } from '../../src/lib/clock.js';
import { json, makeHerald, seedClient, tempDir, TEST_SECRET, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// GET /api/v1/audit and /audit.csv: the filters (person, client, kind, dates), cursor paging, the admin scope and the
// owner/admin role; the CSV's cells are formula-safe; AUDIT_RETENTION_DAYS prunes old entries in the maintenance job.

const DAY = 86_400_000;
const ADMIN = 'admin@agency.test';
const PASSWORD = 'correct horse battery staple';
const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));

let t: TestHerald;
let acme: ReturnType<typeof seedClient>;
let mill: ReturnType<typeof seedClient>;
let owner: Actor;
let ownerId: string;

interface Entry {
  id: string;
  at: string;
  actor: { kind: string; id: string | null; label: string };
  clientId: string | null;
  kind: string;
  summary: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

async function list(query: string): Promise<{ data: Entry[]; nextCursor: string | null }> {
  const res = await t.api('GET', `/audit${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
}

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: ADMIN, ADMIN_PASSWORD: PASSWORD, AUDIT_RETENTION_DAYS: '30' }, { clock });
  await t.herald.services.auth.ensureConfiguredAdmin();
  ownerId = t.herald.repos.auth.adminByEmail(ADMIN)!.id;
  owner = { kind: 'admin', id: ownerId, email: ADMIN, access: FULL_ACCESS };
  acme = seedClient(t);
  // A client name a spreadsheet would run as a formula: the CSV must not.
  mill = seedClient(t, { name: '=HYPERLINK("http://evil.test","Mill")' });
  // 1 March: three labels by the owner (agency-wide); 2 March: rules for each client through the API token.
  for (const name of ['One', 'Two', 'Three']) t.herald.services.labels.create({ name, color: '#1971c2' }, owner);
  clock.advance(DAY);
  for (const client of [acme, mill]) {
    const res = await t.api('POST', `/clients/${client.client.id}/rules`, { name: 'Daily', cron: '0 9 * * *' });
    expect(res.status).toBe(201);
  }
});
afterAll(() => t.close());

describe('GET /api/v1/audit', () => {
  it('lists entries newest first with actor, client, kind and before/after', async () => {
    const { data } = await list('');
    expect(data.map((e) => e.kind).slice(0, 5)).toEqual([
      'rule.create',
      'rule.create',
      'label.create',
      'label.create',
      'label.create',
    ]);
    expect(data[0]).toMatchObject({
      actor: { kind: 'api', label: 'API token "tests"' },
      clientId: mill.client.id,
      after: { name: 'Daily', cron: '0 9 * * *' },
    });
    expect(data[2]).toMatchObject({ actor: { kind: 'admin', id: ownerId, label: ADMIN }, clientId: null });
  });

  it('filters by person, client, kind and dates', async () => {
    const byOwner = await list(`?actorId=${ownerId}`);
    expect(byOwner.data.map((e) => e.kind)).toEqual(['label.create', 'label.create', 'label.create']);
    const byClient = await list(`?clientId=${acme.client.id}&kind=rule.create`);
    expect(byClient.data).toHaveLength(1);
    expect(byClient.data[0]!.clientId).toBe(acme.client.id);
    const firstDay = await list('?from=2026-03-01&to=2026-03-01');
    expect(firstDay.data.every((e) => e.at.startsWith('2026-03-01'))).toBe(true);
    expect(firstDay.data.filter((e) => e.kind === 'label.create')).toHaveLength(3);
    expect((await list('?from=2026-03-02T00:00:00Z&kind=label.create')).data).toEqual([]);
  });

  it('pages with a cursor, never repeating or skipping an entry', async () => {
    const all = (await list('?limit=200')).data.map((e) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Entry[]; nextCursor: string | null } = await list(
        `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('answers bad filters with validation_failed and the field', async () => {
    for (const [query, field] of [
      ['?kind=post.explode', 'kind'],
      ['?from=last-week', 'from'],
      ['?from=2026-03-05&to=2026-03-01', 'to'],
      ['?cursor=nonsense', 'cursor'],
      ['?limit=0', 'limit'],
    ] as const) {
      const res = await t.api('GET', `/audit${query}`);
      expect(res.status, query).toBe(400);
      const body = await json(res);
      expect(body.error.code).toBe('validation_failed');
      expect(Object.keys(body.error.details)).toContain(field);
    }
  });

  it('needs the admin scope, and a token held to an editor may not read it', async () => {
    const { token: writeToken } = t.herald.services.apiTokens.create({ name: 'writer', scope: 'write' });
    const asWriter = await t.herald.app.request('/api/v1/audit', {
      headers: { authorization: `Bearer ${writeToken}` },
    });
    expect(asWriter.status).toBe(403);
    expect((await json(asWriter)).error.message).toContain('admin');

    const editor = await t.herald.services.auth.createAdmin({ email: 'ed@agency.test', password: 'a long password 1' });
    t.herald.database.sqlite.prepare("UPDATE admins SET role = 'editor' WHERE id = ?").run(editor.id);
    const { token } = t.herald.services.apiTokens.create({ name: 'editor', scope: 'admin' }, editor.id);
    const asEditor = await t.herald.app.request('/api/v1/audit', { headers: { authorization: `Bearer ${token}` } });
    expect(asEditor.status).toBe(403);
    // Whatever the scope, the role is checked in the service too.
    const editorActor = {
      kind: 'admin',
      id: editor.id,
      email: editor.email,
      access: { role: 'editor', clientIds: [] },
    };
    expect(() => t.herald.services.audit.list({}, 10, editorActor as Actor)).toThrow(
      'Only owners and admins can read the audit trail.',
    );
  });
});

describe('/audit.csv', () => {
  it('downloads the filtered entries, every cell safe to open in a spreadsheet', async () => {
    const browser = new PageClient(t.herald.app);
    await browser.post('/login', { email: ADMIN, password: PASSWORD });
    const res = await browser.request(`/audit.csv?kind=rule.create&clientId=${mill.client.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('at,actor_kind,actor_id,actor,client_id,client,kind,target_id,summary,before,after,ip');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${mill.client.id},"'=HYPERLINK(""http://evil.test"",""Mill"")",rule.create`);
    expect(lines[1]).toContain('"{""name"":""Daily"",""cron"":""0 9 * * *""}"');
  });
});

describe('AUDIT_RETENTION_DAYS', () => {
  it('defaults to 365 and refuses values outside 1–3650 with a clear error', () => {
    const env = { DATA_DIR: tempDir(), SECRET_KEY: TEST_SECRET };
    expect(loadConfig(env).auditRetentionDays).toBe(365);
    expect(loadConfig({ ...env, AUDIT_RETENTION_DAYS: '3650' }).auditRetentionDays).toBe(3650);
    for (const bad of ['0', '3651', 'forever'])
      expect(() => loadConfig({ ...env, AUDIT_RETENTION_DAYS: bad }), bad).toThrow(/^AUDIT_RETENTION_DAYS: must be/);
  });

  it('the maintenance job prunes entries older than the retention, keeping the rest', async () => {
    const count = () => t.herald.repos.audit.list({ limit: 200 }).data.length;
    const total = count();
    // Just under 30 days after the labels (1 March, 10:00): everything stays.
    clock.set(Date.parse('2026-03-31T09:00:00Z'));
    const job = maintenanceJob(t.herald);
    expect((await job()).auditEntries).toBe(0);
    expect(count()).toBe(total);
    // A day later the labels of 1 March are past 30 days; the rules of 2 March are not yet.
    clock.advance(DAY);
    expect((await job()).auditEntries).toBe(3);
    expect((await list('')).data.map((e) => e.kind)).not.toContain('label.create');
    expect(count()).toBe(total - 3);
  });
});
