// The numbers behind the Results pages, the portal tab, the results API and the monthly report:
// period queries over the metric snapshots (docs/results.md). Everything is computed from the
// stored snapshots; nothing here calls a network.
import type { AccountDayRow, PostResultRow, Repos } from '../db/repos/index.js';
import { type BestTime, bestTimes, type TimedResult } from '../domain/best-times.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { engagementRate, engagementsOf, type PostMetricValues } from '../domain/metrics.js';
import { addDays, dayInZone, fromLocalInput, partsInZone } from '../lib/zoned-time.js';
import type { ServiceDeps } from './deps.js';
import { emitEvent } from './events.js';

/** The longest period one query covers (two years: a year against the year before). */
export const MAX_PERIOD_DAYS = 731;
export const DEFAULT_PERIOD_DAYS = 30;

/** The metrics summed over a period; null where no post reported the metric at all. */
export interface Totals {
  posts: number;
  views: number | null;
  reach: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  saves: number | null;
  clicks: number | null;
  engagements: number;
}

const SUMMED = ['views', 'reach', 'likes', 'comments', 'shares', 'saves', 'clicks'] as const;

/** One published post's latest numbers. */
export interface PostResult extends PostMetricValues {
  postId: string;
  platform: string;
  accountName: string;
  caption: string;
  permalink: string | null;
  publishedAt: number;
  mediaId: string | null;
  ruleId: string | null;
  ruleName: string | null;
  topic: string | null;
  /** The horizon of the numbers shown (null: not measured yet). */
  horizon: string | null;
  engagements: number;
  rate: number | null;
}

export interface Period {
  /** Inclusive start and exclusive end, epoch ms (midnights in the client's zone). */
  from: number;
  to: number;
  /** The same as calendar days in the client's zone (`to` inclusive), for pages and links. */
  fromDay: string;
  toDay: string;
}

export interface DaySeries {
  days: string[];
  /** Per platform: one value per day (null: not reported that day). */
  byPlatform: Record<
    string,
    { followers: (number | null)[]; views: (number | null)[]; engagements: (number | null)[] }
  >;
}

export interface Breakdown extends Totals {
  key: string;
  label: string;
  rate: number | null;
}

export interface ClientResults {
  clientId: string;
  timezone: string;
  period: Period;
  previousPeriod: Period;
  totals: Totals;
  previous: Totals;
  byPlatform: Record<string, Totals>;
  topPosts: PostResult[];
  bottomPosts: PostResult[];
  series: DaySeries;
  /** Per weekday (1 = Monday) and hour in the client's zone: posts published and their mean rate. */
  heatmap: Array<{ weekday: number; hour: number; posts: number; rate: number | null }>;
  byRule: Breakdown[];
  byTopic: Breakdown[];
  /** Per label of the agency (campaigns, content pillars): a post with two labels counts under both. */
  byLabel: Breakdown[];
  bestTimes: BestTime[];
  /** Published posts in the period without any numbers yet. */
  unmeasured: number;
}

const emptyTotals = (): Totals => ({
  posts: 0,
  views: null,
  reach: null,
  likes: null,
  comments: null,
  shares: null,
  saves: null,
  clicks: null,
  engagements: 0,
});

/** Adds one post into running totals (null stays null until some post reports the metric). */
function add(totals: Totals, post: PostMetricValues): Totals {
  totals.posts += 1;
  for (const key of SUMMED) {
    const value = post[key];
    if (value !== null && value !== undefined) totals[key] = (totals[key] ?? 0) + value;
  }
  totals.engagements += engagementsOf(post);
  return totals;
}

function sumOf(posts: readonly PostMetricValues[]): Totals {
  return posts.reduce(add, emptyTotals());
}

/** The mean rate of the posts that have one; null when none has. */
function meanRate(posts: ReadonlyArray<{ rate: number | null }>): number | null {
  const rates = posts.map((p) => p.rate).filter((r): r is number => r !== null);
  return rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : null;
}

function toPostResult(row: PostResultRow): PostResult {
  const values: PostMetricValues = {
    views: row.views,
    reach: row.reach,
    likes: row.likes,
    comments: row.comments,
    shares: row.shares,
    saves: row.saves,
    clicks: row.clicks,
    follows: row.follows,
    watchTimeMs: row.watchTimeMs,
  };
  return {
    postId: row.postId,
    platform: row.platform,
    accountName: row.accountName,
    caption: row.caption,
    permalink: row.permalink,
    publishedAt: row.publishedAt,
    mediaId: row.mediaId,
    ruleId: row.ruleId,
    ruleName: row.ruleName,
    topic: row.topic,
    horizon: row.horizon,
    ...values,
    engagements: engagementsOf(values),
    rate: row.horizon === null ? null : engagementRate(values),
  };
}

