import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { appPath } from '../../src/paths.js';
import { tempDir } from '../helpers/herald.js';

describe('migrations', () => {
  it('migrate an empty database with the production pragmas, once', () => {
    const db = openDatabase(join(tempDir(), 'herald.db'));
    const first = migrate(db, appPath('migrations'));
    expect(first.applied).toBe(first.total);
    expect(first.total).toBeGreaterThan(0);
    const tables = (db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<{ name: string }>).map((t) => t.name);
    for (const table of ['clients', 'accounts', 'rules', 'rule_accounts', 'posts', 'post_media', 'post_logs', 'publish_attempts', 'media', 'admins', 'sessions', 'api_tokens', 'invites', 'leases', 'job_runs', 'oauth_states', 'settings']) {
      expect(tables).toContain(table);
    }
    expect(migrate(db, appPath('migrations')).applied).toBe(0);
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('has the indexes the scheduler and the pages rely on', () => {
    const db = openDatabase(join(tempDir(), 'herald.db'));
    migrate(db, appPath('migrations'));
    const plan = (sql: string) => JSON.stringify(db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all());
    expect(plan("SELECT id FROM posts WHERE status = 'scheduled' AND due_at <= 1 LIMIT 10")).toMatch(/posts_due_idx/);
    expect(plan('SELECT id FROM posts WHERE client_id = 1 AND scheduled_at >= 1 AND scheduled_at < 2')).toMatch(/posts_client_scheduled_id_idx/);
    expect(plan('SELECT * FROM post_logs WHERE post_id = 1 ORDER BY id')).toMatch(/post_logs_post_idx/);
    // A page of the pipeline is an index range, not a sort of every post.
    const page = plan("SELECT * FROM posts WHERE scheduled_at >= 5 AND (scheduled_at > 5 OR id > 'x') ORDER BY scheduled_at, id LIMIT 51");
    expect(page).toMatch(/posts_scheduled_id_idx/);
    expect(page).not.toMatch(/TEMP B-TREE/);
    db.close();
  });

  it('an upgrade keeps API tokens made before scopes working: they become admin; new rows default to write', () => {
    // The migrations as they were before 0003, applied to a database holding a token.
    const before = join(tempDir(), 'migrations');
    cpSync(appPath('migrations'), before, { recursive: true });
    const journalPath = join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
    const at = journal.entries.findIndex((e) => e.tag === '0003_api_token_scopes');
    expect(at).toBeGreaterThan(0);
    journal.entries = journal.entries.slice(0, at);
    writeFileSync(journalPath, JSON.stringify(journal));
    const db = openDatabase(join(tempDir(), 'herald.db'));
    migrate(db, before);
    const insert = (values: string) =>
      db.sqlite.exec(`INSERT INTO api_tokens (id, name, token_hash, prefix, created_at) VALUES (${values})`);
    insert("'tok_old', 'old script', 'hash-old', 'hrld_abcdef', 1");
    expect(migrate(db, appPath('migrations')).applied).toBeGreaterThan(0);
    insert("'tok_new', 'new row', 'hash-new', 'hrld_ghijkl', 2");
    const rows = db.sqlite.prepare('SELECT id, scope, expires_at FROM api_tokens ORDER BY id').all();
    expect(rows).toEqual([
      { id: 'tok_new', scope: 'write', expires_at: null },
      { id: 'tok_old', scope: 'admin', expires_at: null },
    ]);
    db.close();
  });

  it('the schema and the committed migrations have not drifted', () => {
    // drizzle-kit compares src/db/schema with the last snapshot; a copy keeps the tree clean.
    // drizzle-kit wants a path relative to the project, so the copy lives in test-artifacts/.
    const out = join('test-artifacts', `drift-${process.pid}-${Date.now()}`);
    mkdirSync(appPath(out), { recursive: true });
    cpSync(appPath('migrations'), appPath(out), { recursive: true });
    try {
      const before = readdirSync(appPath(out)).sort();
      const run = spawnSync(process.execPath, [appPath('node_modules/drizzle-kit/bin.cjs'), 'generate', '--dialect=sqlite', '--schema=src/db/schema/index.ts', `--out=${out}`], {
        cwd: appPath(),
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      expect(readdirSync(appPath(out)).sort()).toEqual(before);
      expect(`${run.stdout}${run.stderr}`).toMatch(/No schema changes/);
    } finally {
      rmSync(appPath(out), { recursive: true, force: true });
    }
  });
});
