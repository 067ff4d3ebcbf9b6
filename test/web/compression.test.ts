// Compression over real HTTP (app.request skips the network, and with it what a client receives):
// pages, JSON and CSV exports go out as brotli or gzip as the client asks, decode to the identity
// bytes, and small bodies, images and ranges are left alone.
import { request as httpRequest, createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { PageClient } from '../helpers/page-client.js';

const ADMIN = { email: 'admin@agency.test', password: 'correct horse battery staple' };

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(raw: Raw): Buffer {
  const enc = raw.headers['content-encoding'];
  if (enc === 'br') return brotliDecompressSync(raw.body);
  if (enc === 'gzip') return gunzipSync(raw.body);
  return raw.body;
}

describe('response compression', () => {
  let t: TestHerald;
  let server: ReturnType<typeof createServer>;
  let base: string;
  let cookie: string;
  let auth: Record<string, string>;
  let imageKey: string;
  let accountId: string;

  beforeAll(async () => {
    t = await makeHerald({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    await t.herald.services.auth.ensureConfiguredAdmin();
    const admin = new PageClient(t.herald.app);
    await admin.post('/login', ADMIN);
    cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    auth = { authorization: `Bearer ${t.token}` };
    const acme = seedClient(t);
    accountId = acme.facebook.id;
    for (let i = 0; i < 60; i++)
      t.herald.services.posts.create(
        { accountId: acme.facebook.id, caption: `Fresh bread number ${i}, out of the oven at seven`, status: 'draft' },
        { kind: 'system' },
      );
    const image = await makeImage(400, 300, 'png');
    imageKey = (await t.herald.services.media.ingest([image], { clientId: acme.client.id })).key;
    server = createServer(getRequestListener(t.herald.app.fetch));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  it.each([
    ['the dashboard', '/', 'text/html'],
    ['a JSON list', '/api/v1/posts?limit=50', 'application/json'],
  ])('%s compressed with br and with gzip decodes to the identity bytes', async (_name, path, type) => {
    const headers = path.startsWith('/api') ? auth : { cookie };
    const identity = await rawGet(base, path, headers);
    expect(identity.status).toBe(200);
    expect(identity.headers['content-type']).toContain(type);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers.vary).toMatch(/Accept-Encoding/i);
    const br = await rawGet(base, path, { ...headers, 'accept-encoding': 'gzip, deflate, br' });
    const gz = await rawGet(base, path, { ...headers, 'accept-encoding': 'gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(br.body.length).toBeLessThan(identity.body.length / 2);
    // Pages hold a per-request CSRF token and the time; compare without them.
    const strip = (b: Buffer) =>
      b
        .toString()
        .replace(/"X-CSRF-Token":"[^"]+"/g, '')
        .replace(/&quot;[^&]*&quot;/g, '');
    expect(strip(decode(br))).toBe(strip(identity.body));
    expect(strip(decode(gz))).toBe(strip(identity.body));
  });

  it('honours q-values: br;q=0 gets gzip, both refused gets identity, a higher gzip q wins', async () => {
    const path = '/api/v1/posts?limit=50';
    expect((await rawGet(base, path, { ...auth, 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe(
      'gzip',
    );
    const none = await rawGet(base, path, { ...auth, 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(none.body.toString()).data.length).toBe(50);
    const preferGzip = await rawGet(base, path, { ...auth, 'accept-encoding': 'br;q=0.5, gzip;q=1' });
    expect(preferGzip.headers['content-encoding']).toBe('gzip');
  });

  it('leaves a body under 1 KB alone (still marked Vary)', async () => {
    const res = await rawGet(base, '/api/v1/posts?limit=1', { ...auth, 'accept-encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBeLessThan(1024);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
  });

  it('never compresses an image, whole or as a range', async () => {
    const whole = await rawGet(base, `/media/${imageKey}`, { 'accept-encoding': 'br, gzip' });
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('image/png');
    expect(whole.headers['content-encoding']).toBeUndefined();
    const part = await rawGet(base, `/media/${imageKey}`, { 'accept-encoding': 'br, gzip', range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect(part.headers['content-encoding']).toBeUndefined();
    expect(part.body.length).toBe(100);
  });

  it('HEAD is left alone', async () => {
    const res = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const req = httpRequest(`${base}/api/v1/posts?limit=50`, {
        method: 'HEAD',
        headers: { ...auth, 'accept-encoding': 'br' },
      });
      req.on('response', (r) => {
        r.resume();
        resolve(r.headers);
      });
      req.on('error', reject);
      req.end();
    });
    expect(res['content-encoding']).toBeUndefined();
  });

  it('a page is compressed whole and sent with its length', async () => {
    const br = await rawGet(base, '/pipeline', { cookie, 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['transfer-encoding']).toBeUndefined();
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(decode(br).toString()).toContain('Fresh bread number');
  });

  it('an export longer than a page streams, complete and compressed', async () => {
    // 60 more posts with 9,000-character captions take the export past the 512 KB read ahead.
    for (let i = 0; i < 60; i++)
      t.herald.services.posts.create(
        { accountId, caption: `Long loaf ${i}: ${'crust and crumb '.repeat(560)}`, status: 'draft' },
        { kind: 'system' },
      );
    const identity = await rawGet(base, '/api/v1/posts.csv', auth);
    expect(identity.body.length).toBeGreaterThan(512 * 1024);
    const br = await rawGet(base, '/api/v1/posts.csv', { ...auth, 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['transfer-encoding']).toBe('chunked');
    const text = decode(br).toString();
    expect(text).toBe(identity.body.toString());
    expect(text.split('\n').filter((l) => l.includes('Fresh bread')).length).toBe(60);
    expect(text.split('\n').filter((l) => l.includes('Long loaf')).length).toBe(60);
  });
});
