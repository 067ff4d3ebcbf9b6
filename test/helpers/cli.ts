import { spawn, spawnSync } from 'node:child_process';
import { appPath } from '../../src/paths.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `herald <args>` from source, as `npm run herald --` does, with only the given env;
 * `input` is piped to its stdin (stdin is an empty pipe otherwise).
 */
export function runCli(args: string[], env: Record<string, string>, options: { input?: string } = {}): CliResult {
  const run = spawnSync(process.execPath, ['--import', 'tsx', appPath('src/cli.ts'), ...args], {
    cwd: appPath(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Starts `herald serve` as a child process (for tests that need a real, killable process). */
export function spawnServe(env: Record<string, string>) {
  return spawn(process.execPath, ['--import', 'tsx', appPath('src/cli.ts'), 'serve'], {
    cwd: appPath(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
