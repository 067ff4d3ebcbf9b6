import type { AccountRow } from '../../src/db/repos/index.js';
import { WEEKDAY_NAMES, type PostingTime } from '../../src/domain/queue.js';
import { PlatformBadge } from './bits.js';
import { Csrf, FieldErrors, FormErrors, type Errors } from './forms.js';

/** The form's field for a weekday (1 = Monday): its times, comma-separated. */
export const weekdayField = (weekday: number) => `times${weekday}`;

/** Posting times as the form shows them: one field per weekday, "09:00, 17:30". */
export function postingTimesValues(times: readonly PostingTime[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let d = 1; d <= 7; d++)
    values[weekdayField(d)] = times
      .filter((t) => t.weekday === d)
      .map((t) => t.time)
      .join(', ');
  return values;
}

/** "Mon 09:00 · Wed 12:30", or null when there are none. */
export function describePostingTimes(times: readonly PostingTime[]): string | null {
  if (times.length === 0) return null;
  return times.map((t) => `${WEEKDAY_NAMES[t.weekday - 1]!.slice(0, 3)} ${t.time}`).join(' · ');
}

/**
 * An account's weekly posting times (its queue), edited one weekday per field. "Suggest from
 * results" fills the fields from the account's measured posts without saving them.
 */
export function PostingTimesForm({
  account,
  csrf,
  tz,
  values,
  errors,
  message,
  note,
}: {
  account: AccountRow;
  csrf: string;
  tz: string;
  values?: Record<string, string> | undefined;
  errors?: Errors;
  message?: string | undefined;
  note?: string | undefined;
}) {
  const shown = values ?? postingTimesValues(account.postingTimes);
  const action = `/accounts/${account.id}/posting-times`;
  return (
    <form
      method="post"
      action={action}
      id={`posting-times-${account.id}`}
      class="posting-times"
      hx-post={action}
      hx-target="this"
      hx-swap="outerHTML"
    >
      <Csrf token={csrf} />
      <FormErrors errors={errors} message={message} shown={[1, 2, 3, 4, 5, 6, 7].map(weekdayField)} />
      {note ? (
        <p class="notice notice-info" role="status">
          {note}
        </p>
      ) : null}
      <p class="muted">
        Times as HH:MM in {tz}, several separated by commas. "Add to queue" puts a post in the next one that is free.
      </p>
      <div class="grid posting-times-grid">
        {WEEKDAY_NAMES.map((name, i) => (
          <label>
            {name}
            <input
              type="text"
              name={weekdayField(i + 1)}
              value={shown[weekdayField(i + 1)] ?? ''}
              placeholder="e.g. 09:00, 17:30"
              inputmode="numeric"
              aria-invalid={errors?.[weekdayField(i + 1)] ? 'true' : undefined}
            />
            <FieldErrors errors={errors} name={weekdayField(i + 1)} />
          </label>
        ))}
      </div>
      <div class="form-actions">
        <button type="submit" class="small">
          Save posting times
        </button>
        <button
          type="submit"
          class="small secondary"
          formaction={`${action}/suggest`}
          hx-post={`${action}/suggest`}
          title="Fill the fields from the hours this account's measured posts did best (not saved until you save)"
        >
          Suggest from results
        </button>
        <a href={`/accounts/${account.id}/queue`} class="secondary">
          Open queue
        </a>
      </div>
    </form>
  );
}

/** The client page's section: each account's posting times, folded until opened. */
export function PostingTimesSection({
  accounts,
  csrf,
  tz,
}: {
  accounts: readonly AccountRow[];
  csrf: string;
  tz: string;
}) {
  if (accounts.length === 0) return null;
  return (
    <section class="card" id="posting-times">
      <h2>Queues</h2>
      <p class="muted">
        Each account's weekly posting times. Posts added to the queue take the next free one; rules never write for a
        time that already has a post.
      </p>
      {accounts.map((a) => (
        <details>
          <summary>
            <PlatformBadge platform={a.platform} /> {a.name}:{' '}
            <span class={a.postingTimes.length ? '' : 'muted'}>
              {describePostingTimes(a.postingTimes) ?? 'no posting times'}
            </span>
          </summary>
          <PostingTimesForm account={a} csrf={csrf} tz={tz} />
        </details>
      ))}
    </section>
  );
}
