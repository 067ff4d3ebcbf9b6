import type { ApiTokenRow } from '../../src/db/repos/index.js';
import { API_SCOPES, DEFAULT_API_SCOPE, MAX_TOKEN_DAYS } from '../../src/domain/api-scope.js';
import { Csrf, FormErrors, Input, Select, type Errors } from '../components/forms.js';
import { formatInZone } from '../format.js';
import { AdminLayout, pageMay, type PageContext } from '../layouts/admin.js';
import { RequireMfaSection } from '../components/require-mfa.js';

export interface SettingsData {
  agencyName: string;
  tokens: ApiTokenRow[];
  /** To tell expired tokens from live ones. */
  now: number;
  /** A token created just now: shown once. */
  newToken: string | null;
  callbacks: Array<{ name: string; url: string }>;
  errors?: Errors;
  message?: string;
  /** The token form's values, kept when it is shown again with errors. */
  tokenValues?: { name: string; scope: string; expiresInDays: string };
  /** "Require two factors for everyone": whether it is on, and whether this member (an owner) may change it. */
  twoFactor?: { required: boolean; mayChange: boolean };
}

const SCOPE_HELP: Record<(typeof API_SCOPES)[number], string> = {
  read: 'read: only reads',
  write: 'write: also changes clients, rules, posts and media',
  admin: 'admin: also runs jobs and manages tokens',
};

/** "expires Sun, 31 Jan 2027, 09:00 UTC", "expired …" or "never expires". */
function Expiry({ token, now }: { token: ApiTokenRow; now: number }) {
  if (token.expiresAt === null) return <>never expires</>;
  // To the minute: a token stops working at an instant, not at the end of a day.
  const date = `${formatInZone(token.expiresAt, 'UTC', 'full')} UTC`;
  return token.expiresAt <= now ? <>expired {date}</> : <>expires {date}</>;
}

const FIELDS = [
  'agencyName',
  'currentPassword',
  'newPassword',
  'confirmPassword',
  'tokenName',
  'tokenScope',
  'tokenExpiresInDays',
];

