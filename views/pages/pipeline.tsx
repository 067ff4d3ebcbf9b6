import type { PostListItem } from '../../src/db/repos/index.js';
import { POST_STATUSES } from '../../src/domain/post-status.js';
import { EmptyState, Pager, PlatformBadge } from '../components/bits.js';
import { Csrf } from '../components/forms.js';
import { GroupCard, PipelineRow, type GroupCardData, type LabelLookup } from '../components/group-card.js';
import { humanStatus } from '../format.js';
import { AdminLayout, pageMay, type PageContext } from '../layouts/admin.js';

export interface PipelineFilters {
  clientId: string;
  accountId: string;
  status: string[];
  from: string;
  to: string;
  /** A post shows when it has any of these labels; a group when any member has. */
  labelIds: string[];
}

/** A row of the pipeline: a post on its own, or a post group as one card. */
export type PipelineItem = { kind: 'post'; post: PostListItem } | { kind: 'group'; card: GroupCardData };

/** What a bulk action did to one member of a selected group. */
export interface BulkMemberResult {
  platform: string;
  accountName: string;
  ok: boolean;
  text: string;
}

export interface PipelineData {
  items: PipelineItem[];
  labels: LabelLookup;
  /** Every label, for the filter. */
  labelOptions: Array<{ id: string; name: string }>;
  next: string | null;
  filters: PipelineFilters;
  clients: ReadonlyArray<{ id: string; name: string; timezone: string }>;
  accounts: ReadonlyArray<{ id: string; name: string; platform: string; clientId: string }>;
  /** The zone the date filters are read in. */
  zone: string;
  result: { kind: 'ok' | 'error'; text: string; members?: BulkMemberResult[] } | null;
}

