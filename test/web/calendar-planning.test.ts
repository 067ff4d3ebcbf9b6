import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedGroup, seedGroupClient } from '../helpers/group-seed.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

let t: TestHerald;
let s: Awaited<ReturnType<typeof seedGroupClient>>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function signedIn(): Promise<PageClient> {
  const b = new PageClient(t.herald.app);
  await b.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await b.get('/');
  return b;
}

/** The markup of one hour of one day in the week's time grid. */
function slot(html: string, date: string, time: string): string {
  const start = html.indexOf(`data-date="${date}" data-time="${time}"`);
  expect(start).toBeGreaterThan(0);
  const end = html.indexOf('class="cal-slot', start);
  return html.slice(start, end === -1 ? undefined : end);
}

/** The markup of one day of the month view. */
function day(html: string, date: string): string {
  const start = html.indexOf(`data-date="${date}"`);
  expect(start).toBeGreaterThan(0);
  const end = html.indexOf('class="cal-day', start);
  return html.slice(start, end === -1 ? undefined : end);
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

function schedule(accountId: string, at: number, caption = 'A post', status = 'scheduled') {
  return t.herald.services.posts.create(
    { accountId, caption, scheduledAt: new Date(at).toISOString(), status },
    { kind: 'system' },
  );
}

const post = (id: string) => t.herald.repos.posts.get(id)!;

/** The hidden fields of the answer's Undo form. */
function undoFields(html: string): Record<string, string> {
  const form = html.slice(html.indexOf('class="cal-undo"'), html.indexOf('</form>', html.indexOf('class="cal-undo"')));
  expect(form).toContain('Undo');
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields[m[1]!] = m[2]!.replace(/&amp;/g, '&');
  return fields;
}

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
  await t.herald.services.auth.ensureConfiguredAdmin();
  s = await seedGroupClient(t, 'Planning Bakery');
});
afterAll(() => t.close());

describe('the week view', () => {
  it('is a time grid of hours × days in the client’s zone, across a DST change', async () => {
    // Berlin moves its clocks forward on Sunday 31 March 2030: 09:00 is 08:00 UTC before, 07:00 after.
    const before = schedule(s.facebook.id, Date.UTC(2030, 2, 29, 8), 'Friday bread').id;
    const after = schedule(s.facebook.id, Date.UTC(2030, 3, 1, 7), 'Monday bread').id;
    const b = await signedIn();
    const { res, html } = await b.get(`/calendar?clientId=${s.client.id}&view=week&date=2030-03-27`);
    expect(res.status).toBe(200);
    expect(html).toContain('times in Europe/Berlin');
    expect(count(html, 'class="cal-slot cal-drop"')).toBe(7 * 24);
    expect(slot(html, '2030-03-29', '09:00')).toContain(`data-id="${before}"`);
    // The next Monday is the following week; the week of 1 April shows it at 09:00 too.
    const next = (await b.get(`/calendar?clientId=${s.client.id}&view=week&date=2030-04-01`)).html;
    expect(slot(next, '2030-04-01', '09:00')).toContain(`data-id="${after}"`);
    expect(slot(next, '2030-04-01', '08:00')).not.toContain(`data-id="${after}"`);
    // An empty slot composes there, in the client's zone.
    expect(slot(html, '2030-03-29', '10:00')).toContain(
      `data-compose="/groups/new?clientId=${s.client.id}&amp;at=2030-03-29T10%3A00"`,
    );
    // Each movable card has its Move control and carries its version.
    const card = slot(html, '2030-03-29', '09:00');
    expect(card).toContain('draggable="true"');
    expect(card).toContain('data-version="1"');
    expect(card).toContain('<summary class="cal-move-button"');
  });

  it('with all clients shows the agency’s zone and no compose links', async () => {
    const b = await signedIn();
    const { html } = await b.get('/calendar?clientId=all&view=week&date=2030-03-27');
    expect(html).toContain('times in UTC');
    expect(html).not.toContain('data-compose="/groups/new');
    expect(slot(html, '2030-03-29', '08:00')).toContain('Friday bread');
    // The admin's own zone (Settings), when set, is the one shown across clients.
    t.herald.database.sqlite
      .prepare("UPDATE admins SET timezone = 'America/New_York' WHERE email = 'admin@agency.test'")
      .run();
    const ny = (await b.get('/calendar?clientId=all&view=week&date=2030-03-27')).html;
    expect(ny).toContain('times in America/New_York');
    expect(slot(ny, '2030-03-29', '04:00')).toContain('Friday bread');
    t.herald.database.sqlite.prepare("UPDATE admins SET timezone = 'UTC'").run();
  });
});

