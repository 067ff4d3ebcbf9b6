import type { PostListItem } from '../../src/db/repos/index.js';
import { POST_STATUSES } from '../../src/domain/post-status.js';
import { EmptyState, Pager, PlatformBadge, StatusBadge, When } from '../components/bits.js';
import { Csrf } from '../components/forms.js';
import { humanStatus } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

export interface PipelineFilters {
  clientId: string;
  accountId: string;
  status: string[];
  from: string;
  to: string;
}

export interface PipelineData {
  posts: PostListItem[];
  next: string | null;
  filters: PipelineFilters;
  clients: Array<{ id: string; name: string; timezone: string }>;
  accounts: Array<{ id: string; name: string; platform: string; clientId: string }>;
  /** The zone the date filters are read in. */
  zone: string;
  result: { kind: 'ok' | 'error'; text: string } | null;
}

function query(filters: PipelineFilters, cursor?: string | null): string {
  const q = new URLSearchParams();
  if (filters.clientId) q.set('clientId', filters.clientId);
  if (filters.accountId) q.set('accountId', filters.accountId);
  if (filters.status.length) q.set('status', filters.status.join(','));
  if (filters.from) q.set('from', filters.from);
  if (filters.to) q.set('to', filters.to);
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

/** The table and bulk bar: what filters and bulk actions swap. */
export function PipelineResults({ data, csrf }: { data: PipelineData; csrf: string }) {
  return (
    <div id="pipeline-results">
      {data.result ? (
        <div class={`notice notice-${data.result.kind}`} role="status">
          {data.result.text}
        </div>
      ) : null}
      {data.posts.length === 0 ? (
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
                <th></th>
                <th>When</th>
                <th>Client</th>
                <th>Account</th>
                <th>Status</th>
                <th>Caption</th>
              </tr>
            </thead>
            <tbody>
              {data.posts.map((p) => (
                <tr>
                  <td>
                    <input type="checkbox" name="ids" value={p.id} aria-label="Select post" />
                  </td>
                  <td>
                    <When ms={p.scheduledAt} tz={p.clientTimezone} />
                  </td>
                  <td>{p.clientName}</td>
                  <td>
                    <PlatformBadge platform={p.platform} /> {p.accountName}
                  </td>
                  <td>
                    <StatusBadge status={p.status} />
                    {p.lastError ? <small class="error-text">{p.lastError}</small> : null}
                  </td>
                  <td>
                    <a href={`/posts/${p.id}`}>{p.caption.trim() ? p.caption.slice(0, 100) : '(no caption)'}</a>
                    {p.source === 'ai' ? <small class="muted"> · AI</small> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </form>
      )}
      <Pager href={data.next ? `/pipeline?${query(data.filters, data.next)}` : null} />
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
        <a href={f.clientId ? `/posts/new?clientId=${f.clientId}` : '/posts/new'} role="button">
          New post
        </a>
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
