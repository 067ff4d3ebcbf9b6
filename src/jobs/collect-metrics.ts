import type { MetricsCollector } from '../services/metrics-collection-service.js';
import type { JobDefinition } from './scheduler.js';

/**
 * collect-metrics: every 5 minutes on the leader, each published post at its horizons and each
 * account once a day (docs/results.md). A run does what its budget allows; the next carries on.
 */
export function collectMetricsJob(collector: MetricsCollector): JobDefinition {
  return {
    id: 'collect-metrics',
    title: 'Collect results from the networks',
    schedule: '0 */5 * * * *',
    leaderOnly: true,
    run: async ({ signal }) => ({ ...(await collector.run(signal)) }),
  };
}
