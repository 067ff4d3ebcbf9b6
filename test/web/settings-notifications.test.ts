// Settings → Notifications through the real app: add, edit, test, pause and resume, remove a
// channel; a webhook's secret shown once; the delivery log's filters, paging and "Redeliver"; and the
// dashboard's notice about channels that are not getting notifications. Slack is a local fake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackWebhookFake } from '../fakes/slack-webhook.js';
import { type ChatHarness, chatHarness } from '../helpers/chat-channels.js';
import { PageClient } from '../helpers/page-client.js';

let h: ChatHarness;
let slack: SlackWebhookFake;
let browser: PageClient;
const BASE = '/settings/notifications';

beforeAll(async () => {
  h = await chatHarness(
    { pauseAfterFailures: 3, pauseAfterMs: 0 },
    { ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' },
  );
  await h.t.herald.services.auth.ensureConfiguredAdmin();
  slack = new SlackWebhookFake();
  await slack.start();
  browser = new PageClient(h.t.herald.app);
  await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await browser.get(BASE);
});
afterAll(async () => {
  await slack.stop();
  await h.t.close();
});

const channels = () => h.t.herald.services.channels.list();

describe('Settings → Notifications', () => {
  it('shows empty states, and links to the email preferences and from the Settings page', async () => {
    const { res, html } = await browser.get(BASE);
    expect(res.status).toBe(200);
    expect(html).toContain('No channels yet.');
    expect(html).toContain('No deliveries match.');
    expect(html).toContain('href="/settings/notifications/email"');
    expect((await browser.get('/settings')).html).toContain(`href="${BASE}"`);
  });

  it('re-renders the add form with field errors and the values typed', async () => {
    const badEvents = await browser.post(`${BASE}/channels`, {
      kind: 'slack',
      name: 'Ops',
      url: slack.webhookUrl,
      events: ['post.failed', 'not.a.type'],
    });
    expect(badEvents.status).toBe(422);
    const first = await badEvents.text();
    expect(first).toContain('id="events-error"');
    expect(first).toMatch(/value="post.failed" checked/);
    const badUrl = await browser.post(`${BASE}/channels`, { kind: 'slack', name: 'Ops', url: 'https://10.0.0.8/hook' });
    expect(badUrl.status).toBe(422);
    const html = await badUrl.text();
    expect(html).toContain('id="url-error"');
    expect(html).toContain('is a private address');
    expect(html).toContain('value="Ops"');
    expect(channels()).toHaveLength(0);
  });

  it('adds a Slack channel for the agency with an event filter, and lists it', async () => {
    const res = await browser.post(`${BASE}/channels`, {
      kind: 'slack',
      name: 'Ops',
      url: slack.webhookUrl,
      events: ['post.failed', 'account.needs_reauth'],
      clientId: '',
    });
    expect(res.status).toBe(303);
    const [channel] = channels();
    expect(channel).toMatchObject({
      kind: 'slack',
      name: 'Ops',
      clientId: null,
      events: ['post.failed', 'account.needs_reauth'],
    });
    const { html } = await browser.get(BASE);
    expect(html).toContain('Post failed, Account needs reconnecting');
    expect(html).toContain(`hx-post="${BASE}/channels/${channel!.id}/test"`);
    // The URL is a credential: only its start is shown.
    expect(html).not.toContain(slack.path);
  });

  it('sends a test from the row and shows its result once the delivery is settled', async () => {
    const [channel] = channels();
    const res = await browser.post(`${BASE}/channels/${channel!.id}/test`, {}, { htmx: true });
    expect(res.status).toBe(200);
    const pending = await res.text();
    const poll = /hx-get="([^"]+)"/.exec(pending)![1]!.replace(/&amp;/g, '&');
    expect(poll).toMatch(new RegExp(`^${BASE}/deliveries/dlv_[^/]+/status\\?poll=1$`));
    expect(pending).toContain('hx-trigger="load delay:1s"');
    await h.pass();
    const { html } = await browser.get(poll);
    expect(html).toContain('data-status="delivered"');
    expect(html).toContain('Delivered (HTTP 200)');
    expect(html).not.toContain('hx-get');
    expect(slack.messages.map((m) => m.blocks[0].text.text)).toEqual(['Test notification from Herald']);
  });

  it('edits the name, filter and scope; an empty URL keeps the old one', async () => {
    const [channel] = channels();
    const client = h.t.herald.services.clients.create({ name: 'Acme Bakery', timezone: 'UTC' });
    const bad = await browser.post(`${BASE}/channels/${channel!.id}`, { name: '', url: '', clientId: client.id });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('id="name-error"');
    const res = await browser.post(`${BASE}/channels/${channel!.id}`, {
      name: 'Acme ops',
      url: '',
      events: ['post.published'],
      clientId: client.id,
    });
    expect(res.status).toBe(303);
    const saved = h.t.herald.services.channels.get(channel!.id);
    expect(saved).toMatchObject({ name: 'Acme ops', clientId: client.id, events: ['post.published'] });
    expect(saved.urlSealed).toBe(channel!.urlSealed);
  });

  it('shows a new webhook’s secret once, and never again', async () => {
    const res = await browser.post(`${BASE}/channels`, { kind: 'webhook', name: 'Zapier', url: slack.webhookUrl });
    expect(res.status).toBe(200);
    const secret = /id="webhook-secret"[^>]*value="(whsec_[^"]+)"|value="(whsec_[^"]+)"[^>]*id="webhook-secret"/.exec(
      await res.text(),
    );
    expect(secret).not.toBeNull();
    const value = secret![1] ?? secret![2]!;
    expect((await browser.get(BASE)).html).not.toContain(value);
  });

  it('pauses a channel that keeps failing, says so on the dashboard, and resumes it', async () => {
    const channel = channels().find((c) => c.name === 'Acme ops')!;
    slack.fail({ status: 500, times: 10 });
    h.t.herald.services.channels.sendTest(channel.id);
    for (let i = 0; i < 3; i++) {
      await h.pass();
      h.clock.advance(60 * 60_000);
    }
    expect(h.t.herald.services.channels.get(channel.id).status).toBe('paused');
    const dashboard = (await browser.get('/')).html;
    expect(dashboard).toContain('id="failing-channels"');
    expect(dashboard).toContain('Acme ops: paused (3 deliveries in a row failed');
    const page = (await browser.get(BASE)).html;
    expect(page).toContain(`action="${BASE}/channels/${channel.id}/resume"`);
    // A paused channel cannot be tested; it says why.
    const refused = await browser.post(`${BASE}/channels/${channel.id}/test`, {}, { htmx: true });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('paused');
    slack.server.clearFaults();
    expect((await browser.post(`${BASE}/channels/${channel.id}/resume`, {})).status).toBe(303);
    expect(h.t.herald.services.channels.get(channel.id)).toMatchObject({ status: 'active', consecutiveFailures: 0 });
  });

  it('filters and pages the delivery log, and redelivers a delivery with the same event', async () => {
    const channel = channels().find((c) => c.name === 'Acme ops')!;
    for (let i = 0; i < 55; i++) h.t.herald.services.channels.sendTest(channel.id);
    const first = (await browser.get(`${BASE}?channel=${channel.id}&status=pending`)).html;
    expect(first.match(/<tr id="delivery-/g)).toHaveLength(50);
    const next = /href="(\/settings\/notifications\?[^"]*cursor=[^"]+)"/.exec(first)![1]!.replace(/&amp;/g, '&');
    expect(next).toContain('status=pending');
    const second = (await browser.get(next)).html;
    expect(second.match(/<tr id="delivery-/g)!.length).toBeGreaterThan(0);
    const delivered = (await browser.get(`${BASE}?status=delivered`)).html;
    const id = /<tr id="delivery-(dlv_[^"]+)"/.exec(delivered)![1]!;
    const before = h.t.herald.repos.notify.getDelivery(id)!;
    expect((await browser.post(`${BASE}/deliveries/${id}/redeliver`, {})).status).toBe(303);
    const after = h.t.herald.repos.notify.getDelivery(id)!;
    expect(after).toMatchObject({ status: 'pending', eventId: before.eventId });
    expect((await browser.get(`${BASE}?eventType=post.failed`)).html).toContain('No deliveries match.');
  });

  it('removes a channel after asking, cancelling what still waited for it', async () => {
    const channel = channels().find((c) => c.name === 'Acme ops')!;
    const ask = await browser.get(`${BASE}/channels/${channel.id}/remove`);
    expect(ask.html).toContain('Remove “Acme ops”?');
    expect(channels().some((c) => c.id === channel.id)).toBe(true);
    expect((await browser.post(`${BASE}/channels/${channel.id}/remove`, {})).status).toBe(303);
    expect(channels().some((c) => c.id === channel.id)).toBe(false);
    const waiting = h.t.herald.repos.notify.listDeliveries({ target: channel.id, status: 'pending', limit: 5 });
    expect(waiting).toEqual([]);
  });
});
