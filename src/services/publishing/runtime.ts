// What one attempt and the reconciler need from the engine: its dependencies, its tunables and
// which posts are in flight. The engine hands this narrow object to attempt.ts, reconcile.ts and
// context.ts instead of itself, so they do not depend on the engine module.
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import type { AccountRow, Repos } from '../../db/repos/index.js';
import type { AttemptOutcome } from '../../domain/post-status.js';
import type { LeaderLease } from '../../jobs/lease.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../log.js';
import type { Networks, PublisherRegistry } from '../../platforms/registry.js';
import type { AccountsService } from '../accounts-service.js';
import type { MediaService } from '../media-service.js';
import type { PostsService } from '../posts-service.js';
import type { SettleDeps } from './settle.js';

/** Tunables with production defaults; tests shorten the waits. */
export interface EngineOptions {
  /** First retry waits up to this (full jitter), doubling per attempt up to backoffCapMs. */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Per HTTP request to a platform. */
  requestTimeoutMs: number;
  /** How long confirm may wait for the platform before the post is left to the reconciler. */
  confirmTimeoutMs: number;
  /** An "absent" answer counts as proof only this long after the send (platforms lag). */
  settleMs: number;
  random: () => number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  backoffBaseMs: 30_000,
  backoffCapMs: 30 * 60_000,
  requestTimeoutMs: 30_000,
  confirmTimeoutMs: 3 * 60_000,
  settleMs: 5 * 60_000,
  random: Math.random,
};

/** Keeps an account's tokens fresh: before a publish, and once more when a platform refuses a token. */
export interface TokenKeeper {
  ensureFresh(accountId: string): Promise<void>;
  refresh(account: AccountRow, check: boolean): Promise<void>;
}

export interface EngineDeps {
  config: Config;
  database: Database;
  repos: Repos;
  clock: Clock;
  log: Logger;
  lease: LeaderLease;
  registry: PublisherRegistry;
  /** Platform labels for the messages people read. */
  networks: Networks;
  accounts: AccountsService;
  media: MediaService;
  posts: PostsService;
  tokens?: TokenKeeper | undefined;
  /** Counts each settled attempt by platform and outcome (domain ATTEMPT_OUTCOMES). */
  onOutcome?: ((platform: string, outcome: AttemptOutcome) => void) | undefined;
}

/** The engine as an attempt and the reconciler see it. */
export interface EngineRuntime {
  readonly deps: EngineDeps;
  readonly options: EngineOptions;
  readonly settle: SettleDeps;
  isInFlight(postId: string): boolean;
}
