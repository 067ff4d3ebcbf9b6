import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { ValidationError } from '../domain/errors.js';
import { dayInZone } from '../lib/zoned-time.js';
import { ClientResultsView } from '../../views/pages/results.js';
import type { AppDeps, AppEnv } from './context.js';

/**
 * The Results body for one client, shared by the admin page and the portal tab: the numbers for
 * the period in the query, or the picker with field errors (status 422) when the period is wrong.
 */
export function clientResultsBody(
  c: Context<AppEnv>,
  deps: AppDeps,
  client: { id: string; timezone: string },
  options: { action: string; admin: boolean },
): { node: Child; status: 200 | 422 } {
  const { services, repos, clock } = deps;
  const input = { from: c.req.query('from'), to: c.req.query('to') };
  const today = dayInZone(clock.now(), client.timezone);
  let results: ReturnType<typeof services.results.forClient> | null = null;
  let errors: Record<string, string[]> | undefined;
  try {
    results = services.results.forClient(client.id, input);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    errors = err.fields;
  }
  const shown = [...(results?.topPosts ?? []), ...(results?.bottomPosts ?? [])];
  const media = repos.media.getMany([...new Set(shown.flatMap((p) => (p.mediaId ? [p.mediaId] : [])))]);
  // Images only: a video's first frame is not stored, and a broken image is worse than none.
  const thumbs = Object.fromEntries(
    media.filter((m) => m.mime.startsWith('image/')).map((m) => [m.id, services.media.url(m.key)]),
  );
  const blocked = repos.accounts
    .listByClient(client.id)
    .flatMap((a) => (a.insightsBlocked ? [{ name: a.name, platform: a.platform, reason: a.insightsBlocked }] : []));
  const node = (
    <ClientResultsView
      results={results}
      choice={{
        from: results?.period.fromDay ?? input.from ?? '',
        to: results?.period.toDay ?? input.to ?? '',
        today,
        errors,
      }}
      action={options.action}
      blocked={blocked}
      thumbs={thumbs}
      platformLabels={c.var.platformLabels ?? {}}
      admin={options.admin}
    />
  );
  return { node, status: results ? 200 : 422 };
}
