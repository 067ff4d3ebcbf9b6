import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Repos } from '../db/repos/index.js';
import type { Clock } from '../lib/clock.js';
import type { Services } from '../services/index.js';
import { maintenanceJob } from './maintenance.js';
import type { JobDefinition } from './scheduler.js';

export interface JobDeps {
  config: Config;
  database: Database;
  repos: Repos;
  clock: Clock;
  services: Services;
}

/**
 * Every scheduled job, in one place. Patterns have seconds; ids are stable (the API, the System
 * page and job_runs use them).
 */
export function jobList(deps: JobDeps, extra: readonly JobDefinition[] = []): JobDefinition[] {
  return [
    ...extra,
    {
      id: 'maintenance',
      title: 'Housekeeping',
      schedule: '0 17 * * * *',
      leaderOnly: true,
      run: maintenanceJob(deps),
    },
    {
      // Daily; each client's report goes on its report day in its zone (docs/results.md).
      id: 'report-monthly',
      title: 'Monthly client reports',
      schedule: '0 0 7 * * *',
      leaderOnly: true,
      run: async () => ({ reports: deps.services.results.monthlyReports().emitted.length }),
    },
    {
      // Each client's RSS and Atom feeds: new articles become drafts (docs/planning.md#feeds).
      id: 'check-feeds',
      title: 'Read RSS and Atom feeds',
      schedule: '0 */15 * * * *',
      leaderOnly: true,
      run: ({ signal }) => deps.services.feeds.checkDue(signal),
    },
    {
      id: 'backup',
      title: 'Daily backup',
      schedule: '0 30 3 * * *',
      leaderOnly: true,
      run: async () => {
        const file = await deps.services.backups.create(true);
        return { bytes: file.size };
      },
    },
  ];
}
