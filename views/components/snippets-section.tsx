import type { SnippetRow } from '../../src/db/repos/snippets-repo.js';
import { SNIPPET_KINDS } from '../../src/domain/composer.js';
import { EmptyState } from './bits.js';
import { Csrf, FieldErrors, FormErrors, type Errors } from './forms.js';

export interface SnippetValues {
  name: string;
  text: string;
  kind: string;
  forAi: boolean;
}

export interface SnippetsView {
  clientId: string;
  snippets: SnippetRow[];
  /** The form that failed: `new`, or the id of the snippet being edited. */
  failed?: string;
  errors?: Errors;
  message?: string;
  values?: SnippetValues;
}

const KIND_LABELS: Record<(typeof SNIPPET_KINDS)[number], string> = {
  hashtags: 'Hashtag set',
  signature: 'Signature',
  cta: 'Call to action',
  other: 'Other',
};

function SnippetFields({ v, errors, idPrefix }: { v: SnippetValues; errors?: Errors; idPrefix: string }) {
  return (
    <>
      <div class="grid">
        <label>
          Name
          <input type="text" name="name" value={v.name} required maxlength={80} id={`${idPrefix}-name`} />
          <FieldErrors errors={errors} name="name" />
        </label>
        <label>
          Kind
          <select name="kind" id={`${idPrefix}-kind`}>
            {SNIPPET_KINDS.map((k) => (
              <option value={k} selected={k === v.kind}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
          <FieldErrors errors={errors} name="kind" />
        </label>
      </div>
      <label>
        Text
        <textarea name="text" rows={3} maxlength={2000} required id={`${idPrefix}-text`}>
          {v.text}
        </textarea>
        <FieldErrors errors={errors} name="text" />
      </label>
      <label>
        <input type="checkbox" name="forAi" value="true" checked={v.forAi} /> The AI uses it (hashtag sets as the
        client’s standard hashtags, signatures and calls to action as sign-offs)
      </label>
    </>
  );
}

/** A client's snippets: list, add, edit and delete (the client page and its own page show it). */
export function SnippetsSection({ view, csrf }: { view: SnippetsView; csrf: string }) {
  const failedNew = view.failed === 'new';
  return (
    <section class="card" id="snippets">
      <h2>Snippets</h2>
      <p class="muted">Hashtag sets, signatures and calls to action, inserted from the post editor.</p>
      {view.snippets.length ? (
        <ul class="snippet-list">
          {view.snippets.map((s) => {
            const failed = view.failed === s.id;
            const v = failed && view.values ? view.values : { ...s };
            return (
              <li id={`snippet-${s.id}`}>
                <details open={failed}>
                  <summary>
                    <strong>{s.name}</strong> <span class="badge">{KIND_LABELS[s.kind]}</span>
                    {s.forAi ? null : <small class="muted"> not for the AI</small>}
                    <br />
                    <small class="snippet-text">{s.text.length > 140 ? `${s.text.slice(0, 140)}…` : s.text}</small>
                  </summary>
                  <form method="post" action={`/snippets/${s.id}`}>
                    <Csrf token={csrf} />
                    {failed ? (
                      <FormErrors errors={view.errors} message={view.message} shown={['name', 'text', 'kind']} />
                    ) : null}
                    <SnippetFields v={v} errors={failed ? view.errors : undefined} idPrefix={`snippet-${s.id}`} />
                    <button type="submit" class="small">
                      Save snippet
                    </button>
                  </form>
                  <form
                    method="post"
                    action={`/snippets/${s.id}/delete`}
                    hx-confirm={`Delete the snippet "${s.name}"?`}
                    class="inline-form"
                  >
                    <Csrf token={csrf} />
                    <button type="submit" class="small contrast outline">
                      Delete
                    </button>
                  </form>
                </details>
              </li>
            );
          })}
        </ul>
      ) : (
        <EmptyState title="No snippets yet.">
          Add the hashtags and sign-offs this client uses again and again.
        </EmptyState>
      )}
      <details open={failedNew} class="new-snippet">
        <summary>
          <strong>Add a snippet</strong>
        </summary>
        <form method="post" action={`/clients/${view.clientId}/snippets`}>
          <Csrf token={csrf} />
          {failedNew ? (
            <FormErrors errors={view.errors} message={view.message} shown={['name', 'text', 'kind']} />
          ) : null}
          <SnippetFields
            v={failedNew && view.values ? view.values : { name: '', text: '', kind: 'hashtags', forAi: true }}
            errors={failedNew ? view.errors : undefined}
            idPrefix="new-snippet"
          />
          <button type="submit">Add snippet</button>
        </form>
      </details>
    </section>
  );
}
