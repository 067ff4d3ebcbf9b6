// `herald member invite` and the owner rules of `admin create` / `admin remove`, as real child processes on one
// data directory; the printed link is then opened by a Herald on the same database.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeHerald, seedClient, TEST_SECRET, tempDir } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

const PUBLIC_URL = 'http://herald.test';
const env = (dir: string) => ({ DATA_DIR: dir, SECRET_KEY: TEST_SECRET, LOG_LEVEL: 'warn', PUBLIC_URL });

describe('herald member invite', () => {
  it('prints the single-use join link alone on the last line; bad flags exit 2 with one line', async () => {
    const dir = tempDir();
    expect(
      runCli(['admin', 'create', '--email', 'boss@agency.com', '--password', 'first long password'], env(dir)).stdout,
    ).toMatch(/boss@agency.com created \(owner\)/);
    const t = await makeHerald({}, { dataDir: dir });
    const acme = seedClient(t).client;
    const bravo = seedClient(t, { name: 'Bravo Bikes' }).client;
    expect(t.herald.repos.auth.adminByEmail('boss@agency.com')!.role).toBe('owner');

    const run = runCli(
      [
        'member',
        'invite',
        '--email',
        'Eddie@Agency.com',
        '--role',
        'editor',
        '--client',
        acme.id,
        `--client=${bravo.id}`,
      ],
      env(dir),
    );
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Invitation for eddie@agency.com \(editor\) created; it works once, until \d{4}-/);
    expect(lines).toContain('Email is not set up: send them this link, shown only now:');
    const link = lines[lines.length - 1]!;
    expect(link).toMatch(/^http:\/\/herald\.test\/join\/\S{40,}$/);

    const path = new URL(link).pathname;
    const browser = new PageClient(t.herald.app);
    expect((await browser.get(path)).html).toContain('as an Editor for Acme Bakery, Bravo Bikes');
    const password = 'eddie long password';
    expect((await browser.post(path, { via: 'password', password, confirmPassword: password })).status).toBe(303);
    const eddie = t.herald.repos.auth.adminByEmail('eddie@agency.com')!;
    expect(eddie.role).toBe('editor');
    expect(t.herald.repos.auth.memberClientIds(eddie.id)).toEqual([acme.id, bravo.id].sort());
    await t.close();

    const role = runCli(['member', 'invite', '--email', 'x@agency.com', '--role', 'boss'], env(dir));
    expect(role.status).toBe(2);
    expect(role.stderr.trim()).toBe('herald: --role must be one of owner, admin, editor, viewer');
    const client = runCli(
      ['member', 'invite', '--email', 'x@agency.com', '--role', 'viewer', '--client', 'cli_x'],
      env(dir),
    );
    expect(client.status).toBe(2);
    expect(client.stderr.trim()).toBe('herald: --client unknown client: cli_x');
    const member = runCli(['member', 'invite', '--email', 'eddie@agency.com', '--role', 'viewer'], env(dir));
    expect(member.status).toBe(2);
    expect(member.stderr.trim()).toBe('herald: --email is already a team member');
    expect(runCli(['member', 'invite', '--role', 'viewer'], env(dir)).status).toBe(2);

    // Two members, one owner: `admin remove` still refuses the owner, and removes the editor.
    const last = runCli(['admin', 'remove', '--email', 'boss@agency.com'], env(dir));
    expect(last.status).toBe(1);
    expect(last.stderr.trim()).toBe(
      'herald: error: boss@agency.com is the only owner and cannot be removed; make another owner first.',
    );
    const removed = runCli(['admin', 'remove', '--email', 'eddie@agency.com'], env(dir));
    expect(removed.status).toBe(0);
    expect(removed.stdout).toMatch(/eddie@agency.com removed; their sessions and API tokens are ended/);
    expect(runCli(['admin', 'list'], env(dir)).stdout.trim()).toBe('boss@agency.com\t-\towner\tnever signed in');
  }, 300_000);
});
