// The Litestream binary and the ways Herald runs it. The binary comes from @flydotio/litestream's
// platform package for linux-x64 (Litestream v0.3.13), an optional dependency: npm installs it only
// where it runs. The wrapper package itself is not used: its index.js starts the binary under another
// node process that would not pass signals on, and it names four platform packages of which the
// registry Herald is locked against serves one.
import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The path of the Litestream binary for this platform; throws one line when it is not installed. */
export function litestreamBinary(): string {
  const name = `@flydotio/litestream-${process.platform}-${process.arch}`;
  try {
    return join(dirname(require.resolve(`${name}/package.json`)), 'litestream');
  } catch {
    throw new Error(`Litestream is not installed for ${process.platform}-${process.arch} (${name})`);
  }
}

/** The replica section of DATA_DIR/litestream.yml: Herald's one database and its one replica. */
export interface LitestreamFile {
  readonly path: string;
  readonly dbPath: string;
  readonly replicaUrl: string;
  readonly syncInterval: string;
  /** Loopback port for Litestream's metrics (https://litestream.io/reference/config/#metrics); null: none. */
  readonly metricsPort: number | null;
}

/**
 * Writes the configuration file (mode 0600: a replica URL may hold a user name or password).
 * JSON is valid YAML and quotes every value, so nothing in the URL can change the file's shape.
 * Litestream expands $VARS in it (https://litestream.io/reference/config/#variable-expansion),
 * which is how its credential variables may also be referenced there.
 */
export function writeLitestreamFile(file: LitestreamFile): void {
  const body = {
    ...(file.metricsPort === null ? {} : { addr: `127.0.0.1:${file.metricsPort}` }),
    logging: { level: 'info', type: 'json', stderr: true },
    // Litestream looks at the WAL every second by default; every 100 ms takes a tenth of a second
    // off the loss window for the price of a stat (https://litestream.io/reference/config/#database-settings).
    dbs: [
      {
        path: file.dbPath,
        'monitor-interval': '100ms',
        replicas: [{ url: file.replicaUrl, 'sync-interval': file.syncInterval }],
      },
    ],
  };
  writeFileSync(file.path, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file.path, 0o600);
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one Litestream command to its end (generations, restore); the environment is inherited. */
export function runLitestream(binary: string, args: readonly string[], timeoutMs = 300_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last thing Litestream said about a failure, in one line (its log is text or JSON lines). */
export function litestreamError(result: CommandResult): string {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim());
  const last = lines.filter(Boolean).at(-1) ?? `exit code ${result.code}`;
  try {
    const entry = JSON.parse(last) as { msg?: string; error?: string };
    return [entry.msg, entry.error].filter(Boolean).join(': ');
  } catch {
    // Text logs: `2026/12/01 00:00:15 ERROR failed to run error="no matching backups found"`.
    const quoted = /error="((?:[^"\\]|\\.)*)"/.exec(last);
    return quoted ? quoted[1]!.replace(/\\"/g, '"') : last.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, '');
  }
}

/** One generation of a replica as `litestream generations` lists it. */
export interface Generation {
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

/** Parses `litestream generations` output (name, generation, lag, start, end per line). */
export function parseGenerations(stdout: string): Generation[] {
  const out: Generation[] = [];
  for (const line of stdout.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5) continue;
    const start = Date.parse(cols[3]!);
    const end = Date.parse(cols[4]!);
    if (/^[0-9a-f]{16}$/.test(cols[1]!) && Number.isFinite(start) && Number.isFinite(end))
      out.push({ id: cols[1]!, start, end });
  }
  return out;
}