export function SettingsPage({ page, data }: { page: PageContext; data: SettingsData }) {
  return (
    <AdminLayout title="Settings" page={page} active="settings">
      <FormErrors errors={data.errors} message={data.message} shown={FIELDS} />
      {pageMay(page, 'agency.manage') ? (
        <section class="card" id="labels">
          <h2>Labels</h2>
          <p>
            <a href="/settings/labels">Campaigns and content pillars: create, rename, recolour →</a>
          </p>
        </section>
      ) : null}
      <section class="card" id="notifications">
        <h2>Notifications</h2>
        <p>
          {pageMay(page, 'agency.manage') ? (
            <>
              <a href="/settings/notifications">Chat channels, webhooks and the delivery log →</a>
              <br />
            </>
          ) : null}
          <a href="/settings/notifications/email">My email notifications →</a>
        </p>
      </section>
      {data.twoFactor ? <RequireMfaSection csrf={page.csrf} {...data.twoFactor} /> : null}
      <section class="card" id="account">
        <h2>Your account</h2>
        <p>
          <a href="/account/security">Passkeys, two-factor sign-in and your sessions →</a>
        </p>
        <p class="muted">Signed in as {page.adminEmail}. A new password signs you out on every other browser.</p>
        <form method="post" action="/settings/password">
          <Csrf token={page.csrf} />
          <div class="grid">
            <Input
              label="Current password"
              name="currentPassword"
              type="password"
              required
              errors={data.errors}
              autocomplete="current-password"
            />
            <Input
              label="New password"
              name="newPassword"
              type="password"
              required
              errors={data.errors}
              autocomplete="new-password"
              hint="At least 10 characters."
            />
            <Input
              label="New password again"
              name="confirmPassword"
              type="password"
              required
              errors={data.errors}
              autocomplete="new-password"
            />
          </div>
          <button type="submit" class="secondary">
            Change password
          </button>
        </form>
        <form method="post" action="/settings/sign-out-everywhere" class="inline-form">
          <Csrf token={page.csrf} />
          <button type="submit" class="secondary outline">
            Sign out everywhere
          </button>
          <small class="muted">Ends every session of yours, this one included.</small>
        </form>
      </section>
      {pageMay(page, 'agency.manage') ? (
        <section class="card" id="agency">
          <h2>Agency</h2>
          <form method="post" action="/settings/agency" class="inline-form">
            <Csrf token={page.csrf} />
            <Input
              label="Agency name (shown to clients in their portal)"
              name="agencyName"
              value={data.agencyName}
              required
              errors={data.errors}
            />
            <button type="submit">Save</button>
          </form>
        </section>
      ) : null}
      {pageMay(page, 'token.manage') ? (
        <section class="card">
          <h2>API tokens</h2>
          <p class="muted">
            For scripts and automations using the JSON API at /api/v1. Tokens are stored hashed: copy a new one now.
          </p>
          {data.newToken ? (
            <div class="notice notice-ok">
              <div class="copy-row">
                <input type="text" readonly value={data.newToken} id="new-token" aria-label="New API token" />
                <button type="button" class="small" data-copy="#new-token">
                  Copy
                </button>
              </div>
            </div>
          ) : null}
          <table class="compact">
            <tbody>
              {data.tokens.map((t) => (
                <tr>
                  <td>
                    <strong>{t.name}</strong> <code>{t.prefix}…</code>{' '}
                    <span class={`badge scope-${t.scope}`}>{t.scope}</span>
                  </td>
                  <td>
                    <small class="muted">
                      <Expiry token={t} now={data.now} />
                      {' · '}created {formatInZone(t.createdAt, 'UTC', 'date')}
                      {t.lastUsedAt ? ` · last used ${formatInZone(t.lastUsedAt, 'UTC', 'date')}` : ' · never used'}
                    </small>
                  </td>
                  <td class="actions">
                    {t.revokedAt ? (
                      <span class="badge status-disabled">revoked</span>
                    ) : t.expiresAt !== null && t.expiresAt <= data.now ? (
                      <span class="badge status-disabled">expired</span>
                    ) : (
                      <form
                        method="post"
                        action={`/settings/tokens/${t.id}/revoke`}
                        hx-confirm={`Revoke "${t.name}"? Scripts using it stop working.`}
                      >
                        <Csrf token={page.csrf} />
                        <button type="submit" class="small contrast outline">
                          Revoke
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form method="post" action="/settings/tokens" class="inline-form">
            <Csrf token={page.csrf} />
            <Input
              label="New token name"
              name="tokenName"
              placeholder="e.g. reporting script"
              value={data.tokenValues?.name}
              errors={data.errors}
            />
            <Select
              label="Scope"
              name="tokenScope"
              value={data.tokenValues?.scope || DEFAULT_API_SCOPE}
              options={API_SCOPES.map((s) => [s, SCOPE_HELP[s]] as const)}
              errors={data.errors}
            />
            <Input
              label="Expires after (days; empty: never)"
              name="tokenExpiresInDays"
              type="number"
              min={1}
              max={MAX_TOKEN_DAYS}
              step={1}
              value={data.tokenValues?.expiresInDays}
              errors={data.errors}
            />
            <button type="submit" class="secondary">
              Create token
            </button>
          </form>
        </section>
      ) : null}
      {pageMay(page, 'member.manage') ? (
        <section class="card" id="team">
          <h2>Team</h2>
          <p>
            <a href="/team">Members, roles, client access and invitations →</a>
          </p>
        </section>
      ) : null}
      {pageMay(page, 'agency.manage') ? (
        <section class="card">
          <h2>Redirect addresses for the platforms</h2>
          <p class="muted">Register these exact addresses in each network’s developer console.</p>
          <ul class="plain">
            {data.callbacks.map((cb) => (
              <li>
                {cb.name}: <code>{cb.url}</code>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </AdminLayout>
  );
}
