import { existsSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeHerald, TEST_SECRET, tempDir } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

function env(dir: string): Record<string, string> {
  return { DATA_DIR: dir, SECRET_KEY: TEST_SECRET, LOG_LEVEL: 'warn' };
}

describe('herald CLI', () => {
  it('migrate creates and migrates the database, and is idempotent', () => {
    const dir = tempDir();
    const first = runCli(['migrate'], env(dir));
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration\(s\)/);
    expect(existsSync(join(dir, 'herald.db'))).toBe(true);
    const second = runCli(['migrate'], env(dir));
    expect(second.stdout).toMatch(/Applied 0 migration/);
  });

  it('admin create makes an admin; a duplicate fails with one line', () => {
    const dir = tempDir();
    const ok = runCli(
      ['admin', 'create', '--email', 'Boss@Agency.com', '--password', 'correct horse battery'],
      env(dir),
    );
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/boss@agency.com created/);
    const dup = runCli(['admin', 'create', '--email=boss@agency.com', '--password=another long one'], env(dir));
    expect(dup.status).toBe(1);
    expect(dup.stderr.trim().split('\n')).toHaveLength(1);
    expect(dup.stderr).toMatch(/email: an admin with this email exists/);
    const weak = runCli(['admin', 'create', '--email', 'x@y.z', '--password', 'short'], env(dir));
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/password: must be at least 10 characters/);
  });

  it('admin create reads the password from stdin with --password-stdin', () => {
    const dir = tempDir();
    const piped = (email: string, input: string) =>
      runCli(['admin', 'create', '--email', email, '--password-stdin'], env(dir), { input });
    const ok = piped('piped@agency.com', 'a piped long password\n');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/piped@agency.com created/);
    const args = ['admin', 'create', '--email', 'x@a.co', '--password', 'long enough', '--password-stdin'];
    const both = runCli(args, env(dir));
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --password P and --password-stdin/);
    const weak = piped('y@agency.com', 'short\n');
    expect(weak.status).toBe(1);
    expect(weak.stderr.trim()).toBe('herald: error: password: must be at least 10 characters');
  }, 180_000);

  it('admin list, password and remove manage admins; the last admin is never removed', async () => {
    const dir = tempDir();
    runCli(['admin', 'create', '--email', 'boss@agency.com', '--password', 'first long password'], env(dir));
    runCli(['admin', 'create', '--email', 'helper@agency.com', '--password', 'second long password'], env(dir));

    const list = runCli(['admin', 'list'], env(dir));
    expect(list.status).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual([
      'boss@agency.com\t-\towner\tnever signed in',
      'helper@agency.com\t-\towner\tnever signed in',
    ]);

    // helper is signed in somewhere; a new password ends that session.
    const t = await makeHerald({}, { dataDir: dir });
    const helper = (password: string) => ({ email: 'helper@agency.com', password });
    const signIn = (password: string) => new PageClient(t.herald.app).post('/login', helper(password));
    const browser = new PageClient(t.herald.app);
    expect((await browser.post('/login', helper('second long password'))).status).toBe(303);
    const setPassword = (email: string, input: string) =>
      runCli(['admin', 'password', '--email', email, '--password-stdin'], env(dir), { input });
    const reset = setPassword('HELPER@agency.com', 'a brand new password\n');
    expect(reset.status).toBe(0);
    expect(reset.stdout).toMatch(/Password of helper@agency.com changed; 1 session\(s\) signed out/);
    expect((await browser.request('/')).headers.get('location')).toMatch(/^\/login/);
    expect((await signIn('second long password')).status).toBe(401);
    expect((await signIn('a brand new password')).status).toBe(303);
    await t.close();

    const noStdin = runCli(['admin', 'password', '--email', 'boss@agency.com'], env(dir));
    expect(noStdin.status).toBe(2);
    expect(noStdin.stderr).toMatch(/needs --password-stdin/);
    const unknown = setPassword('nobody@agency.com', 'whatever long enough');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim()).toBe('herald: error: An admin with the email nobody@agency.com was not found.');

    const removed = runCli(['admin', 'remove', '--email', 'helper@agency.com'], env(dir));
    expect(removed.status).toBe(0);
    expect(removed.stdout).toMatch(/helper@agency.com removed/);
    const last = runCli(['admin', 'remove', '--email', 'boss@agency.com'], env(dir));
    expect(last.status).toBe(1);
    expect(last.stderr.trim()).toBe(
      'herald: error: boss@agency.com is the only owner and cannot be removed; make another owner first.',
    );
    expect(runCli(['admin', 'list'], env(dir)).stdout.trim()).toBe('boss@agency.com\t-\towner\tnever signed in');
  }, 300_000);

  it('token create prints the token alone on the last line, stored only as a hash', () => {
    const dir = tempDir();
    const run = runCli(['token', 'create', '--name', 'zapier'], env(dir));
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const token = lines[lines.length - 1]!;
    expect(token).toMatch(/^hrld_[A-Za-z0-9_-]{40,}$/);
    const db = new BetterSqlite3(join(dir, 'herald.db'), { readonly: true });
    const rows = db.prepare('SELECT name, token_hash FROM api_tokens').all();
    db.close();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('token create takes a scope and an expiry (default write, no expiry); bad values exit 2 with one line', () => {
    const dir = tempDir();
    const CREATE = ['token', 'create', '--name'];
    const started = Date.now();
    const scoped = runCli([...CREATE, 'reports', '--scope', 'read', '--expires-in-days=30'], env(dir));
    expect(scoped.status).toBe(0);
    expect(scoped.stdout).toMatch(/scope read, expires \d{4}-/);
    expect(scoped.stdout.trim().split('\n').at(-1)).toMatch(/^hrld_[A-Za-z0-9_-]{40,}$/);
    const plain = runCli(['token', 'create', '--name', 'plain'], env(dir));
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/scope write, does not expire/);
    for (const [args, message] of [
      [['--scope', 'root'], /^herald: --scope must be one of read, write, admin$/],
      [['--expires-in-days', '0'], /^herald: --expires-in-days must be a whole number of days from 1 to 3650$/],
    ] as Array<[string[], RegExp]>) {
      const bad = runCli(['token', 'create', '--name', 'bad', ...args], env(dir));
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr.trim(), args.join(' ')).toMatch(message);
    }
    const db = new BetterSqlite3(join(dir, 'herald.db'), { readonly: true });
    type Row = { name: string; scope: string; expires_at: number | null };
    const rows = db.prepare('SELECT name, scope, expires_at FROM api_tokens ORDER BY created_at').all() as Row[];
    db.close();
    expect(rows.map((r) => [r.name, r.scope])).toEqual([
      ['reports', 'read'],
      ['plain', 'write'],
    ]);
    expect(rows[0]!.expires_at! - started).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(rows[0]!.expires_at! - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
    expect(rows[1]!.expires_at).toBeNull();
  });

  it('backup writes a snapshot that opens cleanly', () => {
    const dir = tempDir();
    runCli(['token', 'create', '--name', 'in-backup'], env(dir));
    const target = join(tempDir(), 'snap.db');
    const run = runCli(['backup', target], env(dir));
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/integrity ok/);
    const db = new BetterSqlite3(target, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT name FROM api_tokens').all()).toEqual([{ name: 'in-backup' }]);
    db.close();
    const again = runCli(['backup', target], env(dir));
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });

  it.each<[string[], number, RegExp]>([
    [[], 2, /a command is required/],
    [['dance'], 2, /unknown command "dance"/],
    [['backup'], 2, /backup takes one argument/],
    [['token', 'create'], 2, /--name is required/],
    [['admin', 'create', '--email', 'a@b.c', '--pasword', 'x'], 2, /unknown argument "--pasword"/],
    [['migrate', 'now'], 2, /migrate takes no arguments/],
    [['admin', 'delete'], 2, /admin list \| admin remove --email E/],
    [['admin', 'remove'], 2, /--email is required/],
    [['admin', 'list', '--all'], 2, /unknown argument "--all"/],
  ])('herald %j exits %i with usage', (args, status, message) => {
    const run = runCli(args, env(tempDir()));
    expect(run.status).toBe(status);
    expect(run.stderr).toMatch(message);
  });

  it('a bad setting stops with one line naming the variable, no stack trace', () => {
    const run = runCli(['migrate'], { ...env(tempDir()), PORT: 'ninety' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('herald: configuration error: PORT: must be a whole number');
  });

  it('serve refuses a bad setting the same way', () => {
    const run = runCli(['serve'], { ...env(tempDir()), PUBLIC_URL: 'not a url' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('herald: configuration error: PUBLIC_URL: must be an http:// or https:// URL');
  });
});