function midnight(day: string, timeZone: string): number | null {
  return fromLocalInput(`${day}T00:00`, timeZone);
}

/** Every calendar day from `fromDay` to `toDay`, inclusive. */
function daysBetween(fromDay: string, toDay: string): string[] {
  const days: string[] = [];
  for (let d = fromDay; d <= toDay && days.length <= MAX_PERIOD_DAYS; d = addDays(d, 1)) days.push(d);
  return days;
}

/**
 * A period from `from` and `to` (calendar days `YYYY-MM-DD` in the client's zone, `to` inclusive);
 * the last 30 days up to today by default. Bad or reversed dates are field errors.
 */
export function parsePeriod(
  input: { from?: string | undefined; to?: string | undefined },
  timeZone: string,
  now: number,
): Period {
  const errors: Record<string, string[]> = {};
  const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
  const check = (field: 'from' | 'to', value: string | undefined) => {
    if (value === undefined || value === '') return undefined;
    if (!dayPattern.test(value) || midnight(value, timeZone) === null) {
      errors[field] = ['must be a date such as 2026-11-30'];
      return undefined;
    }
    return value;
  };
  const today = dayInZone(now, timeZone);
  const toDay = check('to', input.to) ?? today;
  let fromDay = check('from', input.from);
  if (!fromDay) {
    fromDay = addDays(toDay, -(DEFAULT_PERIOD_DAYS - 1));
  }
  if (!errors.from && !errors.to) {
    if (fromDay > toDay) errors.from = ['must not be after to'];
    else if (daysBetween(fromDay, toDay).length > MAX_PERIOD_DAYS)
      errors.from = [`must be at most ${MAX_PERIOD_DAYS} days before to`];
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return {
    from: midnight(fromDay, timeZone) as number,
    to: midnight(addDays(toDay, 1), timeZone) as number,
    fromDay,
    toDay,
  };
}

/** The period of the same number of days just before `period`. */
export function previousPeriod(period: Period, timeZone: string): Period {
  const days = daysBetween(period.fromDay, period.toDay).length;
  const toDay = addDays(period.fromDay, -1);
  const fromDay = addDays(toDay, -(days - 1));
  return {
    from: midnight(fromDay, timeZone) as number,
    to: period.from,
    fromDay,
    toDay,
  };
}

/** The calendar month before `month` (`YYYY-MM`), as a period in the zone. */
function previousPeriodOfMonth(month: string, timeZone: string): Pick<Period, 'from' | 'to'> {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const start = new Date(Date.UTC(year, m - 2, 1)).toISOString().slice(0, 10);
  return { from: midnight(start, timeZone) as number, to: midnight(`${month}-01`, timeZone) as number };
}

/** Posts summed per key; a post counts once under each key it has (a post with two labels, under both). */
function breakdown(
  posts: readonly PostResult[],
  keysOf: (p: PostResult) => ReadonlyArray<readonly [key: string, label: string]>,
): Breakdown[] {
  const groups = new Map<string, { label: string; posts: PostResult[] }>();
  for (const post of posts) {
    for (const [key, label] of keysOf(post)) {
      const group = groups.get(key) ?? { label, posts: [] };
      group.posts.push(post);
      groups.set(key, group);
    }
  }
  return [...groups]
    .map(([key, g]) => ({ key, label: g.label, ...sumOf(g.posts), rate: meanRate(g.posts) }))
    .sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || b.engagements - a.engagements);
}

/** A client's daily account numbers from `fromDay` to `toDay` (the monthly report's charts). */
export function dailySeries(
  repos: Pick<Repos, 'results'>,
  clientId: string,
  fromDay: string,
  toDay: string,
): DaySeries {
  return series(repos.results.accountDays(clientId, fromDay, toDay), daysBetween(fromDay, toDay));
}

function series(rows: readonly AccountDayRow[], days: readonly string[]): DaySeries {
  const index = new Map(days.map((d, i) => [d, i]));
  const byPlatform: DaySeries['byPlatform'] = {};
  const sumInto = (list: (number | null)[], i: number, value: number | null) => {
    if (value === null) return;
    list[i] = (list[i] ?? 0) + value;
  };
  for (const row of rows) {
    const i = index.get(row.day);
    if (i === undefined) continue;
    const blank = () => days.map(() => null as number | null);
    const p = (byPlatform[row.platform] ??= { followers: blank(), views: blank(), engagements: blank() });
    sumInto(p.followers, i, row.followers);
    sumInto(p.views, i, row.views ?? row.reach);
    sumInto(p.engagements, i, row.engagements);
  }
  return { days: [...days], byPlatform };
}

