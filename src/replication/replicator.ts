// Herald supervises one Litestream child that streams its database to REPLICA_URL
// (docs/operations.md#replication says why this arrangement and what it relies on).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { ReplicationConfig } from '../config.js';
import type { Logger } from '../log.js';
import {
  litestreamBinary,
  litestreamError,
  parseGenerations,
  runLitestream,
  writeLitestreamFile,
} from './litestream.js';
import { ReplicationState, type ReplicationStatus, type WalPosition } from './replication-state.js';

export interface ReplicatorDeps {
  readonly replication: ReplicationConfig;
  readonly dataDir: string;
  readonly dbPath: string;
  readonly now: () => number;
  readonly log: Logger;
  /** How often the leader renews its lease: a live writer commits at least this often. */
  readonly renewMs: number;
  /** Replication has failed for failingAfterMs (told once) or has recovered from a told failure. */
  readonly onFailing: (since: number, error: string) => void;
  readonly onRecovered: () => void;
}

export interface ReplicatorOptions {
  readonly pollMs: number;
  readonly failingAfterMs: number;
  /** Wait before restarting a Litestream that stopped on its own (doubles up to 30 s). */
  readonly restartMs: number;
}

// Four looks a second at a loopback text page: the lag shown is within a quarter second of Litestream's.
const DEFAULTS: ReplicatorOptions = { pollMs: 250, failingAfterMs: 5 * 60_000, restartMs: 1000 };

/** Thrown when this Herald must not start as the writer of the replica; start-up prints it as one line. */
export class ReplicationRefused extends Error {}

