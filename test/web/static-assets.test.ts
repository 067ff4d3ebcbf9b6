// Static files: each URL a page writes carries the file's content hash; that URL is cached for a year,
// an old or missing hash must revalidate, and the precompressed copy the client accepts is served with
// an ETag that answers 304.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStaticAssets } from '../../src/http/static-assets.js';
import { appPath } from '../../src/paths.js';
import { makeHerald, tempDir, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';
import { readFileSync } from 'node:fs';

const ADMIN = { email: 'admin@agency.test', password: 'correct horse battery staple' };

describe('fingerprinted static files', () => {
  let t: TestHerald;
  let admin: PageClient;
  let html: string;

  beforeAll(async () => {
    t = await makeHerald({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    await t.herald.services.auth.ensureConfiguredAdmin();
    admin = new PageClient(t.herald.app);
    await admin.post('/login', ADMIN);
    html = (await admin.get('/')).html;
  });
  afterAll(() => t.close());

  const staticUrls = () => [...html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]!);

  it("every /static/ URL in the dashboard's HTML carries a hash", () => {
    const urls = staticUrls();
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls.filter((u) => !u.includes('/vendor/'))) expect(url).toMatch(/\?v=[\w-]{12}$/);
  });

  it('the fingerprinted URL on the page serves the file, immutable, brotli or gzip as asked', async () => {
    const url = staticUrls().find((u) => u.startsWith('/static/app.css'))!;
    const file = readFileSync(appPath('public/app.css'));
    const br = await t.herald.app.request(url, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.status).toBe(200);
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer()))).toEqual(file);
    const gz = await t.herald.app.request(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer()))).toEqual(file);
    const plain = await t.herald.app.request(url);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Buffer.from(await plain.arrayBuffer())).toEqual(file);
  });

  it('a stale or missing hash still gets the file, with no-cache', async () => {
    for (const url of ['/static/app.css?v=000000000000', '/static/app.css']) {
      const res = await t.herald.app.request(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('answers 304 on If-None-Match with the ETag it gave', async () => {
    const url = staticUrls().find((u) => u.startsWith('/static/app.js'))!;
    const first = await t.herald.app.request(url, { headers: { 'accept-encoding': 'br' } });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+-br"$/);
    const again = await t.herald.app.request(url, { headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await t.herald.app.request(url, { headers: { 'accept-encoding': 'gzip', 'if-none-match': etag } });
    expect(other.status).toBe(200);
  });

  it('the hash changes when the file changes', () => {
    const root = tempDir('herald-static-');
    try {
      mkdirSync(join(root, 'vendor'));
      writeFileSync(join(root, 'app.css'), 'body { color: black; }');
      writeFileSync(join(root, 'vendor', 'x.js'), 'x()');
      const before = loadStaticAssets(root).versions;
      writeFileSync(join(root, 'app.css'), 'body { color: navy; }');
      const after = loadStaticAssets(root).versions;
      expect(before.get('app.css')).toMatch(/^[\w-]{12}$/);
      expect(after.get('app.css')).not.toBe(before.get('app.css'));
      expect(after.get('vendor/x.js')).toBe(before.get('vendor/x.js'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
