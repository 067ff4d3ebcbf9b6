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
  /**
   * `read()`'s answer, kept until the database next changes: reference data that every page reads (the
   * client picker, labels, account names) and that changes far less often than it is read.
   */
  memo<T>(key: string, read: () => T): T;
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
  const memo = changeAwareMemo(sqlite);
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
    memo,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

/** More distinct keys than the pages use (one per member's set of clients); past it the memo starts over. */
const MEMO_KEYS = 500;

/**
 * A memo emptied whenever the database changes. A change is seen through two counters SQLite keeps:
 * total_changes() counts every row this connection inserts, updates or deletes (so every write of this
 * process), and PRAGMA data_version moves when another connection or process commits (the CLI, a
 * restore) (https://www.sqlite.org/pragma.html#pragma_data_version). Reading both is one small
 * statement, far cheaper than the queries it saves. Inside a transaction nothing is kept or served: a
 * rollback undoes rows without moving total_changes() back, so a value read there could outlive them.
 */
function changeAwareMemo(sqlite: BetterSqlite3.Database) {
  const version = sqlite.prepare('SELECT total_changes() AS c, data_version AS v FROM pragma_data_version');
  const values = new Map<string, unknown>();
  let seen = '';
  return <T>(key: string, read: () => T): T => {
    if (sqlite.inTransaction) return read();
    const { c, v } = version.get() as { c: number; v: number };
    const now = `${c}:${v}`;
    if (now !== seen || values.size >= MEMO_KEYS) {
      values.clear();
      seen = now;
    }
    if (values.has(key)) return values.get(key) as T;
    const value = read();
    values.set(key, value);
    return value;
  };
}
