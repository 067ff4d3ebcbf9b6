import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    const tables = (
      db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<{ name: string }>
    ).map((t) => t.name);
    for (const table of [
      'clients',
      'accounts',
      'rules',
      'rule_accounts',
      'posts',
      'post_media',
      'post_logs',
      'publish_attempts',
      'media',
      'admins',
      'sessions',
      'api_tokens',
      'invites',
      'leases',
      'job_runs',
      'oauth_states',
      'settings',
    ]) {
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
    expect(plan('SELECT id FROM posts WHERE client_id = 1 AND scheduled_at >= 1 AND scheduled_at < 2')).toMatch(
      /posts_client_scheduled_id_idx/,
    );
    expect(plan('SELECT * FROM post_logs WHERE post_id = 1 ORDER BY id')).toMatch(/post_logs_post_idx/);
    // A page of the pipeline is an index range, not a sort of every post.
    const page = plan(
      "SELECT * FROM posts WHERE scheduled_at >= 5 AND (scheduled_at > 5 OR id > 'x') " +
        'ORDER BY scheduled_at, id LIMIT 51',
    );
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
      const run = spawnSync(
        process.execPath,
        [
          appPath('node_modules/drizzle-kit/bin.cjs'),
          'generate',
          '--dialect=sqlite',
          '--schema=src/db/schema/index.ts',
          `--out=${out}`,
        ],
        {
          cwd: appPath(),
          encoding: 'utf8',
        },
      );
      expect(run.status).toBe(0);
      expect(readdirSync(appPath(out)).sort()).toEqual(before);
      expect(`${run.stdout}${run.stderr}`).toMatch(/No schema changes/);
    } finally {
      rmSync(appPath(out), { recursive: true, force: true });
    }
  });
});

