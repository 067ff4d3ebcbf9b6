import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Totals } from '../../services/results-service.js';
import type { AppDeps, AppEnv } from '../context.js';
import { csvResponse } from '../csv-response.js';
import { iso } from './dto.js';

const periodOf = (c: Context) => ({ from: c.req.query('from'), to: c.req.query('to') });

function totalsDto(t: Totals) {
  const { posts, views, reach, likes, comments, shares, saves, clicks, engagements } = t;
  return { posts, views, reach, likes, comments, shares, saves, clicks, engagements };
}

/** `GET /posts/:id/metrics`: a post's snapshots, one per horizon (README.md#results). */
export function postMetricsApi(deps: AppDeps) {
  const { posts } = deps.services;
  return new Hono<AppEnv>().get('/:id/metrics', (c) => {
    const post = posts.get(c.req.param('id'));
    const data = deps.repos.metrics
      .postSnapshots(post.id)
      .filter((s) => s.error === null)
      .map((s) => ({
        horizon: s.horizon,
        collectedAt: iso(s.collectedAt),
        views: s.views,
        reach: s.reach,
        likes: s.likes,
        comments: s.comments,
        shares: s.shares,
        saves: s.saves,
        clicks: s.clicks,
      }));
    return c.json({ data });
  });
}

/** `GET /clients/:id/results` (the numbers behind the Results page) and its CSV exports. */
export function clientResultsApi(deps: AppDeps) {
  const { results, resultsExport } = deps.services;
  return new Hono<AppEnv>()
    .get('/:id/results', (c) => {
      const r = results.forClient(c.req.param('id'), periodOf(c));
      return c.json({
        from: r.period.fromDay,
        to: r.period.toDay,
        timezone: r.timezone,
        totals: totalsDto(r.totals),
        previous: totalsDto(r.previous),
        byPlatform: Object.fromEntries(Object.entries(r.byPlatform).map(([p, t]) => [p, totalsDto(t)])),
        topPosts: r.topPosts.map((p) => ({
          postId: p.postId,
          platform: p.platform,
          publishedAt: iso(p.publishedAt),
          permalink: p.permalink,
          horizon: p.horizon,
          posts: 1,
          views: p.views ?? null,
          reach: p.reach ?? null,
          likes: p.likes ?? null,
          comments: p.comments ?? null,
          shares: p.shares ?? null,
          saves: p.saves ?? null,
          clicks: p.clicks ?? null,
          engagements: p.engagements,
          rate: p.rate,
        })),
        bestTimes: r.bestTimes.map((b) => ({ weekday: b.weekday, hour: b.hour, score: b.score, posts: b.posts })),
      });
    })
    .get('/:id/results/posts.csv', (c) => csvResponse(resultsExport.postMetrics(c.req.param('id'), periodOf(c))))
    .get('/:id/results/accounts.csv', (c) => csvResponse(resultsExport.accountMetrics(c.req.param('id'), periodOf(c))));
}
