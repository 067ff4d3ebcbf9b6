import type { ClientRow, MediaRow } from '../../src/db/repos/index.js';
import type { MediaUse } from '../../src/db/repos/media-repo.js';
import type { FfmpegStatus } from '../../src/lib/ffmpeg.js';
import { EmptyState, Pager, pageHref, PlatformBadge } from '../components/bits.js';
import { Csrf, FieldErrors, type Errors } from '../components/forms.js';
import { asset } from '../asset-url.js';
import { formatBytes } from '../format.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

export interface LibraryItem {
  row: MediaRow;
  url: string;
  /** The grid's picture: the thumbnail, else the poster, else (an image) the file itself. */
  preview: string | null;
  uses: readonly MediaUse[];
}

export interface MediaLibraryData {
  client: ClientRow;
  items: LibraryItem[];
  q: string;
  next: string | null;
  ffmpeg: FfmpegStatus;
}

const ACCEPT = 'image/jpeg,image/png,image/webp,video/mp4,video/quicktime';

function Facts({ row }: { row: MediaRow }) {
  const parts = [formatBytes(row.size)];
  if (row.width && row.height) parts.push(`${row.width}×${row.height}`);
  if (row.durationMs) parts.push(`${(row.durationMs / 1000).toFixed(1)} s`);
  return <small class="muted">{parts.join(' · ')}</small>;
}

function Uses({ uses }: { uses: readonly MediaUse[] }) {
  if (!uses.length) return <small class="muted media-unused">Not used yet</small>;
  return (
    <details class="media-uses">
      <summary>
        Used by {uses.length} {uses.length === 1 ? 'item' : 'items'}
      </summary>
      <ul>
        {uses.map((u) =>
          u.kind === 'group' ? (
            <li>
              <a href={`/groups/${u.id}`}>Post group {u.id}</a>
            </li>
          ) : (
            <li>
              <a href={`/posts/${u.id}`}>
                {u.platform ? <PlatformBadge platform={u.platform} /> : null} {u.accountName} · {u.status}
              </a>
            </li>
          ),
        )}
      </ul>
    </details>
  );
}

/** One tile of the grid; also the answer to its inline edit. */
export function MediaItem({
  item,
  clientId,
  csrf,
  errors,
  values,
}: {
  item: LibraryItem;
  clientId: string;
  csrf: string;
  errors?: Errors;
  values?: { name: string; altText: string };
}) {
  const { row } = item;
  const video = row.mime.startsWith('video/');
  const action = `/clients/${clientId}/media/${row.id}`;
  return (
    <li class="media-item" id={`media-${row.id}`} data-name={row.name}>
      <a href={item.url} class="media-preview" target="_blank" rel="noopener">
        {item.preview ? (
          <img src={item.preview} alt={row.altText || row.name} loading="lazy" />
        ) : (
          <span class="video-thumb">
            ▶ video
            <br />
            <small>
              {row.posterStatus === 'no_ffmpeg'
                ? 'no poster (ffmpeg not installed)'
                : row.posterStatus === 'failed'
                  ? 'no poster (the first frame could not be read)'
                  : 'poster being made'}
            </small>
          </span>
        )}
        {video && item.preview ? <span class="play-badge">▶</span> : null}
      </a>
      <div class="media-meta">
        <label class="media-select">
          <input type="checkbox" name="mediaIds" value={row.id} form="use-form" /> <strong>{row.name}</strong>
        </label>
        <Facts row={row} />
        {row.altText ? <small class="media-alt">Alt: {row.altText}</small> : <small class="muted">No alt text</small>}
        <Uses uses={item.uses} />
      </div>
      <details class="media-edit" open={!!errors}>
        <summary>Edit name and alt text</summary>
        <form method="post" action={action} hx-post={action} hx-target={`#media-${row.id}`} hx-swap="outerHTML">
          <Csrf token={csrf} />
          <label>
            Name
            <input type="text" name="name" value={values?.name ?? row.name} maxlength={255} required />
            <FieldErrors errors={errors} name="name" />
          </label>
          <label>
            Alt text
            <textarea name="altText" rows={2} maxlength={1000}>
              {values?.altText ?? row.altText}
            </textarea>
            <FieldErrors errors={errors} name="altText" />
          </label>
          <button type="submit" class="small">
            Save
          </button>
        </form>
      </details>
      <div class="media-actions">
        <a href={`/groups/new?clientId=${clientId}&mediaIds=${row.id}`} hx-boost="false" class="use-in-post">
          Use in a new post
        </a>
        {item.uses.length ? (
          <small class="muted">In use: cannot be deleted</small>
        ) : (
          <form
            method="post"
            action={`${action}/delete`}
            hx-confirm={`Delete "${row.name}"? The file is removed for good.`}
            class="inline-form"
          >
            <Csrf token={csrf} />
            <button type="submit" class="small contrast outline">
              Delete
            </button>
          </form>
        )}
      </div>
    </li>
  );
}

