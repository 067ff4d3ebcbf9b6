import type { ChannelRow, DeliveryWithEvent } from '../../src/db/repos/index.js';
import { CHANNEL_KIND_LABELS, type ChannelKindName } from '../../src/domain/channel.js';
import { EVENT_CATALOG, SUBSCRIBABLE_EVENT_TYPES } from '../../src/domain/events.js';
import { EmptyState, Pager, pageHref } from '../components/bits.js';
import { Csrf, FieldErrors, FormErrors, Input, Select, type Errors } from '../components/forms.js';
import { formatInZone, relative } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

/** What the add and edit forms hold (kept as typed when a form comes back with errors). */
export interface ChannelFormValues {
  kind: string;
  name: string;
  url: string;
  events: string[];
  clientId: string;
}

export const EMPTY_CHANNEL_FORM: ChannelFormValues = { kind: 'slack', name: '', url: '', events: [], clientId: '' };

export interface DeliveryLogFilters {
  /** A channel's id, or `email`. */
  channel: string;
  status: string;
  eventType: string;
}

export interface NotificationsData {
  channels: ChannelRow[];
  clients: Array<{ id: string; name: string }>;
  now: number;
  form: ChannelFormValues;
  errors?: Errors;
  message?: string;
  /** A webhook created just now: its signing secret, shown this once. */
  newSecret: { name: string; secret: string } | null;
  log: { rows: DeliveryWithEvent[]; next: string | null; filters: DeliveryLogFilters };
}

const KIND_HELP: Record<ChannelKindName, string> = {
  slack: 'an incoming webhook URL (https://hooks.slack.com/services/…).',
  discord: 'a channel webhook URL (https://discord.com/api/webhooks/…).',
  teams: 'the URL of a Workflows flow “Post to a channel when a webhook request is received”.',
  webhook: 'signed JSON (Standard Webhooks) to any URL: n8n, Make, Zapier, your own code.',
};

const STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
const FIELDS = ['kind', 'name', 'url', 'events', 'clientId'];

const eventLabel = (type: string) => EVENT_CATALOG[type as keyof typeof EVENT_CATALOG]?.label ?? type;
const kindLabel = (kind: string) => CHANNEL_KIND_LABELS[kind as ChannelKindName] ?? kind;

function EventChoices({ values, errors }: { values: ChannelFormValues; errors: Errors }) {
  return (
    <fieldset>
      <legend>Events (none ticked: every event)</legend>
      <div class="grid-3">
        {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
          <label title={EVENT_CATALOG[type].meaning}>
            <input type="checkbox" name="events" value={type} checked={values.events.includes(type)} />{' '}
            {EVENT_CATALOG[type].label}
          </label>
        ))}
      </div>
      <FieldErrors errors={errors} name="events" />
    </fieldset>
  );
}

/** The fields the add and edit forms share. */
function ChannelFields({
  values,
  errors,
  clients,
  editing,
}: {
  values: ChannelFormValues;
  errors: Errors;
  clients: NotificationsData['clients'];
  editing: boolean;
}) {
  return (
    <>
      <div class="grid">
        {editing ? null : (
          <Select
            label="Kind"
            name="kind"
            value={values.kind}
            options={Object.entries(CHANNEL_KIND_LABELS)}
            errors={errors}
          />
        )}
        <Input label="Name" name="name" value={values.name} errors={errors} placeholder="e.g. #social-ops" />
        <Select
          label="For"
          name="clientId"
          value={values.clientId}
          options={[['', 'The whole agency (every client)'], ...clients.map((c) => [c.id, c.name] as const)]}
          errors={errors}
        />
      </div>
      {editing ? null : (
        <ul class="muted kind-help">
          {Object.entries(KIND_HELP).map(([kind, help]) => (
            <li>
              <small>
                <strong>{kindLabel(kind)}</strong>: {help}
              </small>
            </li>
          ))}
        </ul>
      )}
      <Input
        label={editing ? 'New URL (empty: keep the current one)' : 'URL'}
        name="url"
        type="url"
        value={values.url}
        errors={errors}
        required={!editing}
        autocomplete="off"
        placeholder="https://"
        hint="Stored encrypted; a chat webhook URL is itself the password to the channel."
      />
      <EventChoices values={values} errors={errors} />
    </>
  );
}

