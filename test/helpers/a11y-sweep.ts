import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { SYSTEM } from '../../src/domain/actor.js';
import { signIn, startLiveHerald, type LiveHerald } from './browser.js';
import { seedClient, type TestHerald } from './herald.js';
import { publishedWithResults } from './results-seed.js';
import { expandPattern, type Fixtures, seedRouteFixtures } from './route-fixtures.js';

// The accessibility sweep: every GET page of the admin area, the portal and the public pages, read from the app's own
// route list with the fixtures of the route tables, visited in a real browser and audited by axe-core against the
// WCAG 2.0, 2.1 and 2.2 A and AA rules, plus the checks axe does not make (skip link, one h1, reflow at 320 px).

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** Public GET routes that are pages a person reads; every other public GET route is a redirect, a file or JSON. */
const PUBLIC_PAGES = new Set([
  '/login',
  '/setup',
  '/login/verify',
  '/join/:token',
  '/invite/:token',
  '/unsubscribe/:token',
]);
/** Routes that answer a part of a page for htmx to swap in (audited as part of the page that asks for it). */
export const FRAGMENTS = new Set([
  '/rules/preview',
  '/groups/:id/members',
  '/settings/notifications/deliveries/:id/status',
]);

export type Area = 'admin' | 'portal' | 'public';
export interface SweepPage {
  area: Area;
  pattern: string;
  path: string;
}

/** The GET pages of the app by area, parameters filled from `fixtures`; `problems` names routes without a fixture. */
export function sweepPages(
  t: TestHerald,
  fixtures: Fixtures,
  queries: Record<string, string> = {},
  byArea: Partial<Record<Area, Fixtures>> = {},
) {
  const pages: SweepPage[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { method, path: pattern } of t.herald.app.routes) {
    if (method !== 'GET' || seen.has(pattern) || pattern.includes('*') || pattern.startsWith('/api/')) continue;
    seen.add(pattern);
    if (FRAGMENTS.has(pattern)) continue;
    const area: Area | null =
      pattern === '/portal' || pattern.startsWith('/portal/')
        ? 'portal'
        : PUBLIC_PAGES.has(pattern)
          ? 'public'
          : ['/healthz', '/metrics', '/media/:key'].includes(pattern) || pattern.startsWith('/auth/')
            ? null
            : 'admin';
    if (!area) continue;
    const { paths, problem } = expandPattern(pattern, { ...fixtures, ...byArea[area] });
    if (problem) problems.push(problem);
    // Routes whose rows an empty Herald lacks: left to the full sweep, where a missing fixture fails.
    for (const path of paths) pages.push({ area, pattern, path: `${path}${queries[pattern] ?? ''}` });
  }
  return { pages, problems };
}

/** Every fragment named above still exists (a renamed route must not leave a stale exemption). */
export function staleFragments(t: TestHerald): string[] {
  const existing = new Set(t.herald.app.routes.map((r) => r.path));
  return [...FRAGMENTS].filter((p) => !existing.has(p));
}

/** A Herald with nothing in it but the admin and one client without accounts (the portal's first look). */
export async function emptyHerald() {
  const live = await startLiveHerald();
  await live.herald.services.auth.ensureConfiguredAdmin();
  const client = live.herald.services.clients.create({ name: 'New Client', timezone: 'UTC', approvalMode: 'client' });
  const invite = live.herald.services.clients.createInvite(client.id);
  const fixtures: Fixtures = {
    'clients/:id': client.id,
    'clients/:clientId': client.id,
    'invite/:token': new URL(invite.url).pathname.split('/').pop()!,
  };
  return { live, fixtures, queries: {}, byArea: {}, inviteUrl: invite.url.replace(/^https?:\/\/[^/]+/, live.url) };
}

const HOUR = 3_600_000;
const STATUSES = [
  'draft',
  'pending_approval',
  'scheduled',
  'publishing',
  'published',
  'unconfirmed',
  'failed',
  'missed',
  'rejected',
  'cancelled',
] as const;

/**
 * A Herald with one of everything: clients, accounts, posts in every status this week (the calendar), results,
 * notification channels and deliveries, team members, posting times, labels, snippets, media. The portal's client
 * speaks German and approves its own posts.
 */
