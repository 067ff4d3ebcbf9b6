import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { composerNetworks } from '../helpers/composer-networks.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { PageClient } from '../helpers/page-client.js';

// The group editor's routes through the real app: the form as a browser sends it, errors shown in
// place with nothing lost, live checks and previews, and a group that opens again as it was saved.

let t: TestHerald;
let seeded: ReturnType<typeof seedClient>;
let image: string;

async function signedIn(): Promise<PageClient> {
  const b = new PageClient(t.herald.app);
  await b.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await b.get('/');
  return b;
}

const tomorrow = () => {
  const d = new Date(Date.now() + 26 * 3_600_000);
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Berlin',
    dateStyle: 'short',
    timeStyle: 'short',
    hourCycle: 'h23',
  })
    .format(d)
    .replace(' ', 'T');
};

beforeAll(async () => {
  t = await makeHerald(
    { ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' },
    { networks: composerNetworks },
  );
  await t.herald.services.auth.ensureConfiguredAdmin();
  seeded = seedClient(t);
  const row = await t.herald.services.media.ingest([await makeImage(1080, 1350)], {
    clientId: seeded.client.id,
    originalName: 'loaf.jpg',
  });
  image = row.id;
});
afterAll(() => t.close());

function form(fields: Record<string, string | string[]> = {}) {
  const { facebook, instagram, client } = seeded;
  return {
    clientId: client.id,
    accounts: [facebook.id, instagram.id],
    caption: 'Fresh loaves today #bread',
    mediaIds: [image],
    firstComment: 'Order at https://acme.test/order',
    scheduledAt: tomorrow(),
    [`m.${facebook.id}.surface`]: 'feed',
    [`m.${instagram.id}.surface`]: 'story',
    intent: 'schedule',
    ...fields,
  };
}

describe('the group editor', () => {
  it('opens with the client’s accounts as toggles and media from the library', async () => {
    const b = await signedIn();
    const { res, html } = await b.get(`/groups/new?clientId=${seeded.client.id}&mediaIds=${image},nope`);
    expect(res.status).toBe(200);
    for (const a of [seeded.facebook, seeded.instagram, seeded.tiktok])
      expect(html).toContain(`data-member-toggle="member-${a.id}"`);
    expect(html).toMatch(new RegExp(`name="mediaIds" value="${image}" checked`));
    expect(html).toContain('hx-post="/groups/preview"');
  });

  it('live checks and previews: each chosen member’s, out of band; the Story carries no caption', async () => {
    const b = await signedIn();
    await b.get(`/groups/new?clientId=${seeded.client.id}`);
    const res = await b.post('/groups/preview', form({ caption: '<script>alert(1)</script> #bread' }), { htmx: true });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Ready for 2 accounts');
    expect(html).toContain(`id="member-preview-${seeded.facebook.id}" class="member-preview" hx-swap-oob="true"`);
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>alert');
    const story = html.slice(html.indexOf(`id="member-preview-${seeded.instagram.id}"`));
    expect(story).toContain('data-surface="story"');
    expect(story.slice(0, story.indexOf('</article>'))).not.toContain('pv-caption');
    // A member its network would refuse says so beside it.
    const refused = await b.post(
      '/groups/preview',
      form({ [`m.${seeded.instagram.id}.surface`]: 'feed', mediaIds: [] }),
      { htmx: true },
    );
    expect(await refused.text()).toContain('1 of 2 accounts would refuse this as it is.');
  });

  it('a refused member re-renders the form with its field error and every typed value', async () => {
    const b = await signedIn();
    await b.get(`/groups/new?clientId=${seeded.client.id}`);
    const res = await b.post(
      '/groups',
      form({
        [`m.${seeded.instagram.id}.ownCaption`]: '1',
        [`m.${seeded.instagram.id}.caption`]: 'A story has no caption',
      }),
    );
    const html = await res.text();
    expect(res.status).toBe(422);
    expect(html).toContain('A story has no caption</textarea>');
    expect(html).toContain('Fresh loaves today #bread</textarea>');
    expect(html).toMatch(/class="field-error" id="m\.[^"]+\.caption-error"/);
    expect(t.herald.repos.posts.list({ clientId: seeded.client.id, limit: 10 }).data).toHaveLength(0);
  });

  it('saves one post per account, opens again with its members, and edits with the version', async () => {
    t.herald.repos.labels.insert({ id: 'lbl_spring', name: 'Spring', color: '#22aa55', createdAt: 0, updatedAt: 0 });
    const b = await signedIn();
    await b.get(`/groups/new?clientId=${seeded.client.id}`);
    const res = await b.post(
      '/groups',
      form({
        labels: 'lbl_spring',
        [`m.${seeded.facebook.id}.ownCaption`]: '1',
        [`m.${seeded.facebook.id}.caption`]: 'Facebook gets the long version #bread',
      }),
    );
    expect(res.status).toBe(303);
    const id = res.headers.get('location')!.split('/').pop()!;
    const view = t.herald.services.groups.get(id);
    expect(view.posts.map((p) => [p.accountId, p.surface])).toEqual([
      [seeded.facebook.id, 'feed'],
      [seeded.instagram.id, 'story'],
    ]);
    const fb = view.posts.find((p) => p.accountId === seeded.facebook.id)!;
    expect(fb).toMatchObject({
      caption: 'Facebook gets the long version #bread',
      firstComment: 'Order at https://acme.test/order',
    });
    expect(view.posts.find((p) => p.surface === 'story')).toMatchObject({ caption: '', firstComment: '' });

    expect(view.labels).toEqual(['lbl_spring']);
    const { html } = await b.get(`/groups/${id}`);
    expect(html).toMatch(/<option value="lbl_spring" selected/);
    expect(html).toContain('Facebook gets the long version #bread</textarea>');
    expect(html).toContain(`name="m.${seeded.facebook.id}.postId" value="${fb.id}"`);

    // A stale group version is refused, and what was typed stays on the page.
    const stale = await b.post(`/groups/${id}`, { ...form({ caption: 'Typed late' }), version: '0' });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('Typed late</textarea>');

    const saved = await b.post(`/groups/${id}`, {
      ...form({ caption: 'Changed for all #bread', accounts: [seeded.facebook.id, seeded.instagram.id] }),
      [`m.${seeded.facebook.id}.postId`]: fb.id,
      version: String(view.group.version),
    });
    expect(saved.status).toBe(303);
    const after = t.herald.services.groups.get(id);
    expect(after.group.caption).toBe('Changed for all #bread');
    // The Facebook member kept nothing of its own this time: it follows the group again.
    expect(after.posts.find((p) => p.accountId === seeded.facebook.id)!.caption).toBe('Changed for all #bread');
  });
});
