// The composition root: config → log → database + migrations → services → jobs → http.
// Nothing else constructs long-lived objects; tests build the same graph through createHerald.
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Config } from './config.js';
import { startCheckpointer, type Checkpointer } from './db/checkpointer.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { createRepos, type Repos } from './db/repos/index.js';
import { createApp } from './http/app.js';
import type { AppEnv } from './http/context.js';
import type { UploadOptions } from './http/multipart.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { evergreenJob } from './jobs/evergreen-job.js';
import { jobList } from './jobs/job-list.js';
import { evergreenService, type EvergreenService } from './services/evergreen-service.js';
import { LeaderLease } from './jobs/lease.js';
import { publishingJobs } from './jobs/publishing-jobs.js';
import { Scheduler } from './jobs/scheduler.js';
import { Networks, PublisherRegistry } from './platforms/registry.js';
import type { NetworkDescriptor } from './platforms/network.js';
import type { Connector, Publisher } from './platforms/types.js';
import { TokenRefresher } from './services/token-refresh-service.js';
import { ContentGenerator } from './services/generation-service.js';
import { GroqWriter } from './ai/text.js';
import { ReplicateImages } from './ai/images.js';
import { RateLimiter } from './lib/rate-limiter.js';
import { generationJob } from './jobs/generation-job.js';
import { collectMetricsJob } from './jobs/collect-metrics.js';
import { MetricsCollector, type CollectionOptions } from './services/metrics-collection-service.js';
import { PublishingEngine, type EngineOptions } from './services/publishing/engine.js';
import { systemClock, type Clock } from './lib/clock.js';
import { SecretBox } from './lib/crypto.js';
import { randomSecret } from './lib/ids.js';
import { createLogger, moduleLogger, type Logger } from './log.js';
import { appPath } from './paths.js';
import type { ServiceDeps } from './services/deps.js';
import { createServices, type Services } from './services/index.js';
import { networkStore } from './services/network-store.js';
import { DeliveryLoop, type DeliveryOptions } from './notify/delivery-loop.js';
import { createNotifiers } from './notify/registry.js';
import type { Notifiers } from './notify/channel.js';
import { Replicator, type ReplicatorOptions } from './replication/replicator.js';
import { REPLICATION_OFF, type ReplicationStatus } from './replication/replication-state.js';
import { notices } from './services/notices.js';

/** How long shutdown waits for publishes already in flight (docs/architecture.md#the-composition-root). */
export const SHUTDOWN_GRACE_MS = 20_000;

/** How often the checkpoint worker copies the write-ahead log back into the database file. */
const CHECKPOINT_INTERVAL_MS = 1000;

export interface HeraldOptions {
  readonly config: Config;
  readonly clock?: Clock;
  readonly log?: Logger;
  /** This process's lease holder id; unique per process start by default. */
  readonly holder?: string;
  /** Publishers to use instead of the built-in ones (tests use a scripted one). */
  readonly publishers?: readonly Publisher[];
  /** OAuth connectors to use instead of the ones built from the configuration. */
  readonly connectors?: readonly Connector[];
  /** Vendor polling and timeouts by network id, as each network's `create` reads them (tests shorten them). */
  readonly platformOptions?: Readonly<Record<string, unknown>>;
  /** The networks to run instead of src/platforms/registry.ts's list (a test adds one of its own). */
  readonly networks?: readonly NetworkDescriptor[];
  /** Engine waits and timeouts (tests shorten them). */
  readonly engine?: Partial<EngineOptions>;
  /** AI waits and windows (tests shorten them). */
  readonly ai?: { budgetWindowMs?: number; imagePollMs?: number; imageDeadlineMs?: number; textTimeoutMs?: number };
  /** Upload timeouts (tests shorten them). */
  readonly uploads?: UploadOptions;
  /** Notification delivery pacing (tests shorten the waits). */
  readonly delivery?: Partial<DeliveryOptions>;
  /** Senders and routers to use instead of the built-in ones. */
  readonly notifiers?: Notifiers;
  /** Job schedules to use instead of the defaults (tests run the reconciler more often). */
  readonly schedules?: { publishDue?: string; reconcile?: string };
  /** Results collection pacing (tests shorten the timeouts). */
  readonly collection?: Partial<CollectionOptions>;
  /** Replication pacing (tests shorten the failing window). */
  readonly replication?: Partial<ReplicatorOptions>;
}

