import { Hono } from 'hono';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { AppDeps, AppEnv } from '../context.js';
import { jobRunDto } from './dto.js';
import { limitOf } from './helpers.js';

export function jobsApi(deps: AppDeps) {
  const { scheduler, repos } = deps;
  return (
    new Hono<AppEnv>()
      .get('/', (c) => {
        const job = c.req.query('job');
        if (job && !scheduler.jobs.some((j) => j.id === job))
          throw ValidationError.field('job', `must be one of ${scheduler.jobs.map((j) => j.id).join(', ')}`);
        const last = scheduler.lastRuns();
        return c.json({
          jobs: scheduler.jobs.map((j) => ({
            id: j.id,
            title: j.title,
            schedule: j.schedule,
            leaderOnly: j.leaderOnly,
            lastRun: last.has(j.id) ? jobRunDto(last.get(j.id)!) : null,
          })),
          data: repos.system.recentRuns(limitOf(c), job).map(jobRunDto),
          nextCursor: null,
        });
      })
      .get('/runs/:id', (c) => {
        const run = repos.system.getRun(c.req.param('id'));
        if (!run) throw new NotFoundError('Job run');
        return c.json(jobRunDto(run));
      })
      // `merged`: a run of this job was already queued and not yet started; this is that run.
      .post('/:name/run', (c) => c.json(scheduler.runNow(c.req.param('name'), null, c.var.actor), 202))
  );
}
