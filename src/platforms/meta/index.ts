// The Meta vendor module: one Graph client (so the usage headers of every call inform the next,
// docs/platforms/meta.md#rate-limits) shared by the connector and the Facebook and Instagram publishers.
import type { Config } from '../../config.js';
import { moduleLogger, type Logger } from '../../log.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import type { Publisher } from '../types.js';
import { MetaConnector } from './connector.js';
import { FacebookPublisher } from './facebook-publisher.js';
import { GraphClient } from './graph.js';
import { InstagramPublisher } from './instagram-publisher.js';

export { MetaConnector } from './connector.js';
export { GraphClient, readUsage } from './graph.js';
export { mapGraphError, type GraphErrorBody } from './errors.js';

export interface MetaOptions {
  /**
   * Instagram container status polls (production: every 10 s for up to 5 min,
   * docs/platforms/meta.md#container-status).
   */
  readonly pollIntervalMs?: number;
  readonly pollTimeoutMs?: number;
  /** Per Graph request (production 30 s). */
  readonly requestTimeoutMs?: number;
  /** Facebook photo and video calls, during which Facebook downloads the file (production 5 min). */
  readonly uploadTimeoutMs?: number;
  /** The longest pause before a call when usage is high (production 10 s, docs/platforms/meta.md#rate-limits). */
  readonly slowDownMaxMs?: number;
  /** `limit` for Page listings (production 100, docs/platforms/meta.md#listing-pages). */
  readonly pageSize?: number;
}

const DEFAULT_META_OPTIONS = {
  pollIntervalMs: 10_000,
  pollTimeoutMs: 5 * 60_000,
  requestTimeoutMs: 30_000,
  uploadTimeoutMs: 5 * 60_000,
  slowDownMaxMs: 10_000,
  pageSize: 100,
} as const;

export function metaPlatform(deps: { config: Config; log: Logger; clock?: Clock; options?: MetaOptions }): {
  connector: MetaConnector;
  publishers: Publisher[];
} {
  const o = { ...DEFAULT_META_OPTIONS, ...deps.options };
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  const log = moduleLogger(deps.log, 'meta');
  const graph = new GraphClient({
    graphUrl: deps.config.meta.graphUrl,
    appId: deps.config.meta.appId,
    appSecret: deps.config.meta.appSecret,
    log,
    requestTimeoutMs: o.requestTimeoutMs,
    slowDownMaxMs: o.slowDownMaxMs,
    clock,
  });
  const connector = new MetaConnector(
    { config: deps.config, log, graph },
    { now, pageSize: o.pageSize, requestTimeoutMs: o.requestTimeoutMs },
  );
  const publishers: Publisher[] = [
    new FacebookPublisher(graph, { uploadTimeoutMs: o.uploadTimeoutMs }),
    new InstagramPublisher(graph, { pollIntervalMs: o.pollIntervalMs, pollTimeoutMs: o.pollTimeoutMs }, clock),
  ];
  return { connector, publishers };
}
