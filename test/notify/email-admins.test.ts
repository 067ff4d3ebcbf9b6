// Mails to admins through a real SMTP server: failures at once, the rest in a daily digest at the
// admin's hour in their zone (across both daylight-saving changes), one-click unsubscribe
// honoured, and SMTP trouble: busy (421) or down is retried, a refused recipient (550) is final.
import { PageClient } from '../helpers/page-client.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmailHarness, emailHarness, linkAfter } from './email-harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const ADMIN = 'ops@agency.test';

let h: EmailHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function withAdmin(start: number, prefs: { timezone?: string; digestHour?: number } = {}) {
  h = await emailHarness(start);
  const admin = await h.t.herald.services.auth.createAdmin({ email: ADMIN, password: 'correct horse battery' });
  h.t.herald.services.emailPrefs.update(admin.id, {
    timezone: prefs.timezone ?? 'UTC',
    digestHour: prefs.digestHour ?? 8,
    modes: {},
  });
  return { harness: h, admin };
}

const failed = (harness: EmailHarness, title = 'A post to Acme Page failed') =>
  harness.emit('post.failed', null, { title, text: 'Facebook refused the image.', url: '/posts/pst_1' });
const published = (harness: EmailHarness, title: string) =>
  harness.emit('post.published', null, { title, url: '/posts/pst_2' });

