import { existsSync, statSync } from 'node:fs';
import { Hono } from 'hono';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { SystemPage } from '../../../../views/pages/system.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { pageContext, render, setFlash } from '../../render.js';
import { redirectTo } from '../../session.js';
import { REPLICATION_OFF } from '../../../replication/replication-state.js';

export function systemRoutes(deps: AppDeps) {
  const { repos, services, scheduler, lease, config, clock } = deps;
  const app = new Hono<AppEnv>();

  app.get('/system', async (c) => {
    const ffmpeg = await services.media.ffmpegStatus();
    const stats = repos.system.databaseStats();
    const wal = `${config.dbPath}-wal`;
    const last = scheduler.lastRuns();
    const leaseRow = repos.system.getLease(lease.name);
    const media = repos.media.totals();
    return render(
      c,
      <SystemPage
        page={pageContext(c)}
        data={{
          now: clock.now(),
          version: config.version,
          node: process.versions.node,
          uptimeSeconds: Math.round(process.uptime()),
          leader: lease.isLeader(),
          holder: lease.holder,
          lease: leaseRow ? { holder: leaseRow.holder, epoch: leaseRow.epoch, expiresAt: leaseRow.expiresAt } : null,
          jobs: scheduler.jobs.map((j) => ({
            id: j.id,
            title: j.title,
            schedule: j.schedule,
            leaderOnly: j.leaderOnly,
            lastRun: last.get(j.id) ?? null,
            running: scheduler.isRunning(j.id),
          })),
          recentRuns: repos.system.recentRuns(20),
          database: {
            bytes: stats.pageCount * stats.pageSize,
            walBytes: existsSync(wal) ? statSync(wal).size : 0,
            path: config.dbPath,
          },
          media,
          backups: services.backups.list(),
          replication: deps.replication?.() ?? REPLICATION_OFF,
          aiUsage: (() => {
            const names = new Map(repos.clients.options().map((x) => [x.id, x.name]));
            return repos.system
              .aiUsageByClient(clock.now() - 30 * 86_400_000)
              .map((u) => ({ ...u, clientName: names.get(u.clientId) ?? u.clientId }));
          })(),
          usage: deps.networks.usage(),
          integrations: [
            ...deps.networks.list.map(({ descriptor, settings, configured }) => ({
              name: descriptor.label,
              configured,
              note: configured ? descriptor.config.summary(settings) : descriptor.setup,
            })),
            {
              name: 'AI text (Groq)',
              configured: config.groq.apiKey !== null,
              note: config.groq.apiKey
                ? `${config.groq.model}, at most ${config.groq.requestsPerMinute} requests/minute`
                : 'set GROQ_API_KEY',
            },
            {
              name: 'AI images (Replicate)',
              configured: config.replicate.apiToken !== null,
              note: config.replicate.apiToken ? config.replicate.imageModel : 'set REPLICATE_API_TOKEN',
            },
            {
              name: 'Video posters (ffmpeg)',
              configured: ffmpeg.available,
              note: ffmpeg.available
                ? (ffmpeg.version ?? ffmpeg.path)
                : `${ffmpeg.problem}: videos get no poster (no_ffmpeg); install ffmpeg or set FFMPEG_PATH`,
            },
          ],
        }}
      />,
    );
  });

  app.post('/system/jobs/:id/run', (c) => {
    const id = c.req.param('id');
    const { runId, merged } = scheduler.runNow(id, null, c.var.actor);
    const message = merged
      ? `Job ${id} was already queued (run ${runId}); it runs once.`
      : lease.isLeader()
        ? `Job ${id} started (run ${runId}).`
        : `Job ${id} queued; the leader process runs it within a few seconds.`;
    setFlash(c, 'ok', message);
    return redirectTo(c, '/system');
  });

  app.post('/system/backups', async (c) => {
    try {
      const file = await services.backups.create(false, c.var.actor);
      setFlash(c, 'ok', `Backup ${file.name} written.`);
    } catch (err) {
      setFlash(c, 'error', `The backup failed: ${(err as Error).message}`);
    }
    return redirectTo(c, '/system');
  });

  app.get('/system/backups/:name', (c) => {
    const file = services.backups.file(c.req.param('name'));
    c.header('Content-Type', 'application/vnd.sqlite3');
    c.header('Content-Disposition', `attachment; filename="${file.name}"`);
    c.header('Content-Length', String(file.size));
    return c.body(Readable.toWeb(createReadStream(file.path)) as ReadableStream);
  });

  return app;
}
