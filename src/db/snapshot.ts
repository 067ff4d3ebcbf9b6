import type { SnapshotAnswer, SnapshotJob } from './snapshot-worker.js';
import { startDbWorker } from './worker.js';

/** Copies the database at `db` into `tmp` in a worker thread; resolves with the copy's integrity_check. */
export function snapshotInWorker(db: string, tmp: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = startDbWorker('snapshot-worker', { db, tmp } satisfies SnapshotJob);
    let integrity: string | null = null;
    worker.once('message', (m: SnapshotAnswer) => (integrity = m.integrity));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (integrity !== null) resolve(integrity);
      else reject(new Error(`backup worker exited with code ${code}`));
    });
  });
}
