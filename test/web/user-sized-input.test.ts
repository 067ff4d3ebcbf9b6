import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// Inputs whose size a person controls must cost no more than their meaning: a list field sent
// thousands of times, or a schedule typed as a list a megabyte long.

let t: TestHerald;
let seeded: ReturnType<typeof seedClient>;

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
  await t.herald.services.auth.ensureConfiguredAdmin();
  seeded = seedClient(t);
});
afterAll(() => t.close());

async function signedIn(): Promise<PageClient> {
  const b = new PageClient(t.herald.app);
  await b.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await b.get('/');
  return b;
}

describe('user-sized input in the rule form', () => {
  it('a day and an hour ticked 2,000 times each make the same schedule as ticked once', async () => {
    const b = await signedIn();
    const res = await b.post(`/clients/${seeded.client.id}/rules`, {
      name: 'Repeated ticks',
      scheduleMode: 'weekly',
      days: Array(2000).fill('2'),
      hours: Array(2000).fill('9'),
      minute: '0',
      media: 'none',
      horizonDays: '7',
      active: 'true',
      accountIds: seeded.facebook.id,
    });
    expect(res.status).toBe(303);
    const rule = t.herald.services.rules.listByClient(seeded.client.id).find((r) => r.name === 'Repeated ticks')!;
    expect(rule.cron).toBe('0 9 * * 2');
  });

  it('a schedule typed as a list half a megabyte long is answered "too long" by the preview, unparsed', async () => {
    const b = await signedIn();
    const cron = `${Array(250_000).fill('0').join(',')} 9 * * *`;
    const started = performance.now();
    const query = `clientId=${seeded.client.id}&scheduleMode=cron&cron=${encodeURIComponent(cron)}`;
    const preview = await b.get(`/rules/preview?${query}`);
    expect(preview.html).toMatch(/too long \(at most 200 characters\)/);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('user-sized input in bulk actions', () => {
  const draft = (caption: string) =>
    t.herald.services.posts.create({ accountId: seeded.facebook.id, caption, status: 'draft' }, { kind: 'system' });

  it('a bulk action naming 2,000 posts is refused as a whole, without touching any', async () => {
    const b = await signedIn();
    const post = draft('bulk bound');
    const ids = [post.id, ...Array.from({ length: 1999 }, (_, i) => `pst_missing${i}`)];
    const res = await b.post('/pipeline/bulk', { action: 'cancel', ids, clientId: seeded.client.id }, { htmx: true });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Select at most 200 posts at once.');
    expect(t.herald.services.posts.get(post.id).status).toBe('draft');
  });

  it('a post named twice in one bulk action is acted on once', async () => {
    const b = await signedIn();
    const post = draft('twice');
    const ids = [post.id, post.id];
    const res = await b.post('/pipeline/bulk', { action: 'cancel', ids, clientId: seeded.client.id }, { htmx: true });
    const html = await res.text();
    expect(html).toContain('1 cancelled.');
    expect(html).not.toContain('could not be');
    expect(t.herald.services.posts.get(post.id).status).toBe('cancelled');
  });
});
