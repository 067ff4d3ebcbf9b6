import type { LabelRow } from '../../src/db/repos/labels-repo.js';
import { LabelChip } from '../components/label-chip.js';
import type { AccountRow, ClientRow, RuleWithAccounts } from '../../src/db/repos/index.js';
import { AccountAvatar, PlatformBadge, When } from '../components/bits.js';
import { Csrf, FieldErrors, FormErrors, Input, Select, TextArea, type Errors } from '../components/forms.js';
import { humanStatus } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';
import { SuggestedSchedule, type SuggestionView } from '../components/learning.js';

const WEEKDAYS: ReadonlyArray<readonly [number, string]> = [
  [1, 'Mon'],
  [2, 'Tue'],
  [3, 'Wed'],
  [4, 'Thu'],
  [5, 'Fri'],
  [6, 'Sat'],
  [0, 'Sun'],
];

export interface RuleFormValues {
  name: string;
  accountIds: string[];
  scheduleMode: 'weekly' | 'cron';
  days: number[];
  hours: number[];
  minute: number;
  cron: string;
  timezone: string;
  topics: string;
  tone: string;
  instructions: string;
  media: string;
  horizonDays: string;
  active: boolean;
  /** Label ids put on every post the rule writes. */
  labels: string[];
}

/** The next slots of the schedule being edited, in the zone they will be published in. */
export function SlotPreview({ slots, tz, problem }: { slots: number[]; tz: string; problem?: string | null }) {
  return (
    <div id="slot-preview" class="slot-preview" aria-live="polite">
      {problem ? (
        <p class="error-text">Schedule {problem}</p>
      ) : slots.length ? (
        <>
          <p class="muted">
            Next {slots.length} slots, in <strong>{tz}</strong>:
          </p>
          <ol>
            {slots.map((ms) => (
              <li>
                <When ms={ms} tz={tz} showZone={false} />
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p class="muted">This schedule has no upcoming slots.</p>
      )}
    </div>
  );
}

export function RuleForm({
  page,
  client,
  accounts,
  labels,
  values,
  rule,
  errors,
  message,
  zones,
  preview,
  ai,
  suggestion,
}: {
  page: PageContext;
  client: ClientRow;
  accounts: AccountRow[];
  labels: readonly LabelRow[];
  values: RuleFormValues;
  rule?: RuleWithAccounts;
  errors?: Errors;
  message?: string;
  zones: readonly string[];
  preview: { slots: number[]; tz: string; problem: string | null };
  ai: { enabled: boolean; skips: string[] };
  /** The schedule the rule's results suggest (existing rules only). */
  suggestion?: SuggestionView | null;
}) {
  const action = rule ? `/rules/${rule.id}` : `/clients/${client.id}/rules`;
  const minutes = [...new Set([0, 15, 30, 45, values.minute])].sort((a, b) => a - b);
  return (
    <AdminLayout title={rule ? `Rule: ${rule.name}` : `New rule for ${client.name}`} page={page} active="clients">
      <p>
        <a href={`/clients/${client.id}`}>← {client.name}</a>
      </p>
      {!ai.enabled ? (
        <div class="notice notice-info">
          AI writing is off: set GROQ_API_KEY and this rule will fill its slots on its own.
        </div>
      ) : null}
      {ai.skips.length ? (
        <div class="notice notice-warn">
          <p>This rule writes nothing for:</p>
          <ul>
            {ai.skips.map((s) => (
              <li>{s}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {rule && ai.enabled ? (
        <form method="post" action={`/rules/${rule.id}/generate`} class="inline-actions">
          <Csrf token={page.csrf} />
          <button type="submit" class="secondary small">
            Generate now
          </button>
        </form>
      ) : null}
      <form method="post" action={action} class="card rule-form" id="rule-form">
        <Csrf token={page.csrf} />
        <input type="hidden" name="clientId" value={client.id} />
        <FormErrors
          errors={errors}
          message={message}
          shown={[
            'name',
            'accountIds',
            'cron',
            'days',
            'hours',
            'timezone',
            'topics',
            'tone',
            'instructions',
            'media',
            'horizonDays',
            'active',
            'labels',
          ]}
        />
        <Input
          label="Name"
          name="name"
          value={values.name}
          required
          errors={errors}
          placeholder="e.g. Weekday specials"
        />

        <fieldset>
          <legend>Accounts</legend>
          {accounts.length ? (
            accounts.map((a) => (
              <label>
                <input type="checkbox" name="accountIds" value={a.id} checked={values.accountIds.includes(a.id)} />
                <AccountAvatar id={a.id} /> <PlatformBadge platform={a.platform} /> {a.name}{' '}
                {a.status !== 'connected' ? <small class="muted">({humanStatus(a.status)})</small> : null}
              </label>
            ))
          ) : (
            <p class="muted">No accounts yet. You can save the rule now; it writes nothing until it has accounts.</p>
          )}
          <FieldErrors errors={errors} name="accountIds" />
        </fieldset>

        <fieldset class="schedule" data-mode={values.scheduleMode}>
          <legend>When</legend>
          <div class="mode-switch">
            <label>
              <input type="radio" name="scheduleMode" value="weekly" checked={values.scheduleMode === 'weekly'} /> Days
              and times
            </label>
            <label>
              <input type="radio" name="scheduleMode" value="cron" checked={values.scheduleMode === 'cron'} /> Cron
              expression
            </label>
          </div>
          <div class="weekly-only">
            <div class="picker-row" role="group" aria-label="Days">
              {WEEKDAYS.map(([d, label]) => (
                <label class="chip">
                  <input type="checkbox" name="days" value={String(d)} checked={values.days.includes(d)} /> {label}
                </label>
              ))}
            </div>
            <FieldErrors errors={errors} name="days" />
            <div class="picker-row hours" role="group" aria-label="Hours">
              {Array.from({ length: 24 }, (_, h) => (
                <label class="chip">
                  <input type="checkbox" name="hours" value={String(h)} checked={values.hours.includes(h)} />{' '}
                  {String(h).padStart(2, '0')}
                </label>
              ))}
            </div>
            <FieldErrors errors={errors} name="hours" />
            <label class="inline-label">
              at minute
              <select name="minute">
                {minutes.map((m) => (
                  <option value={String(m)} selected={m === values.minute}>
                    :{String(m).padStart(2, '0')}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div class="cron-only">
            <Input
              label="Cron (minute hour day-of-month month day-of-week)"
              name="cron"
              id="cron"
              value={values.cron}
              errors={errors}
              hint="For example 0 9 * * 1-5 is 09:00 on weekdays."
            />
          </div>
          <Select
            label="Time zone"
            name="timezone"
            value={values.timezone}
            options={[['', `The client’s zone (${client.timezone})`] as const, ...zones.map((z) => [z, z] as const)]}
            errors={errors}
          />
          <div
            hx-get="/rules/preview"
            hx-trigger="change from:#rule-form, keyup changed delay:400ms from:#cron"
            hx-include="#rule-form"
            hx-target="#slot-preview"
            hx-swap="outerHTML"
          >
            <SlotPreview slots={preview.slots} tz={preview.tz} problem={preview.problem} />
          </div>
        </fieldset>

        <fieldset>
          <legend>What</legend>
          <TextArea
            label="Topics"
            name="topics"
            value={values.topics}
            rows={4}
            errors={errors}
            hint="One per line. Each post picks one, varying over time."
          />
          <Input
            label="Tone"
            name="tone"
            value={values.tone}
            errors={errors}
            placeholder="friendly, short, one emoji at most"
          />
          <TextArea
            label="Instructions"
            name="instructions"
            value={values.instructions}
            rows={3}
            errors={errors}
            hint="Anything else the writer must follow."
          />
          <div class="grid">
            <Select
              label="Media"
              name="media"
              value={values.media}
              options={[
                ['none', 'Text only'],
                ['image', 'Generate an image'],
              ]}
              errors={errors}
            />
            <Input
              label="Write ahead (days)"
              name="horizonDays"
              type="number"
              min={1}
              max={60}
              value={values.horizonDays}
              errors={errors}
            />
          </div>
          <fieldset class="rule-labels">
            <legend>Labels on what it writes</legend>
            {labels.length ? (
              <div class="picker-row" role="group" aria-label="Labels">
                {labels.map((l) => (
                  <label class="chip">
                    <input type="checkbox" name="labels" value={l.id} checked={values.labels.includes(l.id)} />{' '}
                    <LabelChip name={l.name} color={l.color} />
                  </label>
                ))}
              </div>
            ) : (
              <p class="muted">
                No labels yet. <a href="/settings/labels">Create labels</a> for campaigns and content pillars.
              </p>
            )}
            <FieldErrors errors={errors} name="labels" />
          </fieldset>
          <label>
            {/* biome-ignore lint/a11y/useAriaPropsForRole: a checkbox states its own checked state;
                Pico draws it as a switch */}
            <input type="checkbox" name="active" value="true" role="switch" checked={values.active} /> Active
          </label>
        </fieldset>
        <div class="form-actions">
          <button type="submit">{rule ? 'Save rule' : 'Create rule'}</button>
          <a href={`/clients/${client.id}`} class="secondary">
            Cancel
          </a>
        </div>
      </form>
      {suggestion ? <SuggestedSchedule s={suggestion} csrf={page.csrf} /> : null}
      {rule ? (
        <form
          method="post"
          action={`/rules/${rule.id}/delete`}
          hx-confirm="Delete this rule? Posts it already wrote stay."
          class="danger-zone"
        >
          <Csrf token={page.csrf} />
          <button type="submit" class="contrast outline small">
            Delete rule
          </button>
        </form>
      ) : null}
    </AdminLayout>
  );
}
