import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { COUNTS_TTL_MS } from '../../src/http/metrics.js';
import { isLoopback } from '../../src/http/middleware/metrics-access.js';
import { ManualClock } from '../../src/lib/clock.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { seedClient, tempDir } from '../helpers/herald.js';

// /metrics on the real server: loopback clients only unless METRICS_TOKEN is set (then the
// token, from anywhere); the counts it reports come from the database at most every few seconds.

const TOKEN = 'metrics-token-0123456789abcdef';

describe('without METRICS_TOKEN', () => {
  const clock = new ManualClock(Date.now());
  let live: LiveHerald;
  beforeAll(async () => {
    live = await startLiveHerald({}, { clock });
  });
  afterAll(() => live?.close());

  it('answers a client on this machine', async () => {
    const res = await fetch(`${live.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^herald_leader [01]$/m);
  });

  it.each([
    ['X-Forwarded-For', { 'x-forwarded-for': '198.51.100.7' }],
    ['Forwarded', { forwarded: 'for=198.51.100.7;proto=https' }],
    ['X-Real-IP', { 'x-real-ip': '198.51.100.7' }],
    ['an X-Forwarded-For naming loopback', { 'x-forwarded-for': '127.0.0.1' }],
  ])('refuses a request relayed by a proxy on this machine (%s)', async (_, headers) => {
    const res = await fetch(`${live.url}/metrics`, { headers });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('herald_');
  });

  // Tests connect only through loopback, so another peer address is judged by the same predicate
  // the middleware applies to the socket's address.
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.5', false],
    ['192.0.2.10', false],
    ['::ffff:192.0.2.10', false],
    ['2001:db8::1', false],
    ['fe80::1', false],
    ['not-an-address', false],
    [null, false],
  ])('counts %s as on this machine: %s', (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });

  it('refuses a request that came through no socket at all', async () => {
    expect((await live.herald.app.request('/metrics')).status).toBe(403);
  });

  it('reuses the post counts for a few seconds instead of querying on every scrape', async () => {
    const { facebook } = seedClient(live);
    const scheduled = async () => {
      const text = await (await fetch(`${live.url}/metrics`)).text();
      return Number(/^herald_posts\{status="scheduled"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const schedule = () => {
      const scheduledAt = new Date(clock.now() + 86_400_000).toISOString();
      const input = { accountId: facebook.id, caption: 'count me', scheduledAt, status: 'scheduled' };
      live.herald.services.posts.create(input, { kind: 'system' });
    };
    clock.advance(COUNTS_TTL_MS);
    const first = await scheduled();
    schedule();
    // Within the window: the count from the first scrape, so no query ran for this one.
    clock.advance(COUNTS_TTL_MS - 1);
    expect(await scheduled()).toBe(first);
    // After it: counted again.
    clock.advance(1);
    expect(await scheduled()).toBe(first + 1);
    schedule();
    expect(await scheduled()).toBe(first + 1);
  });
});

describe('with METRICS_TOKEN', () => {
  let live: LiveHerald;
  beforeAll(async () => {
    live = await startLiveHerald({ METRICS_TOKEN: TOKEN });
  });
  afterAll(() => live?.close());

  it.each([
    ['no Authorization', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
    ['a wrong token of the same length', { authorization: `Bearer ${'x'.repeat(TOKEN.length)}` }],
    ['the token as Basic credentials', { authorization: `Basic ${Buffer.from(`m:${TOKEN}`).toString('base64')}` }],
    ['the token with something after it', { authorization: `Bearer ${TOKEN}x` }],
  ])('answers 401 to %s, even from this machine', async (_, headers) => {
    const res = await fetch(`${live.url}/metrics`, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.text()).not.toContain('herald_');
  });

  it('answers the token from this machine and through a proxy', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${live.url}/metrics`, { headers: auth })).status).toBe(200);
    const relayed = { ...auth, 'x-forwarded-for': '198.51.100.7' };
    expect((await fetch(`${live.url}/metrics`, { headers: relayed })).status).toBe(200);
    const res = await fetch(`${live.url}/metrics`, { headers: relayed });
    expect(await res.text()).toMatch(/^herald_leader [01]$/m);
  });
});

describe('METRICS_TOKEN', () => {
  it('refuses a token too short to be a secret, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: tempDir(), METRICS_TOKEN: 'secret' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('METRICS_TOKEN');
    expect(loadConfig({ DATA_DIR: tempDir(), METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    expect(loadConfig({ DATA_DIR: tempDir() }).metricsToken).toBeNull();
  });
});
