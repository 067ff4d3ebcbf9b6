import type { Child } from 'hono/jsx';
import type { ClientResults, PostResult, Totals } from '../../src/services/results-service.js';
import { barChart } from '../charts/bar-chart.js';
import { heatmap } from '../charts/heatmap.js';
import { lineChart } from '../charts/line-chart.js';
import { EmptyState, PlatformBadge, When } from '../components/bits.js';
import { FieldErrors, type Errors } from '../components/forms.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';
import { PortalLayout, type PortalContext } from '../layouts/portal.js';

const DAY = 86_400_000;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** What the period picker shows: the chosen days (as typed, when they were wrong) and today. */
export interface PeriodChoice {
  from: string;
  to: string;
  /** Today in the zone the presets count in. */
  today: string;
  errors?: Errors;
}

/** An account whose results cannot be read until it is connected again. */
export interface BlockedAccount {
  name: string;
  platform: string;
  reason: string;
}

const shift = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The preset periods: the last 7/30/90 days, this month, last month. */
function presets(today: string): Array<{ label: string; from: string; to: string }> {
  const monthStart = `${today.slice(0, 8)}01`;
  const lastMonthEnd = shift(monthStart, -1);
  return [
    { label: 'Last 7 days', from: shift(today, -6), to: today },
    { label: 'Last 30 days', from: shift(today, -29), to: today },
    { label: 'Last 90 days', from: shift(today, -89), to: today },
    { label: 'This month', from: monthStart, to: today },
    { label: 'Last month', from: `${lastMonthEnd.slice(0, 8)}01`, to: lastMonthEnd },
  ];
}

/** A plain GET form and links: works without JavaScript, and every period has its own URL. */
function PeriodPicker({ action, choice }: { action: string; choice: PeriodChoice }) {
  const errors = choice.errors;
  return (
    <section class="period-picker" aria-label="Period">
      <ul class="presets">
        {presets(choice.today).map((p) => {
          const current = p.from === choice.from && p.to === choice.to;
          return (
            <li>
              <a
                href={`${action}?from=${p.from}&to=${p.to}`}
                aria-current={current ? 'page' : undefined}
                class={current ? 'current' : undefined}
              >
                {p.label}
              </a>
            </li>
          );
        })}
      </ul>
      <form method="get" action={action} class="period-form">
        <label>
          From
          <input
            type="date"
            name="from"
            value={choice.from}
            aria-invalid={errors?.from?.length ? 'true' : undefined}
            aria-describedby={errors?.from?.length ? 'from-error' : undefined}
          />
          <FieldErrors errors={errors} name="from" />
        </label>
        <label>
          To
          <input
            type="date"
            name="to"
            value={choice.to}
            aria-invalid={errors?.to?.length ? 'true' : undefined}
            aria-describedby={errors?.to?.length ? 'to-error' : undefined}
          />
          <FieldErrors errors={errors} name="to" />
        </label>
        <button type="submit">Show</button>
      </form>
    </section>
  );
}

const fmt = (n: number | null) => (n === null ? '—' : n.toLocaleString('en-US'));
const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

/** The change against the previous period, in words and arrows (never colour alone). */
function Change({ now, before }: { now: number | null; before: number | null }) {
  if (now === null || before === null) return <span class="change change-none">no earlier figure</span>;
  if (before === 0)
    return now === 0 ? (
      <span class="change change-flat">no change</span>
    ) : (
      <span class="change change-up">▲ up from 0</span>
    );
  const change = (now - before) / before;
  const text = `${Math.abs(change * 100).toFixed(change !== 0 && Math.abs(change) < 0.1 ? 1 : 0)}%`;
  if (change > 0) return <span class="change change-up">▲ up {text}</span>;
  if (change < 0) return <span class="change change-down">▼ down {text}</span>;
  return <span class="change change-flat">no change</span>;
}

