// Bytes on the wire for the dashboard: a cold load (the HTML and every file it references, as a
// browser with an empty cache fetches them) and a warm load (the HTML only: the assets are cached
// immutably), each with `Accept-Encoding: br, gzip` and without. 20 clients with their accounts and
// 2,000 posts seeded through the services, the app on a real loopback server, node's http client.
// Usage: npx tsx bench/bytes.ts   (public/vendor comes from `npm run build`; run that first)
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { makeHerald, seedClient } from '../test/helpers/herald.js';
import { PageClient } from '../test/helpers/page-client.js';

const ADMIN = { email: 'bench@agency.test', password: 'correct horse battery staple' };
const t = await makeHerald({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
await t.herald.services.auth.ensureConfiguredAdmin();
for (let c = 0; c < 20; c++) {
  const client = seedClient(t, { name: `Client ${c} Bakery & Coffee` });
  for (let i = 0; i < 100; i++)
    t.herald.services.posts.create(
      {
        accountId: client.facebook.id,
        caption: `Post ${i} for client ${c}: fresh sourdough, seasonal pastries and a new espresso blend #bakery`,
        scheduledAt: new Date(Date.now() + (i + 1) * 3_600_000).toISOString(),
        status: 'scheduled',
      },
      { kind: 'system' },
    );
}
const admin = new PageClient(t.herald.app);
await admin.post('/login', ADMIN);
const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

const server = createServer(getRequestListener(t.herald.app.fetch));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Bytes of the body as sent (node's http client does not decode), and the body. */
function get(path: string, encoding: string | null): Promise<{ bytes: number; text: string }> {
  const headers: Record<string, string> = { cookie };
  if (encoding) headers['accept-encoding'] = encoding;
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ bytes: body.length, text: res.headers['content-encoding'] ? '' : body.toString() });
      });
    })
      .on('error', reject)
      .end();
  });
}

const page = await get('/', null);
const assets = [...page.text.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const rows: [string, string, string, string][] = [];
for (const [label, encoding] of [
  ['identity', null],
  ['br, gzip', 'br, gzip'],
] as const) {
  const html = (await get('/', encoding)).bytes;
  let files = 0;
  for (const url of assets) files += (await get(url, encoding)).bytes;
  rows.push([label, kb(html + files), kb(html), kb(files)]);
}
console.log(`dashboard with ${assets.length} static files (20 clients, 2,000 posts)`);
console.log('Accept-Encoding  cold load  warm load (HTML)  assets');
for (const [label, cold, warm, files] of rows)
  console.log(`${label.padEnd(16)} ${cold.padStart(9)}  ${warm.padStart(16)}  ${files.padStart(6)}`);
await new Promise((resolve) => server.close(resolve));
await t.close();
