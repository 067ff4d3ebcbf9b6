import { ClientFilter } from '../components/forms.js';
import type { PostLogRow } from '../../src/db/repos/index.js';
import { EmptyState, LogMessage, Pager, PlatformBadge } from '../components/bits.js';
import { formatInZone } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

export type LogItem = PostLogRow & { clientName: string; accountName: string; platform: string };

export function LogsPage({
  page,
  logs,
  level,
  clientId,
  clients,
  olderThan,
}: {
  page: PageContext;
  logs: LogItem[];
  level: string;
  clientId: string;
  clients: ReadonlyArray<{ id: string; name: string }>;
  olderThan: number | null;
}) {
  const q = (extra: Record<string, string>) =>
    new URLSearchParams({ ...(level ? { level } : {}), ...(clientId ? { clientId } : {}), ...extra }).toString();
  return (
    <AdminLayout title="Publishing logs" page={page} active="logs">
      <form method="get" action="/logs" class="filters">
        <select name="level" aria-label="Level" data-autosubmit="true">
          <option value="">All levels</option>
          {['error', 'warn', 'ok', 'info'].map((l) => (
            <option value={l} selected={l === level}>
              {l}
            </option>
          ))}
        </select>
        <ClientFilter clients={clients} selected={clientId} />
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </form>
      {logs.length === 0 ? (
        <EmptyState title="No log lines match." />
      ) : (
        <table class="striped responsive compact">
          <thead>
            <tr>
              <th>When (UTC)</th>
              <th>Level</th>
              <th>Post</th>
              <th>Step</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {logs.map((l) => (
              <tr>
                <td>{formatInZone(l.createdAt, 'UTC')}</td>
                <td>
                  <span class={`badge level-${l.level}`}>{l.level}</span>
                </td>
                <td>
                  <a href={`/posts/${l.postId}`}>
                    <PlatformBadge platform={l.platform} /> {l.accountName}
                  </a>
                  <small class="muted"> · {l.clientName}</small>
                </td>
                <td>{l.step}</td>
                <td>
                  <LogMessage entry={l} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager href={olderThan !== null ? `/logs?${q({ before: String(olderThan) })}` : null} label="Older →" />
    </AdminLayout>
  );
}
