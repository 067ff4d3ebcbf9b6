import type { AccountRow, ChannelRow, JobRunRow, PostListItem } from '../../src/db/repos/index.js';
import { AccountAvatar, EmptyState, PlatformBadge, When } from '../components/bits.js';
import { PostMiniList } from '../components/post-list.js';
import { AdminLayout, pageMay, type PageContext } from '../layouts/admin.js';
import { relative } from '../format.js';

export interface DashboardData {
  now: number;
  awaitingApproval: PostListItem[];
  counts: Record<string, number>;
  /** Awaiting approval and due within the next few hours. */
  approvalSoon: Set<string>;
  problems: PostListItem[];
  reconnect: Array<AccountRow & { clientName: string }>;
  upcoming: PostListItem[];
  upcomingTotal: number;
  jobs: Array<{ id: string; title: string; lastRun: JobRunRow | null }>;
  leader: boolean;
  /** No agency name yet: the client portal has none to show. */
  agencyUnnamed: boolean;
  notices: string[];
  /** Notification channels that failed lately or were paused (Settings → Notifications). */
  failingChannels: readonly ChannelRow[];
  /** Email still waiting after failed tries (the SMTP server refuses or is down). */
  failingEmail: { waiting: number; lastError: string | null } | null;
}

/** The mail server is not taking Herald's messages: nobody hears of anything by email until it does. */
function FailingEmail({ email }: { email: DashboardData['failingEmail'] }) {
  if (!email) return null;
  return (
    <div class="notice notice-warn" id="failing-email" role="status">
      <p>
        <strong>Email is not getting through:</strong> {email.waiting}{' '}
        {email.waiting === 1 ? 'message is' : 'messages are'} waiting to be retried
        {email.lastError ? ` (the mail server said: ${email.lastError})` : ''}. Check SMTP_URL and the mail server.
      </p>
      <a href="/settings/notifications">Settings → Notifications →</a>
    </div>
  );
}

/** Who is not hearing from Herald: a paused channel hears nothing until someone resumes it. */
function FailingChannels({ channels }: { channels: readonly ChannelRow[] }) {
  if (channels.length === 0) return null;
  return (
    <div class="notice notice-warn" id="failing-channels" role="status">
      <p>
        <strong>Notifications are not getting through</strong> to {channels.length}{' '}
        {channels.length === 1 ? 'channel' : 'channels'}:
      </p>
      <ul>
        {channels.map((ch) => (
          <li>
            {ch.name}:{' '}
            {ch.status === 'paused'
              ? `paused (${ch.pausedReason ?? 'it kept failing'})`
              : `${ch.consecutiveFailures} failed ${ch.consecutiveFailures === 1 ? 'delivery' : 'deliveries'} in a row`}
          </li>
        ))}
      </ul>
      <a href="/settings/notifications">Settings → Notifications →</a>
    </div>
  );
}

export function DashboardPage({ page, data }: { page: PageContext; data: DashboardData }) {
  return (
    <AdminLayout title="Dashboard" page={page} active="dashboard">
      <FailingChannels channels={data.failingChannels} />
      <FailingEmail email={data.failingEmail} />
      {data.agencyUnnamed && pageMay(page, 'agency.manage') ? (
        <div class="notice notice-info" id="agency-unnamed" role="status">
          <p>
            <strong>Your agency has no name yet:</strong> clients see it in their portal. Set it once and their portal
            greets them with it.
          </p>
          <a href="/settings#agency">Settings → Agency →</a>
        </div>
      ) : null}
      {data.notices.length ? (
        <div class="notice notice-info">
          {data.notices.map((n) => (
            <p>{n}</p>
          ))}
        </div>
      ) : null}
      <div class="grid-2">
        <section class="card">
          <h2>
            Awaiting approval <span class="count">{data.counts.pending_approval ?? 0}</span>
          </h2>
          {data.awaitingApproval.length ? (
            <>
              {data.approvalSoon.size ? (
                <p class="warn-text">
                  {data.approvalSoon.size} due within 6 hours: approve them or they will be missed.
                </p>
              ) : null}
              <PostMiniList posts={data.awaitingApproval} />
              <a href="/pipeline?status=pending_approval">All posts awaiting approval →</a>
            </>
          ) : (
            <EmptyState title="Nothing to approve." />
          )}
        </section>
        <section class="card">
          <h2>
            Needs attention <small class="muted">(last 30 days)</small>{' '}
            <span class="count">
              {(data.counts.failed ?? 0) + (data.counts.unconfirmed ?? 0) + (data.counts.missed ?? 0)}
            </span>
          </h2>
          {data.problems.length ? (
            <>
              <PostMiniList posts={data.problems} />
              <a href="/pipeline?status=failed,unconfirmed,missed">All failed, unconfirmed and missed posts →</a>
            </>
          ) : (
            <EmptyState title="No failed, unconfirmed or missed posts." />
          )}
        </section>
        <section class="card">
          <h2>
            Accounts to reconnect <span class="count">{data.reconnect.length}</span>
          </h2>
          {data.reconnect.length ? (
            <ul class="plain">
              {data.reconnect.map((a) => (
                <li>
                  <AccountAvatar id={a.id} /> <PlatformBadge platform={a.platform} />{' '}
                  <a href={`/clients/${a.clientId}`}>{a.name}</a> · {a.clientName}
                  <br />
                  <small class="error-text">{a.lastError ?? 'The platform no longer accepts its token.'}</small>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState title="Every account is connected." />
          )}
        </section>
        <section class="card">
          <h2>Jobs</h2>
          <p class="muted">
            {data.leader
              ? 'This process runs the schedules (leader).'
              : 'Another process runs the schedules; this one serves pages.'}
          </p>
          <table class="compact">
            <tbody>
              {data.jobs.map((j) => (
                <tr>
                  <td>{j.title}</td>
                  <td>
                    {j.lastRun ? (
                      <>
                        <span class={`badge run-${j.lastRun.status}`}>{j.lastRun.status}</span>{' '}
                        <small class="muted">{relative(j.lastRun.requestedAt, data.now)}</small>
                      </>
                    ) : (
                      <small class="muted">not run yet</small>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <a href="/system">System →</a>
        </section>
      </div>
      <section class="card">
        <h2>
          Next 24 hours <span class="count">{data.upcomingTotal}</span>
        </h2>
        {data.upcoming.length ? (
          <table class="striped">
            <thead>
              <tr>
                <th>When</th>
                <th>Client</th>
                <th>Account</th>
                <th>Caption</th>
              </tr>
            </thead>
            <tbody>
              {data.upcoming.map((p) => (
                <tr>
                  <td>
                    <When ms={p.scheduledAt} tz={p.clientTimezone} />
                  </td>
                  <td>{p.clientName}</td>
                  <td>
                    <PlatformBadge platform={p.platform} /> {p.accountName}
                  </td>
                  <td>
                    <a href={`/posts/${p.id}`}>{p.caption.trim() ? p.caption.slice(0, 80) : '(no caption)'}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <EmptyState title="Nothing scheduled in the next 24 hours." />
        )}
        {data.upcomingTotal > data.upcoming.length ? (
          <a href={`/pipeline?status=scheduled&from=${new Date(data.now).toISOString().slice(0, 10)}`}>
            All {data.upcomingTotal} posts of the next 24 hours →
          </a>
        ) : null}
      </section>
    </AdminLayout>
  );
}
