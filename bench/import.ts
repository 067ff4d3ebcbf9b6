// CSV import at its limit: 10,000 rows for one client (scheduled posts and drafts over three
// accounts, labels, a few photos from a local file server named by many rows). Prints the file's
// size, the dry run's and the commit's times through the API, and the longest the event loop
// was kept from other requests during the dry run.
// Usage: npm run bench:import
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { POST_CSV_IMPORT_COLUMNS } from '../src/domain/post-csv.js';
import { csvRow } from '../src/domain/csv.js';
import { createLogger } from '../src/log.js';
import { createHerald } from '../src/main.js';
import { makeImage, startFileHost } from '../test/helpers/media-fixtures.js';

const ROWS = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'herald-bench-import-'));
const photo = await makeImage(1080, 1080);
const files = await startFileHost({
  '/a.jpg': ['image/jpeg', photo],
  '/b.jpg': ['image/jpeg', photo],
  '/c.jpg': ['image/jpeg', photo],
});
const config = loadConfig({
  DATA_DIR: dir,
  SECRET_KEY: 'd'.repeat(64),
  LOG_LEVEL: 'warn',
  OUTBOUND_PRIVATE_HOSTS: '127.0.0.1',
});
const herald = createHerald({ config, log: createLogger('warn') });
const { services } = herald;
const client = services.clients.create({ name: 'Bench Bakery', timezone: 'Europe/Berlin', approvalMode: 'none' });
for (const [platform, name] of [
  ['facebook', 'Bench Page'],
  ['instagram', 'bench.bakery'],
  ['linkedin', 'Bench Bakery GmbH'],
] as const)
  services.accounts.connect({ clientId: client.id, platform, externalId: name, name, accessToken: 'x', scopes: [] });
for (const name of ['Bread', 'Weekly', 'Offers']) services.labels.create({ name, color: '#336699' });
const { token } = services.apiTokens.create({ name: 'bench', scope: 'write' });

const networks = [
  ['facebook', 'Bench Page'],
  ['instagram', 'bench.bakery'],
  ['linkedin', 'Bench Bakery GmbH'],
] as const;
let csv = csvRow([...POST_CSV_IMPORT_COLUMNS]);
const start = Date.UTC(2027, 0, 4, 8);
for (let i = 0; i < ROWS; i++) {
  const [network, name] = networks[i % 3]!;
  const when = new Date(start + i * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
  const photoUrl = network === 'instagram' ? `${files.url}/${'abc'[i % 3]}.jpg` : '';
  const caption = `Post ${i}: fresh rye, sourdough and a "quoted" word, with a line\nbreak. #bread #bakery`;
  const status = i % 4 === 0 ? 'draft' : 'scheduled';
  csv += csvRow(['', network, name, when, caption, photoUrl, '', i % 2 ? 'Bread|Weekly' : 'Offers', '', status]);
}
const bytes = Buffer.from(csv);

let longestStall = 0;
let last = performance.now();
const ticker = setInterval(() => {
  const now = performance.now();
  longestStall = Math.max(longestStall, now - last - 10);
  last = now;
}, 10);

const form = new FormData();
form.set('clientId', client.id);
form.set('file', new Blob([new Uint8Array(bytes)]), 'bench.csv');
const headers = { authorization: `Bearer ${token}` };
let t0 = performance.now();
const dry = await herald.app.request('/api/v1/imports', { method: 'POST', headers, body: form });
const dryMs = performance.now() - t0;
clearInterval(ticker);
const dryBody = (await dry.json()) as { id: string; rows: Array<{ ok: boolean; errors?: unknown }> };
const bad = dryBody.rows.filter((r) => !r.ok);
if (dry.status !== 200 || bad.length) {
  console.error(dry.status, JSON.stringify(bad.slice(0, 3) ?? dryBody));
  process.exit(1);
}
t0 = performance.now();
const commit = await herald.app.request(`/api/v1/imports/${dryBody.id}/commit`, { method: 'POST', headers });
const commitMs = performance.now() - t0;
const commitBody = (await commit.json()) as { rows: unknown[] };
if (commit.status !== 200) {
  console.error(commit.status, commitBody);
  process.exit(1);
}

console.log(`rows                      ${ROWS.toLocaleString('en')} (${(bytes.length / 1024 / 1024).toFixed(2)} MB)`);
console.log(`dry run (parse, check, store, 3 photos)  ${dryMs.toFixed(0)} ms`);
console.log(`longest event-loop stall during the dry run  ${longestStall.toFixed(0)} ms`);
console.log(`commit (${commitBody.rows.length} posts, one transaction)  ${commitMs.toFixed(0)} ms`);

await herald.stop();
await files.close();
rmSync(dir, { recursive: true, force: true });
