import { Hono, type Context } from 'hono';
import { HeraldError } from '../../../domain/errors.js';
import { POST_STATUSES, type PostStatus } from '../../../domain/post-status.js';
import type { PostAction } from '../../../services/posts-service.js';
import { addDays, parseCivil, startInstant } from '../../../../views/civil-date.js';
import {
  PipelinePage,
  PipelineResults,
  type BulkMemberResult,
  type PipelineData,
  type PipelineFilters,
} from '../../../../views/pages/pipeline.js';
import type { ListFilter } from '../../../db/repos/group-lists-repo.js';
import type { Repos } from '../../../db/repos/index.js';
import { heldClients } from '../../../services/list-scope.js';
import { scopeOf } from '../../client-reach.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { formFields, pageContext, render } from '../../render.js';
import { isHtmx } from '../../session.js';
import { pipelineItems } from './group-cards.js';

const PAGE_SIZE = 50;
const BULK_ACTIONS: readonly string[] = ['approve', 'reject', 'cancel', 'queue', 'share_next'];
const BULK_VERBS: Record<string, string> = {
  approve: 'approved',
  reject: 'rejected',
  cancel: 'cancelled',
  queue: 'added to the queue',
  share_next: 'shared next',
};
/** Posts one bulk action may touch: a few loaded pages. Each is its own write, so the count is bounded. */
const MAX_BULK = 200;
/** More labels than anyone picks at once; keeps the query's parameter list small. */
const MAX_LABEL_FILTER = 50;
/** A group card's checkbox sends `group:<id>` under the same name as the posts' (so "Select all" takes it too). */
const GROUP_PREFIX = 'group:';

/** The list filters, from the query string or the bulk form (`get` returns every value of a field). */
export function filtersOf(get: (name: string) => string[]): PipelineFilters {
  const status = get('status')
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s): s is PostStatus => (POST_STATUSES as readonly string[]).includes(s));
  return {
    clientId: get('clientId')[0] ?? '',
    accountId: get('accountId')[0] ?? '',
    status: [...new Set(status)],
    from: get('from')[0] ?? '',
    to: get('to')[0] ?? '',
    labelIds: [...new Set(get('labelIds').filter((id) => id.length > 0 && id.length <= 64))].slice(0, MAX_LABEL_FILTER),
  };
}

/** The filters as the lists' query reads them; dates in `zone` (the chosen client's, or UTC across clients). */
export function listFilterOf(filters: PipelineFilters, zone: string): Omit<ListFilter, 'limit' | 'cursor'> {
  const from = parseCivil(filters.from);
  const to = parseCivil(filters.to);
  return {
    clientId: filters.clientId || undefined,
    accountId: filters.accountId || undefined,
    status: filters.status.length ? (filters.status as PostStatus[]) : undefined,
    from: from ? startInstant(from, zone) : undefined,
    to: to ? startInstant(addDays(to, 1), zone) : undefined,
    labelIds: filters.labelIds.length ? filters.labelIds : undefined,
  };
}

/** The zone a filter's dates are read in: the chosen client's, or UTC across clients. */
export function zoneOf(repos: Repos, clientId: string): string {
  return (clientId ? repos.clients.options().find((c) => c.id === clientId)?.timezone : undefined) ?? 'UTC';
}

export function pipelineRoutes(deps: AppDeps) {
  const { repos, services } = deps;
  const app = new Hono<AppEnv>();

  function data(
    held: readonly string[] | undefined,
    filters: PipelineFilters,
    cursor: string | undefined,
    result: PipelineData['result'] = null,
  ): PipelineData {
    const clients = repos.clients.options(held);
    const client = clients.find((c) => c.id === filters.clientId);
    // Dates are read in the chosen client's zone, or UTC across clients.
    const zone = client?.timezone ?? 'UTC';
    const filter = { ...listFilterOf(filters, zone), clientIds: held };
    // A group is one row, at its first matching member: it never shows twice across pages.
    const page = repos.groupLists.list({ ...filter, cursor, limit: PAGE_SIZE }, { collapse: true });
    const { items, labels } = pipelineItems(repos, page.data, filter);
    // Accounts are offered once a client is chosen: a thousand-entry list helps nobody.
    return {
      items,
      labels,
      labelOptions: repos.labels.list().map((l) => ({ id: l.id, name: l.name })),
      next: page.nextCursor,
      filters,
      clients,
      accounts: client ? repos.accounts.options(client.id) : [],
      zone,
      result,
    };
  }

  app.get('/pipeline', (c) => {
    const params = new URL(c.req.url).searchParams;
    const filters = filtersOf((k) => params.getAll(k));
    const d = data(heldClients(scopeOf(c), filters.clientId), filters, params.get('cursor') ?? undefined);
    if (isHtmx(c) && c.req.header('hx-target') === 'pipeline-results')
      return render(c, <PipelineResults data={d} csrf={pageContext(c).csrf} />);
    return render(c, <PipelinePage page={pageContext(c)} data={d} />);
  });

  /** Approve, reject or cancel many posts at once; each post succeeds or says why not. */
  app.post('/pipeline/bulk', async (c: Context<AppEnv>) => {
    const form = await formFields(c);
    const action = form.one('action');
    const picked = [...new Set(form.many('ids'))];
    // A selected group stands for all of its members, each acted on (and answered for) on its own.
    const groupIds = picked
      .filter((id) => id.startsWith(GROUP_PREFIX))
      .slice(0, MAX_BULK)
      .map((id) => id.slice(GROUP_PREFIX.length));
    const members = [...repos.groupLists.members(groupIds).values()].flat();
    const inGroup = new Set(members.map((m) => m.id));
    const ids = [...new Set([...picked.filter((id) => !id.startsWith(GROUP_PREFIX)), ...inGroup])];
    const filters = filtersOf(form.many);
    let result: PipelineData['result'];
    if (!BULK_ACTIONS.includes(action))
      result = { kind: 'error', text: 'Choose approve, reject, cancel, add to queue or share next.' };
    else if (ids.length === 0) result = { kind: 'error', text: 'Select at least one post first.' };
    else if (ids.length > MAX_BULK) result = { kind: 'error', text: `Select at most ${MAX_BULK} posts at once.` };
    else {
      let done = 0;
      const problems: string[] = [];
      const verb = BULK_VERBS[action]!;
      const outcome = new Map<string, BulkMemberResult['text'] | null>();
      for (const id of ids) {
        try {
          // Queue actions go through the queue, each post in its own account's queue.
          if (action === 'queue' || action === 'share_next')
            services.queue.place(id, c.var.actor, { front: action === 'share_next' });
          else services.posts.act(id, action as PostAction, c.var.actor);
          done++;
          outcome.set(id, null);
        } catch (err) {
          if (!(err instanceof HeraldError)) throw err;
          problems.push(err.message);
          outcome.set(id, err.message);
        }
      }
      const unique = [...new Set(problems)];
      const perMember: BulkMemberResult[] = members.map((m) => {
        const problem = outcome.get(m.id);
        return { platform: m.platform, accountName: m.accountName, ok: !problem, text: problem ?? verb };
      });
      result = {
        kind: problems.length ? 'error' : 'ok',
        text: `${done} ${verb}.${problems.length ? ` ${problems.length} could not be: ${unique.join(' ')}` : ''}`,
        members: perMember,
      };
    }
    const d = data(heldClients(scopeOf(c), filters.clientId), filters, undefined, result);
    if (isHtmx(c)) return render(c, <PipelineResults data={d} csrf={pageContext(c).csrf} />);
    return render(c, <PipelinePage page={pageContext(c)} data={d} />);
  });

  return app;
}