function ChannelStatus({ channel, now }: { channel: ChannelRow; now: number }) {
  return (
    <>
      <span class={`badge status-${channel.status}`}>{channel.status}</span>
      {channel.status === 'paused' && channel.pausedReason ? (
        <small class="error-text"> {channel.pausedReason}</small>
      ) : null}
      <br />
      <small class="muted">
        {channel.lastSuccessAt ? `last delivered ${relative(channel.lastSuccessAt, now)}` : 'nothing delivered yet'}
        {channel.lastFailureAt ? ` · last failure ${relative(channel.lastFailureAt, now)}` : ''}
        {channel.consecutiveFailures > 0 ? ` · ${channel.consecutiveFailures} failures in a row` : ''}
      </small>
    </>
  );
}

function ChannelTable({ data, page }: { data: NotificationsData; page: PageContext }) {
  const clientName = (id: string | null) => (id ? (data.clients.find((c) => c.id === id)?.name ?? id) : 'Agency');
  return (
    <table class="striped responsive compact" id="channels">
      <thead>
        <tr>
          <th>Channel</th>
          <th>For</th>
          <th>Events</th>
          <th>Status</th>
          <th>
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {data.channels.map((ch) => (
          <tr id={`channel-${ch.id}`}>
            <td>
              <strong>{ch.name}</strong> <span class="badge">{kindLabel(ch.kind)}</span>
              <br />
              <small class="muted">{ch.urlHint}</small>
            </td>
            <td>{clientName(ch.clientId)}</td>
            <td>
              <small>{ch.events.length ? ch.events.map(eventLabel).join(', ') : 'All events'}</small>
            </td>
            <td>
              <ChannelStatus channel={ch} now={data.now} />
            </td>
            <td class="actions">
              {ch.status === 'paused' ? (
                <form method="post" action={`/settings/notifications/channels/${ch.id}/resume`}>
                  <Csrf token={page.csrf} />
                  <button type="submit" class="small">
                    Resume
                  </button>
                </form>
              ) : (
                <button
                  type="button"
                  class="small secondary"
                  hx-post={`/settings/notifications/channels/${ch.id}/test`}
                  hx-target={`#test-${ch.id}`}
                  hx-swap="innerHTML"
                >
                  Send a test
                </button>
              )}
              <a href={`/settings/notifications/channels/${ch.id}/edit`} class="small">
                Edit
              </a>
              <a href={`/settings/notifications/channels/${ch.id}/remove`} class="small">
                Remove…
              </a>
              <a href={`/settings/notifications?channel=${ch.id}#log`} class="small">
                Deliveries
              </a>
              <div id={`test-${ch.id}`} aria-live="polite" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DeliveryLog({ data, page }: { data: NotificationsData; page: PageContext }) {
  const { rows, next, filters } = data.log;
  const names = new Map(data.channels.map((c) => [c.id, c.name]));
  const targetName = (row: DeliveryWithEvent) =>
    row.channel === 'email'
      ? `Email ${row.target.split(':')[0] ?? ''}`
      : (names.get(row.target) ?? 'a removed channel');
  return (
    <section class="card" id="log">
      <h2>Delivery log</h2>
      <form method="get" action="/settings/notifications#log" class="filters">
        <select name="channel" aria-label="Channel" data-autosubmit="true">
          <option value="">All channels</option>
          {data.channels.map((c) => (
            <option value={c.id} selected={c.id === filters.channel}>
              {c.name}
            </option>
          ))}
          <option value="email" selected={filters.channel === 'email'}>
            Email
          </option>
        </select>
        <select name="status" aria-label="Status" data-autosubmit="true">
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option value={s} selected={s === filters.status}>
              {s}
            </option>
          ))}
        </select>
        <select name="eventType" aria-label="Event" data-autosubmit="true">
          <option value="">Every event</option>
          {Object.entries(EVENT_CATALOG).map(([type, info]) => (
            <option value={type} selected={type === filters.eventType}>
              {info.label}
            </option>
          ))}
        </select>
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </form>
      {rows.length === 0 ? (
        <EmptyState title="No deliveries match.">
          Deliveries appear here as events go out to channels and email.
        </EmptyState>
      ) : (
        <table class="striped responsive compact">
          <thead>
            <tr>
              <th>When (UTC)</th>
              <th>Event</th>
              <th>To</th>
              <th>Status</th>
              <th>Answer</th>
              <th>
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr id={`delivery-${d.id}`}>
                <td>{formatInZone(d.createdAt, 'UTC')}</td>
                <td>
                  {eventLabel(d.eventType)}
                  <br />
                  <small class="muted">
                    <code>{d.eventId}</code>
                  </small>
                </td>
                <td>{targetName(d)}</td>
                <td>
                  <span class={`badge status-${d.status}`}>{d.status}</span>
                  <br />
                  <small class="muted">
                    {d.attempts} {d.attempts === 1 ? 'attempt' : 'attempts'}
                    {d.lastAttemptAt ? ` · last ${formatInZone(d.lastAttemptAt, 'UTC', 'time')}` : ''}
                  </small>
                </td>
                <td>
                  {d.responseStatus !== null ? <code>HTTP {d.responseStatus}</code> : null}{' '}
                  {d.responseBody ? <small class="muted">{d.responseBody.slice(0, 120)}</small> : null}
                  {d.lastError && d.status !== 'delivered' ? (
                    <>
                      <br />
                      <small class="error-text">{d.lastError.slice(0, 200)}</small>
                    </>
                  ) : null}
                </td>
                <td class="actions">
                  {d.status === 'pending' ? null : (
                    <form method="post" action={`/settings/notifications/deliveries/${d.id}/redeliver`}>
                      <Csrf token={page.csrf} />
                      <button type="submit" class="small secondary outline">
                        Redeliver
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        href={pageHref(
          '/settings/notifications',
          { channel: filters.channel, status: filters.status, eventType: filters.eventType },
          next,
        )}
        label="Older deliveries →"
      />
    </section>
  );
}

export function NotificationsPage({ page, data }: { page: PageContext; data: NotificationsData }) {
  return (
    <AdminLayout title="Notifications" page={page} active="settings">
      <p>
        <a href="/settings">← Settings</a> · <a href="/settings/notifications/email">My email notifications →</a>
      </p>
      <FormErrors errors={data.errors} message={data.message} shown={FIELDS} />
      {data.newSecret ? (
        <div class="notice notice-ok" id="new-secret">
          <p>
            Webhook “{data.newSecret.name}” added. Its signing secret, shown only now: receivers verify each request
            with it.
          </p>
          <div class="copy-row">
            <input type="text" readonly value={data.newSecret.secret} id="webhook-secret" aria-label="Signing secret" />
            <button type="button" class="small" data-copy="#webhook-secret">
              Copy
            </button>
          </div>
        </div>
      ) : null}
      <section class="card">
        <h2>
          Channels <span class="count">{data.channels.length}</span>
        </h2>
        <p class="muted">
          Chat channels and webhooks hear of events as they happen. A channel that keeps failing is paused; resume it
          once it is fixed and what it missed is sent then.
        </p>
        {data.channels.length ? (
          <ChannelTable data={data} page={page} />
        ) : (
          <EmptyState title="No channels yet.">
            Add a Slack, Discord or Teams channel, or a webhook, below. See the README’s “Chat notifications” for how to
            get a webhook URL.
          </EmptyState>
        )}
      </section>
      <section class="card" id="add-channel">
        <h2>Add a channel</h2>
        <form method="post" action="/settings/notifications/channels">
          <Csrf token={page.csrf} />
          <ChannelFields values={data.form} errors={data.errors} clients={data.clients} editing={false} />
          <button type="submit">Add channel</button>
        </form>
      </section>
      <DeliveryLog data={data} page={page} />
    </AdminLayout>
  );
}

export function ChannelEditPage({
  page,
  channel,
  values,
  errors,
  clients,
}: {
  page: PageContext;
  channel: ChannelRow;
  values: ChannelFormValues;
  errors?: Errors;
  clients: NotificationsData['clients'];
}) {
  return (
    <AdminLayout title={`Edit ${channel.name}`} page={page} active="settings">
      <p>
        <a href="/settings/notifications">← Notifications</a>
      </p>
      <FormErrors errors={errors} shown={FIELDS} />
      <section class="card">
        <p class="muted">
          {kindLabel(channel.kind)} · now sending to <code>{channel.urlHint}</code>
        </p>
        <form method="post" action={`/settings/notifications/channels/${channel.id}`}>
          <Csrf token={page.csrf} />
          <ChannelFields values={values} errors={errors} clients={clients} editing={true} />
          <button type="submit">Save</button>{' '}
          <a href="/settings/notifications" role="button" class="secondary outline">
            Cancel
          </a>
        </form>
      </section>
    </AdminLayout>
  );
}

export function RemoveChannelPage({ page, channel }: { page: PageContext; channel: ChannelRow }) {
  return (
    <AdminLayout title="Remove channel" page={page} active="settings">
      <section class="card">
        <h2>Remove “{channel.name}”?</h2>
        <p>
          Herald stops sending to this {kindLabel(channel.kind)} channel at once; what was still waiting for it is
          cancelled. Its past deliveries stay in the log.
        </p>
        <form method="post" action={`/settings/notifications/channels/${channel.id}/remove`} class="inline-form">
          <Csrf token={page.csrf} />
          <button type="submit" class="contrast">
            Remove {channel.name}
          </button>
          <a href="/settings/notifications" role="button" class="secondary outline">
            Cancel
          </a>
        </form>
      </section>
    </AdminLayout>
  );
}

/** How many times a test's result is asked for (about a second apart) before the page stops asking. */
export const TEST_POLLS = 30;

/**
 * A test's outcome in the channel's row: asks again shortly while the delivery is pending,
 * then shows the answer.
 */
export function TestResult({
  delivery,
  poll,
  error,
}: {
  delivery?: { id: string; status: string; responseStatus: number | null; lastError: string | null };
  poll?: number;
  error?: string;
}) {
  if (error) return <small class="error-text test-result">{error}</small>;
  if (!delivery) return null;
  const n = poll ?? 0;
  if (delivery.status === 'pending' && n < TEST_POLLS)
    return (
      <small
        class="muted test-result"
        data-status="pending"
        hx-get={`/settings/notifications/deliveries/${delivery.id}/status?poll=${n + 1}`}
        hx-trigger="load delay:1s"
        hx-swap="outerHTML"
      >
        {delivery.lastError ? `Retrying (${delivery.lastError.slice(0, 80)})…` : 'Sending the test…'}
      </small>
    );
  if (delivery.status === 'delivered')
    return (
      <small class="ok-text test-result" data-status="delivered">
        Delivered{delivery.responseStatus ? ` (HTTP ${delivery.responseStatus})` : ''}.
      </small>
    );
  if (delivery.status === 'pending')
    return (
      <small class="muted test-result" data-status="pending">
        Still waiting for an answer; see the delivery log.
      </small>
    );
  return (
    <small class="error-text test-result" data-status={delivery.status}>
      Not delivered: {delivery.lastError ?? delivery.status}
      {delivery.responseStatus ? ` (HTTP ${delivery.responseStatus})` : ''}.
    </small>
  );
}
