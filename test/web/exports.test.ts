// The admin downloads: the pipeline's "Export CSV" with the filters on screen, and on the client page
// the client's posts and its publishing history (time, step, level, message, code; never a secret).
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST_CSV_COLUMNS } from '../../src/domain/post-csv.js';
import { ManualClock } from '../../src/lib/clock.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

const ADMIN = { email: 'admin@agency.test', password: 'correct horse battery staple' };
const T0 = Date.parse('2026-03-01T10:00:00.000Z');

const rowsOf = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;

describe('admin CSV exports', () => {
  let t: TestHerald;
  let admin: PageClient;
  let acme: ReturnType<typeof seedClient>;
  let other: ReturnType<typeof seedClient>;
  let scheduled: string;
  let draft: string;
  let theirs: string;

  beforeAll(async () => {
    t = await makeHerald({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }, { clock: new ManualClock(T0) });
    await t.herald.services.auth.ensureConfiguredAdmin();
    admin = new PageClient(t.herald.app);
    await admin.post('/login', ADMIN);
    acme = seedClient(t);
    other = seedClient(t, { name: 'Other Co' });
    const { posts } = t.herald.services;
    const system = { kind: 'system' } as const;
    scheduled = posts.create(
      { accountId: acme.facebook.id, caption: 'Scheduled', scheduledAt: '2026-03-30T07:00:00Z', status: 'scheduled' },
      system,
    ).id;
    draft = posts.create({ accountId: acme.facebook.id, caption: 'Draft', status: 'draft' }, system).id;
    theirs = posts.create(
      { accountId: other.facebook.id, caption: 'Not yours', scheduledAt: '2026-03-30T07:00:00Z', status: 'scheduled' },
      system,
    ).id;
    const log = (postId: string, step: string, level: 'info' | 'error', message: string, code: string | null) =>
      t.herald.repos.posts.insertLog({
        postId,
        attemptId: 'att_secret_attempt',
        step,
        level,
        message,
        code,
        request: 'POST /v25.0/me/feed access_token=EAAB-request-body-secret&client_secret=shh-request',
        durationMs: 120,
        createdAt: Date.parse('2026-03-29T00:30:00Z'),
      });
    log(scheduled, 'send', 'info', 'Sending to Facebook', null);
    log(
      scheduled,
      'send',
      'error',
      'GET https://graph.facebook.com/me?access_token=EAAB-in-message&fields=id failed; ' +
        'header Authorization: Bearer sk-bearer-secret; {"client_secret":"json-secret"}',
      'OAuthException:190',
    );
    log(theirs, 'send', 'info', 'Their line', null);
  });
  afterAll(() => t.close());

  it('the client page links both downloads; each holds only that client', async () => {
    const { html } = await admin.get(`/clients/${acme.client.id}`);
    expect(html).toContain(`href="/clients/${acme.client.id}/posts.csv"`);
    expect(html).toContain(`href="/clients/${acme.client.id}/logs.csv"`);
    expect(html).toContain('Publishing history (CSV)');

    const res = await admin.request(`/clients/${acme.client.id}/posts.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('posts-acme-bakery-2026-03-01.csv');
    const text = await res.text();
    expect(text.split('\r\n')[0]).toBe(POST_CSV_COLUMNS.join(','));
    expect(
      rowsOf(text)
        .map((r) => r.post_id)
        .sort(),
    ).toEqual([scheduled, draft].sort());
    expect(text).not.toContain(theirs);
  });

  it('the publishing history has time, step, level, message and code, and no secret', async () => {
    const res = await admin.request(`/clients/${acme.client.id}/logs.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('publishing-history-acme-bakery-2026-03-01.csv');
    const text = await res.text();
    expect(text.split('\r\n')[0]).toBe('time,post_id,network,account_name,step,level,message,code');
    const all = rowsOf(text);
    expect(new Set(all.map((r) => r.post_id))).toEqual(new Set([scheduled, draft]));
    const rows = all.filter((r) => r.step === 'send');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      time: '2026-03-29T01:30:00+01:00',
      post_id: scheduled,
      network: 'facebook',
      account_name: 'Acme Page',
      step: 'send',
      level: 'info',
      message: 'Sending to Facebook',
      code: '',
    });
    expect(rows[1]).toMatchObject({ level: 'error', code: 'OAuthException:190' });
    expect(rows[1]!.message).toContain('access_token=[redacted]&fields=id failed');
    expect(rows[1]!.message).toContain('Bearer [redacted]');
    for (const secret of [
      'EAAB-in-message',
      'sk-bearer-secret',
      'json-secret',
      'request-body-secret',
      'shh-request',
      'att_secret_attempt',
      `token-facebook-fb-${acme.client.id}`,
      'Their line',
    ])
      expect(text).not.toContain(secret);
  });

  it("the pipeline's Export CSV link carries its filters and exports what they match", async () => {
    const { html } = await admin.get(`/pipeline?clientId=${acme.client.id}&status=scheduled`);
    const href = /href="(\/pipeline\/export\.csv\?[^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBe(`/pipeline/export.csv?clientId=${acme.client.id}&status=scheduled`);
    const rows = rowsOf(await (await admin.request(href!)).text());
    expect(rows.map((r) => r.post_id)).toEqual([scheduled]);

    // Dates are the pipeline's: whole days in the client's zone.
    const days = rowsOf(await (await admin.request('/pipeline/export.csv?from=2026-03-30&to=2026-03-30')).text());
    expect(days.map((r) => r.post_id).sort()).toEqual([scheduled, theirs].sort());
    const none = rowsOf(await (await admin.request('/pipeline/export.csv?from=2026-03-31')).text());
    expect(none).toEqual([]);
  });

  it('nobody without an admin session downloads anything', async () => {
    const stranger = new PageClient(t.herald.app);
    for (const path of [
      `/clients/${acme.client.id}/posts.csv`,
      `/clients/${acme.client.id}/logs.csv`,
      '/pipeline/export.csv',
    ]) {
      const res = await stranger.request(path);
      expect([302, 303]).toContain(res.status);
      expect(res.headers.get('location')).toMatch(/^\/login/);
    }
    expect((await admin.request('/clients/cli_nope/logs.csv')).status).toBe(404);
  });
});
