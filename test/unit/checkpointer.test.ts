// Checkpoints run in a worker thread while Herald serves, so no commit on the event loop carries one:
// the write-ahead log still stays small under a stream of commits, a stopped (or failed) worker hands
// checkpointing back to the commits, and a started Herald runs it.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/db/checkpointer.js';
import { type Database, openDatabase } from '../../src/db/client.js';
import { makeHerald } from '../helpers/herald.js';

const autocheckpoint = (database: Database) => database.sqlite.pragma('wal_autocheckpoint', { simple: true });
const walBytes = (database: Database) => statSync(`${database.path}-wal`).size;

describe('the checkpoint worker', () => {
  let dir: string;
  let database: Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-checkpoint-'));
    database = openDatabase(join(dir, 'herald.db'));
    database.sqlite.exec('CREATE TABLE t (body BLOB)');
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** 24 MB in 240 commits, yielding now and then as a serving process does between requests. */
  async function write(): Promise<number> {
    const insert = database.sqlite.prepare('INSERT INTO t (body) VALUES (?)');
    const body = Buffer.alloc(100_000, 7);
    let largest = 0;
    for (let i = 0; i < 240; i++) {
      insert.run(body);
      if (i % 10 === 9) {
        largest = Math.max(largest, walBytes(database));
        await new Promise((r) => setTimeout(r, 30));
      }
    }
    return largest;
  }

  it('keeps the log small with the commits themselves never checkpointing', async () => {
    const errors: Error[] = [];
    const checkpointer = startCheckpointer(database, { intervalMs: 20, onError: (err) => errors.push(err) });
    expect(autocheckpoint(database)).toBe(0);
    await checkpointer.ready;
    const largest = await write();
    // Without the worker (and with the commits' own checkpoint off) the log would hold all 24 MB.
    expect(largest).toBeLessThan(8 * 1024 * 1024);
    await checkpointer.stop();
    expect(errors).toEqual([]);
    // Stopped, the commits checkpoint again (SQLite's default).
    expect(autocheckpoint(database)).toBe(1000);
    expect(database.sqlite.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 240 });
  });

  it('runs while a Herald serves, and stops with it', async () => {
    const t = await makeHerald({ PORT: '0', HOST: '127.0.0.1' });
    try {
      expect(autocheckpoint(t.herald.database)).toBe(1000);
      await t.herald.start();
      expect(autocheckpoint(t.herald.database)).toBe(0);
    } finally {
      await t.close();
    }
  });
});
