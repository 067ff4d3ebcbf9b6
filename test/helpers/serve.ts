import type { ChildProcess } from 'node:child_process';
import { spawnServe } from './cli.js';

export interface ServeHandle {
  child: ChildProcess;
  port: number;
  url: string;
  /** Every log line so far (JSON lines from pino). */
  lines: string[];
  exit: Promise<number | null>;
}

/** Starts `herald serve` on a free port and resolves once it listens. */
export async function startServe(env: Record<string, string>, timeoutMs = 30_000): Promise<ServeHandle> {
  const child = spawnServe({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  const lines: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${lines.join('\n')}`)), timeoutMs);
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        const m = /Herald listening on [^:]+:(\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => lines.push(c.toString()));
    void exit.then((code) => reject(new Error(`serve exited with ${code}:\n${lines.join('\n')}`)));
  });
  return { child, port, url: `http://127.0.0.1:${port}`, lines, exit };
}
