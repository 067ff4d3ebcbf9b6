// The monthly report through a real SMTP server: on the client's report day its contacts get the
// previous month's numbers once (a second run, as after a restart, sends nothing), in the client's
// language, multipart with the charts as inline PNGs, and a single-use link to the portal's Results.
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { seedClient } from '../helpers/herald.js';
import { accountDays, publishedWithResults } from '../helpers/results-seed.js';
import { type EmailHarness, emailHarness, linkAfter, portalCookie } from './email-harness.js';

// Thursday 3 December 2026, 08:00 in Berlin.
const T0 = Date.parse('2026-12-03T07:00:00Z');
const DAY = 86_400_000;

let h: EmailHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function germanClient(harness: EmailHarness, overrides: Record<string, unknown> = {}) {
  const seeded = seedClient(harness.t, {
    name: 'Bäckerei Sonne',
    language: 'de',
    timezone: 'Europe/Berlin',
    contactEmails: ['anna@client.test', 'ben@client.test'],
    reportDay: 3,
    ...overrides,
  });
  const fb = { ...seeded.facebook, clientId: seeded.client.id };
  publishedWithResults(harness.t, fb, Date.parse('2026-11-10T09:00:00Z'), { '7d': { reach: 1200, likes: 100 } });
  publishedWithResults(harness.t, fb, Date.parse('2026-10-10T09:00:00Z'), { '30d': { reach: 800, likes: 50 } });
  const days: Record<string, { followers: number; views: number }> = {};
  for (let d = 1; d <= 30; d++) days[`2026-11-${String(d).padStart(2, '0')}`] = { followers: 500 + d, views: 40 + d };
  accountDays(harness.t, fb, days);
  return seeded;
}

describe('the monthly report', () => {
  it('goes to each contact once on the report day, in German, with inline PNG charts and a portal link', async () => {
    h = await emailHarness(T0);
    h.t.herald.services.settings.updateAgency({ agencyName: 'Nordwind Social' });
    const sonne = germanClient(h);
    h.t.herald.repos.notify.suppress('ben@client.test', `client:${sonne.client.id}`, T0 - DAY);
    // Another client whose day has not come, and one without a report day.
    germanClient(h, { name: 'Später GmbH', reportDay: 5 });
    germanClient(h, { name: 'Ohne Bericht', reportDay: null });

    expect(h.t.herald.services.results.monthlyReports().emitted).toEqual([sonne.client.id]);
    await h.pass();
    // Again the same day, and again after a day: the November report is not sent twice.
    expect(h.t.herald.services.results.monthlyReports().emitted).toEqual([]);
    h.clock.advance(DAY);
    expect(h.t.herald.services.results.monthlyReports().emitted).toEqual([]);
    await h.pass();

    expect(h.smtp.received).toHaveLength(1);
    const mail = h.smtp.received[0]!;
    expect(mail.envelopeTo).toEqual(['anna@client.test']);
    expect(mail.parsed.subject).toBe('Bäckerei Sonne: Ihre Ergebnisse im November 2026');
    expect(mail.parsed.text).toContain('Reichweite: 1.200');
    expect(mail.parsed.text).toContain('50% mehr als im Vormonat');
    expect(mail.raw).toMatch(/Content-Type: multipart\/related/i);
    const images = mail.parsed.attachments.filter((a) => a.contentType === 'image/png');
    expect(images).toHaveLength(2);
    for (const image of images) {
      // The HTML refers to it by Content-ID (mailparser swaps each cid: it resolves for the image's data).
      expect(image.related).toBe(true);
      expect(mail.parsed.html).toContain(`src="data:image/png;base64,${image.content.toString('base64').slice(0, 40)}`);
      const meta = await sharp(image.content).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBeGreaterThan(600);
    }
    expect(mail.parsed.html).toContain('alt="Follower pro Tag"');

    const link = linkAfter(mail.parsed.text!, 'Alle Ergebnisse ansehen');
    const opened = await fetch(link, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/portal/results');
    const page = await fetch(`${h.base}/portal/results?from=2026-11-01&to=2026-11-30`, {
      headers: { cookie: portalCookie(opened)! },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('1,200');
  });

  it('is the report-monthly job on the leader, and the report day is 1–28 or none', async () => {
    h = await emailHarness(T0);
    const sonne = germanClient(h);
    h.t.herald.scheduler.start();
    const { runId } = h.t.herald.scheduler.runNow('report-monthly');
    await expect.poll(() => h!.t.herald.repos.system.getRun(runId)?.status, { timeout: 10_000 }).toBe('ok');
    expect(h.t.herald.repos.system.getRun(runId)?.counts).toEqual({ reports: 1 });
    const events = h.t.herald.services.events.list({ type: 'report.monthly', clientId: sonne.client.id }).data;
    expect(events.map((e) => e.data.month)).toEqual(['2026-11']);

    const { clients } = h.t.herald.services;
    const c = clients.create({ name: 'X', timezone: 'UTC' });
    expect(c.reportDay).toBeNull();
    expect(clients.update(c.id, { reportDay: 28 }).reportDay).toBe(28);
    expect(() => clients.update(c.id, { reportDay: 29 })).toThrow();
    expect(() => clients.update(c.id, { reportDay: 1.5 })).toThrow();
  });
});