export async function fullHerald() {
  const live = await startLiveHerald();
  const { services, repos } = live.herald;
  await services.auth.ensureConfiguredAdmin();
  const { ids, fixtures } = await seedRouteFixtures(live);
  for (const role of ['editor', 'viewer'] as const)
    await services.auth.createAdmin({ email: `${role}@agency.test`, password: 'a long enough password', role });

  const portal = seedClient(live, { name: 'Bäckerei Acme', approvalMode: 'client', language: 'de' });
  const now = Date.now();
  for (const [i, status] of STATUSES.entries()) {
    for (const account of [portal.facebook, repos.accounts.get(ids.account)!]) {
      const post = services.posts.create(
        { accountId: account.id, caption: `A ${status} post about bread #bakery`, labels: [ids.label] },
        SYSTEM,
      );
      repos.posts.update(post.id, { status, scheduledAt: now + (i + 1) * HOUR });
    }
  }
  for (const i of [0, 1, 2])
    publishedWithResults(live, portal.facebook, now - (i + 2) * 24 * HOUR, {
      '24h': { views: 1200 + i, reach: 900, likes: 40, comments: 3, shares: 2 },
      '7d': { views: 2400 + i, reach: 1800, likes: 80, comments: 6, shares: 4 },
    });
  services.accounts.patch(ids.account, { postingTimes: [{ weekday: 1, time: '09:00' }] }, SYSTEM);
  const invite = services.clients.createInvite(portal.client.id);
  return {
    live,
    fixtures,
    byArea: { portal: { 'accounts/:id': portal.facebook.id } },
    queries: { '/rules/preview': `?clientId=${ids.client}&name=R&cron=0+9+*+*+*` },
    inviteUrl: invite.url.replace(/^https?:\/\/[^/]+/, live.url),
  };
}

/** A page signed in as the admin and one with the client's portal session, each in its own cookie jar. */
// axe-core is added to each page as a script of its own: the contexts bypass the CSP for that one script.
export async function sessions(browser: Browser, live: LiveHerald, inviteUrl: string) {
  const admin = await (await browser.newContext({ bypassCSP: true })).newPage();
  await signIn(admin, live.url);
  const portal = await (await browser.newContext({ bypassCSP: true })).newPage();
  await portal.goto(inviteUrl);
  const anonymous = await (await browser.newContext({ bypassCSP: true })).newPage();
  return { admin, portal, public: anonymous } satisfies Record<Area, Page>;
}

/**
 * Opens `path` and returns what is wrong with it: axe-core's violations (rule, impact, element selectors), and the
 * page's own promises (a skip link first, one h1, the language set, landmarks, no sideways scrolling). An empty list is
 * a pass; a file download or a redirect away from a page is skipped (null).
 */
export async function auditPage(page: Page, base: string, path: string): Promise<string[] | null> {
  const head = await page.request.get(`${base}${path}`, { maxRedirects: 0 });
  if (head.status() >= 300 && head.status() < 400) return null;
  if (head.status() !== 200) return [`answers ${head.status()}`];
  if (!(head.headers()['content-type'] ?? '').startsWith('text/html')) return null;
  await page.goto(`${base}${path}`, { waitUntil: 'load' });
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .slice(0, 5)
          .map((n) => n.target.join(' '))
          .join(' | ')}${v.nodes.length > 5 ? ` and ${v.nodes.length - 5} more` : ''}`,
    );
  }, WCAG_TAGS);
  const own = await page.evaluate(() => {
    const problems: string[] = [];
    // The first element a Tab reaches: focusable, and rendered (not hidden or display: none).
    const first = [
      ...document.querySelectorAll<HTMLElement>(
        'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])',
      ),
    ].find((el) => el.checkVisibility({ visibilityProperty: true }) && !el.closest('[inert]'));
    if (first?.getAttribute('href') !== '#main')
      problems.push('the first focusable element is not a skip link to #main');
    if (!document.querySelector('main#main')) problems.push('no <main id="main">');
    const h1s = document.querySelectorAll('h1').length;
    if (h1s !== 1) problems.push(`${h1s} h1 elements`);
    if (!document.documentElement.lang) problems.push('no lang on <html>');
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) {
      // Name the innermost elements that stick out, outside any region that scrolls on its own.
      const describe = (el: Element) =>
        `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${[...el.classList].map((c) => `.${c}`).join('')}`;
      const wide = [...document.body.querySelectorAll('*')].filter((el) => {
        if (el.getBoundingClientRect().right <= root.clientWidth + 0.5) return false;
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement)
          if (getComputedStyle(up).overflowX !== 'visible') return false;
        return ![...el.children].some((child) => child.getBoundingClientRect().right > root.clientWidth + 0.5);
      });
      problems.push(
        `scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}, past the edge: ${wide
          .slice(0, 5)
          .map((el) => `${describe(el.parentElement!)} > ${describe(el)}`)
          .join(' | ')}`,
      );
    }
    return problems;
  });
  return [...violations, ...own];
}
