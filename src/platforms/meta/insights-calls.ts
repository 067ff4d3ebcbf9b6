// Reading Meta insights without letting one retired metric name cost the rest
// (docs/platforms/meta.md#results): Graph validates the whole `metric` list first and fails the call
// for a single bad name, so a failed list is asked again one metric at a time, and a name Meta
// refuses by itself is reported and never asked for again.
import { fromLocalInput } from '../../lib/zoned-time.js';
import { type InsightsAccount, InsightsPermissionError, type RefusedMetric, refusedKey } from '../insights.js';
import type { MetaSurface } from './errors.js';
import { GraphCallError, type GraphClient, type Params, record } from './graph.js';

/**
 * Meta stamps daily values at midnight in this zone
 * (https://developers.facebook.com/docs/graph-api/reference/insights).
 */
const META_DAY_ZONE = 'America/Los_Angeles';
const DAY_MS = 86_400_000;

/** How a Graph refusal reads for results. */
type Refusal = 'permission' | 'gone' | 'metric' | 'unavailable' | 'other';

/**
 * Codes 10, 200–299 and 190 (and HTTP 403) are missing permissions or a token that cannot read
 * insights, except Instagram's "(#10) Not enough viewers" on small stories; 100 with subcode 33 is
 * an object that no longer exists; 100 with subcode 2108006 is Instagram media from before the
 * account became a business account (no insights); 100 without a subcode is a request Meta will
 * not answer, such as a retired metric (https://developers.facebook.com/docs/graph-api/guides/error-handling,
 * https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights).
 */
export function refusalOf(err: unknown): Refusal {
  if (!(err instanceof GraphCallError)) return 'other';
  const code = err.body?.code;
  const subcode = err.body?.error_subcode;
  const message = err.body?.message ?? '';
  if (code === 10 && /not enough viewers/i.test(message)) return 'unavailable';
  if (code === 10 || code === 190 || (code !== undefined && code >= 200 && code <= 299)) return 'permission';
  if (code === 100 && subcode === 33) return 'gone';
  if (code === 100 && subcode === 2108006) return 'unavailable';
  if (code === 100 && subcode === undefined) return 'metric';
  if (err.status === 403) return 'permission';
  return 'other';
}

/** Throws InsightsPermissionError for a permission refusal; otherwise the error as it was. */
export function rethrow(err: unknown, label: string): never {
  if (refusalOf(err) === 'permission')
    throw new InsightsPermissionError(`${label} refused to show results: ${(err as Error).message}`);
  throw err;
}

/** One insights entry's value: a number, an object of numbers (summed), or null when Meta gave none. */
function entryValue(entry: Record<string, unknown> | null): number | null {
  if (!entry) return null;
  const total = record(entry.total_value);
  const raw = total ? total.value : Array.isArray(entry.values) ? record(entry.values[0])?.value : undefined;
  if (typeof raw === 'number') return raw;
  const parts = record(raw);
  if (parts) return Object.values(parts).reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
  return null;
}

export interface InsightsCall {
  readonly graph: GraphClient;
  readonly account: InsightsAccount;
  readonly surface: MetaSurface;
  readonly signal: AbortSignal;
  /** Keys of metrics refused earlier (refusedKey). */
  readonly refused: ReadonlySet<string>;
  /** Where this call's refusals are added. */
  readonly refusals: RefusedMetric[];
}

/** `GET /{object}/{edge}?metric=…`: the `data[]` entries by metric name. */
async function fetchEntries(
  call: InsightsCall,
  path: string,
  metrics: readonly string[],
  params: Params,
): Promise<Record<string, unknown>[]> {
  const { data } = await call.graph.call<{ data?: unknown[] }>({
    path,
    token: call.account.accessToken,
    params: { ...params, metric: metrics.join(',') },
    surface: call.surface,
    objectId: call.account.externalId,
    signal: call.signal,
  });
  return (Array.isArray(data.data) ? data.data : []).map(record).filter((e) => e !== null);
}

/**
 * The entries of each metric not refused before, asked together and, when Meta refuses the list,
 * one by one. `kind` names the surface refusals are recorded under ("post", "reel", "page"…).
 */
