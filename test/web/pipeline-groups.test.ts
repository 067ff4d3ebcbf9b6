import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, type TestHerald } from '../helpers/herald.js';
import { seedGroup, seedGroupClient, seedLabel } from '../helpers/group-seed.js';
import { PageClient } from '../helpers/page-client.js';

let t: TestHerald;

async function signedIn(): Promise<PageClient> {
  const b = new PageClient(t.herald.app);
  await b.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await b.get('/');
  return b;
}

/** Every group card and single post row of a pipeline page, in order. */
function entries(html: string): string[] {
  return [...html.matchAll(/<tr[^>]*data-(group|post)="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`);
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
  await t.herald.services.auth.ensureConfiguredAdmin();
});
afterAll(() => t.close());

describe('a post group in the pipeline', () => {
  it('is one card: a chip per member with its status, a summary, the shared caption, the editor link', async () => {
    const s = await seedGroupClient(t, 'One Card GmbH');
    const g = seedGroup(t, s.accounts, { image: s.image, caption: 'Autumn menu is here', hours: 30 });
    t.herald.services.posts.act(g.postIds[2]!, 'approve', { kind: 'system' });
    const single = t.herald.services.posts.create(
      {
        accountId: s.facebook.id,
        caption: 'On its own',
        scheduledAt: new Date(Date.now() + 40 * 3_600_000).toISOString(),
      },
      { kind: 'system' },
    );
    const b = await signedIn();
    const { res, html } = await b.get(`/pipeline?clientId=${s.client.id}`);
    expect(res.status).toBe(200);
    expect(entries(html)).toEqual([`group:${g.id}`, `post:${single.id}`]);
    const card = html.slice(
      html.indexOf(`id="group-${g.id}"`),
      html.indexOf('</tbody>', html.indexOf(`id="group-${g.id}"`)),
    );
    expect(card).toContain('2 draft · 1 scheduled');
    expect(card).toContain('Autumn menu is here');
    expect(card).toContain(`href="/groups/${g.id}"`);
    for (const id of g.postIds) expect(card).toContain(`href="/posts/${id}"`);
    expect(count(card, 'class="member-chip"')).toBe(3);
    expect(card).toContain(`value="group:${g.id}"`);
    expect(card).toContain(`hx-get="/groups/${g.id}/members?clientId=${s.client.id}&amp;open=1"`);
  });

  it('shows a group written by the groups service as one card with its labels', async () => {
    const s = await seedGroupClient(t, 'Service Group SA');
    const label = seedLabel(t, 'Launch', '#7c3aed', []);
    const view = t.herald.services.groups.create(
      {
        clientId: s.client.id,
        caption: 'Written once',
        mediaIds: [s.image],
        scheduledAt: new Date(Date.now() + 70 * 3_600_000).toISOString(),
        labels: [label],
        members: s.accounts.map((a) => ({ accountId: a.id })),
      },
      { kind: 'system' },
    );
    const b = await signedIn();
    const { html } = await b.get(`/pipeline?clientId=${s.client.id}&labelIds=${label}`);
    expect(entries(html)).toEqual([`group:${view.group.id}`]);
    expect(count(html, 'class="member-chip"')).toBe(3);
    expect(html).toContain('Written once');
    expect(html).toContain(`data-label="${label}"`);
  });

  it('escapes a hostile shared caption and label name on the card', async () => {
    const s = await seedGroupClient(t, 'Hostile Text KG');
    const g = seedGroup(t, s.accounts, { image: s.image, caption: '<script>alert(1)</script>', hours: 80 });
    seedLabel(t, '"><img src=x onerror=alert(2)>', '#000000', [g.postIds[0]!]);
    const b = await signedIn();
    const { html } = await b.get(`/pipeline?clientId=${s.client.id}`);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
  });

  it('opens to its members as the pipeline rows (htmx), closes again, and has a page of its own', async () => {
    const s = await seedGroupClient(t, 'Open Up Ltd');
    const g = seedGroup(t, s.accounts, { image: s.image, hours: 31 });
    const b = await signedIn();
    const htmx = { headers: { 'hx-request': 'true' } };
    const open = await (await b.request(`/groups/${g.id}/members?open=1`, htmx)).text();
    expect(open.startsWith(`<tbody id="group-${g.id}" class="group-card open">`)).toBe(true);
    expect(entries(open)).toEqual([`group:${g.id}`, ...g.postIds.map((id) => `post:${id}`)]);
    expect(count(open, 'name="ids" value="post_')).toBe(3);
    expect(open).toContain('Hide members');
    const closed = await (await b.request(`/groups/${g.id}/members?open=0`, htmx)).text();
    expect(entries(closed)).toEqual([`group:${g.id}`]);
    expect(closed).toContain('Show 3 members');
    const page = await b.get(`/groups/${g.id}/members`);
    expect(page.html).toContain('<!doctype html>');
    expect(entries(page.html)).toEqual([`group:${g.id}`, ...g.postIds.map((id) => `post:${id}`)]);
    expect((await b.request('/groups/grp_nope/members', htmx)).status).toBe(404);
  });

  it('pages through the list with every group exactly once, at its earliest member', async () => {
    const s = await seedGroupClient(t, 'Many Pages AG');
    const now = Date.now();
    const groups: Array<{ id: string; postIds: string[] }> = [];
    const singles: string[] = [];
    // 30 groups whose members spread over hours interleaved with 30 single posts: 120 rows, 60 entries,
    // so members of the groups near the page's end lie on the next page.
    for (let i = 0; i < 30; i++) {
      const base = 24 + i * 2;
      groups.push(seedGroup(t, s.accounts, { image: s.image, hours: [base + 1.5, base, base + 3.5], now }));
      singles.push(
        t.herald.services.posts.create(
          {
            accountId: s.second.id,
            caption: `single ${i}`,
            scheduledAt: new Date(now + (base + 0.5) * 3_600_000).toISOString(),
          },
          { kind: 'system' },
        ).id,
      );
    }
    const b = await signedIn();
    const seen: string[] = [];
    let next: string | null = `/pipeline?clientId=${s.client.id}`;
    let pages = 0;
    while (next) {
      const { html } = await b.get(next);
      seen.push(...entries(html));
      pages++;
      const link = /<nav class="pager"><a href="([^"]+)"/.exec(html);
      next = link ? link[1]!.replace(/&amp;/g, '&') : null;
    }
    expect(pages).toBe(2);
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
    // Each group sits where its earliest member (the Instagram one) is: right before that hour's single.
    const expected = groups.flatMap((g, i) => [`group:${g.id}`, `post:${singles[i]}`]);
    expect(seen).toEqual(expected);
    expect(seen.filter((e) => groups.some((g) => g.postIds.some((id) => e === `post:${id}`)))).toEqual([]);
  });

  it('bulk approve on a card approves each member on its own and answers per member', async () => {
    const s = await seedGroupClient(t, 'Bulk Group Co');
    const g = seedGroup(t, s.accounts, { image: s.image, hours: 50 });
    t.herald.services.posts.act(g.postIds[1]!, 'cancel', { kind: 'system' });
    const b = await signedIn();
    const res = await b.post(
      '/pipeline/bulk',
      { action: 'approve', ids: [`group:${g.id}`], clientId: s.client.id },
      { htmx: true },
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('2 approved. 1 could not be: A cancelled post cannot be approved.');
    expect(html).toContain(
      '<ul class="bulk-members">' +
        '<li class="ok"><span class="platform platform-facebook">Facebook</span> Acme Page: approved</li>' +
        '<li class="error-text"><span class="platform platform-instagram">Instagram</span> acme.bakery: ' +
        'A cancelled post cannot be approved.</li>' +
        '<li class="ok"><span class="platform platform-facebook">Facebook</span> Acme Second Page: approved</li></ul>',
    );
    const status = (id: string) => t.herald.services.posts.get(id).status;
    expect(g.postIds.map(status)).toEqual(['scheduled', 'cancelled', 'scheduled']);
    // Each member's approval is logged against that post.
    for (const id of [g.postIds[0]!, g.postIds[2]!])
      expect(t.herald.repos.posts.logsOf(id).some((l) => l.step === 'approve')).toBe(true);
  });

  it('filters by label: a group shows when one member matches, the others dimmed; rows show label chips', async () => {
    const s = await seedGroupClient(t, 'Labelled Inc');
    const g1 = seedGroup(t, s.accounts, { image: s.image, hours: [61, 62, 63] });
    const g2 = seedGroup(t, [s.facebook, s.instagram], { image: s.image, hours: 60 });
    const at = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
    const s1 = t.herald.services.posts.create(
      { accountId: s.second.id, caption: 'a', scheduledAt: at(64) },
      { kind: 'system' },
    );
    const s2 = t.herald.services.posts.create(
      { accountId: s.second.id, caption: 'b', scheduledAt: at(65) },
      { kind: 'system' },
    );
    const spring = seedLabel(t, 'Spring campaign', '#16a34a', [g1.postIds[1]!, s1.id]);
    const pillar = seedLabel(t, 'Pillar: bread', '#2563eb', [s2.id]);
    const b = await signedIn();
    const all = await b.get(`/pipeline?clientId=${s.client.id}`);
    expect(entries(all.html)).toEqual([`group:${g2.id}`, `group:${g1.id}`, `post:${s1.id}`, `post:${s2.id}`]);
    expect(all.html).toContain('<select name="labelIds" multiple');
    expect(all.html).toContain('>Spring campaign</option>');

    const one = await b.get(`/pipeline?clientId=${s.client.id}&labelIds=${spring}`);
    expect(entries(one.html)).toEqual([`group:${g1.id}`, `post:${s1.id}`]);
    const card = one.html.slice(
      one.html.indexOf(`id="group-${g1.id}"`),
      one.html.indexOf('</tbody>', one.html.indexOf(`id="group-${g1.id}"`)),
    );
    expect(count(card, 'class="member-chip dim"')).toBe(2);
    expect(card).toContain(`class="member-chip" title="acme.bakery`);
    // The card sits at its matching member's time (62 h), and carries the label.
    expect(card).toContain(`data-label="${spring}"`);
    const row = one.html.slice(one.html.indexOf(`data-post="${s1.id}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('fill="#16a34a"');

    const opened = await (
      await b.request(`/groups/${g1.id}/members?clientId=${s.client.id}&labelIds=${spring}&open=1`, {
        headers: { 'hx-request': 'true' },
      })
    ).text();
    expect(count(opened, 'class="group-member dim"')).toBe(2);
    expect(opened).toContain(`<tr class="group-member" data-post="${g1.postIds[1]}">`);

    const both = await b.get(`/pipeline?clientId=${s.client.id}&labelIds=${spring}&labelIds=${pillar}`);
    expect(entries(both.html)).toEqual([`group:${g1.id}`, `post:${s1.id}`, `post:${s2.id}`]);
    // Opening a card keeps the filter, so its members are dimmed the same way.
    expect(card).toContain(`labelIds=${spring}&amp;open=1`);
  });
});
