import type { LabelRow } from '../../src/db/repos/labels-repo.js';
import type { LabelWithCount } from '../../src/services/labels-service.js';
import { EmptyState } from '../components/bits.js';
import { Csrf, FieldErrors, FormErrors, type Errors } from '../components/forms.js';
import { LabelChip } from '../components/label-chip.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

export interface LabelsData {
  labels: LabelWithCount[];
  palette: readonly string[];
  /** The form that failed: `new`, or the id of the label being edited. */
  failed?: string;
  errors?: Errors;
  message?: string;
  values?: { name: string; color: string };
}

/** Name and colour fields; the colour picker offers the palette and takes any other colour. */
function LabelFields({
  name,
  color,
  errors,
  idPrefix,
}: {
  name: string;
  color: string;
  errors?: Errors;
  idPrefix: string;
}) {
  return (
    <div class="grid label-fields">
      <label>
        Name
        <input
          type="text"
          name="name"
          value={name}
          required
          maxlength={60}
          id={`${idPrefix}-name`}
          aria-invalid={errors?.name ? 'true' : undefined}
        />
        <FieldErrors errors={errors} name="name" />
      </label>
      <label>
        Colour
        <input
          type="color"
          name="color"
          value={color}
          list="label-palette"
          id={`${idPrefix}-color`}
          aria-invalid={errors?.color ? 'true' : undefined}
        />
        <FieldErrors errors={errors} name="color" />
      </label>
    </div>
  );
}

/** Settings → Labels: the agency's labels with how many posts carry each. */
export function LabelsPage({ page, data }: { page: PageContext; data: LabelsData }) {
  const failedNew = data.failed === 'new';
  const nextColor = data.palette[data.labels.length % data.palette.length] ?? '#1971c2';
  return (
    <AdminLayout title="Labels" page={page} active="settings">
      <p>
        <a href="/settings">← Settings</a>
      </p>
      <datalist id="label-palette">
        {data.palette.map((c) => (
          <option value={c} />
        ))}
      </datalist>
      <section class="card" id="labels">
        <h2>Labels</h2>
        <p class="muted">
          Campaigns and content pillars, shared by every client. Put them on posts in the editor, on rules (the posts a
          rule writes carry its labels), and filter the pipeline and calendar by them.
        </p>
        {data.labels.length ? (
          <table class="responsive labels-table">
            <thead>
              <tr>
                <th>Label</th>
                <th>Posts</th>
                <th>Change</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.labels.map((l) => {
                const failed = data.failed === l.id;
                const errors = failed ? data.errors : undefined;
                return (
                  <tr id={`label-${l.id}`}>
                    <td>
                      <LabelChip name={l.name} color={l.color} />
                    </td>
                    <td>{l.posts}</td>
                    <td>
                      <details open={failed}>
                        <summary>Rename or recolour</summary>
                        <form method="post" action={`/settings/labels/${l.id}`} class="inline-form">
                          <Csrf token={page.csrf} />
                          <LabelFields
                            name={failed && data.values ? data.values.name : l.name}
                            color={failed && data.values ? data.values.color : l.color}
                            errors={errors}
                            idPrefix={`label-${l.id}`}
                          />
                          {failed && data.message ? <p class="error-text">{data.message}</p> : null}
                          <button type="submit" class="small">
                            Save
                          </button>
                        </form>
                      </details>
                    </td>
                    <td class="actions">
                      <a href={`/settings/labels/${l.id}/delete`}>Delete</a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <EmptyState title="No labels yet.">Create one below, for a campaign or a content pillar.</EmptyState>
        )}
      </section>
      <section class="card" id="new-label">
        <h2>New label</h2>
        {failedNew ? <FormErrors errors={data.errors} message={data.message} shown={['name', 'color']} /> : null}
        <form method="post" action="/settings/labels" class="inline-form">
          <Csrf token={page.csrf} />
          <LabelFields
            name={failedNew && data.values ? data.values.name : ''}
            color={failedNew && data.values ? data.values.color : nextColor}
            errors={failedNew ? data.errors : undefined}
            idPrefix="new-label"
          />
          <button type="submit">Create label</button>
        </form>
      </section>
    </AdminLayout>
  );
}

/** Asks before a label goes; works without JavaScript. */
export function DeleteLabelPage({ page, label, posts }: { page: PageContext; label: LabelRow; posts: number }) {
  return (
    <AdminLayout title="Delete label" page={page} active="settings">
      <section class="card">
        <h2>
          Delete <LabelChip name={label.name} color={label.color} />?
        </h2>
        <p>
          {posts === 1 ? '1 post carries' : `${posts} posts carry`} it. The label is taken off them and off every rule;
          the posts themselves stay.
        </p>
        <form method="post" action={`/settings/labels/${label.id}/delete`} class="inline-form">
          <Csrf token={page.csrf} />
          <button type="submit" class="contrast">
            Delete {label.name}
          </button>
          <a href="/settings/labels" role="button" class="secondary outline">
            Cancel
          </a>
        </form>
      </section>
    </AdminLayout>
  );
}