interface PidFile {
  readonly litestream: number;
  readonly herald: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** On Linux, whether pid is (still) the program named; elsewhere a live pid is taken at its word. */
function runs(pid: number, program: string): boolean {
  if (!alive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return process.platform !== 'linux';
  return readFileSync(cmdline, 'utf8').includes(program);
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The gauges Herald reads from Litestream's Prometheus text (https://litestream.io/reference/config/#metrics). */
function gauges(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(litestream_[a-z_]+)(?:\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match) out.set(match[1]!, Number(match[2]));
  }
  return out;
}

export class Replicator {
  readonly state: ReplicationState;
  private readonly options: ReplicatorOptions;
  private binaryPath: string | null = null;
  private readonly configPath: string;
  private readonly pidPath: string;
  private readonly metaDir: string;
  private readonly generationPath: string;
  private child: ChildProcess | null = null;
  private metricsPort = 0;
  private poller: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartMs: number;
  private stopping = false;

  constructor(
    private readonly deps: ReplicatorDeps,
    options: Partial<ReplicatorOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.restartMs = this.options.restartMs;
    this.configPath = join(deps.dataDir, 'litestream.yml');
    this.pidPath = join(deps.dataDir, 'litestream.pid');
    // Litestream keeps its state beside the database in .<name>-litestream/ (its `generation` file names ours).
    this.metaDir = join(dirname(deps.dbPath), `.${basename(deps.dbPath)}-litestream`);
    this.generationPath = join(this.metaDir, 'generation');
    this.state = new ReplicationState(deps.replication.maskedUrl, deps.now, {
      failingAfterMs: this.options.failingAfterMs,
    });
  }

  /** Resolved when first needed: commands that never start replication work without the binary. */
  private get binary(): string {
    this.binaryPath ??= litestreamBinary();
    return this.binaryPath;
  }

  status(): ReplicationStatus {
    return this.state.status();
  }

  /** This database's own generation in the replica, if Litestream has made one. */
  ownGeneration(): string | null {
    try {
      return readFileSync(this.generationPath, 'utf8').trim() || null;
    } catch {
      return null;
    }
  }

  /**
   * How far the database's WAL has been copied for replication: the newest shadow WAL file's index
   * and size, the same `index:offset` the replica's position counts in. (The metric
   * litestream_shadow_wal_size is no position: it sums every shadow WAL file still on disk.)
   */
  private databasePosition(generation: string): WalPosition | null {
    const dir = join(this.metaDir, 'generations', generation, 'wal');
    try {
      let index = -1;
      for (const name of readdirSync(dir)) {
        const match = /^([0-9a-f]{8})\.wal$/.exec(name);
        if (match) index = Math.max(index, Number.parseInt(match[1]!, 16));
      }
      if (index < 0) return null;
      return { index, offset: statSync(join(dir, `${index.toString(16).padStart(8, '0')}.wal`)).size };
    } catch {
      return null; // Litestream is between files; the next look sees them
    }
  }

  /** Ends what a killed Herald left behind; refuses when another live Herald replicates this data dir. */
  private clearStale(): void {
    let previous: PidFile;
    try {
      previous = JSON.parse(readFileSync(this.pidPath, 'utf8')) as PidFile;
    } catch {
      return;
    }
    if (previous.herald !== process.pid && runs(previous.herald, 'node') && runs(previous.litestream, 'litestream'))
      throw new ReplicationRefused(
        `another Herald process (pid ${previous.herald}) already replicates ${this.deps.dbPath}; ` +
          'with REPLICA_URL set, run one Herald process per data directory',
      );
    if (runs(previous.litestream, 'litestream')) {
      this.deps.log.warn({ pid: previous.litestream }, 'stopping the Litestream a previous Herald left running');
      process.kill(previous.litestream, 'SIGKILL');
    }
    rmSync(this.pidPath, { force: true });
  }

  /**
   * One writer per replica: a generation that is not this database's and that moves while we
   * watch belongs to another live Herald. A live writer commits at least every lease renewal,
   * and Litestream ships each commit within the sync interval (plus its WAL monitor and the
   * one-second resolution of `generations`), so watching that long sees it move. A replica that
   * cannot be listed lists nothing (Litestream logs it and exits 0): start-up goes on, and the
   * failure shows as replication's last error instead of keeping Herald down.
   */
  private async checkOneWriter(): Promise<void> {
    const { replication } = this.deps;
    const look = async () => {
      // Through the config file, never the URL on a command line: it may carry a password.
      const args = ['generations', '-config', this.configPath, this.deps.dbPath];
      const result = await runLitestream(this.binary, args, 60_000);
      if (result.code !== 0)
        throw new ReplicationRefused(`cannot read the replica ${replication.maskedUrl}: ${litestreamError(result)}`);
      return parseGenerations(result.stdout);
    };
    const own = this.ownGeneration();
    const watchMs = this.deps.renewMs + 2 * replication.syncIntervalMs + 3000;
    const recent = (await look()).filter((g) => g.id !== own && this.deps.now() - g.end < Math.max(watchMs, 120_000));
    if (recent.length === 0) return;
    this.deps.log.info(
      { generations: recent.map((g) => g.id), watchMs },
      'replica written recently; checking for a writer',
    );
    await new Promise((r) => setTimeout(r, watchMs));
    const again = await look();
    for (const before of recent) {
      const now = again.find((g) => g.id === before.id);
      if (now && now.end > before.end)
        throw new ReplicationRefused(
          `another Herald is writing to ${replication.maskedUrl} (generation ${before.id}, updated ` +
            `${new Date(now.end).toISOString()}); one host writes a replica, a standby restores it with herald restore`,
        );
    }
  }

  async start(): Promise<void> {
    this.clearStale();
    this.metricsPort = await freeLoopbackPort();
    writeLitestreamFile({
      path: this.configPath,
      dbPath: this.deps.dbPath,
      replicaUrl: this.deps.replication.url,
      syncInterval: this.deps.replication.syncInterval,
      metricsPort: this.metricsPort,
    });
    await this.checkOneWriter();
    this.spawn();
    this.poller = setInterval(() => void this.poll(), this.options.pollMs);
    this.poller.unref();
  }

  private spawn(): void {
    const args = ['replicate', '-config', this.configPath];
    // Litestream ends when its -exec child ends (https://litestream.io/reference/replicate/):
    // `tail --pid` ends when this process does, however it dies, so Litestream never outlives Herald.
    if (process.platform === 'linux') args.push('-exec', `tail --pid=${process.pid} -f /dev/null`);
    // Its own process group: a Ctrl-C meant for Herald does not stop Litestream before Herald's last
    // commits; Herald stops it after the database is closed.
    const child = spawn(this.binary, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.child = child;
    // Written whole or not at all: a Herald starting meanwhile never reads half of it.
    writeFileSync(
      `${this.pidPath}.tmp`,
      JSON.stringify({ litestream: child.pid ?? 0, herald: process.pid } satisfies PidFile),
    );
    renameSync(`${this.pidPath}.tmp`, this.pidPath);
    this.state.setRunning(true);
    let buffer = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) this.logLine(line);
    });
    child.once('error', (err) => this.state.error(`cannot run Litestream: ${err.message}`));
    child.once('exit', (code, signal) => {
      this.state.setRunning(false);
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      const message = `Litestream stopped (${signal ?? `exit code ${code}`}); restarting it`;
      this.state.error(message);
      this.deps.log.error({ code, signal }, message);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (!this.stopping) this.spawn();
      }, this.restartMs);
      this.restartMs = Math.min(30_000, this.restartMs * 2);
    });
  }

  private logLine(line: string): void {
    let entry: { level?: string; msg?: string; error?: string; position?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      if (line.trim()) this.deps.log.info({ litestream: line.trim() }, 'litestream');
      return;
    }
    if ((entry.level === 'ERROR' || entry.level === 'WARN') && !this.stopping) {
      const message = [entry.msg, entry.error].filter(Boolean).join(': ');
      if (entry.level === 'ERROR') this.state.error(message);
      this.deps.log.warn({ litestream: message }, 'litestream reported a problem');
    } else if (entry.msg === 'sync: new generation' || entry.msg === 'snapshot written') {
      this.deps.log.info({ litestream: entry.msg, position: entry.position }, 'litestream');
    }
  }

  private async poll(): Promise<void> {
    if (this.child) {
      try {
        const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, {
          signal: AbortSignal.timeout(2000),
        });
        const g = gauges(await response.text());
        const generation = this.ownGeneration();
        const database = generation ? this.databasePosition(generation) : null;
        if (generation && database) {
          const rIndex = g.get('litestream_replica_wal_index');
          const rOffset = g.get('litestream_replica_wal_offset');
          const replica: WalPosition | null =
            rIndex !== undefined && rOffset !== undefined ? { index: rIndex, offset: rOffset } : null;
          this.state.observe(generation, database, replica);
        }
      } catch {
        // Litestream is starting or stopping; its exit or its log says what went wrong.
      }
    }
    const change = this.state.tick();
    const status = this.state.status();
    if (change === 'failing') this.deps.onFailing(status.failingSince!, status.lastError?.message ?? 'unknown error');
    if (change === 'recovered') {
      this.restartMs = this.options.restartMs;
      this.deps.onRecovered();
    }
  }

  /** SIGTERM: Litestream makes a last sync of what the database committed, then ends. */
  async stop(timeoutMs = 15_000): Promise<void> {
    // A Herald that never started replicating (a CLI command) leaves the server's pid file alone.
    if (this.metricsPort === 0) return;
    this.stopping = true;
    if (this.poller) clearInterval(this.poller);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.pidPath, { force: true });
  }
}
