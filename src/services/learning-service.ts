// What Herald learns from a client's results and reviews (docs/results.md#learning): best times
// and a suggested schedule per rule, the examples the AI writes from, and standing guidance.
// Everything is computed from stored rows, deterministically; nothing here calls a network.
import type { RuleWithAccounts } from '../db/repos/index.js';
import { type BestTime, bestTimes, generalPrior, suggestSchedule, type TimedResult } from '../domain/best-times.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import {
  captionEdit,
  describeEdit,
  guidanceLines,
  learnedLines,
  MAX_GUIDANCE_CHARS,
  MAX_GUIDANCE_LINES,
  mergeGuidance,
  type ReviewSignal,
  touchedBy,
} from '../domain/guidance.js';
import { engagementRate } from '../domain/metrics.js';
import { chooseExamples, type MeasuredPost, type WritingExamples } from '../domain/writing-examples.js';
import { describeCron, weeklyCron, weeklyParts } from '../lib/cron-describe.js';
import { nextSlots } from '../lib/cron.js';
import { partsInZone } from '../lib/zoned-time.js';
import type { ServiceDeps } from './deps.js';
import { authorize } from './access.js';
import { type Actor, SYSTEM } from '../domain/actor.js';

const DAY = 86_400_000;
/** Examples come from the last 90 days; best times from the last year; guidance from 90 days of reviews. */
const EXAMPLE_DAYS = 90;
const TIMES_DAYS = 365;
const REVIEW_DAYS = 90;
const REVIEW_SIGNALS = 30;
/** A snapshot this late or later: a 1 h snapshot says little about how a post did. */
const SETTLED = new Set(['24h', '7d', '30d']);

export interface AccountTimes {
  accountId: string;
  name: string;
  platform: string;
  /** Measured posts of this account the times rest on, and their mean rate. */
  posts: number;
  meanRate: number | null;
  top: BestTime[];
  /** The hour whose own posts did best (by their own mean rate), or null without posts. */
  bestOwn: BestTime | null;
}

export interface ScheduleSuggestion {
  ruleId: string;
  timezone: string;
  current: string;
  cron: string;
  description: string;
  /** Posts the suggestion rests on (all the rule's accounts), and a sentence a person reads. */
  posts: number;
  evidence: string;
  perAccount: AccountTimes[];
  /** True when the suggestion is the rule's schedule already. */
  same: boolean;
  /** False for a rule with less than one slot a week (monthly, say): a weekly suggestion would change its pace. */
  applicable: boolean;
}

const WEEKDAY = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const slotName = (t: { weekday: number; hour: number }) =>
  `${WEEKDAY[t.weekday]} ${String(t.hour).padStart(2, '0')}:00`;

