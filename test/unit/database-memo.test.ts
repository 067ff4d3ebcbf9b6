// The database memo keeps reference data (client picker, labels, account names) between writes: every
// write, by this connection or another, and nothing inside a transaction may be served stale.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { createRepos } from '../../src/db/repos/index.js';
import { appPath } from '../../src/paths.js';

describe('the database memo', () => {
  let dir: string;
  let database: Database;
  const names = () => database.sqlite.prepare('SELECT name FROM t ORDER BY name').all() as { name: string }[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-memo-'));
    database = openDatabase(join(dir, 'memo.db'));
    database.sqlite.exec("CREATE TABLE t (name TEXT); INSERT INTO t VALUES ('a')");
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads once while nothing changes', () => {
    let reads = 0;
    const read = () =>
      database.memo('names', () => {
        reads++;
        return names();
      });
    expect(read()).toEqual([{ name: 'a' }]);
    expect(read()).toEqual([{ name: 'a' }]);
    expect(reads).toBe(1);
  });

  it('reads again after a write on the same connection', () => {
    const read = () => database.memo('names', names);
    read();
    database.sqlite.prepare("INSERT INTO t VALUES ('b')").run();
    expect(read()).toEqual([{ name: 'a' }, { name: 'b' }]);
    database.sqlite.prepare("UPDATE t SET name = 'c' WHERE name = 'a'").run();
    expect(read()).toEqual([{ name: 'b' }, { name: 'c' }]);
  });

  it('reads again after another connection (another process, the CLI) commits', () => {
    const read = () => database.memo('names', names);
    read();
    const other = openDatabase(join(dir, 'memo.db'));
    other.sqlite.prepare("INSERT INTO t VALUES ('from elsewhere')").run();
    other.close();
    expect(read()).toEqual([{ name: 'a' }, { name: 'from elsewhere' }]);
  });

  it('neither keeps nor serves inside a transaction, so a rolled-back row never shows', () => {
    const read = () => database.memo('names', names);
    read();
    expect(() =>
      database.immediate(() => {
        database.sqlite.prepare("INSERT INTO t VALUES ('ghost')").run();
        expect(read()).toEqual([{ name: 'a' }, { name: 'ghost' }]);
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    expect(read()).toEqual([{ name: 'a' }]);
  });

  it("the repos' memoised lists follow their writes and cannot be changed by a caller", () => {
    migrate(database, appPath('migrations'));
    const repos = createRepos(database);
    const now = Date.now();
    expect(repos.labels.list()).toEqual([]);
    repos.labels.insert({ id: 'lbl_1', name: 'Spring', color: '#112233', createdAt: now, updatedAt: now });
    const list = repos.labels.list();
    expect(list.map((l) => l.name)).toEqual(['Spring']);
    expect(() => (list as unknown as Array<{ name: string }>).push({ name: 'x' })).toThrow(TypeError);
    expect(() => {
      (list[0] as { name: string }).name = 'Changed';
    }).toThrow(TypeError);
    repos.labels.update('lbl_1', { name: 'Summer', updatedAt: now + 1 });
    expect(repos.labels.list().map((l) => l.name)).toEqual(['Summer']);
  });
});
