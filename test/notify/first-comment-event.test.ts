// post.first_comment_failed is routed like post.failed: an admin is mailed at once, not in the digest.
import { afterEach, describe, expect, it } from 'vitest';
import { type EmailHarness, emailHarness } from './email-harness.js';

let h: EmailHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('post.first_comment_failed', () => {
  it('is mailed to admins at once, like a failed post', async () => {
    h = await emailHarness(Date.parse('2026-10-24T12:00:00Z'));
    const admin = await h.t.herald.services.auth.createAdmin({
      email: 'ops@agency.test',
      password: 'correct horse battery',
    });
    h.t.herald.services.emailPrefs.update(admin.id, { timezone: 'UTC', digestHour: 8, modes: {} });
    const id = h.emit('post.first_comment_failed', null, {
      title: 'First comment failed on Acme’s Facebook',
      text: 'The post is published; its first comment was not added.',
      url: '/posts/pst_1',
    });
    await h.pass();
    expect(h.smtp.received).toHaveLength(1);
    const mail = h.smtp.received[0]!.parsed;
    expect(mail.subject).toBe('First comment failed on Acme’s Facebook');
    expect(mail.headers.get('x-herald-event')).toBe(id);
  });
});
