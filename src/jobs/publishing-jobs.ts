import type { PublishingEngine } from '../services/publishing/engine.js';
import type { JobDefinition } from './scheduler.js';

/**
 * The engine's two jobs. publish-due is woken by the per-second due check (one small indexed
 * query) as soon as a post is due, and also runs every minute as a safety net; each run claims
 * what is due and returns at once while the publishes run. reconcile settles unknown outcomes.
 */
export function publishingJobs(
  engine: PublishingEngine,
  schedules: { publishDue?: string; reconcile?: string } = {},
): JobDefinition[] {
  return [
    {
      id: 'publish-due',
      title: 'Publish due posts',
      schedule: schedules.publishDue ?? '0 * * * * *',
      leaderOnly: true,
      wake: () => engine.hasWork(),
      run: async () => engine.runDue(),
    },
    {
      id: 'reconcile',
      title: 'Check unconfirmed posts',
      schedule: schedules.reconcile ?? '*/30 * * * * *',
      leaderOnly: true,
      run: () => engine.reconcile(),
    },
  ];
}
