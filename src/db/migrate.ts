import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Database } from './client.js';

export interface MigrationResult {
  applied: number;
  total: number;
}

/**
 * Applies pending drizzle-kit migrations from `folder`, recording them in drizzle's own
 * `__drizzle_migrations` table. Unlike drizzle's migrator this takes the write lock first
 * (BEGIN IMMEDIATE), so two processes starting on one file at the same moment apply each
 * migration exactly once instead of one of them failing with "database is locked".
 *
 * Foreign keys are off while migrations run: SQLite changes a table's constraints only by
 * rebuilding it, and dropping the old table with foreign keys on would delete (cascade) every
 * row that points at it. `PRAGMA foreign_keys` is a no-op inside a transaction, so it is turned
 * off before BEGIN; `foreign_key_check` must find nothing before COMMIT, or nothing is applied.
 * https://www.sqlite.org/lang_altertable.html#otheralter
 */
export function migrate(database: Database, folder: string): MigrationResult {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const { sqlite } = database;
  sqlite.exec(
    'CREATE TABLE IF NOT EXISTS "__drizzle_migrations" ' +
      '(id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)',
  );
  const foreignKeys = sqlite.pragma('foreign_keys', { simple: true }) as number;
  sqlite.pragma('foreign_keys = OFF');
  try {
    return database.immediate(() => {
      const last = sqlite
        .prepare('SELECT created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1')
        .get() as { created_at: number } | undefined;
      let applied = 0;
      for (const migration of migrations) {
        if (last && Number(last.created_at) >= migration.folderMillis) continue;
        for (const statement of migration.sql) {
          if (statement.trim()) sqlite.exec(statement);
        }
        sqlite
          .prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)')
          .run(migration.hash, migration.folderMillis);
        applied++;
      }
      if (applied > 0) {
        const broken = sqlite.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
        if (broken.length > 0) {
          const first = broken[0]!;
          const example = `${first.table} row ${first.rowid} → ${first.parent}`;
          throw new Error(
            `Migrating left ${broken.length} row(s) pointing at missing rows (first: ${example}); nothing was applied.`,
          );
        }
      }
      return { applied, total: migrations.length };
    });
  } finally {
    sqlite.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}
