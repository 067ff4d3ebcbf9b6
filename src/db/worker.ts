import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

// When the sources run as TypeScript (tests, `npm run dev`) there is no compiled worker, and a
// worker thread on Node 20 neither inherits its parent's loader nor applies one given in
// execArgv to its first module; so it starts from this loader-only line, which imports the
// TypeScript module through tsx (a development dependency, absent and unneeded in dist/).
const TS_ENTRY = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(({ tsImport }) => tsImport(workerData.module, workerData.module));`;

/** Starts `src/db/<name>.ts` (or its compiled `.js`) in a worker thread with `data` as its workerData. */
export function startDbWorker(name: string, data: object): Worker {
  const compiled = new URL(`./${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const module = new URL(`./${name}.ts`, import.meta.url).href;
  return new Worker(TS_ENTRY, { eval: true, workerData: { ...data, tsx, module } });
}
