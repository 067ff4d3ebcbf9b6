// Mails to a client's contacts through a real SMTP server: approval requests batched (at most one
// an hour), a reminder before the first post would be missed, reconnect requests, each with a
// single-use portal link that opens over real HTTP once; in the client's language.
import { afterEach, describe, expect, it } from 'vitest';
import { seedClient } from '../helpers/herald.js';
import { type EmailHarness, emailHarness, linkAfter, portalCookie } from './email-harness.js';

const T0 = Date.parse('2026-11-30T09:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

let h: EmailHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A client under client approval with one contact, and a post of theirs waiting, due `inHours` from now. */
function clientWithPosts(harness: EmailHarness, overrides: Record<string, unknown> = {}) {
  const seeded = seedClient(harness.t, {
    approvalMode: 'client',
    contactEmails: ['Anna@Client.test', 'anna@client.test'],
    ...overrides,
  });
  const post = (caption: string, inHours: number) =>
    harness.t.herald.services.posts.create(
      {
        accountId: seeded.facebook.id,
        caption,
        scheduledAt: new Date(harness.clock.now() + inHours * HOUR).toISOString(),
        status: 'scheduled',
      },
      { kind: 'system' },
    );
  /** The approval.requested event that creating `posts` (one each) wrote: the real one, not one made here. */
  const requested = (posts: Array<{ id: string }>) => {
    const events = harness.t.herald.services.events.list({ type: 'approval.requested', clientId: seeded.client.id });
    const ids = posts.map((p) => p.id).join();
    const found = events.data.filter((e) => (e.data.postIds as string[]).join() === ids);
    expect(found).toHaveLength(1);
    return found[0]!.id;
  };
  return { ...seeded, post, requested };
}

describe('approval requests to client contacts', () => {
  it('are batched (one mail an hour), multipart, and their link opens the review list once', async () => {
    h = await emailHarness(T0);
    h.t.herald.services.settings.updateAgency({ agencyName: 'Northwind Social' });
    const acme = clientWithPosts(h);
    expect(acme.client.contactEmails).toEqual(['anna@client.test']);
    const first = acme.post('First of the week', 24);
    expect(first.status).toBe('pending_approval');
    acme.requested([first]);
    await h.pass();
    expect(h.smtp.received).toHaveLength(1);

    // Two more within the hour: nothing until an hour after the first mail, then one mail for both.
    h.clock.advance(10 * MIN);
    const second = acme.post('Second post', 30);
    const e2 = acme.requested([second]);
    await h.pass();
    h.clock.advance(20 * MIN);
    const third = acme.post('Third post', 31);
    const e3 = acme.requested([third]);
    await h.pass();
    h.clock.advance(29 * MIN);
    await h.pass();
    expect(h.smtp.received).toHaveLength(1);
    h.clock.advance(1 * MIN);
    await h.pass();
    expect(h.smtp.received).toHaveLength(2);

    const mail = h.smtp.received[1]!;
    expect(mail.envelopeTo).toEqual(['anna@client.test']);
    expect(mail.parsed.from?.value).toEqual([{ name: 'Acme Agency', address: 'herald@agency.test' }]);
    expect(mail.parsed.subject).toBe('2 posts are waiting for your approval');
    expect(mail.parsed.text).toContain('Northwind Social has prepared 2 posts for Acme Bakery');
    expect(mail.parsed.html).toContain('2 posts are waiting for your approval');
    expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(mail.parsed.headers.get('x-herald-event')).toBe(`${e2}, ${e3}`);
    expect(mail.parsed.messageId).toContain(e2);
    // RFC 8058: both headers, the URL on one (unfolded) line.
    const header = mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    expect(header).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(header).toMatch(new RegExp(`^List-Unsubscribe: <${h.base}/unsubscribe/[\\w.-]+>\\r?$`, 'm'));

    // The button's link, opened over real HTTP as a mail reader would: signed in, on the review list.
    const link = linkAfter(mail.parsed.text!, 'Review the posts');
    expect(link.startsWith(`${h.base}/invite/`)).toBe(true);
    const opened = await fetch(link, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/portal/posts');
    const cookie = portalCookie(opened);
    expect(cookie).not.toBeNull();
    const review = await fetch(`${h.base}/portal/posts`, { headers: { cookie: cookie! } });
    expect(review.status).toBe(200);
    const html = await review.text();
    expect(html).toContain('Second post');
    expect(html).toContain('Third post');

    // Once: another browser gets a clear page; the browser that used it is simply taken there again.
    const again = await fetch(link, { redirect: 'manual' });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link was used already');
    const sameBrowser = await fetch(link, { redirect: 'manual', headers: { cookie: cookie! } });
    expect(sameBrowser.status).toBe(303);
    expect(sameBrowser.headers.get('location')).toBe('/portal/posts');

    // Later than the hour after the last mail: a new one goes at once.
    h.clock.advance(4 * HOUR);
    acme.requested([acme.post('Much later', 40)]);
    await h.pass();
    expect(h.smtp.received).toHaveLength(3);
    expect(h.smtp.received[2]!.parsed.subject).toBe('1 post is waiting for your approval');
  });

  it('remind before the first post would be missed, and skip the reminder once all are approved', async () => {
    h = await emailHarness(T0);
    const acme = clientWithPosts(h);
    const soon = acme.post('Due in ten hours', 10);
    acme.requested([soon]);
    await h.pass();
    expect(h.smtp.received.map((m) => m.parsed.subject)).toEqual(['1 post is waiting for your approval']);

    h.clock.set(T0 + 8 * HOUR - MIN);
    await h.pass();
    expect(h.smtp.received).toHaveLength(1);
    h.clock.advance(MIN);
    await h.pass();
    expect(h.smtp.received).toHaveLength(2);
    const reminder = h.smtp.received[1]!.parsed;
    expect(reminder.subject).toBe('Reminder: 1 post still needs your approval');
    expect(reminder.text).toContain('(Europe/Berlin)');
    expect(linkAfter(reminder.text!, 'Review the posts')).toContain('/invite/');

    // A post for tomorrow, approved before its reminder is due: the reminder is not sent.
    const later = acme.post('Tomorrow', 20);
    acme.requested([later]);
    await h.pass();
    expect(h.smtp.received).toHaveLength(3);
    h.t.herald.services.posts.act(later.id, 'approve', { kind: 'system' });
    h.clock.set(T0 + 8 * HOUR + 18 * HOUR);
    await h.pass();
    expect(h.smtp.received).toHaveLength(3);
    const skipped = h.t.herald.repos.notify
      .listDeliveries({ limit: 20 })
      .filter((d) => d.target === `reminder:${acme.client.id}:anna@client.test`);
    expect(skipped.map((d) => [d.status, d.lastError])).toContainEqual([
      'cancelled',
      'none of these posts still waits for approval',
    ]);
  });

  it('tell every contact at once that an account needs reconnecting, in German for a German client', async () => {
    h = await emailHarness(T0);
    const acme = seedClient(h.t, {
      approvalMode: 'client',
      language: 'de-AT',
      contactEmails: ['anna@client.test', 'ben@client.test'],
    });
    // Marking the account tells of account.needs_reauth (the real event, with its real payload).
    h.t.herald.services.accounts.markNeedsReauth(acme.facebook.id, 'token revoked');
    await h.pass();
    expect(h.smtp.received.map((m) => m.envelopeTo[0]).sort()).toEqual(['anna@client.test', 'ben@client.test']);
    const mail = h.smtp.received[0]!.parsed;
    expect(mail.subject).toBe('Ihr Facebook-Konto Acme Page muss neu verbunden werden');
    expect(mail.html).toContain('<html lang="de">');
    expect(mail.text).toContain('Sie erhalten diese E-Mail als Kontakt von Acme Bakery');
    // The agency has not named itself yet: "your agency", in German too.
    expect(mail.text).toContain('daher kann Ihre Agentur dort nichts veröffentlichen');
    const link = linkAfter(mail.text!, 'Konto neu verbinden');
    const opened = await fetch(link, { redirect: 'manual' });
    expect(opened.headers.get('location')).toBe('/portal');
    const portal = await fetch(`${h.base}/portal`, { headers: { cookie: portalCookie(opened)! } });
    const html = await portal.text();
    expect(html).toContain('Please reconnect');
    expect(html).toContain('Acme Page');
  });

  it('stop for a contact who unsubscribed (one click), and still reach the other contacts', async () => {
    h = await emailHarness(T0);
    const acme = clientWithPosts(h, { contactEmails: ['anna@client.test', 'ben@client.test'] });
    acme.requested([acme.post('First', 24)]);
    await h.pass();
    const anna = h.smtp.received.find((m) => m.envelopeTo[0] === 'anna@client.test')!;
    const url = linkAfter(anna.parsed.text!, 'Stop these emails');
    expect(await (await fetch(url)).text()).toContain('emails about Acme Bakery’s posts and accounts');
    const click = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(click.status).toBe(200);

    h.clock.advance(2 * HOUR);
    acme.requested([acme.post('Second', 30)]);
    h.t.herald.services.accounts.markNeedsReauth(acme.facebook.id, 'token revoked');
    await h.pass();
    expect(h.smtp.received.filter((m) => m.envelopeTo[0] === 'anna@client.test')).toHaveLength(1);
    expect(h.smtp.received.filter((m) => m.envelopeTo[0] === 'ben@client.test')).toHaveLength(3);
  });
});
