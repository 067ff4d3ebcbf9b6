// Fields the post editor and the group editor share: the surface, the first comment, labels and
// the snippet picker. Each is a plain form field; public/composer.js adds what needs a script.
import type { Surface } from '../../src/domain/composer.js';
import { FieldErrors, type Errors } from './forms.js';

export interface LabelChoice {
  readonly id: string;
  readonly name: string;
  readonly color: string;
}

export interface SnippetChoice {
  readonly id: string;
  readonly name: string;
  readonly text: string;
}

/** Where the post appears; only offered where the network has more than its feed. */
export function SurfaceSelect({
  name,
  id,
  surfaces,
  value,
  errors,
  disabled,
  always = false,
}: {
  name: string;
  id: string;
  surfaces: ReadonlyArray<{ readonly surface: Surface; readonly label: string }>;
  value: string;
  errors: Errors;
  disabled?: boolean;
  /** Rendered (hidden) even with the feed alone: the account chooser may offer more (public/composer.js). */
  always?: boolean;
}) {
  if (surfaces.length < 2 && !always) return <input type="hidden" name={name} value="feed" />;
  return (
    <label for={id} data-surface-field hidden={surfaces.length < 2}>
      Where
      <select name={name} id={id} disabled={disabled} aria-invalid={errors?.[name]?.length ? 'true' : undefined}>
        {surfaces.map((s) => (
          <option value={s.surface} selected={s.surface === value}>
            {s.label}
          </option>
        ))}
      </select>
      <FieldErrors errors={errors} name={name} />
    </label>
  );
}

/** The first comment, published right after the post; a note when the account has not allowed it. */
export function FirstCommentField({
  name,
  id,
  value,
  errors,
  missingScopes,
  readonly,
  hint,
  hidden,
}: {
  name: string;
  id: string;
  value: string;
  errors: Errors;
  missingScopes: readonly string[];
  readonly?: boolean;
  hint?: string;
  /** Hidden while the chosen account and surface take no first comment (public/composer.js follows the choice). */
  hidden?: boolean;
}) {
  return (
    <label for={id} data-first-comment-field hidden={hidden}>
      First comment
      <textarea
        name={name}
        id={id}
        rows={2}
        readonly={readonly}
        aria-invalid={errors?.[name]?.length ? 'true' : undefined}
      >
        {value}
      </textarea>
      <small class="muted">{hint ?? 'Published as a comment right after the post (links, extra hashtags).'}</small>
      {missingScopes.length ? (
        <small class="notice notice-warn" data-missing-scopes>
          This account has not allowed comments ({missingScopes.join(', ')}): reconnect it and allow them, or the
          comment will be skipped.
        </small>
      ) : null}
      <FieldErrors errors={errors} name={name} />
    </label>
  );
}

/** The agency's labels as a multi-select. */
export function LabelsSelect({
  labels,
  selected,
  errors,
  name = 'labels',
}: {
  labels: readonly LabelChoice[];
  selected: readonly string[];
  errors: Errors;
  name?: string;
}) {
  if (!labels.length) return null;
  return (
    <label>
      Labels
      <select name={name} multiple size={Math.min(5, labels.length)}>
        {labels.map((l) => (
          <option value={l.id} selected={selected.includes(l.id)} data-color={l.color}>
            {l.name}
          </option>
        ))}
      </select>
      <FieldErrors errors={errors} name={name} />
    </label>
  );
}

/**
 * The client's snippets: choose one and insert it where the cursor is in the target field
 * (public/composer.js; without scripts, the text is there to copy).
 */
export function SnippetPicker({ snippets, target }: { snippets: readonly SnippetChoice[]; target: string }) {
  if (!snippets.length) return null;
  return (
    <div class="snippet-picker" data-snippet-picker data-target={target}>
      <select aria-label="Snippet" data-snippet-select>
        <option value="">Insert a snippet…</option>
        {snippets.map((s) => (
          <option value={s.text} title={s.text}>
            {s.name}
          </option>
        ))}
      </select>
      <button type="button" class="secondary small" data-snippet-insert>
        Insert
      </button>
    </div>
  );
}
