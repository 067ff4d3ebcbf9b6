import type { EvergreenService } from '../services/evergreen-service.js';
import type { JobDefinition } from './scheduler.js';

/**
 * evergreen: hourly, in the leader, makes the next copy of each evergreen post whose time comes
 * within a day (docs/planning.md#evergreen).
 */
export function evergreenJob(evergreen: EvergreenService): JobDefinition {
  return {
    id: 'evergreen',
    title: 'Bring back evergreen posts',
    schedule: '0 23 * * * *',
    leaderOnly: true,
    run: async () => ({ ...(await evergreen.runDue()) }),
  };
}
