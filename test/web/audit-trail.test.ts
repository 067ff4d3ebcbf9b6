import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import { FULL_ACCESS } from '../../src/domain/roles.js';
import type { AuditRow } from '../../src/db/repos/audit-repo.js';
import { ManualClock } from '../../src/lib/clock.js';
import { hoursFromNow, json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { PageClient } from '../helpers/page-client.js';

// Every kind of change a person or token makes leaves one audit entry naming who, which client and, for edits, the
// fields before and after; written in the change's own transaction, so a change that fails leaves none.

const ADMIN = 'admin@agency.test';
const PASSWORD = 'correct horse battery staple';
const TOKEN = 'API token "tests"';
const clock = new ManualClock(Date.parse('2026-06-01T08:00:00Z'));

let t: TestHerald;
let seeded: ReturnType<typeof seedClient>;
let browser: PageClient;
let owner: Actor;
/** A second Facebook Page of the client: a group of two that takes a caption alone. */
let secondPage: string;

/** The entries written by `change`, oldest first. */
async function entriesOf(change: () => unknown): Promise<AuditRow[]> {
  const before = t.herald.repos.audit.list({ limit: 1 }).data[0]?.id ?? 0;
  await change();
  return t.herald.repos.audit
    .list({ limit: 200 })
    .data.filter((row) => row.id > before)
    .reverse();
}

/** The one entry of `kind` that `change` wrote. */
async function entryOf(kind: string, change: () => unknown): Promise<AuditRow> {
  const rows = (await entriesOf(change)).filter((row) => row.kind === kind);
  expect(rows, kind).toHaveLength(1);
  return rows[0]!;
}

async function ok(res: Response | Promise<Response>, status = 200): Promise<any> {
  const answer = await res;
  expect(answer.status, await answer.clone().text()).toBe(status);
  return answer.headers.get('content-type')?.includes('json') ? json(answer) : null;
}

/** A page form post that answers with a redirect (the change went through). */
async function submitted(path: string, fields: Record<string, string>): Promise<void> {
  const res = await browser.post(path, fields);
  expect(res.status, path).toBeLessThan(400);
}

async function newPost(caption = 'Fresh bread today', extra: Record<string, unknown> = {}): Promise<any> {
  return ok(t.api('POST', '/posts', { accountId: seeded.facebook.id, caption, ...extra }), 201);
}

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: ADMIN, ADMIN_PASSWORD: PASSWORD }, { clock });
  await t.herald.services.auth.ensureConfiguredAdmin();
  seeded = seedClient(t);
  secondPage = t.herald.services.accounts.connect({
    clientId: seeded.client.id,
    platform: 'facebook',
    externalId: 'fb-page-two',
    name: 'Acme Two',
    accessToken: 'token',
    tokenExpiresAt: null,
    scopes: [],
  }).id;
  const admin = t.herald.repos.auth.adminByEmail(ADMIN)!;
  owner = { kind: 'admin', id: admin.id, email: ADMIN, access: FULL_ACCESS };
  browser = new PageClient(t.herald.app);
  await browser.post('/login', { email: ADMIN, password: PASSWORD });
  await browser.get('/');
});
afterAll(() => t.close());

