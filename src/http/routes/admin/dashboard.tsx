import { Hono } from 'hono';
import { DashboardPage } from '../../../../views/pages/dashboard.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { heldOf } from '../../client-reach.js';
import { pageContext, render } from '../../render.js';

const HOUR = 3_600_000;
/** The dashboard is a summary: the rest of the day is one click away in the pipeline. */
const UPCOMING_SHOWN = 20;

export function dashboardRoutes(deps: AppDeps) {
  const { repos, clock, scheduler, lease } = deps;
  return new Hono<AppEnv>().get('/', (c) => {
    const now = clock.now();
    // An editor's or viewer's dashboard counts and lists their clients only; agency-wide alerts are not theirs.
    const held = heldOf(c);
    // What needs someone now: awaiting approval from a day back, problems of the last 30 days.
    // Older ones are in the pipeline; counting years of history here would slow every visit.
    const recent = now - 30 * 24 * HOUR;
    const awaitingApproval = repos.posts.byStatus(['pending_approval'], 10, 'soonest', now - 24 * HOUR, held);
    const notices: string[] = [];
    if (!deps.generator.enabled)
      notices.push('AI writing is off: set GROQ_API_KEY to let content rules fill the pipeline.');
    else {
      const skipped = repos.rules.activeRuleAccounts(held).flatMap((r) => {
        const reason = deps.generator.skipReason({ media: r.media }, r.account);
        return reason ? [`${r.clientName} / ${r.ruleName}: ${reason}`] : [];
      });
      if (skipped.length)
        notices.push(
          `Content rules are writing nothing for ${skipped.length} account(s): ` +
            `${skipped.slice(0, 5).join('; ')}${skipped.length > 5 ? '; …' : ''}.`,
        );
    }
    const upcoming = repos.posts.listDetailed({
      status: ['scheduled'],
      from: now,
      to: now + 24 * HOUR,
      clientIds: held,
      limit: UPCOMING_SHOWN,
    });
    const lastRuns = scheduler.lastRuns();
    return render(
      c,
      <DashboardPage
        page={pageContext(c)}
        data={{
          now,
          awaitingApproval,
          counts: {
            ...repos.posts.countIn(['failed', 'unconfirmed', 'missed'], recent, held),
            ...repos.posts.countIn(['pending_approval'], now - 24 * HOUR, held),
          },
          approvalSoon: new Set(
            awaitingApproval.filter((p) => p.scheduledAt !== null && p.scheduledAt - now < 6 * HOUR).map((p) => p.id),
          ),
          problems: repos.posts.byStatus(['failed', 'unconfirmed', 'missed'], 10, 'newest', recent, held),
          reconnect: repos.accounts.needingAttention(20, held),
          upcoming: upcoming.data,
          upcomingTotal: upcoming.nextCursor
            ? repos.posts.countInWindow('scheduled', now, now + 24 * HOUR, held)
            : upcoming.data.length,
          jobs: scheduler.jobs.map((j) => ({ id: j.id, title: j.title, lastRun: lastRuns.get(j.id) ?? null })),
          leader: lease.isLeader(),
          agencyUnnamed: deps.services.settings.agencyNameSet() === null,
          notices,
          failingChannels: held ? [] : repos.notify.failingChannels(),
          failingEmail: held ? null : repos.notify.failingEmail(),
        }}
      />,
    );
  });
}