export function learningService(deps: Pick<ServiceDeps, 'repos' | 'clock'>) {
  const { repos, clock } = deps;

  function settledPosts(clientId: string, days: number) {
    const now = clock.now();
    return repos.results
      .postsInPeriod(clientId, now - days * DAY, now)
      .filter((p) => p.horizon !== null && SETTLED.has(p.horizon));
  }

  function timesOf(rule: RuleWithAccounts, tz: string) {
    const wanted = new Set(rule.accountIds);
    const byAccount = new Map<string, TimedResult[]>();
    for (const p of settledPosts(rule.clientId, TIMES_DAYS)) {
      if (!wanted.has(p.accountId)) continue;
      const rate = engagementRate(p);
      if (rate === null) continue;
      const at = partsInZone(p.publishedAt, tz);
      const list = byAccount.get(p.accountId) ?? [];
      list.push({ weekday: at.weekday === 0 ? 7 : at.weekday, hour: at.hour, rate });
      byAccount.set(p.accountId, list);
    }
    return byAccount;
  }

  return {
    /** The examples the AI gets for a client: best and worst of the last 90 days by engagement rate. */
    examplesFor(clientId: string): WritingExamples {
      const measured: MeasuredPost[] = [];
      for (const p of settledPosts(clientId, EXAMPLE_DAYS)) {
        const rate = engagementRate(p);
        if (rate !== null && p.caption.trim())
          measured.push({ postId: p.postId, platform: p.platform, caption: p.caption, rate });
      }
      return chooseExamples(measured);
    },

    /**
     * The suggested schedule of a rule: each of its accounts' evidence (rates relative to that
     * account's mean, so networks with different norms pool), shrunk towards the general prior of
     * its network, summed over the accounts; as many slots a week as the rule has now.
     */
    suggestionFor(ruleId: string): ScheduleSuggestion {
      const rule = repos.rules.get(ruleId);
      if (!rule) throw new NotFoundError('Rule');
      const client = repos.clients.get(rule.clientId)!;
      const tz = rule.timezone ?? client.timezone;
      const now = clock.now();
      // Slots a week, averaged over four weeks (a monthly rule has about none).
      const perWeek = Math.round(
        nextSlots(rule.cron, tz, 100, new Date(now)).filter((d) => d.getTime() < now + 28 * DAY).length / 4,
      );
      const accounts = repos.accounts.getMany(rule.accountIds);
      const byAccount = timesOf(rule, tz);
      const pooled = new Map<number, BestTime>();
      const perAccount: AccountTimes[] = [];
      for (const account of accounts) {
        const results = byAccount.get(account.id) ?? [];
        const mean = results.length ? results.reduce((s, r) => s + r.rate, 0) / results.length : 0;
        const ranked = bestTimes(results, { prior: generalPrior(account.platform), limit: 168 });
        perAccount.push({
          accountId: account.id,
          name: account.name,
          platform: account.platform,
          posts: results.length,
          meanRate: results.length ? mean : null,
          top: ranked.slice(0, 3),
          bestOwn:
            ranked.filter((t) => t.posts > 0).sort((a, b) => (b.rate ?? 0) - (a.rate ?? 0) || b.posts - a.posts)[0] ??
            null,
        });
        // Pooled as lifts (score over the account's mean): each account counts the same.
        for (const t of ranked) {
          const key = t.weekday * 24 + t.hour;
          const lift = mean > 0 ? t.score / mean : t.score;
          const prev = pooled.get(key);
          pooled.set(key, { ...t, score: (prev?.score ?? 0) + lift, posts: (prev?.posts ?? 0) + t.posts });
        }
      }
      if (accounts.length === 0)
        for (const t of bestTimes([], { prior: generalPrior(), limit: 168 })) pooled.set(t.weekday * 24 + t.hour, t);
      const schedule = suggestSchedule([...pooled.values()], Math.max(1, perWeek));
      const minute = weeklyParts(rule.cron)?.minute ?? 0;
      const cron = weeklyCron(minute, schedule.hours, schedule.days);
      const posts = perAccount.reduce((n, a) => n + a.posts, 0);
      return {
        ruleId,
        timezone: tz,
        current: rule.cron,
        cron,
        description: describeCron(cron),
        posts,
        evidence: evidenceText(posts, perAccount),
        perAccount,
        same: cron === rule.cron || describeCron(cron) === describeCron(rule.cron),
        applicable: perWeek > 0,
      };
    },

    /** Rewrites the rule's schedule to its suggestion; the generator then moves untouched posts to the new slots. */
    applySuggestion(ruleId: string, actor: Actor = SYSTEM): ScheduleSuggestion {
      authorize(actor, 'content.write', repos.rules.get(ruleId)?.clientId);
      const suggestion = this.suggestionFor(ruleId);
      if (!suggestion.applicable)
        throw new ConflictError('This rule posts less than once a week; set its schedule by hand.');
      repos.rules.update(ruleId, { cron: suggestion.cron, updatedAt: clock.now() });
      return suggestion;
    },

    /** An admin's own guidance: kept as written (learning later appends to it, never rewrites these lines). */
    setGuidance(clientId: string, text: string, actor: Actor = SYSTEM): string {
      if (!repos.clients.get(clientId)) throw new NotFoundError('Client');
      authorize(actor, 'content.write', clientId);
      const lines = guidanceLines(text);
      const joined = lines.map((l) => `- ${l}`).join('\n');
      if (lines.length > MAX_GUIDANCE_LINES)
        throw ValidationError.field('guidance', `must be at most ${MAX_GUIDANCE_LINES} lines`);
      if (joined.length > MAX_GUIDANCE_CHARS)
        throw ValidationError.field('guidance', `must be at most ${MAX_GUIDANCE_CHARS} characters`);
      repos.clients.update(clientId, { guidance: joined, guidanceUpdatedAt: clock.now() });
      return joined;
    },

    /**
     * Called after each approval and rejection (in the reviewer's request: it is a few indexed
     * queries and string work, no AI call): the review signals of the last 90 days are summarised,
     * and the guidance gains or updates the lines the newest review is evidence for.
     */
    learnFromReview(postId: string): void {
      const post = repos.posts.get(postId);
      if (!post) return;
      const client = repos.clients.get(post.clientId);
      if (!client) return;
      const since = clock.now() - REVIEW_DAYS * DAY;
      const signals: ReviewSignal[] = [
        ...repos.learning
          .rejections(client.id, since, REVIEW_SIGNALS)
          .map((r) => ({ kind: 'rejection' as const, postId: r.postId, comment: r.comment })),
        ...repos.learning
          .editedApprovals(client.id, since, REVIEW_SIGNALS)
          .map((e) => ({ kind: 'edit' as const, postId: e.postId, edit: captionEdit(e.aiCaption, e.caption) })),
      ];
      const own = signals.find((s) => s.postId === postId);
      if (!own) return;
      if (own.kind === 'edit')
        repos.posts.insertLog({
          postId,
          attemptId: null,
          step: 'learn',
          level: 'info',
          message: `Reviewer's edit of the AI caption, remembered for guidance: ${describeEdit(own.edit)}`,
          code: null,
          request: null,
          durationMs: null,
          createdAt: clock.now(),
        });
      const learned = learnedLines(signals);
      const touched = touchedBy(learned, learnedLines(signals.filter((s) => s.postId !== postId)));
      const guidance = mergeGuidance(client.guidance, learned, touched);
      if (guidance !== client.guidance) repos.clients.update(client.id, { guidance, guidanceUpdatedAt: clock.now() });
    },
  };
}

function evidenceText(posts: number, perAccount: readonly AccountTimes[]): string {
  if (posts === 0)
    return 'No measured posts yet: this follows the general pattern of when audiences engage on these networks.';
  const parts = perAccount
    .filter((a) => a.posts > 0)
    .map((a) => {
      const best = a.bestOwn;
      const own = best !== null && best.rate != null;
      const head = `${a.name}: ${plural(a.posts, 'measured post')} averaging ${pct(a.meanRate ?? 0)} engagement`;
      return own
        ? `${head}; ${slotName(best)} did best (${pct(best.rate ?? 0)} over ${plural(best.posts, 'post')})`
        : head;
    });
  const weight =
    posts < 10
      ? 'Still mostly the general pattern: a time needs a few posts of its own before it counts.'
      : posts < 40
        ? 'Your own results and the general pattern both count.'
        : 'Mostly your own results.';
  return `${parts.join('. ')}. ${weight}`;
}
