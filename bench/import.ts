import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
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

const form = new FormData();
form.set('clientId', client.id);
form.set('file', new Blob([new Uint8Array(bytes)]), 'bench.csv');
const headers = { authorization: `Bearer ${token}` };
// The event loop's delay at 1 ms resolution: how long publishing and the pages would wait.
const loop = (): IntervalHistogram => {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  return h;
};
const ms = (ns: number) => (ns / 1e6).toFixed(0);
let delay = loop();
let t0 = performance.now();
const dry = await herald.app.request('/api/v1/imports', { method: 'POST', headers, body: form });
const dryMs = performance.now() - t0;
delay.disable();
const dryDelay = { p99: ms(delay.percentile(99)), max: ms(delay.max) };
const dryBody = (await dry.json()) as { id: string; rows: Array<{ ok: boolean; errors?: unknown }> };
const bad = dryBody.rows.filter((r) => !r.ok);
if (dry.status !== 200 || bad.length) {
  console.error(dry.status, JSON.stringify(bad.slice(0, 3) ?? dryBody));
  process.exit(1);
}
delay = loop();
t0 = performance.now();
const commit = await herald.app.request(`/api/v1/imports/${dryBody.id}/commit`, { method: 'POST', headers });
const commitMs = performance.now() - t0;
delay.disable();
const commitDelay = { p99: ms(delay.percentile(99)), max: ms(delay.max) };
const commitBody = (await commit.json()) as { rows: unknown[] };
if (commit.status !== 200) {
  console.error(commit.status, commitBody);
  process.exit(1);
}

console.log(`rows                      ${ROWS.toLocaleString('en')} (${(bytes.length / 1024 / 1024).toFixed(2)} MB)`);
console.log(`dry run (parse, check, store, 3 photos)  ${dryMs.toFixed(0)} ms`);
console.log(`  event-loop delay during it: p99 ${dryDelay.p99} ms, max ${dryDelay.max} ms`);
console.log(`commit (${commitBody.rows.length} posts, in chunks of 25 rows)  ${commitMs.toFixed(0)} ms`);
console.log(`  event-loop delay during it: p99 ${commitDelay.p99} ms, max ${commitDelay.max} ms`);

await herald.stop();
await files.close();
rmSync(dir, { recursive: true, force: true });