describe('the month view and its filters', () => {
  it('puts posts on their days and filters by account, status and label', async () => {
    const fb = schedule(s.facebook.id, Date.UTC(2030, 7, 5, 10), 'August on Facebook').id;
    const ig = t.herald.services.posts.create(
      {
        accountId: s.instagram.id,
        caption: 'August on Instagram',
        mediaIds: [s.image],
        scheduledAt: new Date(Date.UTC(2030, 7, 6, 10)).toISOString(),
        status: 'draft',
      },
      { kind: 'system' },
    ).id;
    const b = await signedIn();
    const month = (await b.get(`/calendar?clientId=${s.client.id}&view=month&date=2030-08-01`)).html;
    expect(day(month, '2030-08-05')).toContain(`data-id="${fb}"`);
    expect(day(month, '2030-08-06')).toContain(`data-id="${ig}"`);
    expect(day(month, '2030-08-07')).toContain(`href="/groups/new?clientId=${s.client.id}&amp;at=2030-08-07"`);
    const byAccount = (await b.get(`/calendar?clientId=${s.client.id}&date=2030-08-01&accountId=${s.instagram.id}`))
      .html;
    expect(byAccount).not.toContain(`data-id="${fb}"`);
    expect(byAccount).toContain(`data-id="${ig}"`);
    const byStatus = (await b.get(`/calendar?clientId=${s.client.id}&date=2030-08-01&status=scheduled`)).html;
    expect(byStatus).toContain(`data-id="${fb}"`);
    expect(byStatus).not.toContain(`data-id="${ig}"`);
    // The filters stay on the arrows and in each move form.
    expect(byStatus).toContain('&amp;status=scheduled');
    expect(byStatus).toContain('<input type="hidden" name="status" value="scheduled"/>');
  });
});

