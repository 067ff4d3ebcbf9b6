import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeMastodon, type FakeMastodonUser } from './mastodon.js';

let fake: FakeMastodon;
let base: string;
let user: FakeMastodonUser;
let token: string;

beforeEach(async () => {
  fake = new FakeMastodon();
  base = await fake.start();
  user = fake.addUser('bakery');
  token = fake.issueToken(user.id);
});
afterEach(() => fake.stop());

const auth = () => ({ authorization: `Bearer ${token}` });

async function status(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/v1/statuses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

describe('fake Mastodon instance', () => {
  it('refuses malformed requests as Mastodon does', async () => {
    const app = await fetch(`${base}/api/v1/apps`, { method: 'POST', body: new URLSearchParams({ client_name: 'x' }) });
    expect(app.status).toBe(422);
    expect((await status('{not json')).status).toBe(400);
    expect((await status({ status: '' })).status).toBe(422);
    expect((await status({ status: 'x'.repeat(501) })).body.error).toMatch(/character limit/);
    expect((await status({ status: 'hi', visibility: 'everyone' })).status).toBe(422);
    expect((await status({ status: 'hi', media_ids: ['404'] })).status).toBe(422);
    const upload = await fetch(`${base}/api/v2/media`, { method: 'POST', headers: auth(), body: 'raw bytes' });
    expect(upload.status).toBe(422);
    const anonymous = await fetch(`${base}/api/v1/accounts/verify_credentials`);
    expect(anonymous.status).toBe(401);
    expect(fake.statuses).toHaveLength(0);
  });

  it('answers the same status for the same Idempotency-Key, and sends rate-limit headers', async () => {
    const first = await status({ status: 'Fresh bread' }, { 'idempotency-key': 'k1' });
    const again = await status({ status: 'Fresh bread' }, { 'idempotency-key': 'k1' });
    expect(again.body.id).toBe(first.body.id);
    expect(fake.statuses).toHaveLength(1);
    expect(first.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
    expect(Date.parse(first.headers.get('x-ratelimit-reset')!)).toBeGreaterThan(0);
  });

  it('refuses a revoked token', async () => {
    fake.revokeAll(user.id);
    expect((await status({ status: 'hi' })).status).toBe(401);
  });
});
