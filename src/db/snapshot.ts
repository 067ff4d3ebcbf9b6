import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SnapshotAnswer, SnapshotJob } from './snapshot-worker.js';

// When the sources run as TypeScript (tests, `npm run dev`) there is no compiled worker, and a
// worker thread on Node 20 neither inherits its parent's loader nor applies one given in
// execArgv to its first module; so it starts from this loader-only line, which imports the
// TypeScript module through tsx (a development dependency, absent and unneeded in dist/).
const TS_ENTRY = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(({ tsImport }) => tsImport(workerData.module, workerData.module));`;

function start(job: SnapshotJob): Worker {
  const compiled = new URL('./snapshot-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData: job });
  const tsx = import.meta.resolve('tsx/esm/api');
  const module = new URL('./snapshot-worker.ts', import.meta.url).href;
  return new Worker(TS_ENTRY, { eval: true, workerData: { ...job, tsx, module } });
}

/** Copies the database at `db` into `tmp` in a worker thread; resolves with the copy's integrity_check. */
export function snapshotInWorker(db: string, tmp: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = start({ db, tmp });
    let integrity: string | null = null;
    worker.once('message', (m: SnapshotAnswer) => (integrity = m.integrity));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (integrity !== null) resolve(integrity);
      else reject(new Error(`backup worker exited with code ${code}`));
    });
  });
}
