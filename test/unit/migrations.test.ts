import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
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
