import type { ClientRow } from '../../src/db/repos/index.js';
import type { ClientSetting } from '../../src/platforms/network.js';
import { APPROVAL_MODE_LABELS, APPROVAL_MODES, CLIENT_STATUSES, MAX_CONTACT_EMAILS } from '../../src/domain/client.js';
import { EmptyState, Pager, pageHref, StatusBadge } from '../components/bits.js';
import { Csrf, FormErrors, Input, Select, TextArea, type Errors } from '../components/forms.js';
import { AdminLayout, pageMay, type PageContext } from '../layouts/admin.js';

export interface ClientListItem extends ClientRow {
  accounts: number;
  needsReauth: number;
  pending: number;
}

/** The table body alone: what the search box swaps in. */
export function ClientRows({
  clients,
  next,
  q,
  status,
}: {
  clients: ClientListItem[];
  next: string | null;
  q: string;
  status: string;
}) {
  return (
    <div id="client-results">
      {clients.length === 0 ? (
        <EmptyState title={q || status ? 'No client matches.' : 'No clients yet.'}>
          {q || status ? 'Try another search.' : 'Add your first client to start.'}
        </EmptyState>
      ) : (
        <table class="striped responsive">
          <thead>
            <tr>
              <th>Client</th>
              <th>Status</th>
              <th>Time zone</th>
              <th>Approval</th>
              <th>Accounts</th>
              <th>Awaiting approval</th>
            </tr>
          </thead>
          <tbody>
            {clients.map((c) => (
              <tr>
                <td>
                  <a href={`/clients/${c.id}`}>{c.name}</a>
                </td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
                <td>{c.timezone}</td>
                <td>{c.approvalMode}</td>
                <td>
                  {c.accounts}
                  {c.needsReauth ? <span class="badge status-needs_reauth"> {c.needsReauth} to reconnect</span> : null}
                </td>
                <td>{c.pending || ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager href={pageHref('/clients', { q, status }, next)} />
    </div>
  );
}

export function ClientsPage({
  page,
  clients,
  next,
  q,
  status,
}: {
  page: PageContext;
  clients: ClientListItem[];
  next: string | null;
  q: string;
  status: string;
}) {
  return (
    <AdminLayout
      title="Clients"
      page={page}
      active="clients"
      actions={
        pageMay(page, 'client.manage') ? (
          <a href="/clients/new" role="button">
            New client
          </a>
        ) : undefined
      }
    >
      <form
        method="get"
        action="/clients"
        class="filters"
        hx-get="/clients"
        hx-target="#client-results"
        hx-select="#client-results"
        hx-swap="outerHTML"
        hx-trigger="input changed delay:300ms from:input[name=q], change from:select, submit"
        hx-push-url="true"
      >
        <input type="search" name="q" value={q} placeholder="Search by name" aria-label="Search clients" />
        <select name="status" aria-label="Status">
          <option value="">All but archived</option>
          {CLIENT_STATUSES.map((s) => (
            <option value={s} selected={s === status}>
              {s}
            </option>
          ))}
        </select>
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </form>
      <ClientRows clients={clients} next={next} q={q} status={status} />
    </AdminLayout>
  );
}

export interface ClientFormValues {
  name?: string;
  timezone?: string;
  brandVoice?: string;
  audience?: string;
  language?: string;
  approvalMode?: string;
  /** One address per line. */
  contactEmails?: string;
  /** 1–28, or empty. */
  reportDay?: string | null;
  status?: string;
  /** Networks' per-client options, by field. */
  readonly [setting: string]: string | null | undefined;
}

export function ClientForm({
  page,
  values,
  errors,
  client,
  zones,
  message,
  settings = [],
}: {
  page: PageContext;
  values: ClientFormValues;
  errors?: Errors;
  client?: ClientRow;
  zones: readonly string[];
  message?: string;
  /** The networks' per-client options (src/platforms/network.ts ClientSetting). */
  settings?: readonly ClientSetting[];
}) {
  const action = client ? `/clients/${client.id}` : '/clients';
  return (
    <AdminLayout title={client ? `Edit ${client.name}` : 'New client'} page={page} active="clients">
      <form method="post" action={action} class="card">
        <Csrf token={page.csrf} />
        <FormErrors
          errors={errors}
          message={message}
          shown={[
            'name',
            'timezone',
            'brandVoice',
            'audience',
            'language',
            'approvalMode',
            'contactEmails',
            'reportDay',
            ...settings.map((s) => s.field),
            'status',
          ]}
        />
        <Input label="Name" name="name" value={values.name} required errors={errors} />
        <div class="grid">
          <Input
            label="Time zone"
            name="timezone"
            value={values.timezone}
            list="timezones"
            required
            errors={errors}
            hint="Posts are scheduled and shown in this zone."
          />
          <Input
            label="Language"
            name="language"
            value={values.language ?? 'en'}
            errors={errors}
            hint="For AI writing, e.g. en, de, pt-BR."
          />
        </div>
        <datalist id="timezones">
          {zones.map((z) => (
            <option value={z}></option>
          ))}
        </datalist>
        <Select
          label="Approval"
          name="approvalMode"
          value={values.approvalMode ?? 'admin'}
          options={APPROVAL_MODES.map((m) => [m, APPROVAL_MODE_LABELS[m]] as const)}
          errors={errors}
        />
        <TextArea
          label="Contact emails"
          name="contactEmails"
          value={values.contactEmails}
          errors={errors}
          hint={
            `One address per line (at most ${MAX_CONTACT_EMAILS}). They get mails when posts wait for ` +
            'their approval or an account needs reconnecting.'
          }
        />
        <Input
          label="Monthly report day"
          name="reportDay"
          type="number"
          min={1}
          max={28}
          value={values.reportDay ?? ''}
          errors={errors}
          hint="On this day of each month the contacts get last month's results by email. Empty: no report."
        />
        <TextArea
          label="Brand voice"
          name="brandVoice"
          value={values.brandVoice}
          errors={errors}
          hint="How this client sounds: words they use and avoid."
        />
        <TextArea label="Audience" name="audience" value={values.audience} errors={errors} />
        {settings.map((s) => (
          <Select
            label={s.label}
            name={s.field}
            value={values[s.field] ?? ''}
            options={s.options}
            errors={errors}
            {...(s.hint ? { hint: s.hint } : {})}
          />
        ))}
        {client ? (
          <Select
            label="Status"
            name="status"
            value={values.status ?? client.status}
            options={CLIENT_STATUSES.filter((s) => s !== 'archived').map((s) => [s, s] as const)}
            errors={errors}
            hint="Paused clients get no new AI posts."
          />
        ) : null}
        <div class="form-actions">
          <button type="submit">{client ? 'Save' : 'Create client'}</button>
          <a href={client ? `/clients/${client.id}` : '/clients'} class="secondary">
            Cancel
          </a>
        </div>
      </form>
    </AdminLayout>
  );
}
