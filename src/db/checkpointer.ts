import type { Database } from './client.js';
import type { CheckpointJob } from './checkpoint-worker.js';
import { startDbWorker } from './worker.js';

/** SQLite's own default: a checkpoint inside the commit that takes the log past 1,000 pages. */
const AUTOCHECKPOINT_PAGES = 1000;

export interface Checkpointer {
  /** Settles once the worker has its connection and its timer running. */
  readonly ready: Promise<void>;
  /** Stops the worker; the connection goes back to checkpointing inside its commits. */
  stop(): Promise<void>;
}

/**
 * Moves checkpoints off the event loop (docs/architecture.md#sqlite): a worker thread checkpoints every
 * `intervalMs` and this connection's automatic checkpoint is turned off while it runs. Should the worker
 * fail, the automatic checkpoint comes back at once, so the log never grows without bound.
 */
export function startCheckpointer(
  database: Database,
  options: { intervalMs: number; onError: (err: Error) => void },
): Checkpointer {
  const worker = startDbWorker('checkpoint-worker', {
    db: database.path,
    intervalMs: options.intervalMs,
  } satisfies CheckpointJob);
  let stopped = false;
  const fallBack = () => {
    if (database.sqlite.open) database.sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  database.sqlite.pragma('wal_autocheckpoint = 0');
  worker.on('error', (err) => {
    fallBack();
    options.onError(err);
  });
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      fallBack();
      if (!stopped) options.onError(new Error('the checkpoint worker stopped'));
      resolve();
    }),
  );
  const ready = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('exit', () => resolve());
  });
  // The worker must not keep the process alive on its own.
  worker.unref();
  return {
    ready,
    async stop() {
      stopped = true;
      worker.postMessage('stop');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      await worker.terminate();
    },
  };
}