export async function readMetrics(
  call: InsightsCall,
  path: string,
  kind: string,
  metrics: readonly string[],
  params: Params = {},
): Promise<Map<string, Record<string, unknown>[]>> {
  const wanted = metrics.filter((m) => !call.refused.has(refusedKey(kind, m)));
  const out = new Map<string, Record<string, unknown>[]>(wanted.map((m) => [m, []]));
  if (wanted.length === 0) return out;
  const add = (entries: Record<string, unknown>[]) => {
    for (const e of entries) out.get(String(e.name))?.push(e);
  };
  try {
    add(await fetchEntries(call, path, wanted, params));
    return out;
  } catch (err) {
    if (refusalOf(err) !== 'metric') throw err;
    if (wanted.length === 1) {
      refuse(call, kind, wanted[0]!, err, out);
      return out;
    }
  }
  const refused: Array<[string, unknown]> = [];
  for (const metric of wanted) {
    try {
      add(await fetchEntries(call, path, [metric], params));
    } catch (err) {
      if (refusalOf(err) !== 'metric') throw err;
      refused.push([metric, err]);
    }
  }
  // Every name refused alone: more likely the request is wrong for this object (a node without
  // the edge) than every name retired at once. Refusing them all would stop every later read of
  // this kind, so this object simply has no insights values this time.
  const all = refused.length === wanted.length;
  for (const [metric, err] of refused) {
    if (all) out.delete(metric);
    else refuse(call, kind, metric, err, out);
  }
  return out;
}

function refuse(call: InsightsCall, surface: string, metric: string, err: unknown, out: Map<string, unknown>): void {
  out.delete(metric);
  const message = (err as GraphCallError).body?.message ?? (err as Error).message;
  call.refusals.push({ metric, surface, message });
}

/** A lifetime (post) metric's value: null when Meta answered nothing for it (empty is not zero). */
export function lifetime(entries: Map<string, Record<string, unknown>[]>, metric: string): number | null {
  return entryValue(entries.get(metric)?.[0] ?? null);
}

/**
 * Daily values by the day they are about: Meta stamps a day's value at the *end* of that day,
 * midnight Pacific (`end_time` 07:00 or 08:00 UTC of the next date), so the day is the one before
 * the stamp's date (https://developers.facebook.com/documentation/pages-api/platforminsights/page).
 */
export function daily(entries: Map<string, Record<string, unknown>[]>, metric: string): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const entry of entries.get(metric) ?? []) {
    if (entry.period !== undefined && entry.period !== 'day') continue;
    for (const v of Array.isArray(entry.values) ? entry.values : []) {
      const row = record(v);
      const stamp = Date.parse(String(row?.end_time ?? '').replace(/\+0000$/, 'Z'));
      if (!Number.isFinite(stamp)) continue;
      out.set(dayBefore(stamp), entryValue({ values: [row] }));
    }
  }
  return out;
}

function dayBefore(stamp: number): string {
  // The stamp is Pacific midnight; an hour before it is safely inside the day it closes.
  const local = new Date(stamp - 3_600_000).toLocaleDateString('en-CA', { timeZone: META_DAY_ZONE });
  return local;
}

/** Unix seconds of Pacific midnight starting `day`. */
export function pacificMidnight(day: string): number {
  return Math.floor((fromLocalInput(`${day}T00:00`, META_DAY_ZONE) ?? Date.parse(`${day}T08:00:00Z`)) / 1000);
}

/** `day` plus `n` days (`YYYY-MM-DD`). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * `since`/`until` covering the days `from`…`to`: noon UTC is inside the Pacific day, so the first
 * `end_time` after `since` closes `from` and the last one up to `until` closes `to`.
 */
export function window(from: string, to: string): { since: number; until: number } {
  return {
    since: Math.floor(Date.parse(`${from}T12:00:00Z`) / 1000),
    until: Math.floor(Date.parse(`${addDays(to, 1)}T12:00:00Z`) / 1000),
  };
}

/** Consecutive runs of at most `size` days (Meta caps a since/until window). */
export function chunks(days: readonly string[], size: number): string[][] {
  const sorted = [...new Set(days)].sort();
  const out: string[][] = [];
  for (const day of sorted) {
    const last = out.at(-1);
    if (last && last.length < size && addDays(last.at(-1)!, 1) === day) last.push(day);
    else out.push([day]);
  }
  return out;
}

/** True when `day` is today or yesterday in the zone: a "now" total (followers) may stand for it. */
export function isRecent(day: string, now: number, timeZone: string): boolean {
  const today = new Date(now).toLocaleDateString('en-CA', { timeZone });
  return day >= addDays(today, -1);
}
