import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Repos } from '../db/repos/index.js';
import type { LeaderLease } from '../jobs/lease.js';
import type { Clock } from '../lib/clock.js';

/** How long the counts that take a database query are reused between scrapes. */
export const COUNTS_TTL_MS = 5_000;

/**
 * Prometheus metrics for /metrics, on a registry of our own (no global state). Counts that come
 * from the database are computed at most once per COUNTS_TTL_MS, however often (or by however
 * many scrapers) /metrics is asked.
 */
export function createMetrics(repos: Repos, lease: LeaderLease, clock: Clock) {
  let counts: { at: number; byStatus: Record<string, number> } | null = null;
  const postsByStatus = () => {
    const now = clock.now();
    const stale = !counts || now - counts.at >= COUNTS_TTL_MS || now < counts.at;
    if (stale) counts = { at: now, byStatus: repos.posts.countByStatus() };
    return counts!.byStatus;
  };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'herald_' });
  const httpRequests = new Counter({
    name: 'herald_http_requests_total',
    help: 'HTTP requests by method and status class',
    labelNames: ['method', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'herald_http_request_duration_seconds',
    help: 'HTTP request duration',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const publishes = new Counter({
    name: 'herald_publish_outcomes_total',
    help: 'Publish attempts by platform and outcome',
    labelNames: ['platform', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'herald_leader',
    help: '1 when this process holds the scheduler lease',
    registers: [registry],
    collect() {
      this.set(lease.isLeader() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'herald_posts',
    help: 'Posts by status',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, n] of Object.entries(postsByStatus())) this.set({ status }, n);
    },
  });
  return { registry, httpRequests, httpDuration, publishes };
}
export type Metrics = ReturnType<typeof createMetrics>;
