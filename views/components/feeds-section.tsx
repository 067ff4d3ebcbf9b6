import type { FeedRow } from '../../src/db/repos/feeds-repo.js';
import type { AccountRow } from '../../src/db/repos/index.js';
import { EmptyState, PlatformBadge, When } from './bits.js';
import { Csrf, FieldErrors, FormErrors, type Errors } from './forms.js';

export interface FeedValues {
  url: string;
  accountIds: string[];
  rewrite: boolean;
  queue: boolean;
  latest: string;
  active: boolean;
}

export interface FeedsView {
  clientId: string;
  timezone: string;
  feeds: FeedRow[];
  accounts: AccountRow[];
  /** When each feed is next read (by feed id). */
  nextChecks: Readonly<Record<string, number>>;
  /** The form that failed: `new`, or the id of the feed being edited. */
  failed?: string;
  errors?: Errors;
  message?: string;
  values?: FeedValues;
}

function FeedFields({
  v,
  accounts,
  errors,
  idPrefix,
  isNew,
}: {
  v: FeedValues;
  accounts: AccountRow[];
  errors?: Errors | undefined;
  idPrefix: string;
  isNew: boolean;
}) {
  return (
    <>
      <label>
        Feed address (RSS or Atom)
        <input type="url" name="url" value={v.url} required maxlength={2000} id={`${idPrefix}-url`} />
        <FieldErrors errors={errors} name="url" />
      </label>
      <fieldset>
        <legend>Drafts for</legend>
        {accounts.map((a) => (
          <label>
            <input type="checkbox" name="accountIds" value={a.id} checked={v.accountIds.includes(a.id)} />{' '}
            <PlatformBadge platform={a.platform} /> {a.name}
          </label>
        ))}
        <FieldErrors errors={errors} name="accountIds" />
      </fieldset>
      <label>
        <input type="checkbox" name="rewrite" value="true" checked={v.rewrite} /> The AI rewrites each draft for its
        network in the client’s voice
      </label>
      <label>
        <input type="checkbox" name="queue" value="true" checked={v.queue} /> Put each draft straight into its account’s
        queue
      </label>
      {isNew ? (
        <label>
          Bring in the latest
          <input type="number" name="latest" min={0} max={20} value={v.latest} id={`${idPrefix}-latest`} />
          <small class="muted">
            items now (0: what the feed holds today is only recorded; new articles become drafts)
          </small>
          <FieldErrors errors={errors} name="latest" />
        </label>
      ) : null}
    </>
  );
}

/** A client's RSS and Atom feeds: add, edit, remove, read now (the client page and its own page show it). */
export function FeedsSection({ view, csrf }: { view: FeedsView; csrf: string }) {
  const failedNew = view.failed === 'new';
  const names = new Map(view.accounts.map((a) => [a.id, a.name]));
  const shown = ['url', 'accountIds', 'rewrite', 'queue', 'latest'];
  return (
    <section class="card" id="feeds">
      <h2>Feeds</h2>
      <p class="muted">Each new article of a blog’s RSS or Atom feed becomes a draft, checked every 15 minutes.</p>
      {view.feeds.length ? (
        <ul class="feed-list">
          {view.feeds.map((f) => {
            const failed = view.failed === f.id;
            const v: FeedValues =
              failed && view.values
                ? view.values
                : {
                    url: f.url,
                    accountIds: f.accountIds,
                    rewrite: f.rewrite,
                    queue: f.queue,
                    latest: '0',
                    active: f.active,
                  };
            return (
              <li id={`feed-${f.id}`}>
                <details open={failed}>
                  <summary>
                    <strong>{f.url}</strong> → {f.accountIds.map((id) => names.get(id) ?? id).join(', ')}
                    {f.rewrite ? <span class="badge">AI rewrite</span> : null}
                    {f.queue ? <span class="badge">Queue</span> : null}
                    {f.active ? null : <span class="badge">Paused</span>}
                    <br />
                    <small class="muted">
                      Last read: {f.lastCheckedAt === null ? 'never' : <When ms={f.lastCheckedAt} tz={view.timezone} />}
                    </small>
                    {f.lastError ? (
                      <small class="error-text feed-error">
                        {' '}
                        Last error: {f.lastError}; next try{' '}
                        <When ms={view.nextChecks[f.id] ?? null} tz={view.timezone} showZone={false} />
                      </small>
                    ) : null}
                  </summary>
                  <form method="post" action={`/feeds/${f.id}`}>
                    <Csrf token={csrf} />
                    {failed ? <FormErrors errors={view.errors} message={view.message} shown={shown} /> : null}
                    <FeedFields
                      v={v}
                      accounts={view.accounts}
                      errors={failed ? view.errors : undefined}
                      idPrefix={`feed-${f.id}`}
                      isNew={false}
                    />
                    <label>
                      <input type="checkbox" name="active" value="true" checked={v.active} /> Read this feed
                    </label>
                    <button type="submit" class="small">
                      Save feed
                    </button>
                  </form>
                  <form method="post" action={`/feeds/${f.id}/check`} class="inline-form">
                    <Csrf token={csrf} />
                    <button type="submit" class="small secondary">
                      Check now
                    </button>
                  </form>
                  <form
                    method="post"
                    action={`/feeds/${f.id}/delete`}
                    hx-confirm={`Remove the feed ${f.url}? Its drafts stay.`}
                    class="inline-form"
                  >
                    <Csrf token={csrf} />
                    <button type="submit" class="small contrast outline">
                      Remove
                    </button>
                  </form>
                </details>
              </li>
            );
          })}
        </ul>
      ) : (
        <EmptyState title="No feeds yet.">Add the client’s blog feed: its new articles arrive as drafts.</EmptyState>
      )}
      <details open={failedNew} class="new-feed">
        <summary>
          <strong>Add a feed</strong>
        </summary>
        <form method="post" action={`/clients/${view.clientId}/feeds`}>
          <Csrf token={csrf} />
          {failedNew ? <FormErrors errors={view.errors} message={view.message} shown={shown} /> : null}
          <FeedFields
            v={
              failedNew && view.values
                ? view.values
                : { url: '', accountIds: [], rewrite: false, queue: false, latest: '0', active: true }
            }
            accounts={view.accounts}
            errors={failedNew ? view.errors : undefined}
            idPrefix="new-feed"
            isNew={true}
          />
          <button type="submit">Add feed</button>
        </form>
      </details>
    </section>
  );
}
