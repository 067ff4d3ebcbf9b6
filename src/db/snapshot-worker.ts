// Runs in a worker thread with its own read-only connection: VACUUM INTO reads one consistent
// snapshot (every commit before it started, none after) without blocking the event loop that
// serves pages and publishes. Started by snapshot.ts; answers { integrity } and exits.
import BetterSqlite3 from 'better-sqlite3';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface SnapshotJob {
  /** The live database. */
  readonly db: string;
  /** Where the copy goes (a `.partial` name; the caller renames it into place). */
  readonly tmp: string;
}

export interface SnapshotAnswer {
  /** `integrity_check` of the copy: "ok", or what is wrong. */
  readonly integrity: string;
}

const job = workerData as SnapshotJob;
const source = new BetterSqlite3(job.db, { readonly: true, timeout: 5000 });
try {
  source.pragma('busy_timeout = 5000');
  source.prepare('VACUUM INTO ?').run(job.tmp);
} finally {
  source.close();
}
// VACUUM INTO does not fsync its output.
const fd = openSync(job.tmp, 'r');
try {
  fsyncSync(fd);
} finally {
  closeSync(fd);
}
const copy = new BetterSqlite3(job.tmp, { readonly: true });
let integrity: string;
try {
  integrity = String(copy.pragma('integrity_check', { simple: true }));
} finally {
  copy.close();
}
parentPort!.postMessage({ integrity } satisfies SnapshotAnswer);