describe('audit trail: posts and approvals', () => {
  it('records a post created through the API, with the token as the actor and the client', async () => {
    const entry = await entryOf('post.create', () => newPost());
    expect(entry).toMatchObject({ actorKind: 'api', actorLabel: TOKEN, clientId: seeded.client.id });
    expect(entry.after).toMatchObject({ status: 'draft', caption: 'Fresh bread today' });
  });

  it('records an edit with the changed fields before and after, and nothing else', async () => {
    const post = await newPost('Old words');
    const entry = await entryOf('post.update', () =>
      ok(t.api('PATCH', `/posts/${post.id}`, { version: post.version, caption: 'New words' })),
    );
    expect(entry).toMatchObject({ actorLabel: TOKEN, clientId: seeded.client.id, targetId: post.id });
    expect(entry.before).toEqual({ caption: 'Old words' });
    expect(entry.after).toEqual({ caption: 'New words' });
  });

  it('records a labels edit with the labels before and after', async () => {
    const label = await ok(t.api('POST', '/labels', { name: 'Summer', color: '#1971c2' }), 201);
    const post = await newPost();
    const entry = await entryOf('post.update', () =>
      ok(t.api('PATCH', `/posts/${post.id}`, { version: post.version, labels: [label.id] })),
    );
    expect(entry.before).toEqual({ labels: [] });
    expect(entry.after).toEqual({ labels: [label.id] });
  });

  it('records a move in the calendar as a reschedule, with the times', async () => {
    const post = await newPost('Moved', { scheduledAt: hoursFromNow(24, clock.now()), status: 'scheduled' });
    const to = clock.now() + 48 * 3_600_000;
    const entry = await entryOf('post.reschedule', () =>
      t.herald.services.posts.reschedule(post.id, { version: post.version, scheduledAt: to }, owner),
    );
    expect(entry).toMatchObject({ actorKind: 'admin', actorId: owner.kind === 'admin' ? owner.id : '' });
    expect(entry.before).toEqual({ scheduledAt: post.scheduledAt });
    expect(entry.after).toEqual({ scheduledAt: new Date(to).toISOString() });
  });

  it('records submit, reject, approve and cancel from the post page, with the status before and after', async () => {
    const post = await newPost('Needs a look');
    const submit = await entryOf('post.submit', () => submitted(`/posts/${post.id}/do/submit`, {}));
    expect(submit).toMatchObject({ actorKind: 'admin', actorLabel: ADMIN, clientId: seeded.client.id });
    expect([submit.before, submit.after]).toEqual([{ status: 'draft' }, { status: 'pending_approval' }]);
    const reject = await entryOf('post.reject', () =>
      submitted(`/posts/${post.id}/do/reject`, { comment: 'Too long' }),
    );
    expect(reject.summary).toContain('Too long');
    expect([reject.before, reject.after]).toEqual([{ status: 'pending_approval' }, { status: 'rejected' }]);

    const other = await newPost('Approve me', { scheduledAt: hoursFromNow(5, clock.now()) });
    await submitted(`/posts/${other.id}/do/submit`, {});
    const approve = await entryOf('post.approve', () => submitted(`/posts/${other.id}/do/approve`, {}));
    expect(approve).toMatchObject({ actorLabel: ADMIN, targetId: other.id });
    expect(approve.after).toEqual({ status: 'scheduled' });
    const cancel = await entryOf('post.cancel', () => submitted(`/posts/${other.id}/do/cancel`, {}));
    expect(cancel.after).toEqual({ status: 'cancelled' });
  });

  it('records a client approving in the portal as the client', async () => {
    const reviewing = seedClient(t, { name: 'Mill', approvalMode: 'client' });
    const post = t.herald.services.posts.create(
      {
        accountId: reviewing.facebook.id,
        caption: 'For the client',
        scheduledAt: hoursFromNow(6, clock.now()),
        status: 'scheduled',
      },
      owner,
    );
    expect(post.status).toBe('pending_approval');
    const entry = await entryOf('post.approve', () =>
      t.herald.services.posts.act(post.id, 'approve', { kind: 'client', clientId: reviewing.client.id }),
    );
    expect(entry).toMatchObject({
      actorKind: 'client',
      actorLabel: 'the client (portal)',
      clientId: reviewing.client.id,
    });
  });

  it('records retry, publish now and mark published', async () => {
    const failed = await newPost('Failed once', { scheduledAt: hoursFromNow(2, clock.now()), status: 'scheduled' });
    t.herald.database.sqlite.prepare("UPDATE posts SET status = 'failed', due_at = NULL WHERE id = ?").run(failed.id);
    const retry = await entryOf('post.retry', () => ok(t.api('POST', `/posts/${failed.id}/retry`, {})));
    expect([retry.before?.status, retry.after?.status]).toEqual(['failed', 'scheduled']);

    const draft = await newPost('Right now');
    const now = await entryOf('post.publish_now', () => t.herald.services.posts.publishNow(draft.id, owner));
    expect(now).toMatchObject({ actorLabel: ADMIN, targetId: draft.id });
    expect(now.after).toMatchObject({ status: 'scheduled' });

    const unsure = await newPost('Did it go?', { scheduledAt: hoursFromNow(2, clock.now()), status: 'scheduled' });
    t.herald.database.sqlite
      .prepare("UPDATE posts SET status = 'unconfirmed', due_at = NULL WHERE id = ?")
      .run(unsure.id);
    const marked = await entryOf('post.mark_published', () =>
      submitted(`/posts/${unsure.id}/do/mark-published`, { permalink: 'https://facebook.com/p/1' }),
    );
    expect([marked.before?.status, marked.after?.status]).toEqual(['unconfirmed', 'published']);
  });

  it('records a post put in the queue as a reschedule, and the posting times set for it', async () => {
    const times = await entryOf('account.update', () =>
      ok(t.api('PATCH', `/accounts/${seeded.facebook.id}`, { postingTimes: [{ weekday: 3, time: '09:00' }] })),
    );
    expect(times.before).toEqual({ postingTimes: [] });
    expect(times.after).toEqual({ postingTimes: [{ weekday: 3, time: '09:00' }] });
    const post = await newPost('Queued', { scheduledAt: hoursFromNow(30, clock.now()), status: 'scheduled' });
    const queued = await entryOf('post.reschedule', () => ok(t.api('POST', `/posts/${post.id}/queue`, {})));
    expect(queued).toMatchObject({ actorLabel: TOKEN, clientId: seeded.client.id, targetId: post.id });
    expect(queued.before).toEqual({ scheduledAt: post.scheduledAt });
    expect(queued.after?.scheduledAt).not.toBe(post.scheduledAt);
  });

  it('records a group created and edited, with the shared caption before and after', async () => {
    const created = await entryOf('group.create', () =>
      ok(
        t.api('POST', '/post-groups', {
          clientId: seeded.client.id,
          caption: 'Together',
          members: [{ accountId: seeded.facebook.id }, { accountId: secondPage }],
        }),
        201,
      ),
    );
    expect(created).toMatchObject({ actorLabel: TOKEN, clientId: seeded.client.id });
    const group = await ok(t.api('GET', `/post-groups/${created.targetId}`));
    const edited = await entryOf('group.update', () =>
      ok(t.api('PATCH', `/post-groups/${group.id}`, { version: group.version, caption: 'Still together' })),
    );
    expect(edited.before).toEqual({ caption: 'Together' });
    expect(edited.after).toEqual({ caption: 'Still together' });
  });

  it('leaves no entry when the change fails: a group whose second post cannot be written writes nothing', async () => {
    const sqlite = t.herald.database.sqlite;
    const count = () => (sqlite.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
    const posts = () => (sqlite.prepare('SELECT count(*) AS n FROM posts').get() as { n: number }).n;
    sqlite.exec(
      `CREATE TRIGGER refuse_second BEFORE INSERT ON posts WHEN NEW.account_id = '${secondPage}'
       BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
    );
    const [entries, written] = [count(), posts()];
    try {
      const res = await t.api('POST', '/post-groups', {
        clientId: seeded.client.id,
        caption: 'Half',
        members: [{ accountId: seeded.facebook.id }, { accountId: secondPage }],
      });
      // Past every check: the database refused the second post's row.
      expect(res.status).toBe(500);
    } finally {
      sqlite.exec('DROP TRIGGER refuse_second');
    }
    // The first member's post.create entry was written, then rolled back with the change.
    expect(count()).toBe(entries);
    expect(posts()).toBe(written);
  });

  it('and the other way round: when its entry cannot be written, the change is not made either', async () => {
    const rule = await ok(
      t.api('POST', `/clients/${seeded.client.id}/rules`, { name: 'Keep', cron: '0 9 * * *' }),
      201,
    );
    const sqlite = t.herald.database.sqlite;
    sqlite.exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log WHEN NEW.kind = 'rule.delete'
       BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    try {
      expect((await t.api('DELETE', `/rules/${rule.id}`)).status).toBeGreaterThanOrEqual(400);
    } finally {
      sqlite.exec('DROP TRIGGER refuse_audit');
    }
    expect(t.herald.repos.rules.get(rule.id)).toBeDefined();
  });
});

describe('audit trail: everything else a person changes', () => {
  it('records rules created, edited (before/after) and deleted', async () => {
    const created = await entryOf('rule.create', () =>
      ok(t.api('POST', `/clients/${seeded.client.id}/rules`, { name: 'Mornings', cron: '0 9 * * *' }), 201),
    );
    expect(created).toMatchObject({ actorLabel: TOKEN, clientId: seeded.client.id });
    const edited = await entryOf('rule.update', () =>
      ok(t.api('PATCH', `/rules/${created.targetId}`, { cron: '0 10 * * *' })),
    );
    expect([edited.before, edited.after]).toEqual([{ cron: '0 9 * * *' }, { cron: '0 10 * * *' }]);
    const deleted = await entryOf('rule.delete', () => ok(t.api('DELETE', `/rules/${created.targetId}`), 204));
    expect(deleted.clientId).toBe(seeded.client.id);
  });

  it('records clients created, edited, archived, and their portal links made and revoked', async () => {
    const created = await entryOf('client.create', () =>
      ok(t.api('POST', '/clients', { name: 'Corner Cafe', timezone: 'Europe/Berlin' }), 201),
    );
    const id = created.targetId!;
    expect(created).toMatchObject({ actorLabel: TOKEN, clientId: id });
    const edited = await entryOf('client.update', () => ok(t.api('PATCH', `/clients/${id}`, { name: 'Corner Café' })));
    expect([edited.before, edited.after]).toEqual([{ name: 'Corner Cafe' }, { name: 'Corner Café' }]);
    const invited = await entryOf('client.invite', () => ok(t.api('POST', `/clients/${id}/invites`, {}), 201));
    expect(invited.clientId).toBe(id);
    const revoked = await entryOf('client.invite_revoke', () =>
      submitted(`/clients/${id}/invites/${invited.targetId}/revoke`, {}),
    );
    expect(revoked).toMatchObject({ actorLabel: ADMIN, clientId: id });
    const archived = await entryOf('client.archive', () => ok(t.api('DELETE', `/clients/${id}`)));
    expect(archived.after).toEqual({ status: 'archived' });
  });

  it('records accounts connected, changed (before/after) and removed', async () => {
    const connected = await entryOf('account.connect', () =>
      t.herald.services.accounts.connect(
        {
          clientId: seeded.client.id,
          platform: 'facebook',
          externalId: 'fb-second',
          name: 'Second Page',
          accessToken: 'token',
          tokenExpiresAt: null,
          scopes: [],
        },
        owner,
      ),
    );
    expect(connected).toMatchObject({ actorLabel: ADMIN, clientId: seeded.client.id });
    const id = connected.targetId!;
    const paused = await entryOf('account.update', () => ok(t.api('PATCH', `/accounts/${id}`, { status: 'disabled' })));
    expect([paused.before, paused.after]).toEqual([{ status: 'connected' }, { status: 'disabled' }]);
    const settings = await entryOf('account.update', () =>
      t.herald.services.accounts.setPlatformData(id, { linkInBio: 'https://acme.test' }, owner),
    );
    expect([settings.before, settings.after]).toEqual([{ linkInBio: null }, { linkInBio: 'https://acme.test' }]);
    const removed = await entryOf('account.remove', () => ok(t.api('DELETE', `/accounts/${id}`), 204));
    expect(removed).toMatchObject({ actorLabel: TOKEN, clientId: seeded.client.id });
  });

  it('records media uploaded, edited (before/after) and deleted', async () => {
    const body = new FormData();
    body.set('clientId', seeded.client.id);
    body.set('file', new Blob([new Uint8Array(await makeImage(20, 20))], { type: 'image/jpeg' }), 'loaf.jpg');
    const uploaded = await entryOf('media.upload', () => ok(t.api('POST', '/media', body), 201));
    expect(uploaded).toMatchObject({ actorLabel: TOKEN, clientId: seeded.client.id });
    const id = uploaded.targetId!;
    const edited = await entryOf('media.update', () => ok(t.api('PATCH', `/media/${id}`, { altText: 'A loaf' })));
    expect([edited.before, edited.after]).toEqual([{ altText: '' }, { altText: 'A loaf' }]);
    await entryOf('media.delete', () => ok(t.api('DELETE', `/media/${id}`), 204));
  });

  it('records labels and snippets created, edited (before/after) and deleted', async () => {
    const label = await entryOf('label.create', () =>
      submitted('/settings/labels', { name: 'Promo', color: '#1971c2' }),
    );
    expect(label).toMatchObject({ actorLabel: ADMIN, clientId: null });
    const renamed = await entryOf('label.update', () =>
      ok(t.api('PATCH', `/labels/${label.targetId}`, { name: 'Promotion' })),
    );
    expect([renamed.before, renamed.after]).toEqual([{ name: 'Promo' }, { name: 'Promotion' }]);
    await entryOf('label.delete', () => ok(t.api('DELETE', `/labels/${label.targetId}`), 204));

    const snippet = await entryOf('snippet.create', () =>
      ok(t.api('POST', `/clients/${seeded.client.id}/snippets`, { name: 'Tags', text: '#bread' }), 201),
    );
    expect(snippet.clientId).toBe(seeded.client.id);
    const edited = await entryOf('snippet.update', () =>
      ok(t.api('PATCH', `/snippets/${snippet.targetId}`, { text: '#bread #fresh' })),
    );
    expect([edited.before, edited.after]).toEqual([{ text: '#bread' }, { text: '#bread #fresh' }]);
    await entryOf('snippet.delete', () => ok(t.api('DELETE', `/snippets/${snippet.targetId}`), 204));
  });

  it('records feeds added, edited (before/after) and removed', async () => {
    const feed = t.herald.repos.feeds;
    const id = 'feed_audit';
    const added = await entryOf('feed.create', async () => {
      // Reading the feed needs a server; what is audited is the row, written before the first read.
      await t.herald.services.feeds
        .create(seeded.client.id, { url: 'http://127.0.0.1:9/feed.xml', accountIds: [seeded.facebook.id] }, owner)
        .catch(() => undefined);
    });
    expect(added).toMatchObject({ actorLabel: ADMIN, clientId: seeded.client.id });
    const edited = await entryOf('feed.update', () =>
      t.herald.services.feeds.update(added.targetId!, { active: false }, owner),
    );
    expect([edited.before, edited.after]).toEqual([{ active: true }, { active: false }]);
    await entryOf('feed.delete', () => t.herald.services.feeds.delete(added.targetId!, owner));
    expect(feed.get(id)).toBeUndefined();
  });

  it('records an import committed', async () => {
    const body = new FormData();
    body.set('clientId', seeded.client.id);
    const csv = `account_id,caption,status\n${seeded.facebook.id},From a file,draft\n`;
    body.set('file', new Blob([csv]), 'plan.csv');
    const dry = await ok(t.api('POST', '/imports', body));
    const entry = await entryOf('import.commit', () => ok(t.api('POST', `/imports/${dry.id}/commit`, {})));
    expect(entry).toMatchObject({ actorLabel: TOKEN, clientId: seeded.client.id, targetId: dry.id });
  });

  it('records settings, e-mail settings, tokens, jobs and backups from the pages', async () => {
    const agency = await entryOf('settings.update', () => submitted('/settings/agency', { agencyName: 'Oven Media' }));
    expect(agency).toMatchObject({ actorLabel: ADMIN, after: { agencyName: 'Oven Media' } });
    const mail = await entryOf('settings.update', () =>
      submitted('/settings/notifications/email', { timezone: 'Europe/Berlin', digestHour: '7' }),
    );
    expect(mail.after).toMatchObject({ timezone: 'Europe/Berlin' });

    const token = await entryOf('token.create', () =>
      submitted('/settings/tokens', { tokenName: 'zapier', tokenScope: 'read', tokenExpiresInDays: '' }),
    );
    expect(token).toMatchObject({ actorLabel: ADMIN, after: { name: 'zapier', scope: 'read' } });
    await entryOf('token.revoke', () => submitted(`/settings/tokens/${token.targetId}/revoke`, {}));

    const job = await entryOf('job.run', () => submitted('/system/jobs/maintenance/run', {}));
    expect(job.actorLabel).toBe(ADMIN);
    const backup = await entryOf('backup.create', () => submitted('/system/backups', {}));
    expect(backup.targetId).toMatch(/\.db$/);
  });

  it('records notification channels and webhooks added, edited (before/after) and removed', async () => {
    const channel = await entryOf('channel.create', () =>
      t.herald.services.channels.create(
        { kind: 'slack', name: 'Ops', url: 'https://hooks.slack.com/services/T000/B000/xyz' },
        owner,
      ),
    );
    expect(channel.after).toMatchObject({ name: 'Ops' });
    expect(JSON.stringify(channel.after)).not.toContain('B000/xyz');
    const renamed = await entryOf('channel.update', () =>
      t.herald.services.channels.update(channel.targetId!, { name: 'Team' }, owner),
    );
    expect([renamed.before, renamed.after]).toEqual([{ name: 'Ops' }, { name: 'Team' }]);
    await entryOf('channel.delete', () => submitted(`/settings/notifications/channels/${channel.targetId}/remove`, {}));

    const hook = await entryOf('webhook.create', () =>
      ok(t.api('POST', '/webhooks', { url: 'https://hooks.example.com/herald/abcdefghijklmnop' }), 201),
    );
    expect(hook.actorLabel).toBe(TOKEN);
    const paused = await entryOf('webhook.update', () =>
      ok(t.api('PATCH', `/webhooks/${hook.targetId}`, { active: false })),
    );
    expect([paused.before, paused.after]).toEqual([{ status: 'active' }, { status: 'paused' }]);
    await entryOf('webhook.delete', () => ok(t.api('DELETE', `/webhooks/${hook.targetId}`), 204));
  });
});

describe('the audit page', () => {
  it('shows who, when, what and before → after, filtered by kind, with the CSV link carrying the filters', async () => {
    const { res, html } = await browser.get('/audit?kind=post.update');
    expect(res.status).toBe(200);
    expect(html).toContain('New words');
    expect(html).toContain('Old words');
    expect(html).toContain(TOKEN.replace(/"/g, '&quot;'));
    expect(html).not.toContain('data-kind="post.create"');
    expect(html).toContain('href="/audit.csv?kind=post.update"');
    expect(html).toMatch(/<a href="\/audit"[^>]*>Audit<\/a>/);
  });

  it('is for owners and admins: an editor gets 403 and no link', async () => {
    const editor = await t.herald.services.auth.createAdmin({ email: 'ed@agency.test', password: 'a long password 1' });
    t.herald.database.sqlite.prepare("UPDATE admins SET role = 'editor' WHERE id = ?").run(editor.id);
    const other = new PageClient(t.herald.app);
    await other.post('/login', { email: 'ed@agency.test', password: 'a long password 1' });
    const home = await other.get('/');
    expect(home.html).not.toMatch(/href="\/audit"/);
    const page = await other.get('/audit');
    expect(page.res.status).toBe(403);
    expect(page.html).toContain('Only owners and admins can read the audit trail');
    expect((await other.request('/audit.csv')).status).toBe(403);
  });

  it('answers a bad filter with a clear error, not a 500', async () => {
    const { res, html } = await browser.get('/audit?from=yesterday');
    expect(res.status).toBe(400);
    expect(html).toContain('must be a date');
  });
});
