import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedGroup, seedGroupClient, seedLabel } from '../helpers/group-seed.js';
import { makeHerald, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

let t: TestHerald;
let s: Awaited<ReturnType<typeof seedGroupClient>>;
let group: { id: string; postIds: string[] };
let single: string;
let label: string;

// A week well ahead: Wednesday 12 June 2030, 10:00 UTC (12:00 in Berlin, the client's zone).
const WEDNESDAY = Date.UTC(2030, 5, 12, 10);

async function signedIn(): Promise<PageClient> {
  const b = new PageClient(t.herald.app);
  await b.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await b.get('/');
  return b;
}

/** The markup of one day of the calendar. */
function day(html: string, date: string): string {
  const start = html.indexOf(`data-date="${date}"`);
  expect(start).toBeGreaterThan(0);
  const end = html.indexOf('class="cal-day', start);
  return html.slice(start, end === -1 ? undefined : end);
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
  await t.herald.services.auth.ensureConfiguredAdmin();
  s = await seedGroupClient(t, 'Calendar Bakery');
  // Two members on Wednesday, the third a day later.
  group = seedGroup(t, s.accounts, { caption: 'Summer bread', image: s.image, hours: [0, 0, 24], now: WEDNESDAY });
  single = t.herald.services.posts.create(
    { accountId: s.facebook.id, caption: 'Just one', scheduledAt: new Date(WEDNESDAY + 3_600_000).toISOString() },
    { kind: 'system' },
  ).id;
  label = seedLabel(t, 'Summer', '#f59e0b', [group.postIds[1]!]);
});
afterAll(() => t.close());

describe('a post group in the calendar', () => {
  it('is one chip per group per day with its members’ networks; opening it lists the members', async () => {
    const b = await signedIn();
    const { res, html } = await b.get(`/calendar?clientId=${s.client.id}&view=week&date=2030-06-12`);
    expect(res.status).toBe(200);
    const wednesday = day(html, '2030-06-12');
    expect(count(wednesday, 'class="cal-group"')).toBe(1);
    expect(wednesday).toContain(`data-group="${group.id}"`);
    expect(wednesday).toContain('Summer bread');
    const chip = wednesday.slice(wednesday.indexOf('<summary'), wednesday.indexOf('</summary>'));
    expect(count(chip, 'class="platform-dot platform-')).toBe(2);
    expect(chip).toContain('platform-dot platform-facebook');
    expect(chip).toContain('platform-dot platform-instagram');
    // The members open from the chip, each linking to its post, and the group to its editor.
    const list = wednesday.slice(wednesday.indexOf('<ul class="cal-members">'));
    expect(list).toContain(`href="/posts/${group.postIds[0]}"`);
    expect(list).toContain(`href="/posts/${group.postIds[1]}"`);
    expect(list).toContain(`href="/groups/${group.id}"`);
    // Members are not entries of their own; the single post is.
    for (const id of group.postIds) expect(html).not.toContain(`<a href="/posts/${id}" class="cal-entry`);
    expect(wednesday).toContain(`<a href="/posts/${single}" class="cal-entry`);
    const thursday = day(html, '2030-06-13');
    expect(count(thursday, 'class="cal-group"')).toBe(1);
    expect(thursday).toContain(`href="/posts/${group.postIds[2]}"`);
  });

  it('filters by label: the group shows through its one labelled member, the others dimmed', async () => {
    const b = await signedIn();
    const { html } = await b.get(
      `/calendar?clientId=${s.client.id}&view=week&date=2030-06-12&labelIds=${encodeURIComponent(label)}`,
    );
    const wednesday = day(html, '2030-06-12');
    expect(count(wednesday, 'class="cal-group"')).toBe(1);
    expect(wednesday).toContain('class="platform-dot platform-facebook dim"');
    expect(wednesday).toContain('class="platform-dot platform-instagram"');
    expect(wednesday).toContain(`data-label="${label}"`);
    // The unlabelled single post is filtered out; the label stays on the week's arrows.
    expect(wednesday).not.toContain(`/posts/${single}`);
    expect(html).toContain(`date=2030-06-17&amp;labelIds=${label}`);
    expect(html).toMatch(new RegExp(`<option value="${label}" selected="">Summer</option>`));
  });
});
