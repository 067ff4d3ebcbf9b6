import type { AccountRow, ClientRow } from '../../src/db/repos/index.js';
import type { QueueSlot } from '../../src/services/queue-service.js';
import { EmptyState, PlatformBadge, StatusBadge, When } from '../components/bits.js';
import type { Errors } from '../components/forms.js';
import { PostingTimesForm } from '../components/posting-times.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

export interface AccountQueueData {
  client: ClientRow;
  account: AccountRow;
  slots: QueueSlot[];
  /** How many posting times are listed, and the link for more. */
  count: number;
  more: number | null;
  form?: { values?: Record<string, string>; errors?: Errors; message?: string; note?: string };
}

const excerpt = (text: string) => (text.length > 120 ? `${text.slice(0, 119)}…` : text || '(no caption)');

/** An account's queue: its next posting times, each with its post or free, in the client's zone. */
export function AccountQueuePage({ page, data }: { page: PageContext; data: AccountQueueData }) {
  const { client, account, slots } = data;
  const tz = client.timezone;
  const free = slots.filter((s) => !s.post).length;
  return (
    <AdminLayout title={`Queue · ${account.name}`} page={page} active="clients">
      <p>
        <a href={`/clients/${client.id}`}>← {client.name}</a>
      </p>
      <p>
        <PlatformBadge platform={account.platform} /> {account.name} · times in <strong>{tz}</strong>
      </p>
      <section class="card">
        <h2>Posting times</h2>
        <PostingTimesForm account={account} csrf={page.csrf} tz={tz} {...data.form} />
      </section>
      <section class="card" id="queue-slots">
        <h2>
          Next {slots.length} posting times <small class="muted">({free} free)</small>
        </h2>
        {slots.length === 0 ? (
          <EmptyState title="No posting times yet.">
            Set this account's weekly posting times above; "Add to queue" then fills them in order.
          </EmptyState>
        ) : (
          <table class="striped queue">
            <thead>
              <tr>
                <th>When ({tz})</th>
                <th>Post</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {slots.map((s) => (
                <tr class={s.post ? 'queue-taken' : 'queue-gap'}>
                  <td>
                    <When ms={s.at} tz={tz} showZone={false} />
                  </td>
                  {s.post ? (
                    <>
                      <td>
                        <a href={`/posts/${s.post.id}`}>{excerpt(s.post.caption)}</a>
                        {s.post.queued ? null : <small class="muted"> (scheduled by hand or by a rule)</small>}
                      </td>
                      <td>
                        <StatusBadge status={s.post.status} />
                      </td>
                    </>
                  ) : (
                    <>
                      <td class="muted">Free</td>
                      <td></td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data.more ? (
          <p>
            <a href={`/accounts/${account.id}/queue?count=${data.more}`}>Show {data.more} posting times</a>
          </p>
        ) : null}
      </section>
    </AdminLayout>
  );
}