export function MediaGrid({ data, csrf }: { data: MediaLibraryData; csrf: string }) {
  const { client } = data;
  return (
    <div id="media-grid">
      {data.items.length ? (
        <ul class="media-grid">
          {data.items.map((item) => (
            <MediaItem item={item} clientId={client.id} csrf={csrf} />
          ))}
        </ul>
      ) : data.q ? (
        <EmptyState title={`Nothing matches “${data.q}”.`}>Search looks in names and alt text.</EmptyState>
      ) : (
        <EmptyState title="No media yet.">Drop images and videos above; posts can then use them.</EmptyState>
      )}
      <Pager href={pageHref(`/clients/${client.id}/media`, { q: data.q }, data.next)} />
    </div>
  );
}

/** A client's media: upload several files, search, see where each is used, edit, reuse, delete. */
export function MediaLibraryPage({ page, data }: { page: PageContext; data: MediaLibraryData }) {
  const { client } = data;
  const uploadUrl = `/clients/${client.id}/media`;
  return (
    <AdminLayout title={`Media · ${client.name}`} page={page} active="clients">
      <p>
        <a href={`/clients/${client.id}`}>← {client.name}</a>
      </p>
      {data.ffmpeg.available ? null : (
        <div class="notice notice-info" id="no-ffmpeg">
          Video posters are off: {data.ffmpeg.problem}. Videos upload and publish as usual but show no first frame here.
          Install ffmpeg or set FFMPEG_PATH to turn posters on.
        </div>
      )}
      <section class="card">
        {/* Without JavaScript this is a plain multi-file form; with it, files go one request each with progress. */}
        <form
          method="post"
          action={`${uploadUrl}?_csrf=${encodeURIComponent(page.csrf)}`}
          enctype="multipart/form-data"
          hx-boost="false"
          class="dropzone"
          id="upload-form"
          data-upload-url={uploadUrl}
        >
          <p>
            <strong>Drop images and videos here</strong> or choose them (JPEG, PNG, WebP, MP4).
          </p>
          <input type="file" name="file" multiple accept={ACCEPT} aria-label="Files to upload" />
          <button type="submit" class="upload-submit">
            Upload
          </button>
          <ul id="upload-progress" class="upload-progress" aria-live="polite"></ul>
        </form>
      </section>
      <section class="card">
        <div class="section-head">
          <form method="get" action={uploadUrl} role="search" class="media-search">
            <input type="search" name="q" value={data.q} placeholder="Search names and alt text" aria-label="Search" />
            <button type="submit" class="secondary">
              Search
            </button>
          </form>
          <form method="get" action="/groups/new" id="use-form" hx-boost="false" class="inline-form">
            <input type="hidden" name="clientId" value={client.id} />
            <button type="submit" class="small">
              Use selected in a new post
            </button>
          </form>
        </div>
        <MediaGrid data={data} csrf={page.csrf} />
      </section>
      <script src={asset('media-upload.js')} defer></script>
    </AdminLayout>
  );
}