describe('admin email', () => {
  it('mails a failure at once, and the rest in the digest at 08:00 Berlin time across both DST changes', async () => {
    // Saturday before the clocks go back (Sunday 25 October 2026, 03:00 CEST → 02:00 CET).
    const { harness } = await withAdmin(Date.parse('2026-10-24T12:00:00Z'), {
      timezone: 'Europe/Berlin',
      digestHour: 8,
    });
    const failure = failed(harness);
    published(harness, 'Autumn post went out');
    published(harness, 'Another autumn post');
    await harness.pass();
    expect(harness.smtp.received).toHaveLength(1);
    const now = harness.smtp.received[0]!.parsed;
    expect(now.subject).toBe('A post to Acme Page failed');
    expect(now.text).toContain('Facebook refused the image.');
    expect(linkAfter(now.text!, 'Open in Herald')).toBe(`${harness.base}/posts/pst_1`);
    expect(now.headers.get('x-herald-event')).toBe(failure);
    expect(now.html).toContain('Facebook refused the image.');

    // 08:00 in summer time would be 06:00 UTC; on that Sunday 08:00 in Berlin is 07:00 UTC.
    harness.clock.set(Date.parse('2026-10-25T06:59:00Z'));
    await harness.pass();
    expect(harness.smtp.received).toHaveLength(1);
    harness.clock.set(Date.parse('2026-10-25T07:00:00Z'));
    await harness.pass();
    expect(harness.smtp.received).toHaveLength(2);
    const digest = harness.smtp.received[1]!.parsed;
    expect(digest.subject).toBe('Herald daily digest: 2 events');
    expect(digest.text).toContain('Autumn post went out');
    expect(digest.text).toContain('Another autumn post');
    expect(digest.html).toContain('Post published: 2');

    // Spring: Sunday 28 March 2027, 02:00 CET → 03:00 CEST; 08:00 in Berlin is 06:00 UTC again.
    harness.clock.set(Date.parse('2027-03-27T12:00:00Z'));
    published(harness, 'Spring post went out');
    await harness.pass();
    harness.clock.set(Date.parse('2027-03-28T05:59:00Z'));
    await harness.pass();
    expect(harness.smtp.received).toHaveLength(2);
    harness.clock.set(Date.parse('2027-03-28T06:00:00Z'));
    await harness.pass();
    expect(harness.smtp.received).toHaveLength(3);
    expect(harness.smtp.received[2]!.parsed.subject).toBe('Herald daily digest: 1 event');
  });

  it('honours a one-click unsubscribe (a POST without cookie or CSRF token), for that type only', async () => {
    const { harness } = await withAdmin(Date.parse('2026-11-30T09:00:00Z'));
    failed(harness);
    await harness.pass();
    const mail = harness.smtp.received[0]!;
    const header = mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    const url = /^List-Unsubscribe: <([^>]+)>/m.exec(header)![1]!;
    expect(url).toBe(linkAfter(mail.parsed.text!, 'Unsubscribe'));

    // The page behind the link asks first; a GET changes nothing.
    const page = await fetch(url);
    expect(await page.text()).toContain('Stop sending Herald’s “Post failed” emails to ops@agency.test?');
    // The one-click POST a mail provider sends (RFC 8058 §3.2): no cookie, no Origin, no CSRF token.
    const click = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(click.status).toBe(200);
    expect(await click.text()).toContain('You are unsubscribed');
    // An altered token is refused, and the exemption is this route's alone.
    const forged = await fetch(
      url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      },
    );
    expect(forged.status).toBe(404);
    const other = await fetch(`${harness.base}/settings/agency`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'agencyName=x',
    });
    expect(other.status).toBe(403);

    failed(harness, 'Another failure');
    harness.emit('post.missed', null, { title: 'A post was missed' });
    await harness.pass();
    expect(harness.smtp.received.map((m) => m.parsed.subject)).toEqual([
      'A post to Acme Page failed',
      'A post was missed',
    ]);
  });

  it('retries while the SMTP server is busy (421) or down; a refused recipient (550) is final', async () => {
    const { harness } = await withAdmin(Date.parse('2026-11-30T09:00:00Z'));
    const deliveries = () => harness.t.herald.repos.notify.listDeliveries({ limit: 50 });

    harness.smtp.mode = '421';
    failed(harness, 'While busy');
    await harness.pass();
    expect(harness.smtp.refused).toBeGreaterThan(0);
    expect(deliveries()[0]).toMatchObject({ status: 'pending', attempts: 1, responseStatus: 421 });
    harness.smtp.mode = 'ok';
    harness.clock.advance(10 * MIN);
    await harness.pass();
    expect(deliveries()[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(harness.smtp.received.map((m) => m.parsed.subject)).toEqual(['While busy']);

    await harness.smtp.stop();
    failed(harness, 'While down');
    await harness.pass();
    expect(deliveries()[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(deliveries()[0]!.lastError).toMatch(/ECONNREFUSED|connect/i);
    // The dashboard says so while it lasts.
    const browser = new PageClient(harness.t.herald.app, harness.base);
    await browser.get('/login');
    await browser.post('/login', { email: ADMIN, password: 'correct horse battery' });
    expect((await browser.get('/')).html).toMatch(/Email is not getting through:<\/strong> 1 message is waiting/);
    await harness.smtp.start();
    harness.clock.advance(HOUR);
    await harness.pass();
    expect(deliveries()[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(harness.smtp.received.map((m) => m.parsed.subject)).toEqual(['While busy', 'While down']);
    expect((await browser.get('/')).html).not.toContain('Email is not getting through');

    harness.smtp.rejectRecipients.add(ADMIN);
    failed(harness, 'To a refused address');
    await harness.pass();
    expect(deliveries()[0]).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 550 });
    harness.clock.advance(3 * HOUR);
    await harness.pass();
    expect(deliveries()[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(harness.smtp.received).toHaveLength(2);
  });

  it('moves digests already waiting when the admin changes their hour or zone', async () => {
    const { harness, admin } = await withAdmin(Date.parse('2026-11-30T09:00:00Z'));
    published(harness, 'Went out');
    await harness.pass();
    const due = () => harness.t.herald.repos.notify.listDeliveries({ limit: 5 })[0]!.dueAt;
    expect(new Date(due()).toISOString()).toBe('2026-12-01T08:00:00.000Z');
    // 19:00 in Tokyo is 10:00 UTC: today, an hour from now, instead of tomorrow morning.
    harness.t.herald.services.emailPrefs.update(admin.id, { timezone: 'Asia/Tokyo', digestHour: 19, modes: {} });
    expect(new Date(due()).toISOString()).toBe('2026-11-30T10:00:00.000Z');
    harness.clock.advance(HOUR);
    await harness.pass();
    expect(harness.smtp.received.map((m) => m.parsed.subject)).toEqual(['Herald daily digest: 1 event']);
  });
});
