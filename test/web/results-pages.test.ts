// The Results pages through the real app: the client's page and the agency's, the period picker
// (presets, custom, field errors re-rendered), thumbnails, "reconnect to see results", the empty
// state, and the portal tab that shows its own client only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { PageClient } from '../helpers/page-client.js';
import { accountDays, publishedWithResults } from '../helpers/results-seed.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const DAY = 86_400_000;
const ADMIN = { email: 'admin@agency.test', password: 'correct horse battery staple' };

let t: TestHerald;
let acme: ReturnType<typeof seedClient>;
let other: ReturnType<typeof seedClient>;
let admin: PageClient;
let mediaKey: string;

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }, { clock: new ManualClock(NOW) });
  await t.herald.services.auth.ensureConfiguredAdmin();
  acme = seedClient(t, { timezone: 'America/New_York' });
  other = seedClient(t, { name: 'Other Co' });
  const fb = { ...acme.facebook, clientId: acme.client.id };
  const media = await t.herald.services.media.ingest([await makeImage(64, 64)], { clientId: acme.client.id });
  mediaKey = media.key;
  publishedWithResults(
    t,
    fb,
    NOW - 3 * DAY,
    { '24h': { reach: 1000, likes: 90, comments: 10 } },
    {
      caption: 'Our sourdough <b>bread</b> is back',
      mediaIds: [media.id],
      topic: 'bread',
    },
  );
  publishedWithResults(t, fb, NOW - 2 * DAY, { '24h': { reach: 500, likes: 5 } }, { caption: 'Opening hours' });
  publishedWithResults(t, fb, NOW - 40 * DAY, { '30d': { reach: 800, likes: 40 } }, { caption: 'Last month' });
  publishedWithResults(t, fb, NOW - 30 * 60_000, {}, { caption: 'Just out' });
  accountDays(t, fb, { '2026-11-28': { followers: 100, views: 30 }, '2026-11-29': { followers: 104, views: 50 } });
  t.herald.repos.accounts.update(acme.instagram.id, {
    insightsBlocked: 'Instagram did not grant instagram_manage_insights',
  });
  publishedWithResults(
    t,
    { ...other.facebook, clientId: other.client.id },
    NOW - DAY,
    { '24h': { reach: 7, likes: 1 } },
    {
      caption: 'Secret of the other client',
    },
  );
  admin = new PageClient(t.herald.app);
  expect((await admin.post('/login', ADMIN)).status).toBe(303);
});
afterAll(() => t?.close());

