// Setting email up: SMTP_URL and MAIL_FROM checked at start-up, a client's contact emails through
// the API and the client form, and an admin's own page (modes, zone, digest hour, a test mail).
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { json, makeHerald, seedClient, TEST_SECRET, tempDir, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';
import { type EmailHarness, emailHarness } from './email-harness.js';

const LOGIN = { email: 'ops@agency.test', password: 'correct horse battery staple' };

let h: EmailHarness | undefined;
let plain: TestHerald | undefined;
afterEach(async () => {
  await h?.close();
  await plain?.close();
  h = undefined;
  plain = undefined;
});

function configError(env: Record<string, string>): string {
  try {
    loadConfig({ DATA_DIR: tempDir(), SECRET_KEY: TEST_SECRET, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

async function signedIn(t: TestHerald): Promise<PageClient> {
  await t.herald.services.auth.createAdmin(LOGIN);
  const browser = new PageClient(t.herald.app, t.config.publicUrl);
  await browser.post('/login', LOGIN);
  await browser.get('/');
  return browser;
}

describe('SMTP configuration', () => {
  it('reads smtp:// (STARTTLS) and smtps:// (implicit TLS), and refuses bad values in one line', () => {
    const base = { DATA_DIR: tempDir(), SECRET_KEY: TEST_SECRET };
    expect(loadConfig(base).smtp).toBeNull();
    expect(
      loadConfig({
        ...base,
        SMTP_URL: 'smtp://apikey:p%40ss@smtp.example.com:587',
        MAIL_FROM: 'Herald <h@example.com>',
      }).smtp,
    ).toEqual({
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      requireTls: true,
      user: 'apikey',
      pass: 'p@ss',
      from: 'Herald <h@example.com>',
    });
    expect(
      loadConfig({ ...base, SMTP_URL: 'smtps://u:p@smtp.example.com', MAIL_FROM: 'h@example.com' }).smtp,
    ).toMatchObject({ port: 465, secure: true, requireTls: false });
    expect(configError({ SMTP_URL: 'http://smtp.example.com' })).toMatch(/^SMTP_URL: must look like smtp:\/\//);
    expect(configError({ SMTP_URL: 'smtp://u:p@smtp.example.com:587' })).toMatch(/^MAIL_FROM: must be set/);
    expect(configError({ SMTP_URL: 'smtp://smtp.example.com', MAIL_FROM: 'Herald' })).toMatch(
      /^MAIL_FROM: must be an email address or Name <address>/,
    );
    expect(configError({ MAIL_FROM: 'h@example.com' })).toMatch(/^SMTP_URL: must be set when MAIL_FROM is/);
  });
});

describe('client contact emails', () => {
  it('are read and written through the API: lower-cased, each once, valid, at most 20', async () => {
    plain = await makeHerald();
    const created = await plain.api('POST', '/clients', {
      name: 'Acme',
      timezone: 'Europe/Berlin',
      contactEmails: ['Anna@Client.test', 'anna@client.test', 'ben@client.test'],
    });
    expect(created.status).toBe(201);
    const client = await json(created);
    expect(client.contactEmails).toEqual(['anna@client.test', 'ben@client.test']);
    expect((await json(await plain.api('GET', `/clients/${client.id}`))).contactEmails).toEqual([
      'anna@client.test',
      'ben@client.test',
    ]);
    const bad = await plain.api('PATCH', `/clients/${client.id}`, { contactEmails: ['ok@client.test', 'nope'] });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatchObject({
      code: 'validation_failed',
      details: { 'contactEmails.1': ['must be an email address'] },
    });
    const many = Array.from({ length: 21 }, (_, i) => `p${i}@client.test`);
    const tooMany = await plain.api('PATCH', `/clients/${client.id}`, { contactEmails: many });
    expect((await json(tooMany)).error.details).toEqual({ contactEmails: ['must be at most 20 addresses'] });
    const cleared = await plain.api('PATCH', `/clients/${client.id}`, { contactEmails: [] });
    expect((await json(cleared)).contactEmails).toEqual([]);
  });

  it('are edited on the client form, one per line, with the bad address named', async () => {
    plain = await makeHerald();
    const browser = await signedIn(plain);
    const { client } = seedClient(plain);
    const form = await browser.get(`/clients/${client.id}/edit`);
    expect(form.html).toContain('name="contactEmails"');
    const fields = {
      name: client.name,
      timezone: client.timezone,
      language: 'en',
      approvalMode: 'client',
      brandVoice: '',
      audience: '',
    };
    const bad = await browser.post(`/clients/${client.id}`, {
      ...fields,
      contactEmails: 'anna@client.test\nnot-an-address',
    });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('not-an-address: must be an email address');
    expect(html).toContain('not-an-address</textarea>');
    const ok = await browser.post(`/clients/${client.id}`, {
      ...fields,
      contactEmails: 'Anna@Client.test, ben@client.test',
    });
    expect(ok.status).toBe(303);
    expect(plain.herald.services.clients.get(client.id).contactEmails).toEqual(['anna@client.test', 'ben@client.test']);
    expect((await browser.get(`/clients/${client.id}/edit`)).html).toContain('anna@client.test\nben@client.test');
  });
});

describe('My email notifications', () => {
  it('saves modes, zone and digest hour, re-renders errors, and sends a test mail', async () => {
    h = await emailHarness(Date.parse('2026-11-30T09:00:00Z'));
    const browser = await signedIn(h.t);
    const page = await browser.get('/settings/notifications/email');
    expect(page.res.status).toBe(200);
    expect(page.html).toContain('My email notifications');
    expect(page.html).toMatch(/name="mode.post.failed" value="immediate" checked/);
    expect(page.html).toMatch(/name="mode.post.published" value="digest" checked/);
    expect(page.html).not.toContain('mode.notification.test');

    const bad = await browser.post('/settings/notifications/email', {
      'mode.post.failed': 'off',
      timezone: 'Mars/Olympus',
      digestHour: '25',
    });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('must be an IANA time zone');
    expect(html).toContain('must be a whole hour from 0 to 23');
    expect(html).toContain('value="Mars/Olympus"');
    expect(html).toMatch(/name="mode.post.failed" value="off" checked/);

    const saved = await browser.post('/settings/notifications/email', {
      'mode.post.failed': 'digest',
      'mode.post.published': 'off',
      timezone: 'America/New_York',
      digestHour: '7',
    });
    expect(saved.status).toBe(303);
    const admin = h.t.herald.services.auth.admins()[0]!;
    const view = h.t.herald.services.emailPrefs.view(admin.id);
    expect(view).toMatchObject({ timezone: 'America/New_York', digestHour: 7 });
    expect(view.types.find((t) => t.type === 'post.failed')?.mode).toBe('digest');
    expect(view.types.find((t) => t.type === 'post.published')?.mode).toBe('off');

    // Without the CSRF token the page refuses.
    expect((await browser.post('/settings/notifications/email/test', {}, { csrf: false })).status).toBe(403);
    expect((await browser.post('/settings/notifications/email/test', {})).status).toBe(303);
    await h.pass();
    expect(h.smtp.received.map((m) => [m.envelopeTo[0], m.parsed.subject])).toEqual([
      ['ops@agency.test', 'Test email from Herald'],
    ]);
  });

  it('says email is not configured without SMTP_URL, and sends nothing', async () => {
    plain = await makeHerald();
    const browser = await signedIn(plain);
    const page = await browser.get('/settings/notifications/email');
    expect(page.html).toContain('Email is not configured');
    await browser.post('/settings/notifications/email/test', {});
    expect((await browser.get('/settings/notifications/email')).html).toContain(
      'Email is not configured: set SMTP_URL and MAIL_FROM.',
    );
    expect(plain.herald.repos.notify.listDeliveries({ limit: 5 })).toEqual([]);
  });
});
