import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { snapshotInWorker } from '../db/snapshot.js';
import { NotFoundError } from '../domain/errors.js';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { moduleLogger } from '../log.js';
import { notices } from './notices.js';

export interface BackupFile {
  name: string;
  path: string;
  size: number;
  createdAt: number;
  automatic: boolean;
}

export const AUTO_BACKUPS_KEPT = 7;
const AUTO_PREFIX = 'herald-auto-';

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Writes a consistent snapshot of the live database to `target`: VACUUM INTO a `.partial` file,
 * fsync it, require `integrity_check = ok`, then rename into place and fsync the folder. A crash
 * at any point leaves either no file or a `.partial` one, never a bad file under the final name.
 */
export async function snapshotDatabase(dbPath: string, target: string): Promise<{ path: string; size: number }> {
  const path = resolve(target);
  const tmp = `${path}.partial`;
  rmSync(tmp, { force: true });
  try {
    const integrity = await snapshotInWorker(dbPath, tmp);
    if (integrity !== 'ok') throw new Error(`the snapshot failed its integrity check: ${integrity}`);
    renameSync(tmp, path);
    fsyncDir(dirname(path));
    return { path, size: statSync(path).size };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function backupsService(deps: ServiceDeps) {
  const { config, clock } = deps;
  const log = moduleLogger(deps.log, 'backups');
  const notice = notices(deps);
  let queue: Promise<unknown> = Promise.resolve();
  const pending = new Map<boolean, Promise<BackupFile>>();

  function list(): BackupFile[] {
    if (!existsSync(config.backupDir)) return [];
    return readdirSync(config.backupDir)
      .filter((name) => name.endsWith('.db'))
      .map((name) => {
        const path = join(config.backupDir, name);
        const st = statSync(path);
        return { name, path, size: st.size, createdAt: st.mtimeMs, automatic: name.startsWith(AUTO_PREFIX) };
      })
      .sort((a, b) => b.createdAt - a.createdAt || b.name.localeCompare(a.name));
  }

  async function run(automatic: boolean): Promise<BackupFile> {
    const name = `${automatic ? AUTO_PREFIX : 'herald-'}${stamp(clock.now())}.db`;
    let written: { path: string; size: number };
    try {
      written = await snapshotDatabase(config.dbPath, join(config.backupDir, name));
    } catch (err) {
      const error = `The backup ${name} could not be written: ${(err as Error).message ?? String(err)}.`;
      // Nothing else changes when a backup fails: the event is the one write. A database that
      // cannot take even that is logged, and the caller still sees the backup's own error.
      try {
        deps.database.immediate(() => notice.backupFailed(error, automatic));
      } catch (emitErr) {
        log.error({ err: emitErr }, 'could not record the failed backup');
      }
      throw err;
    }
    const { path, size } = written;
    if (automatic) {
      for (const old of list()
        .filter((b) => b.automatic)
        .slice(AUTO_BACKUPS_KEPT))
        rmSync(old.path, { force: true });
    }
    log.info({ file: name, size }, 'backup written');
    return { name, path, size, createdAt: statSync(path).mtimeMs, automatic };
  }

  return {
    list,
    /**
     * One backup at a time per process. A request while a backup of its kind is pending shares
     * it; one of the other kind waits, then gets its own (a manual backup must not be an
     * automatic one that is pruned later, nor the reverse).
     */
    create(automatic = false, actor: Actor = SYSTEM): Promise<BackupFile> {
      const made = (): Promise<BackupFile> => {
        const same = pending.get(automatic);
        if (same) return same;
        const next = queue.then(() => run(automatic)).finally(() => pending.delete(automatic));
        pending.set(automatic, next);
        queue = next.catch(() => undefined);
        return next;
      };
      // A backup is a file, not a row: its entry is written once the file is complete (a failed one has none).
      return made().then((file) => {
        deps.database.immediate(() =>
          recordAudit(deps, actor, { kind: 'backup.create', targetId: file.name, summary: `Made backup ${file.name}` }),
        );
        return file;
      });
    },
    /** A backup file by its name, refusing anything that is not a plain file name in the folder. */
    file(name: string): BackupFile {
      const found = list().find((b) => b.name === basename(name) && b.name === name);
      if (!found) throw new NotFoundError('Backup');
      return found;
    },
  };
}
