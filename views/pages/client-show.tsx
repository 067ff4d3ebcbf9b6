import type { SnippetRow } from '../../src/db/repos/snippets-repo.js';
import { SnippetsSection } from '../components/snippets-section.js';
import { FeedsSection, type FeedsView } from '../components/feeds-section.js';
import type { AccountRow, ClientRow, InviteRow, PostListItem, RuleWithAccounts } from '../../src/db/repos/index.js';
import { describeCron } from '../../src/lib/cron-describe.js';
import { humanStatus } from '../format.js';
import { AccountAvatar, EmptyState, PlatformBadge, StatusBadge, When } from '../components/bits.js';
import type { ConnectForm } from '../../src/platforms/network.js';
import type { AccountSettingView } from '../../src/platforms/registry.js';
import { ConnectFormFields } from '../components/connect-form.js';
import { Csrf } from '../components/forms.js';
import { GuidanceCard } from '../components/learning.js';
import { PostMiniList } from '../components/post-list.js';
import { PostingTimesSection } from '../components/posting-times.js';
import { AdminLayout, pageMay, type PageContext } from '../layouts/admin.js';

export interface ClientShowData {
  client: ClientRow;
  accounts: AccountRow[];
  /** Each account's note from its network (by account id): when to reconnect a token that is not renewed. */
  notes: Readonly<Record<string, string>>;
  /** Each account's settings its platform declares (a Pinterest default board), by account id. */
  settings: Readonly<Record<string, readonly AccountSettingView[]>>;
  rules: Array<RuleWithAccounts & { nextSlot: number | null }>;
  upcoming: PostListItem[];
  invites: InviteRow[];
  /** A link created just now, shown once (only its hash is stored). */
  newInvite: { url: string; expiresAt: number } | null;
  now: number;
  aiEnabled: boolean;
  /** Connect buttons for an admin who has the client's logins at hand. */
  connectors: Array<{
    id: string;
    label: string;
    configured: boolean;
    hint: string;
    oauth: boolean;
    form: ConnectForm | null;
    /** A further OAuth button of the connection (`?entry=`), or null. */
    entry: string | null;
  }>;
  counts: Record<string, number>;
  snippets: SnippetRow[];
  feeds: FeedsView;
}

export function AccountRowView({
  account,
  csrf,
  tz,
  now,
  note,
  settings,
  manage = true,
}: {
  account: AccountRow;
  csrf: string;
  /** The member may enable, disable, change and remove accounts (their role: account.manage). */
  manage?: boolean;
  tz: string;
  now: number;
  note?: string | undefined;
  settings?: readonly AccountSettingView[] | undefined;
}) {
  return (
    // After an htmx swap of this row, app.js reads data-announce aloud: what the button just did.
    <tr id={`account-${account.id}`} data-announce={`${account.name}: ${humanStatus(account.status)}`}>
      <td>
        <AccountAvatar id={account.id} /> <PlatformBadge platform={account.platform} /> {account.name}
        {account.username && account.username !== account.name ? (
          <small class="muted"> @{account.username}</small>
        ) : null}
        {manage && settings?.length ? <AccountSettingsForm account={account} settings={settings} csrf={csrf} /> : null}
      </td>
      <td>
        <StatusBadge status={account.status} />
        {account.lastError ? <small class="error-text">{account.lastError}</small> : null}
        {account.insightsBlocked && account.status !== 'needs_reauth' ? (
          <small class="warn-text insights-blocked" title={account.insightsBlocked}>
            Reconnect to see results
          </small>
        ) : null}
        {account.pausedUntil && account.pausedUntil > now ? (
          <small class="warn-text">
            Paused until <When ms={account.pausedUntil} tz={tz} style="time" showZone={false} />: {account.pauseReason}
          </small>
        ) : null}
      </td>
      <td>
        {account.tokenExpiresAt ? (
          <When ms={account.tokenExpiresAt} tz={tz} style="date" showZone={false} />
        ) : (
          <span class="muted">does not expire</span>
        )}
        {note ? <small class="warn-text account-note">{note}</small> : null}
      </td>
      <td class="actions">
        {!manage ? null : account.status === 'disabled' ? (
          <form
            method="post"
            action={`/accounts/${account.id}/enable`}
            hx-post={`/accounts/${account.id}/enable`}
            hx-target={`#account-${account.id}`}
            hx-swap="outerHTML"
          >
            <Csrf token={csrf} />
            <button type="submit" class="small secondary">
              Enable
            </button>
          </form>
        ) : (
          <form
            method="post"
            action={`/accounts/${account.id}/disable`}
            hx-post={`/accounts/${account.id}/disable`}
            hx-target={`#account-${account.id}`}
            hx-swap="outerHTML"
          >
            <Csrf token={csrf} />
            <button type="submit" class="small secondary outline">
              Disable
            </button>
          </form>
        )}
        {manage ? (
          <form
            method="post"
            action={`/accounts/${account.id}/delete`}
            hx-confirm={`Remove ${account.name}? Its posts are deleted with it.`}
          >
            <Csrf token={csrf} />
            <button type="submit" class="small contrast outline">
              Remove
            </button>
          </form>
        ) : null}
      </td>
    </tr>
  );
}

