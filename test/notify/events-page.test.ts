import { afterEach, describe, expect, it } from 'vitest';
import { emitEvent } from '../../src/services/events.js';
import type { DeliveryRow } from '../../src/db/repos/index.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// The admin page /events, and the housekeeping of the deliveries it counts.

const ADMIN = { email: 'ana@agency.test', password: 'correct horse battery staple' };
let t: TestHerald;
afterEach(() => t?.close());

async function signedIn(): Promise<PageClient> {
  t = await makeHerald({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  await t.herald.services.auth.ensureConfiguredAdmin();
  const page = new PageClient(t.herald.app);
  await page.get('/login');
  await page.post('/login', ADMIN);
  return page;
}

function emit(type: 'job.failed' | 'backup.failed', title: string): string {
  const { database, repos, clock } = t.herald;
  return database.immediate(() => emitEvent({ database, repos, clock }, type, null, { title })).id;
}

function delivery(eventId: string, target: string, status: DeliveryRow['status'], createdAt: number): DeliveryRow {
  return {
    id: `dlv_${target}_${eventId}`,
    eventId,
    channel: 'webhook',
    target,
    bundle: null,
    status,
    attempts: 1,
    dueAt: createdAt,
    expiresAt: createdAt + 86_400_000,
    lastAttemptAt: createdAt,
    responseStatus: status === 'delivered' ? 204 : 500,
    responseBody: null,
    lastError: null,
    deliveredAt: status === 'delivered' ? createdAt : null,
    createdAt,
  };
}

describe('the events page', () => {
  it('says so when nothing happened yet, and is in the navigation', async () => {
    const page = await signedIn();
    const { res, html } = await page.get('/events');
    expect(res.status).toBe(200);
    expect(html).toContain('Nothing has happened yet.');
    expect(html).toMatch(/<a href="\/events" aria-current="page">Events<\/a>/);
  });

  it('lists events newest first with type, client, words, link, client-zone time and delivery counts', async () => {
    const page = await signedIn();
    const seeded = seedClient(t);
    const failed = emit('job.failed', 'Job failed: Daily backup');
    const now = t.herald.clock.now();
    for (const [target, status] of [
      ['ch_a', 'delivered'],
      ['ch_b', 'delivered'],
      ['ch_c', 'pending'],
      ['ch_d', 'failed'],
    ] as const)
      t.herald.repos.notify.insertDelivery(delivery(failed, target, status, now));
    const { html } = await page.get('/events');
    expect(html.indexOf('Job failed: Daily backup')).toBeLessThan(html.indexOf('Acme Page connected'));
    expect(html).toContain('2 delivered');
    expect(html).toContain('1 pending');
    expect(html).toContain('1 failed');
    expect(html).toContain('not sent anywhere');
    expect(html).toContain('Account connected');
    expect(html).toContain(`href="http://herald.test/clients/${seeded.client.id}"`);
    // The client's events in the client's zone; the agency's own in UTC.
    expect(html).toContain('Europe/Berlin');
    expect(html).toMatch(/<span class="tz"> UTC<\/span>/);
    expect(html).toContain('agency');
  });

  it('filters by type and client, and pages to older events', async () => {
    const page = await signedIn();
    const seeded = seedClient(t);
    const other = seedClient(t, { name: 'Corner Café' });
    for (let i = 0; i < 55; i++) emit('job.failed', `Job failed number ${i}`);
    const first = await page.get('/events?type=job.failed');
    expect(first.html).toContain('Job failed number 54');
    expect(first.html).not.toContain('Job failed number 4<');
    expect(first.html).not.toContain('Acme Page connected');
    const older = /href="(\/events\?type=job\.failed&amp;before=evt_[^"]+)"/.exec(first.html);
    expect(older).not.toBeNull();
    const second = await page.get(older![1]!.replace(/&amp;/g, '&'));
    expect(second.html).toContain('Job failed number 4<');
    expect(second.html).not.toContain('Job failed number 54');
    expect(second.html).not.toContain('Older →');

    const byClient = await page.get(`/events?clientId=${other.client.id}`);
    expect(byClient.html).toContain('Corner Café’s Facebook account Acme Page connected');
    expect(byClient.html).not.toContain('Acme Bakery’s');
    expect(byClient.html).not.toContain('Job failed number');
    const none = await page.get(`/events?clientId=${seeded.client.id}&type=backup.failed`);
    expect(none.html).toContain('No events match these filters.');
  });
});

describe('housekeeping', () => {
  it('prunes finished deliveries older than 30 days and keeps pending ones and every event', async () => {
    t = await makeHerald();
    const old = emit('backup.failed', 'An old failure');
    const now = t.herald.clock.now();
    const day = 86_400_000;
    t.herald.repos.notify.insertDelivery(delivery(old, 'old_done', 'delivered', now - 31 * day));
    t.herald.repos.notify.insertDelivery(delivery(old, 'old_failed', 'failed', now - 31 * day));
    t.herald.repos.notify.insertDelivery(delivery(old, 'old_pending', 'pending', now - 31 * day));
    t.herald.repos.notify.insertDelivery(delivery(old, 'recent_done', 'delivered', now - 29 * day));
    t.herald.lease.tick();
    t.herald.scheduler.start();
    const { runId } = t.herald.scheduler.runNow('maintenance');
    for (let i = 0; i < 200 && t.herald.repos.system.getRun(runId)?.status !== 'ok'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(t.herald.repos.system.getRun(runId)).toMatchObject({ status: 'ok', counts: { deliveries: 2 } });
    const left = t.herald.repos.notify.listDeliveries({ limit: 10 }).map((d) => d.target);
    expect(left.sort()).toEqual(['old_pending', 'recent_done']);
    expect(t.herald.repos.events.get(old)).toBeDefined();
  });
});
