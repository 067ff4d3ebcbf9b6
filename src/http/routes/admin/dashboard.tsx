import { Hono } from 'hono';
import { DashboardPage } from '../../../../views/pages/dashboard.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { pageContext, render } from '../../render.js';

const HOUR = 3_600_000;

export function dashboardRoutes(deps: AppDeps) {
  const { repos, clock, scheduler, lease, config } = deps;
  return new Hono<AppEnv>().get('/', (c) => {
    const now = clock.now();
    const awaitingApproval = repos.posts.byStatus(['pending_approval'], 10);
    const notices: string[] = [];
    if (!config.groq.apiKey) notices.push('AI writing is off: set GROQ_API_KEY to let content rules fill the pipeline.');
    const upcoming = repos.posts.listDetailed({ status: ['scheduled'], from: now, to: now + 24 * HOUR, limit: 50 });
    const lastRuns = new Map(repos.system.lastRunPerJob().map((r) => [r.job, r]));
    return render(
      c,
      <DashboardPage
        page={pageContext(c)}
        data={{
          now,
          awaitingApproval,
          counts: Object.fromEntries((['pending_approval', 'failed', 'unconfirmed', 'missed'] as const).map((s) => [s, repos.posts.countInStatus(s)])),
          approvalSoon: new Set(awaitingApproval.filter((p) => p.scheduledAt !== null && p.scheduledAt - now < 6 * HOUR).map((p) => p.id)),
          problems: repos.posts.byStatus(['failed', 'unconfirmed', 'missed'], 10, 'updated'),
          reconnect: repos.accounts.needingAttention(20),
          upcoming: upcoming.data,
          jobs: scheduler.jobs.map((j) => ({ id: j.id, title: j.title, lastRun: lastRuns.get(j.id) ?? null })),
          leader: lease.isLeader(),
          notices,
        }}
      />,
    );
  });
}
