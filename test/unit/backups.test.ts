import { spawn } from 'node:child_process';
import { readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { appPath } from '../../src/paths.js';
import { AUTO_BACKUPS_KEPT, snapshotDatabase } from '../../src/services/backups-service.js';
import { makeHerald, tempDir } from '../helpers/herald.js';

// A second process commits small transactions as fast as it can while we take snapshots.
const WRITER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1], { timeout: 5000 });
db.pragma('busy_timeout = 5000');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const insert = db.prepare('INSERT INTO load_rows (payload) VALUES (?)');
const batch = db.transaction((n) => { for (let i = 0; i < n; i++) insert.run('x'.repeat(200)); });
process.stdout.write('ready\\n');
for (;;) batch(5);
`;

describe('backups', () => {
  const cleanups: Array<() => void> = [];
  afterAll(() => {
    for (const f of cleanups) f();
  });

  it(
    'a snapshot taken while another process writes is intact ' + 'and holds every row committed before it began',
    async () => {
      const dir = tempDir();
      const dbPath = join(dir, 'herald.db');
      const db = openDatabase(dbPath);
      migrate(db, appPath('migrations'));
      db.sqlite.exec('CREATE TABLE load_rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
      const writer = spawn(process.execPath, ['-e', WRITER, dbPath], {
        cwd: appPath(),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      cleanups.push(() => writer.kill('SIGKILL'));
      await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 300));

      for (let round = 0; round < 8; round++) {
        const committed = (db.sqlite.prepare('SELECT max(id) AS n FROM load_rows').get() as { n: number }).n;
        const target = join(dir, `snap-${round}.db`);
        await snapshotDatabase(dbPath, target);
        const copy = new BetterSqlite3(target, { readonly: true });
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        const held = (copy.prepare('SELECT count(*) AS n FROM load_rows WHERE id <= ?').get(committed) as { n: number })
          .n;
        copy.close();
        expect(committed).toBeGreaterThan(0);
        expect(held).toBe(committed);
      }
      const total = (db.sqlite.prepare('SELECT max(id) AS n FROM load_rows').get() as { n: number }).n;
      writer.kill('SIGKILL');
      db.close();
      // The writer really was writing throughout.
      expect(total).toBeGreaterThan(1000);
      expect(readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);
    },
  );

  it('keeps the newest 7 automatic backups and leaves manual ones alone', async () => {
    const t = await makeHerald();
    cleanups.push(() => void t.close());
    const backupDir = join(t.dataDir, 'backups');
    for (let i = 0; i < 9; i++) {
      const old = join(backupDir, `herald-auto-2026010${i}T000000Z.db`);
      writeFileSync(old, 'old');
      utimesSync(old, new Date(Date.UTC(2026, 0, i + 1)), new Date(Date.UTC(2026, 0, i + 1)));
    }
    writeFileSync(join(backupDir, 'herald-manual.db'), 'manual');
    const file = await t.herald.services.backups.create(true);
    const names = readdirSync(backupDir);
    const autos = names.filter((n) => n.startsWith('herald-auto-'));
    expect(autos).toHaveLength(AUTO_BACKUPS_KEPT);
    expect(autos).toContain(file.name);
    expect(names).toContain('herald-manual.db');
    const copy = new BetterSqlite3(file.path, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });

  it('a manual backup asked for during the automatic one is its own file, and a second click shares it', async () => {
    const t = await makeHerald();
    cleanups.push(() => void t.close());
    const { backups } = t.herald.services;
    const auto = backups.create(true);
    const manual = backups.create(false);
    const again = backups.create(false);
    const [a, m, m2] = await Promise.all([auto, manual, again]);
    expect(a.automatic).toBe(true);
    expect(a.name).toMatch(/^herald-auto-/);
    expect(m).toMatchObject({ automatic: false });
    expect(m.name).not.toMatch(/^herald-auto-/);
    expect(m2).toBe(m);
    expect(
      backups
        .list()
        .map((b) => b.name)
        .sort(),
    ).toEqual([a.name, m.name].sort());
  });

  it('refuses backup names outside the folder', async () => {
    const t = await makeHerald();
    cleanups.push(() => void t.close());
    expect(() => t.herald.services.backups.file('../herald.db')).toThrow(/not found/);
  });
});
