import { Csrf, TextArea, type Errors } from './forms.js';
import { When } from './bits.js';

const WEEKDAY = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;

export interface SuggestionView {
  ruleId: string;
  timezone: string;
  description: string;
  currentDescription: string;
  evidence: string;
  same: boolean;
  applicable: boolean;
  perAccount: Array<{
    name: string;
    posts: number;
    top: Array<{ weekday: number; hour: number; score: number; posts: number }>;
  }>;
  /** The next slots now and with the suggestion applied. */
  before: number[];
  after: number[];
}

function Slots({ slots, tz }: { slots: number[]; tz: string }) {
  return (
    <ol>
      {slots.map((ms) => (
        <li>
          <When ms={ms} tz={tz} showZone={false} />
        </li>
      ))}
    </ol>
  );
}

/** A rule's suggested schedule, the evidence behind it, and the button that applies it. */
export function SuggestedSchedule({ s, csrf }: { s: SuggestionView; csrf: string }) {
  return (
    <section class="card suggested-schedule" id="suggested-schedule">
      <h2>Suggested schedule</h2>
      <p>
        <strong>{s.description}</strong> <small class="muted">({s.timezone})</small>
      </p>
      <p class="muted">{s.evidence}</p>
      {s.perAccount.length ? (
        <ul>
          {s.perAccount.map((a) => (
            <li>
              {a.name}: {a.posts ? 'best times' : 'no measured posts yet; the general pattern favours'}{' '}
              {a.top
                .map((t) => {
                  const when = `${WEEKDAY[t.weekday]} ${String(t.hour).padStart(2, '0')}:00`;
                  // Without posts of its own there is no rate to expect, only the pattern's order.
                  if (!a.posts) return when;
                  const posts = t.posts ? `${t.posts} post${t.posts === 1 ? '' : 's'}` : 'no posts there yet';
                  return `${when} (${posts}, expected ${pct(t.score)})`;
                })
                .join(', ')}
            </li>
          ))}
        </ul>
      ) : null}
      {!s.applicable ? (
        <p>This rule posts less than once a week: set its days by hand, using the best times above.</p>
      ) : s.same ? (
        <p>This rule already posts at these times.</p>
      ) : (
        <>
          <div class="grid">
            <div>
              <p class="muted">Now: {s.currentDescription}</p>
              <Slots slots={s.before} tz={s.timezone} />
            </div>
            <div>
              <p class="muted">Suggested: {s.description}</p>
              <Slots slots={s.after} tz={s.timezone} />
            </div>
          </div>
          <form method="post" action={`/rules/${s.ruleId}/suggested-schedule`}>
            <Csrf token={csrf} />
            <button type="submit" class="secondary">
              Use the suggested schedule
            </button>
          </form>
        </>
      )}
    </section>
  );
}

/** The client's standing guidance for the AI: what it learned from reviews, editable by admins. */
export function GuidanceCard({
  clientId,
  guidance,
  updatedAt,
  timezone,
  csrf,
  errors,
}: {
  clientId: string;
  guidance: string;
  updatedAt: number | null;
  timezone: string;
  csrf: string;
  errors?: Errors;
}) {
  return (
    <section class="card" id="guidance">
      <h2>AI guidance</h2>
      <p class="muted">
        Learned from what reviewers reject and how they edit AI captions before approving; part of every prompt for this
        client. Lines you write stay as written; learning adds and updates its own lines (those ending “learned from …
        reviews”).
        {updatedAt ? (
          <>
            {' '}
            Last changed <When ms={updatedAt} tz={timezone} />.
          </>
        ) : null}
      </p>
      <form method="post" action={`/clients/${clientId}/guidance`}>
        <Csrf token={csrf} />
        <TextArea
          label="Guidance (one point per line)"
          name="guidance"
          value={guidance}
          rows={5}
          errors={errors}
          hint="At most 8 short lines. Nothing yet? It fills in as reviewers reject or edit posts."
        />
        <button type="submit" class="secondary small">
          Save guidance
        </button>
      </form>
    </section>
  );
}
