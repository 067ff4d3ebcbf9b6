import { spawn, type ChildProcess } from 'node:child_process';
import { appPath } from '../../src/paths.js';

export interface HeraldProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

/** Starts one engine-child process on the shared data dir (`nodeArgs`: e.g. --cpu-prof for a benchmark). */
export function startEngineProcess(env: Record<string, string>, nodeArgs: readonly string[] = []): HeraldProcess {
  // `--import tsx` runs TypeScript in this very process: its pid is the one the lease records,
  // and a SIGKILL or SIGSTOP reaches Herald itself, not a wrapper.
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', appPath('test/helpers/engine-child.ts')], {
    cwd: appPath(),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  child.stdout!.on('data', (c: Buffer) => lines.push(...c.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (c: Buffer) => lines.push(c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