/** The settings an account's platform declares, each a select, saved together. */
function AccountSettingsForm({
  account,
  settings,
  csrf,
}: {
  account: AccountRow;
  settings: readonly AccountSettingView[];
  csrf: string;
}) {
  return (
    <form method="post" action={`/accounts/${account.id}/settings`} class="account-settings">
      <Csrf token={csrf} />
      {settings.map((s) => (
        <label for={`account-${account.id}-${s.key}`}>
          <small>{s.label}</small>
          <select name={s.key} id={`account-${account.id}-${s.key}`}>
            {s.choices.map(([v, label]) => (
              <option value={v} selected={v === s.value}>
                {label}
              </option>
            ))}
          </select>
          {s.hint ? <small class="muted">{s.hint}</small> : null}
        </label>
      ))}
      <button type="submit" class="small secondary outline">
        Save
      </button>
    </form>
  );
}

export function InviteBox({
  clientId,
  invites,
  newInvite,
  csrf,
  now,
  tz,
}: {
  clientId: string;
  invites: InviteRow[];
  newInvite: ClientShowData['newInvite'];
  csrf: string;
  now: number;
  tz: string;
}) {
  const live = invites.filter((i) => !i.revokedAt && i.expiresAt > now);
  return (
    <div id="invites">
      {newInvite ? (
        <div class="notice notice-ok">
          <p>
            Send this link to the client. It opens their portal, where they connect their accounts. It is shown only
            now.
          </p>
          <div class="copy-row">
            <input type="text" readonly value={newInvite.url} id="invite-url" aria-label="Invite link" />
            <button type="button" class="small" data-copy="#invite-url">
              Copy
            </button>
          </div>
          <small>
            Valid until <When ms={newInvite.expiresAt} tz={tz} style="date" />.
          </small>
        </div>
      ) : null}
      <form
        method="post"
        action={`/clients/${clientId}/invites`}
        hx-post={`/clients/${clientId}/invites`}
        hx-target="#invites"
        hx-swap="outerHTML"
      >
        <Csrf token={csrf} />
        <button type="submit" class="secondary">
          Create invite link
        </button>
      </form>
      {live.length ? (
        <table class="compact">
          <tbody>
            {live.map((i) => (
              <tr>
                <td>
                  Link created <When ms={i.createdAt} tz={tz} style="date" showZone={false} />, valid until{' '}
                  <When ms={i.expiresAt} tz={tz} style="date" showZone={false} />
                  {i.lastUsedAt ? (
                    <small class="muted">
                      {' '}
                      · last opened <When ms={i.lastUsedAt} tz={tz} style="date" showZone={false} />
                    </small>
                  ) : null}
                </td>
                <td class="actions">
                  <form
                    method="post"
                    action={`/clients/${clientId}/invites/${i.id}/revoke`}
                    hx-post={`/clients/${clientId}/invites/${i.id}/revoke`}
                    hx-target="#invites"
                    hx-swap="outerHTML"
                    hx-confirm="Revoke this link? Anyone using it is signed out of the portal."
                  >
                    <Csrf token={csrf} />
                    <button type="submit" class="small contrast outline">
                      Revoke
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

export function ClientShowPage({ page, data }: { page: PageContext; data: ClientShowData }) {
  const { client } = data;
  const tz = client.timezone;
  return (
    <AdminLayout
      title={client.name}
      page={page}
      active="clients"
      actions={
        <>
          {pageMay(page, 'content.write') ? (
            <a href={`/posts/new?clientId=${client.id}`} role="button">
              New post
            </a>
          ) : null}
          <a href={`/calendar?clientId=${client.id}`} role="button" class="secondary outline">
            Calendar
          </a>
          <a href={`/clients/${client.id}/results`} role="button" class="secondary outline">
            Results
          </a>
          {/* A full page load: the library's upload script is the page's own. */}
          <a href={`/clients/${client.id}/media`} role="button" class="secondary outline" hx-boost="false">
            Media library
          </a>
          <a href={`/clients/${client.id}/import`} role="button" class="secondary outline">
            Import CSV
          </a>
          {pageMay(page, 'client.manage') ? (
            <a href={`/clients/${client.id}/edit`} role="button" class="secondary outline">
              Edit
            </a>
          ) : null}
        </>
      }
    >
      <p class="client-facts">
        <StatusBadge status={client.status} /> <span>{tz}</span> · <span>approval: {client.approvalMode}</span> ·{' '}
        <span>language: {client.language}</span>
        {data.counts.pending_approval ? (
          <>
            {' · '}
            <a href={`/pipeline?clientId=${client.id}&status=pending_approval`}>
              {data.counts.pending_approval} awaiting approval
            </a>
          </>
        ) : null}
      </p>
      <section class="card">
        <h2>Accounts</h2>
        {data.accounts.length ? (
          <table class="responsive">
            <thead>
              <tr>
                <th>Account</th>
                <th>Status</th>
                <th>Token expires</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.accounts.map((a) => (
                <AccountRowView
                  account={a}
                  csrf={page.csrf}
                  tz={tz}
                  now={data.now}
                  note={data.notes[a.id]}
                  settings={data.settings[a.id]}
                  manage={pageMay(page, 'account.manage')}
                />
              ))}
            </tbody>
          </table>
        ) : (
          <EmptyState title="No accounts connected yet.">
            Create an invite link below and send it to the client: they connect their social accounts themselves.
          </EmptyState>
        )}
        {pageMay(page, 'client.manage') ? (
          <InviteBox
            clientId={client.id}
            invites={data.invites}
            newInvite={data.newInvite}
            csrf={page.csrf}
            now={data.now}
            tz={tz}
          />
        ) : null}
        {pageMay(page, 'account.manage') ? (
          <details class="connect-here">
            <summary>Or connect accounts from this browser</summary>
            <p class="muted">
              Only if you can sign in to the client’s accounts yourself; usually the client does this from the invite
              link.
            </p>
            {data.connectors.map((c) =>
              c.configured ? (
                <>
                  {c.oauth ? (
                    <form
                      method="post"
                      action={`/auth/${c.id}/start?clientId=${client.id}${entryQuery(c.entry, '&')}`}
                      hx-boost="false"
                      class="inline"
                    >
                      <Csrf token={page.csrf} />
                      <button type="submit" class="secondary outline small">
                        Connect {c.label}
                      </button>
                    </form>
                  ) : null}
                  {c.form ? (
                    <ConnectFormFields
                      id={c.id}
                      label={c.label}
                      form={c.form}
                      csrf={page.csrf}
                      query={`?clientId=${client.id}`}
                    />
                  ) : null}
                </>
              ) : (
                <p class="muted">
                  {c.label}: {c.hint}
                </p>
              ),
            )}
          </details>
        ) : null}
      </section>
      <PostingTimesSection accounts={data.accounts} csrf={page.csrf} tz={tz} />
      <section class="card">
        <div class="section-head">
          <h2>Content rules</h2>
          <div class="page-actions">
            {data.aiEnabled && data.rules.length ? (
              <form method="post" action={`/clients/${client.id}/generate`}>
                <Csrf token={page.csrf} />
                <button type="submit" class="small secondary">
                  Generate now
                </button>
              </form>
            ) : null}
            <a href={`/clients/${client.id}/rules/new`} role="button" class="small">
              New rule
            </a>
          </div>
        </div>
        {data.aiEnabled ? null : (
          <p class="notice notice-info">
            AI writing is off: set GROQ_API_KEY (and REPLICATE_API_TOKEN for images) and rules will fill the pipeline on
            their own.
          </p>
        )}
        {data.rules.length ? (
          <table class="responsive">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Schedule</th>
                <th>Accounts</th>
                <th>Next slot</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.rules.map((r) => (
                <tr>
                  <td>
                    <a href={`/rules/${r.id}/edit`}>{r.name}</a>{' '}
                    {r.active ? null : <span class="badge status-disabled">inactive</span>}
                  </td>
                  <td>
                    {describeCron(r.cron)} <span class="tz">{r.timezone ?? tz}</span>
                  </td>
                  <td>{r.accountIds.length || <span class="muted">none yet</span>}</td>
                  <td>
                    <When ms={r.nextSlot} tz={r.timezone ?? tz} showZone={false} />
                  </td>
                  <td class="actions">
                    <a href={`/rules/${r.id}/edit`}>Edit</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <EmptyState title="No content rules.">
            A rule says when to post (days and times in the client’s zone) and what about.
          </EmptyState>
        )}
      </section>
      <GuidanceCard
        clientId={client.id}
        guidance={client.guidance}
        updatedAt={client.guidanceUpdatedAt}
        timezone={client.timezone}
        csrf={page.csrf}
      />
      <SnippetsSection view={{ clientId: client.id, snippets: data.snippets }} csrf={page.csrf} />
      <FeedsSection view={data.feeds} csrf={page.csrf} />
      <section class="card">
        <h2>Coming up</h2>
        {data.upcoming.length ? <PostMiniList posts={data.upcoming} /> : <EmptyState title="Nothing scheduled." />}
        <a href={`/pipeline?clientId=${client.id}`}>All of this client’s posts →</a>
      </section>
      <section class="card">
        <h2>Export</h2>
        <p>
          <a href={`/clients/${client.id}/posts.csv`} download hx-boost="false">
            Posts (CSV)
          </a>{' '}
          ·{' '}
          <a href={`/clients/${client.id}/logs.csv`} download hx-boost="false">
            Publishing history (CSV)
          </a>
        </p>
        <small class="muted">Posts in the columns the import reads back; times in {tz} with its offset.</small>
      </section>
      {client.status !== 'archived' && pageMay(page, 'client.manage') ? (
        <section class="card danger-zone">
          <h2>Archive</h2>
          <p>
            Archiving stops everything for this client: posts not yet published are cancelled and no new ones are
            written. Published posts and history stay.
          </p>
          <form
            method="post"
            action={`/clients/${client.id}/archive`}
            hx-confirm={`Archive ${client.name} and cancel its unpublished posts?`}
          >
            <Csrf token={page.csrf} />
            <button type="submit" class="contrast outline">
              Archive client
            </button>
          </form>
        </section>
      ) : null}
    </AdminLayout>
  );
}

/** `&entry=<key>` (or `?entry=`) for a connection's further OAuth button. */
function entryQuery(entry: string | null, sep: '?' | '&'): string {
  return entry ? `${sep}entry=${encodeURIComponent(entry)}` : '';
}
