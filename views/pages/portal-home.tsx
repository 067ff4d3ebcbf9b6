import type { AccountRow } from '../../src/db/repos/index.js';
import type { ConnectForm } from '../../src/platforms/network.js';
import { ConnectFormFields } from '../components/connect-form.js';
import { AccountAvatar, EmptyState, PlatformBadge, StatusBadge } from '../components/bits.js';
import { Csrf } from '../components/forms.js';
import { PortalLayout, type PortalContext } from '../layouts/portal.js';

export interface ConnectOption {
  id: string;
  label: string;
  what: string;
  configured: boolean;
  /** Connects through an OAuth redirect (the connect button). */
  oauth: boolean;
  /** Connects through a form of its own fields (a handle and an app password). */
  form: ConnectForm | null;
  /** A further OAuth button of the connection (`?entry=`), or null. */
  entry: string | null;
}

export function PortalHomePage({
  portal,
  accounts,
  notes,
  connectors,
  pending,
}: {
  portal: PortalContext;
  accounts: AccountRow[];
  /** Each account's note from its network (by account id): when to reconnect a token that is not renewed. */
  notes: Readonly<Record<string, string>>;
  connectors: ConnectOption[];
  pending: number;
}) {
  const broken = accounts.filter((a) => a.status === 'needs_reauth');
  return (
    <PortalLayout title={`Welcome, ${portal.clientName}`} portal={portal} active="accounts">
      {portal.agencyName ? (
        <p>
          {portal.agencyName} publishes your social media posts with Herald. Connect the accounts you want them to post
          to. You sign in with each platform yourself; {portal.agencyName} never sees your passwords, and you can
          disconnect at any time.
        </p>
      ) : (
        <p>
          Your social media posts are published with Herald. Connect the accounts they should go to. You sign in with
          each platform yourself; nobody here sees your passwords, and you can disconnect at any time.
        </p>
      )}
      {broken.length ? (
        <div class="notice notice-error" role="alert">
          <p>
            <strong>Please reconnect:</strong>
          </p>
          <ul>
            {broken.map((a) => (
              <li>
                <AccountAvatar id={a.id} portal /> <PlatformBadge platform={a.platform} /> {a.name}:{' '}
                {a.lastError ?? 'the platform no longer accepts the connection.'}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {pending ? (
        <div class="notice notice-info">
          <a href="/portal/posts">{pending === 1 ? '1 post is' : `${pending} posts are`} waiting for your approval →</a>
        </div>
      ) : null}
      <section class="card">
        <h2>Connect</h2>
        <div class="connect-grid">
          {connectors.map((c) => (
            <div class="connect-option">
              <h3>{c.label}</h3>
              <p class="muted">{c.what}</p>
              {c.configured ? (
                <>
                  {c.oauth ? (
                    <form
                      method="post"
                      action={`/auth/${c.id}/start${c.entry ? `?entry=${encodeURIComponent(c.entry)}` : ''}`}
                      hx-boost="false"
                    >
                      <Csrf token={portal.csrf} />
                      <button type="submit">Connect {c.label}</button>
                    </form>
                  ) : null}
                  {c.form ? <ConnectFormFields id={c.id} label={c.label} form={c.form} csrf={portal.csrf} /> : null}
                </>
              ) : (
                <p class="muted">
                  Not available yet:{' '}
                  {portal.agencyName ? `${portal.agencyName} has not set this up.` : 'it has not been set up.'}
                </p>
              )}
            </div>
          ))}
        </div>
      </section>
      <section class="card">
        <h2>Connected accounts</h2>
        {accounts.length ? (
          <table class="responsive">
            <tbody>
              {accounts.map((a) => (
                <tr>
                  <td>
                    <AccountAvatar id={a.id} portal /> <PlatformBadge platform={a.platform} /> {a.name}
                  </td>
                  <td>
                    <StatusBadge status={a.status} />
                    {notes[a.id] ? <small class="warn-text account-note">{notes[a.id]}</small> : null}
                    {a.insightsBlocked && a.status !== 'needs_reauth' ? (
                      <small class="warn-text insights-blocked">Reconnect to see results</small>
                    ) : null}
                  </td>
                  <td class="actions">
                    {a.status === 'disabled' ? (
                      <form method="post" action={`/portal/accounts/${a.id}/enable`}>
                        <Csrf token={portal.csrf} />
                        <button type="submit" class="small secondary">
                          Allow posting
                        </button>
                      </form>
                    ) : a.status === 'connected' ? (
                      <form method="post" action={`/portal/accounts/${a.id}/disable`}>
                        <Csrf token={portal.csrf} />
                        <button type="submit" class="small secondary outline">
                          Stop posting here
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <EmptyState title="Nothing connected yet.">Use the buttons above; it takes a minute per platform.</EmptyState>
        )}
      </section>
    </PortalLayout>
  );
}