/**
 * Rates made comparable across networks before ranking hours: each post's rate relative to its
 * network's mean, times the overall mean. Raw rates differ by network (per view on TikTok, per
 * person reached on Facebook), so pooled raw rates would rank the hours a high-rate network posts
 * at, not the hours that work.
 */
function comparable(timed: ReadonlyArray<TimedResult & { platform: string }>): TimedResult[] {
  const means = new Map<string, { sum: number; n: number }>();
  for (const t of timed) {
    const m = means.get(t.platform) ?? { sum: 0, n: 0 };
    m.sum += t.rate;
    m.n += 1;
    means.set(t.platform, m);
  }
  const overall = timed.reduce((sum, t) => sum + t.rate, 0) / (timed.length || 1);
  return timed.map((t) => {
    const m = means.get(t.platform)!;
    const mean = m.sum / m.n;
    return { weekday: t.weekday, hour: t.hour, rate: mean > 0 ? (t.rate / mean) * overall : t.rate };
  });
}

export function resultsService(deps: ServiceDeps) {
  const { repos, clock } = deps;

  function client(clientId: string) {
    const row = repos.clients.get(clientId);
    if (!row) throw new NotFoundError('Client');
    return row;
  }

  /** The published posts of a client in a period, with their latest numbers. */
  function postResults(clientId: string, period: Pick<Period, 'from' | 'to'>): PostResult[] {
    return repos.results.postsInPeriod(clientId, period.from, period.to).map(toPostResult);
  }

  return {
    parsePeriod(clientId: string, input: { from?: string | undefined; to?: string | undefined }): Period {
      return parsePeriod(input, client(clientId).timezone, clock.now());
    },

    postResults,

    /** Everything the Results page shows for one client and period. */
    forClient(clientId: string, input: { from?: string | undefined; to?: string | undefined } = {}): ClientResults {
      const { timezone } = client(clientId);
      const period = parsePeriod(input, timezone, clock.now());
      const previous = previousPeriod(period, timezone);
      const posts = postResults(clientId, period);
      const measured = posts.filter((p) => p.horizon !== null);
      const byPlatform: Record<string, Totals> = {};
      for (const post of measured) byPlatform[post.platform] = add(byPlatform[post.platform] ?? emptyTotals(), post);
      const ranked = measured.filter((p) => p.rate !== null).sort((a, b) => (b.rate ?? 0) - (a.rate ?? 0));
      const cells = new Map<number, { weekday: number; hour: number; posts: PostResult[] }>();
      const timed: Array<{ weekday: number; hour: number; rate: number; platform: string }> = [];
      // Posts go out at a rule's few times: the zone's wall clock is worked out once per minute of them.
      const clockAt = new Map<number, ReturnType<typeof partsInZone>>();
      for (const post of measured) {
        const minute = Math.floor(post.publishedAt / 60_000);
        let p = clockAt.get(minute);
        if (!p) {
          p = partsInZone(post.publishedAt, timezone);
          clockAt.set(minute, p);
        }
        const weekday = p.weekday === 0 ? 7 : p.weekday;
        const key = weekday * 24 + p.hour;
        const cell = cells.get(key) ?? { weekday, hour: p.hour, posts: [] };
        cell.posts.push(post);
        cells.set(key, cell);
        if (post.rate !== null) timed.push({ weekday, hour: p.hour, rate: post.rate, platform: post.platform });
      }
      return {
        clientId,
        timezone,
        period,
        previousPeriod: previous,
        totals: { ...sumOf(measured), posts: posts.length },
        previous: (() => {
          const before = postResults(clientId, previous);
          return { ...sumOf(before.filter((p) => p.horizon !== null)), posts: before.length };
        })(),
        byPlatform,
        topPosts: ranked.slice(0, 5),
        // The weakest five that are not among the top five (with 7 posts: the last two).
        bottomPosts: ranked.slice(Math.max(5, ranked.length - 5)).reverse(),
        series: series(
          repos.results.accountDays(clientId, period.fromDay, period.toDay),
          daysBetween(period.fromDay, period.toDay),
        ),
        heatmap: [...cells.values()].map((c) => ({
          weekday: c.weekday,
          hour: c.hour,
          posts: c.posts.length,
          rate: meanRate(c.posts),
        })),
        byRule: breakdown(measured, (p) => (p.ruleId ? [[p.ruleId, p.ruleName ?? p.ruleId]] : [])),
        byTopic: breakdown(measured, (p) => (p.topic ? [[p.topic, p.topic]] : [])),
        byLabel: (() => {
          const names = new Map(repos.labels.list().map((l) => [l.id, l.name]));
          const labelled = repos.labels.ofPosts(measured.map((p) => p.postId));
          return breakdown(measured, (p) => (labelled.get(p.postId) ?? []).map((id) => [id, names.get(id) ?? id]));
        })(),
        bestTimes: bestTimes(comparable(timed)),
        unmeasured: posts.length - measured.length,
      };
    },

    /**
     * The monthly report (the `report-monthly` job): each client whose report day has come this
     * month (in its zone) and that has contacts gets one `report.monthly` event with the previous
     * calendar month's headline numbers. Once per client and month: the event's `key` is looked up
     * first, in the same transaction, so a second run (or a restart) finds it and sends nothing.
     * A day missed while Herald was down is caught up later in the same month.
     */
    monthlyReports(): { emitted: string[] } {
      const now = clock.now();
      const emitted: string[] = [];
      for (const c of repos.clients.list({ excludeArchived: true, order: 'name', limit: 1000 }).data) {
        if (c.reportDay === null || c.contactEmails.length === 0 || c.status === 'paused') continue;
        const today = partsInZone(now, c.timezone);
        if (today.day < c.reportDay) continue;
        const last = new Date(Date.UTC(today.year, today.month - 1, 0));
        const month = last.toISOString().slice(0, 7);
        const key = `${c.id}:${month}`;
        const period = parsePeriod({ from: `${month}-01`, to: last.toISOString().slice(0, 10) }, c.timezone, now);
        const posts = postResults(c.id, period);
        const measured = posts.filter((p) => p.horizon !== null);
        const before = postResults(c.id, previousPeriodOfMonth(month, c.timezone));
        const sent = deps.database.immediate(() => {
          if (repos.events.lastWith('report.monthly', 'key', key)) return false;
          emitEvent(deps, 'report.monthly', c.id, {
            title: `Monthly report for ${c.name}: ${month}`,
            url: `/clients/${c.id}/results?from=${period.fromDay}&to=${period.toDay}`,
            key,
            month,
            from: period.fromDay,
            to: period.toDay,
            totals: { ...sumOf(measured), posts: posts.length },
            previous: { ...sumOf(before.filter((p) => p.horizon !== null)), posts: before.length },
          });
          return true;
        });
        if (sent) emitted.push(c.id);
      }
      return { emitted };
    },

    /** Every client's totals for a period (the agency-wide page), each in its own zone's days. */
    /** Every client's results side by side (of `clientIds` only: a member's assigned clients). */
    forAgency(input: { from?: string | undefined; to?: string | undefined } = {}, clientIds?: readonly string[]) {
      const clients = repos.clients.list({ excludeArchived: true, order: 'name', ids: clientIds, limit: 1000 }).data;
      // Clients share a few zones, and the clients of one zone share one period: each is worked out once
      // and read in one pass over its clients' numbers, not one pass (and three queries) per client.
      const now = clock.now();
      const byZone = new Map<string, { period: Period; ids: string[] }>();
      for (const c of clients) {
        const zone = byZone.get(c.timezone) ?? { period: parsePeriod(input, c.timezone, now), ids: [] };
        zone.ids.push(c.id);
        byZone.set(c.timezone, zone);
      }
      const published = new Map<string, number>();
      const measured = new Map<string, PostMetricValues[]>();
      for (const { period, ids } of byZone.values()) {
        const found = repos.results.totalsInPeriod(ids, period.from, period.to);
        for (const [id, n] of found.published) published.set(id, n);
        for (const { clientId, ...values } of found.measured) {
          const list = measured.get(clientId) ?? [];
          list.push(values);
          measured.set(clientId, list);
        }
      }
      const rows = clients.map((c) => {
        const own = measured.get(c.id) ?? [];
        return {
          clientId: c.id,
          name: c.name,
          period: byZone.get(c.timezone)!.period,
          totals: { ...sumOf(own), posts: published.get(c.id) ?? 0 },
          rate: meanRate(own.map((values) => ({ rate: engagementRate(values) }))),
        };
      });
      const totals = emptyTotals();
      for (const row of rows) {
        totals.posts += row.totals.posts;
        totals.engagements += row.totals.engagements;
        for (const key of SUMMED) {
          const value = row.totals[key];
          if (value !== null) totals[key] = (totals[key] ?? 0) + value;
        }
      }
      return { clients: rows, totals };
    },
  };
}
