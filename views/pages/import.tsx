import type { ClientRow } from '../../src/db/repos/index.js';
import type { ImportSummary, ImportView } from '../../src/services/imports-service.js';
import { Csrf } from '../components/forms.js';
import { formatInZone } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

export interface ImportPageData {
  client: ClientRow;
  /** The dry run (or the committed import) to show, if any. */
  current?: ImportView;
  /** Why the file could not be read at all. */
  error?: string;
  recent: ImportSummary[];
}

const MAX_CAPTION_SHOWN = 80;

function RowsTable({ view, timeZone }: { view: ImportView; timeZone: string }) {
  return (
    <div class="overflow-auto" tabindex={0}>
      <table class="striped">
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col">Result</th>
            <th scope="col">Account</th>
            <th scope="col">Time ({timeZone})</th>
            <th scope="col">Caption</th>
            <th scope="col">As</th>
          </tr>
        </thead>
        <tbody>
          {view.rows.map((r) => (
            <tr id={`line-${r.line}`}>
              <td>{r.line}</td>
              <td>
                {r.postId ? (
                  <a href={`/posts/${r.postId}`}>Post</a>
                ) : r.ok ? (
                  'OK'
                ) : (
                  <ul class="field-error">
                    {Object.entries(r.errors ?? {}).map(([field, messages]) => (
                      <li>
                        {field}: {messages.join('; ')}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>{r.summary?.account ?? ''}</td>
              <td>{r.summary?.time != null ? formatInZone(r.summary.time, timeZone) : ''}</td>
              <td>
                {(r.summary?.caption ?? '').length > MAX_CAPTION_SHOWN
                  ? `${r.summary!.caption.slice(0, MAX_CAPTION_SHOWN)}…`
                  : (r.summary?.caption ?? '')}
              </td>
              <td>{r.summary?.status ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Outcome({ view, client, csrf }: { view: ImportView; client: ClientRow; csrf: string }) {
  const bad = view.rows.filter((r) => !r.ok).length;
  const count = view.rows.length;
  return (
    <section class="card" id="import-result">
      <h2>{view.fileName || 'The file'}</h2>
      {view.committed ? (
        <p role="status">
          Imported {count} {count === 1 ? 'post' : 'posts'}. Each line links to its post.
        </p>
      ) : view.imported > 0 ? (
        <form method="post" action={`/clients/${client.id}/import/${view.id}/commit`}>
          <Csrf token={csrf} />
          <p role="alert">
            Partly imported: {view.imported} of {count} rows are in (each links to its post); the commit was cut off.
            Nothing is written twice when you go on.
          </p>
          <button type="submit">Import the other {count - view.imported}</button>
        </form>
      ) : bad ? (
        <p role="alert">
          {bad} of {count} rows have errors; nothing was written. Correct the file and upload it again.
        </p>
      ) : (
        <form method="post" action={`/clients/${client.id}/import/${view.id}/commit`}>
          <Csrf token={csrf} />
          <p>Every row is OK. Nothing is written until you confirm.</p>
          <button type="submit">
            Import {count} {count === 1 ? 'post' : 'posts'}
          </button>
        </form>
      )}
      <RowsTable view={view} timeZone={client.timezone} />
    </section>
  );
}

/** A client's CSV import: upload, the dry run's table, the confirmation and the result. */
export function ImportPage({ page, data }: { page: PageContext; data: ImportPageData }) {
  const { client, current } = data;
  const upload = `/clients/${client.id}/import?_csrf=${encodeURIComponent(page.csrf)}`;
  return (
    <AdminLayout title={`Import posts · ${client.name}`} page={page} active="clients">
      <p>
        <a href={`/clients/${client.id}`}>← {client.name}</a>
      </p>
      <section class="card" id="import-upload">
        <p>
          A CSV file with a header row: account (account_id, or network and account_name), time (
          <code>YYYY-MM-DD HH:mm</code> in {client.timezone}, or with an offset), caption, media_urls, first_comment,
          labels (names separated by <code>|</code>), surface and status (draft, scheduled or queue). At most 10,000
          rows and 5 MB; UTF-8 or UTF-16.{' '}
          <a href={`/clients/${client.id}/import/template.csv`}>Download the template</a>
        </p>
        {data.error ? (
          <p role="alert" class="field-error">
            {data.error}
          </p>
        ) : null}
        <form method="post" action={upload} enctype="multipart/form-data" hx-boost="false">
          <label>
            CSV file
            <input type="file" name="file" accept=".csv,text/csv" required />
          </label>
          <button type="submit">Check the file</button>
        </form>
      </section>
      {current ? <Outcome view={current} client={client} csrf={page.csrf} /> : null}
      {data.recent.length ? (
        <section class="card" id="import-history">
          <h2>Earlier imports</h2>
          <ul>
            {data.recent.map((v) => (
              <li>
                <a href={`/clients/${client.id}/import/${v.id}`}>{v.fileName || v.id}</a> ·{' '}
                {formatInZone(v.createdAt, client.timezone)} · {v.rows} rows · {v.committed ? 'imported' : 'dry run'}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </AdminLayout>
  );
}
