import type { PasskeyRow } from '../../src/db/repos/index.js';
import type { TotpEnrolment } from '../../src/services/two-factor-service.js';
import { Csrf, FormErrors, Input, type Errors } from '../components/forms.js';
import { PasskeyButton } from '../components/passkey-button.js';
import { formatInZone } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

export interface SecurityData {
  passkeys: PasskeyRow[];
  totpEnabled: boolean;
  /** An authenticator app being set up: its QR code and key. */
  enrolment: TotpEnrolment | null;
  recoveryLeft: number;
  /** Recovery codes made just now: shown this once. */
  newCodes: string[] | null;
  /** The owner requires two factors and this member has none yet. */
  mustEnrol: boolean;
  timezone: string;
  errors?: Errors;
  message?: string;
}

const when = (ms: number | null, zone: string) => (ms === null ? 'never' : `${formatInZone(ms, zone, 'full')}`);

function Passkeys({ page, data }: { page: PageContext; data: SecurityData }) {
  return (
    <section class="card" id="passkeys">
      <h2>Passkeys</h2>
      <p class="muted">
        A passkey signs you in with your device's screen lock or a security key, without a password. After a password it
        also serves as the second step.
      </p>
      {data.passkeys.length === 0 ? (
        <p>No passkeys yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Added</th>
              <th>Last used</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.passkeys.map((p) => (
              <tr data-passkey-row={p.name}>
                <td>
                  <form method="post" action={`/account/security/passkeys/${p.id}/rename`} class="inline-form">
                    <Csrf token={page.csrf} />
                    <input name="name" value={p.name} aria-label="Passkey name" maxlength={80} required />
                    <button type="submit" class="secondary outline small">
                      Rename
                    </button>
                  </form>
                </td>
                <td>{when(p.createdAt, data.timezone)}</td>
                <td>{when(p.lastUsedAt, data.timezone)}</td>
                <td>
                  <form method="post" action={`/account/security/passkeys/${p.id}/remove`} class="inline">
                    <Csrf token={page.csrf} />
                    <button
                      type="submit"
                      class="secondary outline small"
                      data-confirm={`Remove the passkey "${p.name}"? It will no longer sign you in.`}
                    >
                      Remove
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Add a passkey</h3>
      <label>
        Name
        <input id="passkey-name" name="passkeyName" maxlength={80} placeholder="Work laptop" autocomplete="off" />
      </label>
      <PasskeyButton
        ceremony="register"
        options="/account/security/passkeys/options"
        finish="/account/security/passkeys"
        nameInput="passkey-name"
        label="Add a passkey"
        primary
      />
      <noscript>Adding a passkey needs JavaScript.</noscript>
    </section>
  );
}

function Totp({ page, data }: { page: PageContext; data: SecurityData }) {
  if (data.totpEnabled)
    return (
      <section class="card" id="totp">
        <h2>Authenticator app</h2>
        <p>
          <strong>On.</strong> A password sign-in asks for the code your app shows.
        </p>
        <form method="post" action="/account/security/totp/disable">
          <Csrf token={page.csrf} />
          <Input
            label="Code from the app (or a recovery code) to remove it"
            name="disableCode"
            autocomplete="one-time-code"
            required
            errors={data.errors}
          />
          <button type="submit" class="secondary">
            Remove the authenticator app
          </button>
        </form>
      </section>
    );
  if (data.enrolment)
    return (
      <section class="card" id="totp">
        <h2>Authenticator app</h2>
        <p>Scan this code with your authenticator app, then type the 6-digit code it shows.</p>
        <img src={data.enrolment.qr} alt="QR code for your authenticator app" width="200" height="200" class="qr" />
        <p>
          Or type this key: <code data-totp-key>{data.enrolment.key}</code>
        </p>
        <form method="post" action="/account/security/totp/confirm">
          <Csrf token={page.csrf} />
          <Input label="Code" name="code" autocomplete="one-time-code" required errors={data.errors} />
          <button type="submit">Turn on</button>
        </form>
      </section>
    );
  return (
    <section class="card" id="totp">
      <h2>Authenticator app</h2>
      <p class="muted">A 6-digit code from an app (1Password, Google Authenticator, Aegis…) after your password.</p>
      <form method="post" action="/account/security/totp">
        <Csrf token={page.csrf} />
        <button type="submit">Set up an authenticator app</button>
      </form>
    </section>
  );
}

function RecoveryCodes({ page, data }: { page: PageContext; data: SecurityData }) {
  if (data.newCodes)
    return (
      <section class="card" id="recovery">
        <h2>Your recovery codes</h2>
        <p>
          <strong>Keep these somewhere safe now: they are shown only this once.</strong> Each one works once instead of
          your app or passkey.
        </p>
        <pre data-recovery-codes>{data.newCodes.join('\n')}</pre>
        <p>
          <a href="/account/security">I have saved them</a>
        </p>
      </section>
    );
  if (!data.totpEnabled && data.passkeys.length === 0) return null;
  return (
    <section class="card" id="recovery">
      <h2>Recovery codes</h2>
      <p>
        {data.recoveryLeft === 0
          ? 'None yet: make some in case you lose your device.'
          : `${data.recoveryLeft} unused ${data.recoveryLeft === 1 ? 'code' : 'codes'}. New ones replace them all.`}
      </p>
      <form method="post" action="/account/security/recovery-codes">
        <Csrf token={page.csrf} />
        <button type="submit" class="secondary">
          Make new recovery codes
        </button>
      </form>
    </section>
  );
}

/** The member's own sign-in methods: passkeys, the authenticator app, recovery codes. */
export function AccountSecurityPage({ page, data }: { page: PageContext; data: SecurityData }) {
  return (
    <AdminLayout title="Sign-in and security" page={page} active="settings">
      {data.mustEnrol ? (
        <div class="notice notice-error" role="alert">
          Two factors are required for everyone on this team. Add a passkey or set up an authenticator app to go on.
        </div>
      ) : null}
      <FormErrors errors={data.errors} message={data.message} shown={['code', 'disableCode']} />
      {data.newCodes ? <RecoveryCodes page={page} data={data} /> : null}
      <Passkeys page={page} data={data} />
      <Totp page={page} data={data} />
      {data.newCodes ? null : <RecoveryCodes page={page} data={data} />}
      <p>
        <a href="/account/sessions">Where you are signed in →</a>
      </p>
    </AdminLayout>
  );
}
