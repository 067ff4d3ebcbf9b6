import BetterSqlite3 from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema/index.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Database {
  readonly sqlite: BetterSqlite3.Database;
  readonly db: Db;
  readonly path: string;
  /** Runs fn in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so a
   *  read-then-write can never fail half-way with SQLITE_BUSY_SNAPSHOT. fn must be synchronous. */
  immediate<T>(fn: () => T): T;
  /** A prepared statement for `sql`, prepared once per connection: for the hot read paths,
   *  where building and preparing a query on every request would cost more than running it. */
  stmt(sql: string): BetterSqlite3.Statement;
  close(): void;
}

/**
 * Opens the SQLite file with the pragmas every connection needs (docs/architecture.md#sqlite).
 * busy_timeout comes first so that switching to WAL can itself wait for another process.
 */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): Database {
  const sqlite = new BetterSqlite3(path, { readonly: options.readonly ?? false, timeout: 5000 });
  sqlite.pragma('busy_timeout = 5000');
  if (!options.readonly) sqlite.pragma('journal_mode = WAL');
  // FULL: a commit that recorded "published" survives a power cut, not only a crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    sqlite,
    db,
    path,
    immediate: <T>(fn: () => T): T => sqlite.transaction(fn).immediate(),
    stmt: (sql: string) => {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
