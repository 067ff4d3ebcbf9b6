// What Herald knows about its replica: positions from Litestream's metrics, errors from its log.
// Pure bookkeeping over observations and a clock, so the 5-minute failing rule is testable.

/** A WAL position: Litestream's shadow WAL index and the byte offset in it. */
export interface WalPosition {
  readonly index: number;
  readonly offset: number;
}

export interface ReplicationStatus {
  readonly enabled: boolean;
  /** The replica URL with credentials masked. */
  readonly url: string | null;
  /** Whether the Litestream process is running now. */
  readonly running: boolean;
  readonly generation: string | null;
  /** What the replica holds, as `generation/index:offset` (Litestream's own notation). */
  readonly replicaPosition: string | null;
  /** What the database has written, in the same notation. */
  readonly databasePosition: string | null;
  /** How long the oldest commit the replica does not have yet has waited (0: in step). */
  readonly lagMs: number | null;
  readonly lagBytes: number | null;
  /** The last time the replica was seen holding everything the database had. */
  readonly lastSyncAt: number | null;
  readonly lastError: { readonly at: number; readonly message: string } | null;
  /** Since when replication fails without recovering (null: it works). */
  readonly failingSince: number | null;
}

export const REPLICATION_OFF: ReplicationStatus = {
  enabled: false,
  url: null,
  running: false,
  generation: null,
  replicaPosition: null,
  databasePosition: null,
  lagMs: null,
  lagBytes: null,
  lastSyncAt: null,
  lastError: null,
  failingSince: null,
};

const after = (a: WalPosition, b: WalPosition) => a.index > b.index || (a.index === b.index && a.offset > b.offset);

export interface StateOptions {
  /** How long failing lasts before it is told (the replication.failing event). */
  readonly failingAfterMs: number;
}

export class ReplicationState {
  private running = false;
  private generation: string | null = null;
  private database: WalPosition | null = null;
  private replica: WalPosition | null = null;
  /** Database positions the replica has not reached yet, with when each was first seen. */
  private pending: { pos: WalPosition; at: number }[] = [];
  private lastSyncAt: number | null = null;
  /** The last time the replica's position moved. */
  private progressAt: number | null = null;
  private lastError: { at: number; message: string } | null = null;
  private failingSince: number | null = null;
  private told = false;

  constructor(
    private readonly url: string,
    private readonly now: () => number,
    private readonly options: StateOptions,
  ) {}

  setRunning(running: boolean): void {
    this.running = running;
  }

  /** One look at Litestream's metrics. */
  observe(generation: string | null, database: WalPosition, replica: WalPosition | null): void {
    const now = this.now();
    const newGeneration = generation !== this.generation;
    const previous = this.replica;
    if (replica && (newGeneration || !previous || after(replica, previous))) this.progressAt = now;
    if (newGeneration) this.pending = [];
    this.generation = generation;
    const last = this.pending.at(-1)?.pos ?? (newGeneration ? null : this.database);
    if (!last || after(database, last)) this.pending.push({ pos: database, at: now });
    this.database = database;
    this.replica = replica;
    if (replica) this.pending = this.pending.filter((p) => after(p.pos, replica));
    if (replica && this.pending.length === 0) this.lastSyncAt = now;
  }

  error(message: string): void {
    const now = this.now();
    this.lastError = { at: now, message };
    this.failingSince ??= now;
  }

  /**
   * Moves the failing state on; returns 'failing' once when it has lasted failingAfterMs and
   * 'recovered' when a told failure has ended (so a later failure is told again). Failing means
   * an error and no progress since: under a heavy write burst Litestream reports a busy database
   * now and then (its checkpoint waits at most 1 s for the write lock) while the replica still
   * moves on, and that is lag, not failure.
   */
  tick(): 'failing' | 'recovered' | null {
    const now = this.now();
    if (this.failingSince === null) return null;
    if (this.progressAt !== null && this.progressAt > this.failingSince) {
      const wasTold = this.told;
      this.failingSince = null;
      this.told = false;
      return wasTold ? 'recovered' : null;
    }
    if (!this.told && now - this.failingSince >= this.options.failingAfterMs) {
      this.told = true;
      return 'failing';
    }
    return null;
  }

  status(): ReplicationStatus {
    const now = this.now();
    const at = (p: WalPosition | null) =>
      p && this.generation ? `${this.generation}/${p.index.toString(16).padStart(8, '0')}:${p.offset}` : null;
    const lagBytes =
      this.database && this.replica
        ? this.database.index === this.replica.index
          ? Math.max(0, this.database.offset - this.replica.offset)
          : this.database.offset
        : null;
    return {
      enabled: true,
      url: this.url,
      running: this.running,
      generation: this.generation,
      replicaPosition: at(this.replica),
      databasePosition: at(this.database),
      lagMs: this.database ? (this.pending[0] ? now - this.pending[0].at : 0) : null,
      lagBytes,
      lastSyncAt: this.lastSyncAt,
      lastError: this.lastError,
      failingSince: this.failingSince,
    };
  }
}