describe('migrating a database that has posts', () => {
  /** The migrations folder cut after `lastTag`, as a release of that time would have shipped it. */
  function migrationsUpTo(lastTag: string): string {
    const dir = join(tempDir(), 'migrations');
    cpSync(appPath('migrations'), dir, { recursive: true });
    const journalPath = join(dir, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
    journal.entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === lastTag) + 1);
    writeFileSync(journalPath, JSON.stringify(journal));
    return dir;
  }

  it('rebuilding posts for its CHECK keeps every log, attempt and media link, and mends rows first', () => {
    const db = openDatabase(join(tempDir(), 'herald.db'));
    migrate(db, migrationsUpTo('0002_job_run_params'));
    const { sqlite } = db;
    sqlite.exec(`
      INSERT INTO clients (id, name, timezone, created_at, updated_at) VALUES ('cli_1', 'Acme', 'UTC', 1, 1);
      INSERT INTO accounts (id, client_id, platform, external_id, name, status, created_at, updated_at) VALUES
        ('acc_ok', 'cli_1', 'facebook', 'fb1', 'Acme Page', 'connected', 1, 1),
        ('acc_reauth', 'cli_1', 'instagram', 'ig1', 'acme.ig', 'needs_reauth', 1, 1);
      INSERT INTO media (id, client_id, key, mime, size, sha256, created_at) VALUES
        ('med_1', 'cli_1', 'k', 'image/jpeg', 10, 'x', 1);
      INSERT INTO posts (id, client_id, account_id, status, scheduled_at, due_at, last_error, current_attempt_id,
        created_at, updated_at) VALUES
        ('post_ok', 'cli_1', 'acc_ok', 'scheduled', 100, 150, NULL, NULL, 1, 1),
        ('post_no_due', 'cli_1', 'acc_ok', 'scheduled', 200, NULL, NULL, NULL, 1, 1),
        ('post_stale_due', 'cli_1', 'acc_ok', 'published', 300, 300, NULL, 'att_1', 1, 1),
        ('post_waiting', 'cli_1', 'acc_reauth', 'scheduled', 400, 400, 'Waiting: reconnect acme.ig (expired)',
          NULL, 1, 1),
        ('post_lost', 'cli_1', 'acc_ok', 'unconfirmed', 500, NULL, 'Unconfirmed: reset', 'att_3', 1, 1);
      INSERT INTO post_media (post_id, media_id, position) VALUES
        ('post_ok', 'med_1', 0), ('post_stale_due', 'med_1', 0);
      INSERT INTO publish_attempts (id, post_id, epoch, holder, state, started_at, outcome) VALUES
        ('att_0', 'post_stale_due', 1, 'h', '{}', 1, 'retry'),
        ('att_1', 'post_stale_due', 1, 'h', '{}', 2, 'published'),
        ('att_2', 'post_lost', 1, 'h', '{}', 3, 'unknown'),
        ('att_3', 'post_lost', 1, 'h', '{}', 4, 'pending');
      INSERT INTO post_logs (post_id, step, level, message, created_at) VALUES
        ('post_ok', 'create', 'info', 'Created', 1), ('post_stale_due', 'succeed', 'info', 'Confirmed by hand', 2),
        ('post_lost', 'send', 'warn', 'Unknown', 3);
    `);
    const count = (table: string) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const before = Object.fromEntries(
      ['posts', 'post_media', 'publish_attempts', 'post_logs'].map((t) => [t, count(t)]),
    );

    const result = migrate(db, appPath('migrations'));
    expect(result.applied).toBeGreaterThan(0);
    expect(Object.fromEntries(Object.keys(before).map((t) => [t, count(t)]))).toEqual(before);
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);

    const posts = Object.fromEntries(
      (
        sqlite.prepare('SELECT id, status, due_at AS dueAt, waiting_on AS waitingOn FROM posts').all() as Array<{
          id: string;
          dueAt: number | null;
          waitingOn: string | null;
        }>
      ).map((p) => [p.id, p]),
    );
    expect(posts.post_ok).toMatchObject({ dueAt: 150, waitingOn: null });
    expect(posts.post_no_due).toMatchObject({ dueAt: 200 });
    expect(posts.post_stale_due).toMatchObject({ dueAt: null });
    expect(posts.post_waiting).toMatchObject({ dueAt: 400, waitingOn: 'account_reauth' });
    const outcomes = Object.fromEntries(
      (sqlite.prepare('SELECT id, outcome FROM publish_attempts').all() as Array<{ id: string; outcome: string }>).map(
        (a) => [a.id, a.outcome],
      ),
    );
    expect(outcomes).toEqual({ att_0: 'deferred', att_1: 'published', att_2: 'unconfirmed', att_3: 'unconfirmed' });
    expect(sqlite.prepare("SELECT step FROM post_logs WHERE post_id = 'post_stale_due'").get()).toEqual({
      step: 'published',
    });

    // From now on the table itself refuses a post due when not scheduled, or scheduled and never due.
    expect(() => sqlite.prepare("UPDATE posts SET due_at = 5 WHERE id = 'post_stale_due'").run()).toThrow(
      /CHECK constraint failed/,
    );
    expect(() => sqlite.prepare("UPDATE posts SET due_at = NULL WHERE id = 'post_ok'").run()).toThrow(
      /CHECK constraint failed/,
    );
    // And deleting a post still cascades: the rebuilt table kept its children's foreign keys working.
    sqlite.prepare("DELETE FROM posts WHERE id = 'post_ok'").run();
    expect(count('post_media')).toBe(before.post_media! - 1);
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('refuses to commit a migration that leaves a row pointing at nothing', () => {
    const db = openDatabase(join(tempDir(), 'herald.db'));
    const dir = migrationsUpTo('0002_job_run_params');
    migrate(db, dir);
    // A later migration that drops a parent table without moving its rows.
    const journalPath = join(dir, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<Record<string, unknown>> };
    journal.entries.push({
      idx: journal.entries.length,
      version: '6',
      when: 1796300000000,
      tag: '9999_broken',
      breakpoints: true,
    });
    writeFileSync(journalPath, JSON.stringify(journal));
    writeFileSync(join(dir, '9999_broken.sql'), 'DROP TABLE `media`;');
    db.sqlite.exec(`
      INSERT INTO clients (id, name, timezone, created_at, updated_at) VALUES ('cli_1', 'Acme', 'UTC', 1, 1);
      INSERT INTO media (id, client_id, key, mime, size, sha256, created_at) VALUES
        ('med_1', 'cli_1', 'k', 'image/jpeg', 10, 'x', 1);
      INSERT INTO accounts (id, client_id, platform, external_id, name, created_at, updated_at) VALUES
        ('acc_1', 'cli_1', 'facebook', 'f', 'A', 1, 1);
      INSERT INTO posts (id, client_id, account_id, status, created_at, updated_at) VALUES
        ('post_1', 'cli_1', 'acc_1', 'draft', 1, 1);
      INSERT INTO post_media (post_id, media_id, position) VALUES ('post_1', 'med_1', 0);
    `);
    expect(() => migrate(db, dir)).toThrow(/pointing at missing rows/);
    expect((db.sqlite.prepare('SELECT count(*) AS n FROM media').get() as { n: number }).n).toBe(1);
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });
});