export function pipelineQuery(filters: PipelineFilters, cursor?: string | null): string {
  const q = new URLSearchParams();
  if (filters.clientId) q.set('clientId', filters.clientId);
  if (filters.accountId) q.set('accountId', filters.accountId);
  if (filters.status.length) q.set('status', filters.status.join(','));
  if (filters.from) q.set('from', filters.from);
  if (filters.to) q.set('to', filters.to);
  for (const id of filters.labelIds) q.append('labelIds', id);
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

/** Runs of single posts share a tbody (so the stripes run on); each group card is a tbody of its own. */
function segments(
  items: readonly PipelineItem[],
): Array<{ kind: 'posts'; posts: PostListItem[] } | { kind: 'group'; card: GroupCardData }> {
  const out: Array<{ kind: 'posts'; posts: PostListItem[] } | { kind: 'group'; card: GroupCardData }> = [];
  for (const item of items) {
    const last = out[out.length - 1];
    if (item.kind === 'group') out.push({ kind: 'group', card: item.card });
    else if (last?.kind === 'posts') last.posts.push(item.post);
    else out.push({ kind: 'posts', posts: [item.post] });
  }
  return out;
}

/** The table and bulk bar: what filters and bulk actions swap. */
export function PipelineResults({ data, csrf }: { data: PipelineData; csrf: string }) {
  return (
    <div id="pipeline-results">
      {data.result ? (
        <div class={`notice notice-${data.result.kind}`} role="status">
          {data.result.text}
          {data.result.members?.length ? (
            <ul class="bulk-members">
              {data.result.members.map((m) => (
                <li class={m.ok ? 'ok' : 'error-text'}>
                  <PlatformBadge platform={m.platform} /> {m.accountName}: {m.text}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {data.items.length === 0 ? (
        <EmptyState title="No posts match these filters." />
      ) : (
        <form
          method="post"
          action="/pipeline/bulk"
          id="bulk-form"
          hx-post="/pipeline/bulk"
          hx-target="#pipeline-results"
          hx-swap="outerHTML"
          hx-include="#pipeline-filters"
        >
          <Csrf token={csrf} />
          <div class="bulk-bar">
            <label>
              <input type="checkbox" data-check-all="ids" aria-label="Select all" /> Select all
            </label>
            <button type="submit" name="action" value="approve" class="small">
              Approve
            </button>
            <button type="submit" name="action" value="reject" class="small secondary">
              Reject
            </button>
            <button type="submit" name="action" value="queue" class="small secondary outline">
              Add to queue
            </button>
            <button type="submit" name="action" value="share_next" class="small secondary outline">
              Share next
            </button>
            <button
              type="submit"
              name="action"
              value="cancel"
              class="small contrast outline"
              hx-confirm="Cancel the selected posts?"
            >
              Cancel
            </button>
          </div>
          <table class="striped responsive pipeline">
            <thead>
              <tr>
                <th>
                  <span class="visually-hidden">Select</span>
                </th>
                <th>When</th>
                <th>Client</th>
                <th>Account</th>
                <th>Status</th>
                <th>Caption</th>
              </tr>
            </thead>
            {segments(data.items).map((segment) =>
              segment.kind === 'group' ? (
                <GroupCard card={segment.card} labels={data.labels} open={false} query={pipelineQuery(data.filters)} />
              ) : (
                <tbody>
                  {segment.posts.map((p) => (
                    <PipelineRow post={p} labels={data.labels} />
                  ))}
                </tbody>
              ),
            )}
          </table>
        </form>
      )}
      <Pager href={data.next ? `/pipeline?${pipelineQuery(data.filters, data.next)}` : null} />
      {/* Inside the swapped results, so the link always carries the filters on screen. */}
      <p class="export-link">
        <a href={`/pipeline/export.csv?${pipelineQuery(data.filters)}`} download hx-boost="false">
          Export CSV
        </a>{' '}
        <small class="muted">(every post these filters match, in the import's columns)</small>
      </p>
    </div>
  );
}

export function PipelinePage({ page, data }: { page: PageContext; data: PipelineData }) {
  const f = data.filters;
  return (
    <AdminLayout
      title="Pipeline"
      page={page}
      active="pipeline"
      actions={
        pageMay(page, 'content.write') ? (
          <a href={f.clientId ? `/posts/new?clientId=${f.clientId}` : '/posts/new'} role="button">
            New post
          </a>
        ) : undefined
      }
    >
      <form
        method="get"
        action="/pipeline"
        id="pipeline-filters"
        class="filters card"
        hx-get="/pipeline"
        hx-target="#pipeline-results"
        hx-select="#pipeline-results"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-trigger="change, submit"
      >
        <div class="grid">
          <label>
            Client
            <select name="clientId">
              <option value="">All clients</option>
              {data.clients.map((c) => (
                <option value={c.id} selected={c.id === f.clientId}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Account
            <select name="accountId" disabled={!f.clientId}>
              <option value="">{f.clientId ? 'All accounts' : 'Choose a client first'}</option>
              {data.accounts
                .filter((a) => !f.clientId || a.clientId === f.clientId)
                .map((a) => (
                  <option value={a.id} selected={a.id === f.accountId}>
                    {a.name} ({a.platform})
                  </option>
                ))}
            </select>
          </label>
          <label>
            From <small class="muted">({data.zone})</small>
            <input type="date" name="from" value={f.from} />
          </label>
          <label>
            To <small class="muted">(inclusive)</small>
            <input type="date" name="to" value={f.to} />
          </label>
        </div>
        {data.labelOptions.length ? (
          <label class="label-filter">
            Labels <small class="muted">(any of)</small>
            <select name="labelIds" multiple size={Math.min(4, data.labelOptions.length)}>
              {data.labelOptions.map((l) => (
                <option value={l.id} selected={f.labelIds.includes(l.id)}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <div class="picker-row" role="group" aria-label="Status">
          {POST_STATUSES.map((s) => (
            <label class="chip">
              <input type="checkbox" name="status" value={s} checked={f.status.includes(s)} /> {humanStatus(s)}
            </label>
          ))}
        </div>
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </form>
      <PipelineResults data={data} csrf={page.csrf} />
    </AdminLayout>
  );
}
