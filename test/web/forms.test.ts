import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { PageClient } from '../helpers/page-client.js';

let t: TestHerald;
let seeded: ReturnType<typeof seedClient>;

async function signedIn(): Promise<PageClient> {
  const b = new PageClient(t.herald.app);
  await b.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await b.get('/');
  return b;
}

const local = (hoursAhead: number) => {
  // A wall-clock time in Berlin, as the datetime-local field sends it.
  const d = new Date(Date.now() + hoursAhead * 3_600_000);
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
  return parts.replace(' ', 'T');
};

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
  await t.herald.services.auth.ensureConfiguredAdmin();
  seeded = seedClient(t);
});
afterAll(() => t.close());

describe('forms keep what was typed and show errors in place', () => {
  it('client form: 422 with the field error and the other values kept', async () => {
    const b = await signedIn();
    const res = await b.post(
      '/clients',
      { name: 'Keep Me GmbH', timezone: 'Berlin', brandVoice: 'Crisp' },
      { htmx: true },
    );
    expect(res.status).toBe(422);
    expect(res.headers.get('hx-push-url')).toBe('false');
    const html = await res.text();
    expect(html).toContain('must be an IANA time zone');
    expect(html).toContain('value="Keep Me GmbH"');
    expect(html).toContain('Crisp');
  });

  it('rule form: the picker needs a day; the preview computes slots in the zone', async () => {
    const b = await signedIn();
    const res = await b.post(`/clients/${seeded.client.id}/rules`, {
      name: 'No days',
      scheduleMode: 'weekly',
      hours: '9',
      minute: '0',
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('pick at least one day');
    const preview = await b.get(
      `/rules/preview?clientId=${seeded.client.id}&scheduleMode=weekly&days=1&days=3&hours=8&hours=18&minute=30`,
    );
    expect(preview.html).toContain('Europe/Berlin');
    expect(preview.html.match(/<li>/g)).toHaveLength(10);
    expect(preview.html).toMatch(/Mon, \d+ \w+ \d{4}, 08:30/);
    expect(preview.html).toMatch(/18:30/);
    const bad = await b.get(
      `/rules/preview?clientId=${seeded.client.id}&scheduleMode=cron&cron=${encodeURIComponent('0 25 * * *')}`,
    );
    expect(bad.html).toMatch(/Schedule is not valid/);
    const created = await b.post(`/clients/${seeded.client.id}/rules`, {
      name: 'Twice a week',
      scheduleMode: 'weekly',
      days: ['1', '4'],
      hours: ['9', '17'],
      minute: '15',
      topics: 'a\nb',
      media: 'none',
      horizonDays: '7',
      active: 'true',
      accountIds: seeded.facebook.id,
    });
    expect(created.status).toBe(303);
    const rule = t.herald.services.rules.listByClient(seeded.client.id).find((r) => r.name === 'Twice a week')!;
    expect(rule).toMatchObject({
      cron: '15 9,17 * * 1,4',
      topics: ['a', 'b'],
      accountIds: [seeded.facebook.id],
      active: true,
    });
  });

  it('post editor: a caption Instagram would refuse is refused, caption kept', async () => {
    const b = await signedIn();
    const caption = `${'#tag '.repeat(31)}`;
    const res = await b.post('/posts', {
      clientId: seeded.client.id,
      accountId: seeded.instagram.id,
      caption,
      scheduledAt: local(5),
      intent: 'schedule',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('at most 30 hashtags');
    expect(html).toContain('#tag #tag');
  });

  it('post editor: the time is read in the client zone', async () => {
    const b = await signedIn();
    const when = local(30);
    const res = await b.post('/posts', {
      clientId: seeded.client.id,
      accountId: seeded.facebook.id,
      caption: 'zoned',
      scheduledAt: when,
      intent: 'schedule',
    });
    expect(res.status).toBe(303);
    const post = t.herald.services.posts.get(res.headers.get('location')!.split('/').pop()!);
    expect(post.status).toBe('scheduled');
    expect(
      new Intl.DateTimeFormat('sv-SE', {
        timeZone: 'Europe/Berlin',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .format(post.scheduledAt!)
        .replace(' ', 'T'),
    ).toBe(when);
  });
});

describe('a stale edit is never silently overwritten', () => {
  it('shows both versions side by side, and "use my version" wins on purpose', async () => {
    const post = t.herald.services.posts.create(
      {
        accountId: seeded.facebook.id,
        caption: 'Original',
        scheduledAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
      { kind: 'system' },
    );
    const alice = await signedIn();
    const bob = await signedIn();
    await alice.get(`/posts/${post.id}`);
    await bob.get(`/posts/${post.id}`);
    expect(
      (
        await alice.post(`/posts/${post.id}`, {
          caption: 'Alice wrote this',
          version: String(post.version),
          scheduledAt: local(24),
          intent: 'save',
        })
      ).status,
    ).toBe(303);
    const stale = await bob.post(`/posts/${post.id}`, {
      caption: 'Bob wrote this',
      version: String(post.version),
      scheduledAt: local(24),
      intent: 'save',
    });
    expect(stale.status).toBe(409);
    const html = await stale.text();
    expect(html).toContain('Someone saved this post while you were editing');
    expect(html).toContain('Alice wrote this');
    expect(html).toContain('Bob wrote this');
    expect(t.herald.services.posts.get(post.id).caption).toBe('Alice wrote this');
    const current = t.herald.services.posts.get(post.id);
    const mine = await bob.post(`/posts/${post.id}`, {
      caption: 'Bob wrote this',
      version: String(current.version),
      scheduledAt: local(24),
      intent: 'save',
    });
    expect(mine.status).toBe(303);
    expect(t.herald.services.posts.get(post.id).caption).toBe('Bob wrote this');
  });
});

describe('pipeline bulk actions and uploads', () => {
  it('approves what it can and says why not for the rest', async () => {
    const b = await signedIn();
    const make = (caption: string) =>
      t.herald.services.posts.create(
        { accountId: seeded.facebook.id, caption, scheduledAt: new Date(Date.now() + 48 * 3_600_000).toISOString() },
        { kind: 'system' },
      );
    const a = make('bulk a');
    const c = make('bulk b');
    const done = make('bulk c');
    t.herald.services.posts.act(done.id, 'cancel', { kind: 'system' });
    const res = await b.post(
      '/pipeline/bulk',
      { action: 'approve', ids: [a.id, c.id, done.id], clientId: seeded.client.id },
      { htmx: true },
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('2 approved. 1 could not be: A cancelled post cannot be approved.');
    expect(html).toContain('id="pipeline-results"');
    expect(t.herald.services.posts.get(a.id).status).toBe('scheduled');
    expect(t.herald.services.posts.get(c.id).status).toBe('scheduled');
  });

  it('uploads from the editor and returns the picker with the new file selected', async () => {
    const b = await signedIn();
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(await makeImage(640, 800))], { type: 'image/jpeg' }), 'photo.jpg');
    const res = await b.request(`/posts/media?clientId=${seeded.client.id}`, {
      method: 'POST',
      body: form,
      headers: { origin: 'http://herald.test', 'x-csrf-token': b.csrf!, 'hx-request': 'true' },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    const media = t.herald.services.media.list(seeded.client.id, 10).data[0]!;
    expect(media).toMatchObject({ width: 640, height: 800, mime: 'image/jpeg' });
    expect(html).toMatch(new RegExp(`value="${media.id}" checked`));
  });

  it('the client search swaps only the results', async () => {
    const b = await signedIn();
    const res = await b.request('/clients?q=Acme', {
      headers: { 'hx-request': 'true', 'hx-target': 'client-results' },
    });
    const html = await res.text();
    expect(html.startsWith('<div id="client-results">')).toBe(true);
    expect(html).toContain('Acme Bakery');
  });
});
