// Runs in a worker thread with its own connection: copies the write-ahead log back into the database
// file (a PASSIVE checkpoint, https://www.sqlite.org/c3ref/wal_checkpoint_v2.html) every interval, so the
// copying and its fsync of the database file happen here and not inside a commit on the event loop that
// serves pages and publishes. Started by checkpointer.ts; stops when told to or when its parent exits.
import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointJob {
  /** The live database. */
  readonly db: string;
  readonly intervalMs: number;
}

const job = workerData as CheckpointJob;
const connection = new BetterSqlite3(job.db, { timeout: 5000 });
connection.pragma('busy_timeout = 5000');
// The checkpoint's own sync of the database file, as durable as the commits it copies.
connection.pragma('synchronous = FULL');
const checkpoint = () => {
  // PASSIVE never waits for readers or writers: it copies what no reader still needs and leaves the rest
  // to the next run, so a long read (a backup, a replica's reader) only defers it.
  connection.pragma('wal_checkpoint(PASSIVE)');
};
const timer = setInterval(checkpoint, job.intervalMs);
parentPort!.postMessage('ready');
parentPort!.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  connection.close();
  parentPort!.close();
});
