import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMp4 } from '../helpers/media-fixtures.js';
import { makeHerald, seedClient, tempDir, TEST_SECRET, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';

// Bodies are capped before anything reads them: a browser form over 64 KB gets a 413 page,
// on the real server, without the server holding the body in memory.

const MB = 1024 * 1024;
const BIG = 30 * MB;

/** Resident memory of a process and its peak since the last reset, in bytes (Linux /proc). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Starts measuring the peak from now: "5" resets VmHWM to the current RSS. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/**
 * Posts `size` bytes of a form to the server, declared with Content-Length or sent chunked;
 * resolves with the answer (the server may answer before the body has all been sent).
 */
interface Answer {
  status: number;
  type: string;
  text: string;
}

function postForm(url: string, size: number, options: { chunked: boolean; origin: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const prefix = Buffer.from('email=someone%40agency.test&password=');
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      origin: options.origin,
    };
    if (!options.chunked) headers['content-length'] = String(size);
    const req = request(`${url}/login`, { method: 'POST', headers });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const type = String(res.headers['content-type']);
        resolve({ status: res.statusCode!, type, text: Buffer.concat(chunks).toString() });
      });
      res.on('error', reject);
    });
    // Once the server has answered and hangs up, the rest of the body has nowhere to go.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const piece = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      if (sent === 0) {
        sent = prefix.length;
        if (!req.write(prefix)) return void req.once('drain', pump);
      }
      while (sent < size && !req.destroyed) {
        const part = piece.subarray(0, Math.min(piece.length, size - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('a 30 MB sign-in form to the real server', () => {
  let server: ServeHandle;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir();
    server = await startServe({
      DATA_DIR: dataDir,
      SECRET_KEY: TEST_SECRET,
      PUBLIC_URL: 'http://herald.test',
      ADMIN_EMAIL: 'admin@agency.test',
      ADMIN_PASSWORD: 'correct horse battery staple',
    });
    // Warm up: the first requests load what every later one uses.
    for (let i = 0; i < 3; i++) {
      await fetch(`${server.url}/login`);
      await postForm(server.url, 200, { chunked: false, origin: 'http://herald.test' });
    }
  }, 60_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exit;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['with its Content-Length', false],
    ['chunked, with no length', true],
  ])(
    '%s is answered 413 with a page, and the server does not hold it in memory',
    async (_, chunked) => {
      const pid = server.child.pid!;
      resetPeak(pid);
      const before = memory(pid);
      const res = await postForm(server.url, BIG, { chunked, origin: 'http://herald.test' });
      const after = memory(pid);
      expect(res.status).toBe(413);
      expect(res.type).toMatch(/^text\/html/);
      expect(res.text).toContain('more than 64 KB');
      // A body read whole would take at least its own size; streaming past it takes a few buffers.
      expect(after.peak - before.rss).toBeLessThan(BIG / 3);
      // The server still answers, and a small form still gets through to the sign-in check.
      expect((await postForm(server.url, 300, { chunked, origin: 'http://herald.test' })).status).toBe(401);
    },
    60_000,
  );
});

describe('form routes in the app', () => {
  let t: TestHerald;
  let admin: PageClient;
  let clientId: string;
  beforeAll(async () => {
    t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
    await t.herald.services.auth.ensureConfiguredAdmin();
    clientId = seedClient(t).client.id;
    admin = new PageClient(t.herald.app);
    await admin.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    await admin.get('/clients');
  });
  afterAll(() => t.close());

  const big = 'x'.repeat(65 * 1024);

  const FORMS = ['/settings/agency', '/clients', '/posts'];
  it.each(FORMS)('an admin form to %s over 64 KB gets the 413 page; nothing changes', async (path) => {
    const before = t.herald.services.settings.agencyName();
    const res = await admin.post(path, { agencyName: big, name: big });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('more than 64 KB');
    expect(t.herald.services.settings.agencyName()).toBe(before);
  });

  it('a portal form over 64 KB gets the 413 page', async () => {
    const { url } = t.herald.services.clients.createInvite(clientId);
    const portal = new PageClient(t.herald.app);
    await portal.request(new URL(url).pathname);
    await portal.get('/portal');
    const accountId = t.herald.services.accounts.listByClient(clientId)[0]!.id;
    const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
    const input = { accountId, caption: 'x', scheduledAt, status: 'scheduled' };
    const post = t.herald.services.posts.create(input, { kind: 'system' });
    const res = await portal.post(`/portal/posts/${post.id}/reject`, { comment: big });
    expect(res.status).toBe(413);
  });

  it('a form just under the limit is read as before', async () => {
    const res = await admin.post('/settings/agency', { agencyName: 'Sunny Agency', pad: 'y'.repeat(60 * 1024) });
    expect(res.status).toBe(303);
    expect(t.herald.services.settings.agencyName()).toBe('Sunny Agency');
  });

  it('uploads keep their own, larger cap', async () => {
    const video = makeMp4({ bytes: 300_000, durationMs: 9_000 });
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(video)], { type: 'video/mp4' }), 'clip.mp4');
    form.set('clientId', clientId);
    const res = await admin.request(`/posts/media?clientId=${clientId}&_csrf=${admin.csrf}`, {
      method: 'POST',
      body: form,
      headers: { origin: 'http://herald.test' },
    });
    expect(res.status).toBe(200);
    expect(t.herald.repos.media.listByClient(clientId, 10).data).toHaveLength(1);
    // The upload path is only exempt for uploads: a plain form there is capped like the rest.
    expect((await admin.post('/posts/media', { x: big })).status).toBe(413);
  });

  it('the JSON API refuses bodies over 1 MB with its own error', async () => {
    const res = await t.api('POST', '/clients', JSON.stringify({ name: 'x'.repeat(MB + 10) }));
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
  });
});