function Headline({ totals, previous }: { totals: Totals; previous: Totals }) {
  const rate = (t: Totals) => {
    const base = t.reach ?? t.views;
    return base ? t.engagements / base : null;
  };
  const items: Array<[string, number | null, number | null, (n: number | null) => string]> = [
    ['Posts published', totals.posts, previous.posts, fmt],
    ['Views', totals.views, previous.views, fmt],
    ['Reach', totals.reach, previous.reach, fmt],
    ['Engagements', totals.engagements, previous.engagements, fmt],
    ['Engagement rate', rate(totals), rate(previous), pct],
    ['Clicks', totals.clicks, previous.clicks, fmt],
  ];
  return (
    <dl class="headline">
      {items.map(([label, now, before, show]) => (
        <div class="figure">
          <dt>{label}</dt>
          <dd>
            <strong>{show(now)}</strong> <Change now={now} before={before} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A chart's SVG (a string built by views/charts) inside a figure. */
function Chart({ svg, caption }: { svg: string; caption?: string }) {
  return (
    <figure class="chart-box">
      {/* A frame that scrolls on a phone takes focus, so a keyboard can scroll it too (WCAG 2.1.1). */}
      <div class="chart-frame" tabindex={0} dangerouslySetInnerHTML={{ __html: svg }} />
      {caption ? <figcaption>{caption}</figcaption> : null}
    </figure>
  );
}

function excerpt(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function PostTable({
  posts,
  thumbs,
  timezone,
  admin,
}: {
  posts: PostResult[];
  thumbs: Record<string, string>;
  timezone: string;
  admin: boolean;
}) {
  return (
    <table class="striped compact results-posts" tabindex={0}>
      <thead>
        <tr>
          <th scope="col">Post</th>
          <th scope="col">Published</th>
          <th scope="col">Reach / views</th>
          <th scope="col">Engagements</th>
          <th scope="col">Rate</th>
        </tr>
      </thead>
      <tbody>
        {posts.map((p) => {
          const thumb = p.mediaId ? thumbs[p.mediaId] : undefined;
          return (
            <tr>
              <td class="post-cell">
                {thumb ? <img class="thumb" src={thumb} alt="" width="48" height="48" loading="lazy" /> : null}
                <span>
                  <PlatformBadge platform={p.platform} />{' '}
                  {admin ? <a href={`/posts/${p.postId}`}>{excerpt(p.caption)}</a> : excerpt(p.caption)}
                  {p.permalink ? (
                    <>
                      {' '}
                      <a href={p.permalink} rel="noopener noreferrer" target="_blank" class="muted">
                        view on the network
                      </a>
                    </>
                  ) : null}
                </span>
              </td>
              <td>
                <When ms={p.publishedAt} tz={timezone} style="date" showZone={false} />
              </td>
              <td>{fmt(p.reach ?? p.views ?? null)}</td>
              <td>{fmt(p.engagements)}</td>
              <td>
                {pct(p.rate)} <small class="muted">at {p.horizon}</small>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const SERIES_LABELS: Record<string, string> = {
  followers: 'Followers',
  views: 'Views / reach',
  engagements: 'Engagement',
};

/** The body of a client's Results, the same for the admin page and the portal tab. */
export function ClientResultsView({
  results,
  choice,
  action,
  blocked,
  thumbs,
  platformLabels,
  admin,
}: {
  results: ClientResults | null;
  choice: PeriodChoice;
  action: string;
  blocked: BlockedAccount[];
  thumbs: Record<string, string>;
  platformLabels: Record<string, string>;
  admin: boolean;
}) {
  const picker = <PeriodPicker action={action} choice={choice} />;
  if (!results)
    return (
      <>
        {picker}
        <p class="muted">Choose a valid period to see the results.</p>
      </>
    );
  const r = results;
  const blockedNote = blocked.length ? (
    <section class="notice notice-error results-blocked" role="status">
      <strong>Reconnect to see results:</strong>
      <ul>
        {blocked.map((a) => (
          <li>
            <PlatformBadge platform={a.platform} /> {a.name}: {a.reason}
          </li>
        ))}
      </ul>
    </section>
  ) : null;
  const measured = r.totals.posts - r.unmeasured;
  const days = r.series.days;
  const dayLabels = days.map((d) => d.slice(5));
  const platforms = Object.keys(r.series.byPlatform).sort();
  const label = (p: string) => platformLabels[p] ?? p;
  return (
    <div class="results">
      {picker}
      <p class="muted period-line">
        {r.period.fromDay} to {r.period.toDay}, compared with {r.previousPeriod.fromDay} to {r.previousPeriod.toDay}.
        Times are in <strong>{r.timezone}</strong>.
      </p>
      {admin ? (
        <p class="downloads">
          Download this period as CSV:{' '}
          <a href={`/clients/${r.clientId}/results/posts.csv?from=${r.period.fromDay}&to=${r.period.toDay}`}>
            post snapshots
          </a>{' '}
          ·{' '}
          <a href={`/clients/${r.clientId}/results/accounts.csv?from=${r.period.fromDay}&to=${r.period.toDay}`}>
            account days
          </a>
        </p>
      ) : null}
      {blockedNote}
      {r.unmeasured > 0 ? (
        <p class="unmeasured">
          {r.unmeasured} {r.unmeasured === 1 ? 'post' : 'posts'} not measured yet: numbers arrive about an hour after
          publishing, and are updated after a day, a week and a month.
        </p>
      ) : null}
      {measured === 0 && platforms.length === 0 ? (
        <EmptyState title="Nothing measured in this period yet.">
          Numbers appear about 1 hour after a post is published, and each account's followers and reach once a day.
        </EmptyState>
      ) : (
        <>
          <section class="results-section">
            <h2>Headline</h2>
            <Headline totals={r.totals} previous={r.previous} />
          </section>
          {platforms.length ? (
            <section class="results-section">
              <h2>Over time</h2>
              <div class="chart-grid">
                {(['followers', 'views', 'engagements'] as const).map((metric) => (
                  <Chart
                    caption={`${SERIES_LABELS[metric]} per day, by network`}
                    svg={lineChart({
                      title: `${SERIES_LABELS[metric]} per day`,
                      xLabels: dayLabels,
                      series: platforms.map((p) => ({ label: label(p), values: r.series.byPlatform[p]![metric] })),
                    })}
                  />
                ))}
              </div>
            </section>
          ) : null}
          {r.topPosts.length ? (
            <section class="results-section">
              <h2>Top posts</h2>
              <PostTable posts={r.topPosts} thumbs={thumbs} timezone={r.timezone} admin={admin} />
            </section>
          ) : null}
          {r.bottomPosts.length ? (
            <section class="results-section">
              <h2>Weakest posts</h2>
              <PostTable posts={r.bottomPosts} thumbs={thumbs} timezone={r.timezone} admin={admin} />
            </section>
          ) : null}
          {measured > 0 ? (
            <section class="results-section">
              <h2>When posts did best</h2>
              <Chart
                svg={heatmap({ title: 'Engagement rate by weekday and hour', zone: r.timezone, cells: r.heatmap })}
                caption={`Weekday and hour of publishing in ${r.timezone}.`}
              />
              {r.bestTimes.length ? (
                <p>
                  Best times:{' '}
                  {r.bestTimes
                    .slice(0, 3)
                    .map((b) => `${WEEKDAYS[b.weekday - 1]} ${String(b.hour).padStart(2, '0')}:00`)
                    .join(', ')}{' '}
                  <small class="muted">({r.timezone})</small>
                </p>
              ) : null}
            </section>
          ) : null}
          {r.byRule.length || r.byTopic.length || r.byLabel.length ? (
            <section class="results-section">
              <h2>By rule, topic and label</h2>
              <div class="chart-grid">
                {r.byRule.length ? (
                  <Chart
                    svg={barChart({
                      title: 'Engagement rate by rule',
                      bars: r.byRule.map((b) => ({
                        label: b.label,
                        value: b.rate ?? 0,
                        note: `${pct(b.rate)}, ${b.posts} posts`,
                      })),
                    })}
                  />
                ) : null}
                {r.byTopic.length ? (
                  <Chart
                    svg={barChart({
                      title: 'Engagement rate by topic',
                      bars: r.byTopic.map((b) => ({
                        label: b.label,
                        value: b.rate ?? 0,
                        note: `${pct(b.rate)}, ${b.posts} posts`,
                      })),
                    })}
                  />
                ) : null}
                {r.byLabel.length ? (
                  <Chart
                    svg={barChart({
                      title: 'Engagement rate by label',
                      bars: r.byLabel.map((b) => ({
                        label: b.label,
                        value: b.rate ?? 0,
                        note: `${pct(b.rate)}, ${b.posts} posts`,
                      })),
                    })}
                  />
                ) : null}
              </div>
            </section>
          ) : null}
        </>
      )}
    </div>
  );
}

export function ClientResultsPage({
  page,
  client,
  children,
}: {
  page: PageContext;
  client: { id: string; name: string };
  children: Child;
}) {
  return (
    <AdminLayout
      title={`Results · ${client.name}`}
      page={page}
      active="results"
      actions={
        <a href={`/clients/${client.id}`} role="button" class="secondary outline">
          Back to {client.name}
        </a>
      }
    >
      {children}
    </AdminLayout>
  );
}

export function PortalResultsPage({ portal, children }: { portal: PortalContext; children: Child }) {
  return (
    <PortalLayout title="Results" portal={portal} active="results">
      {children}
    </PortalLayout>
  );
}

export interface AgencyRow {
  clientId: string;
  name: string;
  totals: Totals;
  rate: number | null;
}

/** `/results`: every client's totals for the period, each linking to its own page. */
export function AgencyResultsPage({
  page,
  choice,
  rows,
  totals,
}: {
  page: PageContext;
  choice: PeriodChoice;
  rows: AgencyRow[] | null;
  totals: Totals | null;
}) {
  const query = `from=${encodeURIComponent(choice.from)}&to=${encodeURIComponent(choice.to)}`;
  return (
    <AdminLayout title="Results" page={page} active="results">
      <PeriodPicker action="/results" choice={choice} />
      <p class="muted">Each client's days are counted in its own time zone.</p>
      {rows && totals ? (
        <>
          <dl class="headline">
            <div class="figure">
              <dt>Posts published</dt>
              <dd>
                <strong>{fmt(totals.posts)}</strong>
              </dd>
            </div>
            <div class="figure">
              <dt>Reach</dt>
              <dd>
                <strong>{fmt(totals.reach)}</strong>
              </dd>
            </div>
            <div class="figure">
              <dt>Views</dt>
              <dd>
                <strong>{fmt(totals.views)}</strong>
              </dd>
            </div>
            <div class="figure">
              <dt>Engagements</dt>
              <dd>
                <strong>{fmt(totals.engagements)}</strong>
              </dd>
            </div>
          </dl>
          {rows.length === 0 ? (
            <EmptyState title="No clients yet." />
          ) : (
            <>
              <Chart
                svg={barChart({
                  title: 'Engagements by client',
                  bars: rows.map((r) => ({ label: r.name, value: r.totals.engagements })),
                })}
              />
              <table class="striped compact">
                <thead>
                  <tr>
                    <th scope="col">Client</th>
                    <th scope="col">Posts</th>
                    <th scope="col">Reach</th>
                    <th scope="col">Views</th>
                    <th scope="col">Engagements</th>
                    <th scope="col">Mean rate</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr>
                      <td>
                        <a href={`/clients/${r.clientId}/results?${query}`}>{r.name}</a>
                      </td>
                      <td>{fmt(r.totals.posts)}</td>
                      <td>{fmt(r.totals.reach)}</td>
                      <td>{fmt(r.totals.views)}</td>
                      <td>{fmt(r.totals.engagements)}</td>
                      <td>{pct(r.rate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      ) : (
        <p class="muted">Choose a valid period to see the results.</p>
      )}
    </AdminLayout>
  );
}
