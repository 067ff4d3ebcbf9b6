// `herald restore`: the newest (or a point-in-time) copy of the database from a Litestream
// replica, checked before it takes the database's place (https://litestream.io/reference/restore/).
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { holdPossiblySentPosts } from '../db/restored-posts.js';
import { appPath } from '../paths.js';
import { litestreamBinary, litestreamError, runLitestream, writeLitestreamFile } from './litestream.js';
import { maskReplicaUrl, replicaScheme, REPLICA_URL_HELP } from './replica-url.js';

export interface RestoreRequest {
  readonly from: string;
  readonly dataDir: string;
  /** RFC 3339; absent: the newest copy. */
  readonly timestamp?: string;
}

export interface RestoreResult {
  readonly path: string;
  readonly size: number;
  readonly secretKeyPresent: boolean;
  /** Posts the lost host may have sent: the reconciler checks each with its network first. */
  readonly postsToCheck: number;
}

/** A refusal or failure whose message is the one line the CLI prints. */
export class RestoreError extends Error {}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export async function restoreDatabase(request: RestoreRequest): Promise<RestoreResult> {
  const { from, dataDir, timestamp } = request;
  if (!replicaScheme(from)) throw new RestoreError(`--from ${REPLICA_URL_HELP}`);
  if (timestamp !== undefined && (!RFC3339.test(timestamp) || !Number.isFinite(Date.parse(timestamp))))
    throw new RestoreError('--timestamp must be an RFC 3339 time, e.g. 2026-11-30T21:15:00Z');
  const target = join(dataDir, 'herald.db');
  // A live database is never overwritten, and a WAL left beside it would be replayed into the copy.
  for (const leftover of [target, `${target}-wal`, join(dataDir, '.herald.db-litestream')]) {
    if (existsSync(leftover))
      throw new RestoreError(
        `${leftover} exists: restore never overwrites a database; stop Herald and move the old files aside ` +
          `(herald.db, herald.db-wal, herald.db-shm, .herald.db-litestream) first`,
      );
  }
  mkdirSync(dataDir, { recursive: true });
  const partial = `${target}.restoring`;
  rmSync(partial, { force: true });
  // The replica goes in a config file (mode 0600), never on the command line: its URL may carry a password.
  const configPath = join(dataDir, 'litestream-restore.yml');
  writeLitestreamFile({ path: configPath, dbPath: target, replicaUrl: from, syncInterval: '1s', metricsPort: null });
  const args = [
    'restore',
    '-config',
    configPath,
    '-o',
    partial,
    ...(timestamp ? ['-timestamp', timestamp] : []),
    target,
  ];
  let result: Awaited<ReturnType<typeof runLitestream>>;
  try {
    result = await runLitestream(litestreamBinary(), args);
  } finally {
    rmSync(configPath, { force: true });
  }
  const masked = maskReplicaUrl(from);
  if (result.code !== 0 || !existsSync(partial)) {
    rmSync(partial, { force: true });
    const said = litestreamError(result);
    if (/no matching backups|no snapshots available|no generation/i.test(said) || result.code === 0)
      throw new RestoreError(
        `no copy of the database at ${masked}${timestamp ? ` at or before ${timestamp}` : ''} ` +
          '(wrong URL, nothing replicated there yet, or a time before the first copy)',
      );
    throw new RestoreError(`cannot restore from ${masked}: ${said}`);
  }
  let problem: string | null = null;
  try {
    const database = openDatabase(partial, { readonly: true });
    try {
      const rows = database.sqlite.pragma('integrity_check') as { integrity_check: string }[];
      if (rows[0]?.integrity_check !== 'ok') problem = rows.map((r) => r.integrity_check).join('; ');
    } finally {
      database.close();
    }
  } catch (err) {
    problem = (err as Error).message;
  }
  if (problem !== null) {
    rmSync(partial, { force: true });
    throw new RestoreError(`the copy restored from ${masked} fails integrity_check: ${problem}`);
  }
  // Migrated as a start would, then nothing the lost host may have sent goes out unchecked.
  const database = openDatabase(partial);
  let postsToCheck: number;
  try {
    migrate(database, appPath('migrations'));
    postsToCheck = holdPossiblySentPosts(database, Date.now());
  } finally {
    database.close();
  }
  renameSync(partial, target);
  return {
    path: target,
    size: statSync(target).size,
    secretKeyPresent: existsSync(join(dataDir, 'secret.key')),
    postsToCheck,
  };
}
