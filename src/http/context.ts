import type { Config } from '../config.js';
import type { Repos } from '../db/repos/index.js';
import type { Actor } from '../domain/actor.js';
import type { LeaderLease } from '../jobs/lease.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../log.js';
import type { ResolvedSession } from '../services/auth-service.js';
import type { Services } from '../services/index.js';
import type { Networks } from '../platforms/registry.js';
import type { Connector } from '../platforms/types.js';
import type { ContentGenerator } from '../services/generation-service.js';
import type { EvergreenService } from '../services/evergreen-service.js';
import type { ReplicationStatus } from '../replication/replication-state.js';
import type { Metrics } from './metrics.js';
import type { UploadOptions } from './multipart.js';

/** Everything the web layer needs, handed in by main.ts (or a test). */
export interface AppDeps {
  readonly config: Config;
  readonly services: Services;
  /** Pages read through repos; every write goes through a service. */
  readonly repos: Repos;
  readonly scheduler: Scheduler;
  readonly lease: LeaderLease;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The connectors configured on this server, one per configured network. */
  readonly connectors: readonly Connector[];
  /** The registered networks (src/platforms/registry.ts): labels, setup text, connection kinds. */
  readonly networks: Networks;
  /** AI writing: what the pages need to know (enabled, why an account is skipped). */
  readonly generator: ContentGenerator;
  /** Evergreen posts: their copies and when the next is due (the post page). */
  readonly evergreen: EvergreenService;
  /** Replication to REPLICA_URL as of now (off when it is not set). */
  readonly replication?: () => ReplicationStatus;
  /** Upload timeouts (tests shorten them). */
  readonly uploads?: UploadOptions;
  /** Extra routes mounted by later layers (platform connectors) without app.ts knowing them. */
  readonly extensions?: ReadonlyArray<(app: import('hono').Hono<AppEnv>) => void>;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    /** Set by API token auth or the session middleware. */
    actor: Actor;
    session: ResolvedSession | null;
    /** A password sign-in still owing its second factor: it opens only /login/verify and /logout. */
    pendingSession: ResolvedSession | null;
    /** PUBLIC_URL is https: every cookie Herald sets is Secure and, where it can be, `__Host-`. */
    secureCookies: boolean;
    /** The client's address as TRUST_PROXY allows it to be known (see client-address.ts). */
    clientAddress: string;
    /** Each platform's name, from the registry, for the platform badges every page shows. */
    platformLabels: Readonly<Record<string, string>>;
  };
};