describe('a client’s Results page', () => {
  it('shows headline numbers with the change, charts, posts with thumbnails, and what is not measured', async () => {
    const { res, html } = await admin.get(`/clients/${acme.client.id}/results?from=2026-11-01&to=2026-11-30`);
    expect(res.status).toBe(200);
    expect(html).toContain('America/New_York');
    // 1,500 reach against 800 in the 30 days before: up 88%.
    expect(html).toMatch(/1,500<\/strong> <span class="change change-up">▲ up 88%/);
    expect(html).toContain('1 post not measured yet');
    expect(html).toMatch(/<svg [^>]*class="chart line-chart"[^>]*role="img" aria-label="Followers per day"/);
    expect(html).toContain('class="chart heatmap"');
    expect(html).toContain('Engagement rate by topic');
    // The caption is text, escaped; the post with media has its thumbnail, the one without none.
    expect(html).toContain('Our sourdough &lt;b&gt;bread&lt;/b&gt; is back');
    expect(html.match(/<img class="thumb"/g)).toHaveLength(1);
    expect(html).toContain(`/media/${mediaKey}`);
    expect(html).toContain(`href="/clients/${acme.client.id}/results/posts.csv?from=2026-11-01&amp;to=2026-11-30"`);
    expect(html).toContain('Reconnect to see results');
    expect(html).toContain('did not grant instagram_manage_insights');
    expect(html).not.toContain('Secret of the other client');
    // Nothing the CSP forbids.
    expect(html).not.toMatch(/style="|<style|<script>(?!<\/script>)/);
  });

  it('links the presets and marks the chosen one; the client page links here', async () => {
    const { html } = await admin.get(`/clients/${acme.client.id}/results?from=2026-11-24&to=2026-11-30`);
    expect(html).toMatch(/href="\/clients\/[^"]+\/results\?from=2026-11-24&amp;to=2026-11-30" aria-current="page"/);
    expect(html).toContain('from=2026-10-01&amp;to=2026-10-31'); // Last month.
    const show = await admin.get(`/clients/${acme.client.id}`);
    expect(show.html).toContain(`href="/clients/${acme.client.id}/results"`);
  });

  it('re-renders the picker with field errors for a bad period, never a 500', async () => {
    for (const query of ['from=yesterday', 'from=2026-11-30&to=2026-11-01', 'from=2020-01-01&to=2026-11-01']) {
      const { res, html } = await admin.get(`/clients/${acme.client.id}/results?${query}`);
      expect(res.status, query).toBe(422);
      expect(html).toContain('class="field-error"');
      expect(html).toContain('aria-invalid="true"');
    }
    const agency = await admin.get('/results?to=2026-13-45');
    expect(agency.res.status).toBe(422);
    expect(agency.html).toContain('must be a date');
  });

  it('says when numbers will appear when nothing is measured yet', async () => {
    const { res, html } = await admin.get(`/clients/${acme.client.id}/results?from=2025-01-01&to=2025-01-31`);
    expect(res.status).toBe(200);
    expect(html).toContain('Numbers appear about 1 hour after a post is published');
  });

  it('answers 404 for an unknown client', async () => {
    expect((await admin.request('/clients/nope/results')).status).toBe(404);
  });
});

describe('the monthly report day on the client form', () => {
  it('is saved when 1–28 or empty, and a field error otherwise', async () => {
    const edit = await admin.get(`/clients/${other.client.id}/edit`);
    expect(edit.html).toContain('name="reportDay"');
    const form = {
      name: 'Other Co',
      timezone: 'Europe/Berlin',
      language: 'en',
      approvalMode: 'none',
      contactEmails: '',
    };
    const bad = await admin.post(`/clients/${other.client.id}`, { ...form, reportDay: '31' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('must be a day of the month from 1 to 28');
    expect((await admin.post(`/clients/${other.client.id}`, { ...form, reportDay: '5' })).status).toBe(303);
    expect(t.herald.repos.clients.get(other.client.id)?.reportDay).toBe(5);
    expect((await admin.get(`/clients/${other.client.id}/edit`)).html).toMatch(/name="reportDay"[^>]*value="5"/);
    expect((await admin.post(`/clients/${other.client.id}`, { ...form, reportDay: '' })).status).toBe(303);
    expect(t.herald.repos.clients.get(other.client.id)?.reportDay).toBeNull();
    // The API has the same field.
    const patched = await t.api('PATCH', `/clients/${other.client.id}`, { reportDay: 12 });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { reportDay: number }).reportDay).toBe(12);
    const refused = await t.api('PATCH', `/clients/${other.client.id}`, { reportDay: 0 });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
  });
});

describe('the agency’s Results page', () => {
  it('lists every client with its totals, linked to its own page for the same period', async () => {
    const { res, html } = await admin.get('/results?from=2026-11-01&to=2026-11-30');
    expect(res.status).toBe(200);
    expect(html).toContain('href="/results" aria-current="page"');
    expect(html).toContain(`href="/clients/${acme.client.id}/results?from=2026-11-01&amp;to=2026-11-30"`);
    expect(html).toContain('Other Co');
    expect(html).toContain('Engagements by client');
  });
});

describe('the portal’s Results tab', () => {
  async function portal(clientId: string) {
    const { url } = t.herald.services.clients.createInvite(clientId);
    const browser = new PageClient(t.herald.app);
    expect((await browser.request(new URL(url).pathname)).status).toBe(303);
    return browser;
  }

  it('shows the portal’s own client only, without admin links, and is in the navigation', async () => {
    const browser = await portal(acme.client.id);
    const { res, html } = await browser.get('/portal/results?from=2026-11-01&to=2026-11-30');
    expect(res.status).toBe(200);
    expect(html).toContain('href="/portal/results" aria-current="page"');
    expect(html).toContain('Our sourdough');
    expect(html).not.toContain('Secret of the other client');
    expect(html).not.toContain('href="/posts/');
    expect(html).not.toContain('href="/clients/');
    // The client comes from the session: a client id in the query changes nothing.
    const sneaky = await browser.get(`/portal/results?clientId=${other.client.id}`);
    expect(sneaky.html).not.toContain('Secret of the other client');
    // And the admin's page is not the portal's to open.
    const admins = await browser.request(`/clients/${other.client.id}/results`);
    expect(admins.status).not.toBe(200);
    expect((await browser.get('/portal/results?from=bad')).res.status).toBe(422);
  });

  it('asks for the invite link again without a session', async () => {
    expect((await new PageClient(t.herald.app).request('/portal/results')).status).toBe(401);
  });
});
