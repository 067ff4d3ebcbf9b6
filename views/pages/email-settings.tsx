import type { EmailMode, EventType } from '../../src/domain/events.js';
import { Csrf, FormErrors, Input, type Errors } from '../components/forms.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

export interface EmailSettingsData {
  readonly enabled: boolean;
  readonly email: string;
  readonly timezone: string;
  readonly digestHour: number | string;
  readonly types: ReadonlyArray<{
    readonly type: EventType;
    readonly label: string;
    readonly meaning: string;
    readonly mode: EmailMode;
    readonly defaultMode: EmailMode;
  }>;
}

const MODE_LABELS: ReadonlyArray<readonly [EmailMode, string]> = [
  ['immediate', 'At once'],
  ['digest', 'Daily digest'],
  ['off', 'Off'],
];

/** "My email notifications": per event type at once, in the digest or off; the zone and hour of the digest. */
export function EmailSettingsPage({
  page,
  data,
  zones,
  errors,
  message,
}: {
  page: PageContext;
  data: EmailSettingsData;
  zones: readonly string[];
  errors?: Errors;
  message?: string | undefined;
}) {
  return (
    <AdminLayout title="My email notifications" page={page} active="settings">
      {data.enabled ? null : (
        <div class="notice notice-error" role="status">
          <p>
            Email is not configured: set <code>SMTP_URL</code> and <code>MAIL_FROM</code> and restart Herald. Your
            choices below are kept and apply once it is.
          </p>
        </div>
      )}
      <form method="post" action="/settings/notifications/email" class="card">
        <Csrf token={page.csrf} />
        <FormErrors errors={errors} message={message} shown={['timezone', 'digestHour']} />
        <p>
          Mails go to <strong>{data.email}</strong>. “At once” mails each event as it happens; the daily digest bundles
          the rest at one hour of your day.
        </p>
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Event</th>
              {MODE_LABELS.map(([, label]) => (
                <th scope="col">{label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.types.map((row) => (
              <tr>
                <th scope="row">
                  {row.label}
                  <br />
                  <small class="muted">{row.meaning}</small>
                </th>
                {MODE_LABELS.map(([mode, label]) => (
                  <td>
                    <input
                      type="radio"
                      name={`mode.${row.type}`}
                      value={mode}
                      checked={row.mode === mode}
                      aria-label={`${row.label}: ${label}${row.defaultMode === mode ? ' (default)' : ''}`}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <div class="grid">
          <Input
            label="Time zone"
            name="timezone"
            value={data.timezone}
            list="timezones"
            required
            errors={errors}
            hint="The digest goes out at its hour in this zone."
          />
          <Input
            label="Digest hour"
            name="digestHour"
            type="number"
            min={0}
            max={23}
            value={data.digestHour}
            required
            errors={errors}
            hint="0 to 23, e.g. 8 for 08:00."
          />
        </div>
        <datalist id="timezones">
          {zones.map((z) => (
            <option value={z}></option>
          ))}
        </datalist>
        <div class="form-actions">
          <button type="submit">Save</button>
        </div>
      </form>
      <form method="post" action="/settings/notifications/email/test" class="card">
        <Csrf token={page.csrf} />
        <p>Sends one mail to {data.email} now, to check that email reaches you.</p>
        <button type="submit" class="secondary" disabled={!data.enabled}>
          Send a test
        </button>
      </form>
    </AdminLayout>
  );
}