describe('moving a post', () => {
  it('moves it to the dropped day, keeping its time of day, and Undo puts it back', async () => {
    const at = Date.UTC(2030, 8, 10, 8); // 10:00 in Berlin
    const p = schedule(s.facebook.id, at, 'Move me');
    const b = await signedIn();
    await b.get(`/calendar?clientId=${s.client.id}&date=2030-09-01`);
    const view = { clientId: s.client.id, view: 'month', date: '2030-09-01' };
    const res = await b.post(
      '/calendar/move',
      { ...view, kind: 'post', id: p.id, version: String(p.version), day: '2030-09-12' },
      { htmx: true },
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(post(p.id).scheduledAt).toBe(at + 2 * DAY);
    expect(post(p.id).status).toBe('scheduled');
    expect(day(html, '2030-09-12')).toContain(`data-id="${p.id}"`);
    expect(day(html, '2030-09-10')).not.toContain(`data-id="${p.id}"`);
    expect(html).toContain('Moved to');
    const undo = await b.post('/calendar/move', undoFields(html), { htmx: true });
    expect(undo.status).toBe(200);
    expect(await undo.text()).toContain('Moved back');
    expect(post(p.id).scheduledAt).toBe(at);
  });

  it('moves it to a week slot’s day and hour in the client’s zone', async () => {
    const p = schedule(s.facebook.id, Date.UTC(2030, 8, 17, 8), 'Week move');
    const b = await signedIn();
    await b.get(`/calendar?clientId=${s.client.id}&view=week&date=2030-09-16`);
    const res = await b.post('/calendar/move', {
      clientId: s.client.id,
      view: 'week',
      date: '2030-09-16',
      kind: 'post',
      id: p.id,
      version: String(p.version),
      day: '2030-09-19',
      time: '15:00',
    });
    expect(res.status).toBe(200);
    expect(post(p.id).scheduledAt).toBe(Date.UTC(2030, 8, 19, 13));
    expect(slot(await res.text(), '2030-09-19', '15:00')).toContain(`data-id="${p.id}"`);
  });

  it('refuses a stale version, a published post and a past time, leaving the post where it was', async () => {
    const at = Date.UTC(2030, 9, 1, 8);
    const p = schedule(s.facebook.id, at, 'Guarded');
    const b = await signedIn();
    await b.get(`/calendar?clientId=${s.client.id}&date=2030-10-01`);
    const move = (fields: Record<string, string>) =>
      b.post('/calendar/move', { clientId: s.client.id, date: '2030-10-01', kind: 'post', id: p.id, ...fields });
    // Someone edits it after the calendar was shown.
    t.herald.services.posts.update(p.id, { version: 1, caption: 'Edited elsewhere' }, { kind: 'system' });
    let res = await move({ version: '1', day: '2030-10-03' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('changed by someone else');
    expect(post(p.id).scheduledAt).toBe(at);
    // Bad input is a clear refusal, never a 500.
    res = await move({ version: '2', day: '2030-02-30' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('Choose a valid day and time.');
    res = await move({ version: 'x', day: '2030-10-03' });
    expect(res.status).toBe(422);
    res = await move({ version: '2', day: '2030-10-03', id: 'post_nope' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('not in the calendar any more');
    expect(post(p.id).scheduledAt).toBe(at);
    // In the past.
    res = await move({ version: '2', day: '2020-10-03' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('in the past');
    expect(post(p.id).scheduledAt).toBe(at);
    // Published (and publishing, unconfirmed) posts never move.
    for (const status of ['published', 'publishing', 'unconfirmed']) {
      t.herald.database.sqlite.prepare('UPDATE posts SET status = ?, due_at = NULL WHERE id = ?').run(status, p.id);
      res = await move({ version: '2', day: '2030-10-03' });
      expect(res.status).toBe(422);
      expect(await res.text()).toContain(`A ${status} post cannot be moved.`);
      expect(post(p.id).scheduledAt).toBe(at);
    }
  });

  it('keeps the approval mode: a post waiting for the client still waits, an approved one stays approved', async () => {
    const c = seedClient(t, { name: 'Approving Client', approvalMode: 'client' });
    const waiting = schedule(c.facebook.id, Date.UTC(2030, 10, 4, 9), 'Waiting');
    expect(waiting.status).toBe('pending_approval');
    const approved = schedule(c.facebook.id, Date.UTC(2030, 10, 5, 9), 'Approved');
    t.herald.services.posts.act(approved.id, 'approve', { kind: 'client', clientId: c.client.id } as never);
    const before = post(approved.id);
    expect(before.status).toBe('scheduled');
    const b = await signedIn();
    await b.get(`/calendar?clientId=${c.client.id}&date=2030-11-01`);
    for (const p of [post(waiting.id), before]) {
      const res = await b.post('/calendar/move', {
        clientId: c.client.id,
        date: '2030-11-01',
        kind: 'post',
        id: p.id,
        version: String(p.version),
        day: '2030-11-20',
      });
      expect(res.status).toBe(200);
    }
    expect(post(waiting.id).status).toBe('pending_approval');
    expect(post(waiting.id).scheduledAt).toBe(Date.UTC(2030, 10, 20, 9));
    expect(post(approved.id).status).toBe('scheduled');
    expect(post(approved.id).approvedAt).toBe(before.approvedAt);
    expect(post(approved.id).scheduledAt).toBe(Date.UTC(2030, 10, 20, 9));
  });
});

describe('moving a group', () => {
  it('moves each member that can move by the same delta, reports the others, and Undo moves them back', async () => {
    const now = Date.UTC(2030, 11, 2, 9);
    const group = seedGroup(t, s.accounts, { caption: 'Winter bread', image: s.image, hours: [0, 0, 3], now });
    const [a, published, c] = group.postIds as [string, string, string];
    t.herald.database.sqlite.prepare("UPDATE posts SET status = 'published' WHERE id = ?").run(published);
    const version = t.herald.repos.groups.get(group.id)!.version;
    const b = await signedIn();
    const shown = await b.get(`/calendar?clientId=${s.client.id}&date=2030-12-01`);
    expect(shown.html).toContain(`data-kind="group" data-id="${group.id}" data-version="${version}"`);
    const res = await b.post('/calendar/move', {
      clientId: s.client.id,
      date: '2030-12-01',
      kind: 'group',
      id: group.id,
      version: String(version),
      day: '2030-12-04',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(post(a).scheduledAt).toBe(now + 2 * DAY);
    expect(post(c).scheduledAt).toBe(now + 3 * HOUR + 2 * DAY);
    expect(post(published).scheduledAt).toBe(now);
    expect(html).toContain('Moved 2 posts of the group');
    expect(html).toContain('Not moved: acme.bakery: A published post cannot be moved.');
    expect(t.herald.repos.groups.get(group.id)!.scheduledAt).toBe(now + 2 * DAY);
    // A second drop with the old version is a conflict.
    const stale = await b.post('/calendar/move', {
      clientId: s.client.id,
      date: '2030-12-01',
      kind: 'group',
      id: group.id,
      version: String(version),
      day: '2030-12-10',
    });
    expect(stale.status).toBe(422);
    expect(await stale.text()).toContain('changed by someone else');
    const undo = await b.post('/calendar/move', undoFields(html));
    expect(undo.status).toBe(200);
    expect(post(a).scheduledAt).toBe(now);
    expect(post(c).scheduledAt).toBe(now + 3 * HOUR);
    expect(post(published).scheduledAt).toBe(now);
  });
});
