import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Repos } from '../db/repos/index.js';
import type { Clock } from '../lib/clock.js';
import type { Services } from '../services/index.js';
import type { JobCounts } from './scheduler.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Housekeeping: expired sessions and throttles, old job runs and finished deliveries, audit entries past
 * AUDIT_RETENTION_DAYS, abandoned
 * upload files, SQLite upkeep.
 */
export function maintenanceJob(deps: {
  config: Config;
  database: Database;
  repos: Repos;
  clock: Clock;
  services: Services;
}) {
  return async (): Promise<JobCounts> => {
    const now = deps.clock.now();
    const purged = deps.services.auth.purgeExpired();
    const states = deps.services.oauth.purgeExpired();
    // The due-check runs come every second while posts go out; a day of them is plenty.
    const runs = deps.repos.system.deleteRunsBefore(now - 30 * DAY, now - DAY);
    // Finished deliveries are the delivery log's detail; the events themselves stay as the history.
    const deliveries = deps.repos.notify.pruneDeliveries(now - 30 * DAY);
    const auditEntries = deps.repos.audit.prune(now - deps.config.auditRetentionDays * DAY);
    let uploads = 0;
    for (const name of readdirSync(deps.config.mediaDir)) {
      if (!name.startsWith('.upload-') && !name.endsWith('.partial')) continue;
      const path = join(deps.config.mediaDir, name);
      // An upload may finish (and its temp file go) between the listing and this look.
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat && now - stat.mtimeMs > HOUR) {
        rmSync(path, { force: true });
        uploads++;
      }
    }
    deps.database.sqlite.pragma('optimize');
    return {
      sessions: purged.sessions,
      throttles: purged.failures,
      oauthStates: states,
      jobRuns: runs,
      deliveries,
      auditEntries,
      uploads,
    };
  };
}