export interface Herald {
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly database: Database;
  readonly repos: Repos;
  readonly services: Services;
  readonly lease: LeaderLease;
  readonly scheduler: Scheduler;
  readonly engine: PublishingEngine;
  readonly tokens: TokenRefresher;
  readonly generator: ContentGenerator;
  /** The evergreen job's work: copies of evergreen posts. */
  readonly evergreen: EvergreenService;
  /** The collect-metrics job's work. */
  readonly collector: MetricsCollector;
  /** The leader's delivery of events to email, chat and webhooks. */
  readonly deliveries: DeliveryLoop;
  readonly metrics: Metrics;
  /** The networks this server runs, configured or not. */
  readonly networks: Networks;
  /** The Litestream child when REPLICA_URL is set (started by start()). */
  readonly replicator: Replicator | null;
  readonly app: Hono<AppEnv>;
  /** Listens, takes part in the leader election and starts the schedules. */
  start(): Promise<AddressInfo>;
  /** Graceful stop: no new requests or jobs, in-flight work finishes (bounded), lease released, database closed. */
  stop(): Promise<void>;
}

export function createHerald(options: HeraldOptions): Herald {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  const mainLog = moduleLogger(log, 'main');
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomSecret(6)}`;

  const database = openDatabase(config.dbPath);
  migrate(database, appPath('migrations'));
  const repos = createRepos(database);
  const box = new SecretBox(config.secretKey);
  const networks = new Networks({
    config,
    log,
    clock,
    store: (id) => networkStore(repos, box, clock, id),
    ...(options.networks ? { descriptors: options.networks } : {}),
    ...(options.platformOptions ? { options: options.platformOptions } : {}),
  });
  const deps: ServiceDeps = { config, database, repos, clock, log, box, networks };
  // One Groq client and one requests-per-minute budget for everything the AI writes.
  const writer = config.groq.apiKey
    ? new GroqWriter(
        {
          apiKey: config.groq.apiKey,
          baseUrl: config.groq.baseUrl,
          model: config.groq.model,
          timeoutMs: options.ai?.textTimeoutMs ?? 60_000,
        },
        new RateLimiter({ limit: config.groq.requestsPerMinute, windowMs: options.ai?.budgetWindowMs ?? 60_000 }),
      )
    : null;
  const services = createServices(deps, { writer });

  const lease = new LeaderLease({ database, repos, clock, log: moduleLogger(log, 'lease') }, holder, config.leaseTtlMs);
  const connectors = options.connectors ?? networks.connectors();
  const registry = new PublisherRegistry();
  for (const publisher of options.publishers ?? networks.publishers()) registry.register(publisher);
  const tokens = new TokenRefresher(
    { repos, clock, log: moduleLogger(log, 'tokens'), accounts: services.accounts, networks },
    connectors,
  );
  const metrics = createMetrics(repos, lease, clock);
  const engine = new PublishingEngine(
    {
      config,
      database,
      repos,
      clock,
      networks,
      log: moduleLogger(log, 'publishing'),
      lease,
      registry,
      accounts: services.accounts,
      media: services.media,
      posts: services.posts,
      tokens,
      onOutcome: (platform, outcome) => metrics.publishes.inc({ platform, outcome }),
    },
    options.engine,
  );
  const generator = new ContentGenerator({
    config,
    database,
    networks,
    repos,
    clock,
    log: moduleLogger(log, 'generation'),
    posts: services.posts,
    media: services.media,
    writer,
    images: config.replicate.apiToken
      ? new ReplicateImages({
          apiToken: config.replicate.apiToken,
          baseUrl: config.replicate.baseUrl,
          model: config.replicate.imageModel,
          deadlineMs: options.ai?.imageDeadlineMs ?? 180_000,
          pollMs: options.ai?.imagePollMs ?? 1_000,
        })
      : null,
  });
  const evergreen = evergreenService(deps, services.posts, services.queue, generator);
  const deliveries = new DeliveryLoop(
    {
      database,
      repos,
      clock,
      lease,
      log: moduleLogger(log, 'notify'),
      notifiers: options.notifiers ?? createNotifiers({ config, repos, clock, box, log: moduleLogger(log, 'notify') }),
      publishingBusy: () => engine.busy(),
    },
    options.delivery,
  );
  const collector = new MetricsCollector(
    { repos, clock, log: moduleLogger(log, 'results'), networks, accounts: services.accounts, tokens },
    options.collection,
  );
  const scheduler = new Scheduler(
    { database, repos, clock, log: moduleLogger(log, 'scheduler'), lease, publicUrl: config.publicUrl },
    jobList({ config, database, repos, clock, services }, [
      ...publishingJobs(engine, options.schedules),
      {
        id: 'refresh-tokens',
        title: 'Refresh access tokens',
        schedule: '0 7 */6 * * *',
        leaderOnly: true,
        run: ({ signal }) => tokens.refreshDue(signal),
      },
      generationJob(generator),
      collectMetricsJob(collector),
      evergreenJob(evergreen),
    ]),
  );
  const notice = notices(deps);
  const replicator = config.replication
    ? new Replicator(
        {
          replication: config.replication,
          dataDir: config.dataDir,
          dbPath: config.dbPath,
          now: () => clock.now(),
          log: moduleLogger(log, 'replication'),
          renewMs: Math.max(250, Math.floor(config.leaseTtlMs / 3)),
          onFailing: (since, error) =>
            database.immediate(() => notice.replicationFailing(error, since, config.replication!.maskedUrl)),
          onRecovered: () => moduleLogger(log, 'replication').info('replication works again'),
        },
        options.replication,
      )
    : null;
  const replication = (): ReplicationStatus => replicator?.status() ?? REPLICATION_OFF;
  const uploads = options.uploads ? { uploads: options.uploads } : {};
  const appDeps = {
    config,
    services,
    repos,
    scheduler,
    lease,
    clock,
    log,
    metrics,
    connectors,
    networks,
    generator,
    evergreen,
    replication,
  };
  const app = createApp({ ...appDeps, ...uploads });

  let server: ServerType | null = null;
  let checkpointer: Checkpointer | null = null;
  let stopping: Promise<void> | null = null;

  return {
    config,
    log,
    clock,
    database,
    repos,
    services,
    lease,
    scheduler,
    engine,
    tokens,
    generator,
    evergreen,
    collector,
    deliveries,
    metrics,
    networks,
    replicator,
    app,

    async start() {
      // First: a second writer of the same replica stops here, before it serves or publishes.
      await replicator?.start();
      await services.auth.ensureConfiguredAdmin();
      const code = services.auth.setupCode();
      if (code)
        moduleLogger(log, 'setup').warn(
          `No admin exists yet. Open ${config.publicUrl}/setup and enter the setup code ${code}`,
        );
      const address = await new Promise<AddressInfo>((resolve, reject) => {
        server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, resolve);
        server.once('error', reject);
      });
      // A serving process checkpoints from a worker thread, so no commit on the event loop carries one.
      checkpointer = startCheckpointer(database, {
        intervalMs: CHECKPOINT_INTERVAL_MS,
        onError: (err) => mainLog.error({ err }, 'the checkpoint worker failed; commits checkpoint again'),
      });
      // Started means settled: the worker has its connection (its files are open) before start() returns.
      await checkpointer.ready;
      // Once per process: whether video posters can be made (the library and System page say so).
      void services.media.ffmpegStatus();
      lease.start();
      scheduler.start();
      deliveries.start();
      mainLog.info(
        { port: address.port, host: config.host, publicUrl: config.publicUrl, version: config.version },
        `Herald listening on ${config.host}:${address.port}`,
      );
      return address;
    },

    stop() {
      stopping ??= (async () => {
        mainLog.info('shutting down');
        const closed = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
        if (server && 'closeIdleConnections' in server) (server as import('node:http').Server).closeIdleConnections();
        engine.stop();
        await scheduler.stop(SHUTDOWN_GRACE_MS);
        // Publishes already sent finish and record their outcome; none start any more.
        await engine.drain(SHUTDOWN_GRACE_MS);
        // Deliveries cut off here stay pending and go out again from the next leader.
        await deliveries.stop(2000);
        lease.release();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
        // A thumbnail or poster still being made writes its file and its row before the database closes.
        await Promise.race([services.media.settled(), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref())]);
        await checkpointer?.stop();
        database.close();
        // After the last commit: Litestream's shutdown ships it (a final sync) before it ends.
        await replicator?.stop();
        mainLog.info('stopped');
      })();
      return stopping;
    },
  };
}
