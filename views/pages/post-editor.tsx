import type { AccountRow, ClientRow, MediaRow, PostLogRow, PostWithMedia } from '../../src/db/repos/index.js';
import type { Surface } from '../../src/domain/composer.js';
import type { CaptionLimits } from '../../src/domain/platform-limits.js';
import type { PostField } from '../../src/platforms/network.js';
import { availableActions, EDITABLE_STATUSES } from '../../src/domain/post-status.js';
import { AccountAvatar, LogMessage, PlatformBadge, StatusBadge } from '../components/bits.js';
import {
  FirstCommentField,
  LabelsSelect,
  SnippetPicker,
  SurfaceSelect,
  type LabelChoice,
  type SnippetChoice,
} from '../components/composer-fields.js';
import { Preview, type PreviewData } from '../previews/preview.js';
import { Csrf, FieldErrors, FormErrors, type Errors } from '../components/forms.js';
import { formatBytes, formatInZone, humanStatus } from '../format.js';
import { QueueButtons } from '../components/queue-actions.js';
import { EvergreenBox, type EvergreenView } from '../components/evergreen-box.js';
import { mayApprove } from '../../src/domain/roles.js';
import { AdminLayout, pageMay, type PageContext } from '../layouts/admin.js';
import { platformDataOf } from '../../src/domain/account-data.js';

export interface EditorValues {
  accountId: string;
  caption: string;
  mediaIds: string[];
  /** `YYYY-MM-DDTHH:mm` in the client's zone. */
  scheduledAt: string;
  /** The platform's own fields (its `postOptions`), as the form's inputs hold them. */
  options: Record<string, string>;
  /** feed · story · reel. */
  surface: string;
  firstComment: string;
  /** Label ids. */
  labels: string[];
}

/** The chosen account's composer facts, from its network. */
export interface EditorComposer {
  surfaces: ReadonlyArray<{ readonly surface: Surface; readonly label: string }>;
  /** Whether the chosen account's platform takes a first comment on the chosen surface. */
  takesFirstComment: boolean;
  /** The comment permissions the account has not granted (`networks.missingCommentScopes`). */
  missingCommentScopes: string[];
  labels: readonly LabelChoice[];
  snippets: SnippetChoice[];
  preview: { data: PreviewData; surfaceLabel: string } | null;
  /** Per platform of the client's accounts: its surfaces and those taking a first comment (for the account chooser). */
  platforms: Record<string, { surfaces: EditorComposer['surfaces']; commentSurfaces: Surface[] }>;
}

/** The account's composer facts as data attributes: public/composer.js follows the account chooser with them. */
function composerAttrs(platform: string, composer: EditorComposer) {
  const facts = composer.platforms[platform];
  return {
    'data-surfaces': JSON.stringify(facts?.surfaces ?? [{ surface: 'feed', label: 'Post' }]),
    'data-comment-surfaces': (facts?.commentSurfaces ?? []).join(','),
  };
}

export interface EditorConflict {
  mine: EditorValues;
  current: PostWithMedia;
  currentLocalTime: string;
}

export interface EditorData {
  client: ClientRow;
  accounts: AccountRow[];
  /** Each platform's label, caption limits and post fields, as its network declares them. */
  platforms: Readonly<
    Record<string, { readonly label: string; readonly limits: CaptionLimits; readonly fields: readonly PostField[] }>
  >;
  post: PostWithMedia | null;
  values: EditorValues;
  library: Array<MediaRow & { url: string }>;
  logs: PostLogRow[];
  errors?: Errors;
  message?: string;
  conflict?: EditorConflict | null;
  aiEnabled?: boolean;
  /** The account's platform's line about how it will publish the chosen media (its `describe`), or null. */
  mediaNote?: string | null;
  composer: EditorComposer;
  /** The post's evergreen copies and next due time (docs/planning.md#evergreen). */
  evergreen?: EvergreenView;
}

function limitAttrs(platform: string, platforms: EditorData['platforms']) {
  const l = platforms[platform]?.limits ?? { characters: 0, hashtags: null, mentions: null, countsUtf16: false };
  return {
    'data-platform': platform,
    'data-max-chars': String(l.characters),
    'data-max-hashtags': l.hashtags === null ? '' : String(l.hashtags),
    'data-max-mentions': l.mentions === null ? '' : String(l.mentions),
    'data-utf16': l.countsUtf16 ? 'true' : 'false',
  };
}

/** One field a platform declares for its posts; its input is named `options.<name>` (after `prefix`). */
export function PostFieldInput({
  field,
  value,
  errors,
  account,
  prefix = '',
}: {
  field: PostField;
  value: string;
  errors: Errors;
  /** The account the fieldset is for, when a field's choices depend on it. */
  account?: AccountRow | undefined;
  /** Before `options.`: the group editor's `m.<accountId>.`. */
  prefix?: string;
}) {
  const name = `${prefix}options.${field.name}`;
  const invalid = errors?.[name]?.length ? 'true' : undefined;
  const id = `post-option-${field.name}${account ? `-${account.id}` : ''}`;
  const choices = [
    ...(field.choices ?? []),
    ...(account && field.accountChoices ? field.accountChoices(platformDataOf(account)) : []),
  ];
  return (
    <label for={id}>
      {field.label}
      {field.kind === 'select' ? (
        <select name={name} id={id} aria-invalid={invalid}>
          {choices.map(([v, label]) => (
            <option value={v} selected={v === value}>
              {label}
            </option>
          ))}
        </select>
      ) : (
        <input
          type={field.kind === 'datetime' ? 'datetime-local' : field.kind === 'url' ? 'url' : 'text'}
          name={name}
          id={id}
          value={value}
          aria-invalid={invalid}
        />
      )}
      {field.help ? <small class="muted">{field.help}</small> : null}
      <FieldErrors errors={errors} name={name} />
    </label>
  );
}

/**
 * The fields of each platform among the shown accounts that declares any; only the chosen
 * account's are enabled (a disabled fieldset is not sent), and app.js follows the account chooser.
 * A platform whose fields take choices from the account (`accountChoices`) gets a fieldset per
 * account, marked with its id.
 */
function PostOptionFields({
  platforms,
  shown,
  chosen,
  values,
  errors,
}: {
  platforms: EditorData['platforms'];
  shown: readonly AccountRow[];
  chosen: AccountRow;
  values: Record<string, string>;
  errors: Errors;
}) {
  const sets: Array<{ platform: string; account?: AccountRow }> = [];
  for (const a of shown) {
    const fields = platforms[a.platform]?.fields ?? [];
    if (!fields.length) continue;
    if (fields.some((f) => f.accountChoices)) sets.push({ platform: a.platform, account: a });
    else if (!sets.some((s) => s.platform === a.platform)) sets.push({ platform: a.platform });
  }
  return (
    <>
      {sets.map(({ platform: p, account }) => {
        const on = account ? account.id === chosen.id : p === chosen.platform;
        return (
          <fieldset data-post-options={p} data-post-options-account={account?.id} disabled={!on} hidden={!on}>
            <legend>{platforms[p]!.label} post</legend>
            {platforms[p]!.fields.map((f) => (
              <PostFieldInput field={f} value={on ? (values[f.name] ?? '') : ''} errors={errors} account={account} />
            ))}
          </fieldset>
        );
      })}
    </>
  );
}

/** Thumbnails with checkboxes; the selected ones first, in the post's order. */
export function MediaPicker({
  library,
  selected,
  clientId,
  error,
}: {
  library: EditorData['library'];
  selected: string[];
  clientId: string;
  error?: string;
}) {
  const byId = new Map(library.map((m) => [m.id, m]));
  const ordered = [
    ...selected.map((id) => byId.get(id)).filter((m): m is EditorData['library'][number] => Boolean(m)),
    ...library.filter((m) => !selected.includes(m.id)),
  ];
  return (
    <div id="media-picker" class="media-picker">
      {error ? (
        <div class="notice notice-error" role="alert">
          {error}
        </div>
      ) : null}
      <div class="media-grid">
        {ordered.map((m) => (
          <label class="media-item">
            <input type="checkbox" name="mediaIds" value={m.id} checked={selected.includes(m.id)} />
            {m.mime.startsWith('image/') ? (
              <img src={m.url} alt={m.altText || m.originalName || 'image'} loading="lazy" />
            ) : (
              <span class="video-thumb">▶ video{m.durationMs ? ` ${Math.round(m.durationMs / 1000)} s` : ''}</span>
            )}
            <small>
              {m.width && m.height ? `${m.width}×${m.height} · ` : ''}
              {formatBytes(m.size)}
            </small>
          </label>
        ))}
      </div>
      {library.length === 0 ? <p class="muted">No media for this client yet; upload some.</p> : null}
      <label class="upload">
        Upload an image or video
        <input
          type="file"
          name="file"
          accept="image/jpeg,image/png,image/webp,video/mp4,video/quicktime"
          hx-post={`/posts/media?clientId=${clientId}`}
          hx-encoding="multipart/form-data"
          hx-trigger="change"
          hx-target="#media-picker"
          hx-swap="outerHTML"
          hx-include="[name=mediaIds]:checked"
        />
      </label>
    </div>
  );
}

function ConflictPanel({
  conflict,
  post,
  tz,
  csrf,
}: {
  conflict: EditorConflict;
  post: PostWithMedia;
  tz: string;
  csrf: string;
}) {
  return (
    <section class="card conflict" role="alert">
      <h2>Someone saved this post while you were editing</h2>
      <p>Nothing was overwritten. Compare the two versions and choose.</p>
      <div class="grid-2">
        <div>
          <h3>Your version</h3>
          <pre class="caption-view">{conflict.mine.caption}</pre>
          <p class="muted">
            {conflict.mine.scheduledAt ? `${conflict.mine.scheduledAt.replace('T', ' ')} (${tz})` : 'no time'} ·{' '}
            {conflict.mine.mediaIds.length} media
          </p>
          <form method="post" action={`/posts/${post.id}`}>
            <Csrf token={csrf} />
            <input type="hidden" name="version" value={String(conflict.current.version)} />
            <input type="hidden" name="caption" value={conflict.mine.caption} />
            <input type="hidden" name="scheduledAt" value={conflict.mine.scheduledAt} />
            {conflict.mine.mediaIds.map((id) => (
              <input type="hidden" name="mediaIds" value={id} />
            ))}
            {Object.entries(conflict.mine.options).map(([k, v]) => (
              <input type="hidden" name={`options.${k}`} value={v} />
            ))}
            <input type="hidden" name="surface" value={conflict.mine.surface} />
            <input type="hidden" name="firstComment" value={conflict.mine.firstComment} />
            {conflict.mine.labels.map((id) => (
              <input type="hidden" name="labels" value={id} />
            ))}
            <input type="hidden" name="intent" value="save" />
            <button type="submit">Use my version</button>
          </form>
        </div>
        <div>
          <h3>Saved version (version {conflict.current.version})</h3>
          <pre class="caption-view">{conflict.current.caption}</pre>
          <p class="muted">
            {conflict.currentLocalTime ? `${conflict.currentLocalTime.replace('T', ' ')} (${tz})` : 'no time'} ·{' '}
            {conflict.current.mediaIds.length} media · <StatusBadge status={conflict.current.status} />
          </p>
          <a href={`/posts/${post.id}`} role="button" class="secondary">
            Keep the saved version
          </a>
        </div>
      </div>
    </section>
  );
}

function Actions({
  post,
  csrf,
  approvalMode,
  may,
}: {
  post: PostWithMedia;
  csrf: string;
  approvalMode: string;
  /** What the member's role allows on this post (the services refuse the rest). */
  may: { write: boolean; approve: boolean };
}) {
  const actions = availableActions(post.status).filter((a) =>
    a === 'approve' || a === 'reject' ? may.approve : may.write,
  );
  if (actions.length === 0 && (post.status !== 'unconfirmed' || !may.write)) return null;
  return (
    <div class="post-actions">
      {actions.includes('approve') ? (
        <form method="post" action={`/posts/${post.id}/do/approve`}>
          <Csrf token={csrf} />
          <button type="submit">
            {approvalMode === 'client' && post.status === 'pending_approval'
              ? 'Approve for the client'
              : post.status === 'draft'
                ? 'Schedule'
                : 'Approve'}
          </button>
        </form>
      ) : null}
      {actions.includes('submit') ? (
        <form method="post" action={`/posts/${post.id}/do/submit`}>
          <Csrf token={csrf} />
          <button type="submit" class="secondary">
            Send for approval
          </button>
        </form>
      ) : null}
      {actions.includes('retry') ? (
        <form
          method="post"
          action={`/posts/${post.id}/do/retry`}
          hx-confirm={
            post.status === 'unconfirmed'
              ? 'Only send it again if you checked the platform and the post is not there. Send again?'
              : undefined
          }
        >
          <Csrf token={csrf} />
          <button type="submit">
            {post.status === 'unconfirmed' ? 'Not on the platform: send again' : 'Retry now'}
          </button>
        </form>
      ) : null}
      {post.status === 'unconfirmed' && may.write ? (
        <form method="post" action={`/posts/${post.id}/do/mark-published`} class="reject-form">
          <Csrf token={csrf} />
          <input
            type="url"
            name="permalink"
            placeholder="https:// address of the post (optional)"
            aria-label="Permalink"
          />
          <button type="submit" class="secondary">
            It is on the platform
          </button>
        </form>
      ) : null}
      {actions.includes('reject') ? (
        <form method="post" action={`/posts/${post.id}/do/reject`} class="reject-form">
          <Csrf token={csrf} />
          <input type="text" name="comment" placeholder="Why? (optional)" aria-label="Rejection comment" />
          <button type="submit" class="secondary">
            Reject
          </button>
        </form>
      ) : null}
      {actions.includes('cancel') ? (
        <form
          method="post"
          action={`/posts/${post.id}/do/cancel`}
          hx-confirm="Cancel this post? It will not be published."
        >
          <Csrf token={csrf} />
          <button type="submit" class="contrast outline">
            Cancel post
          </button>
        </form>
      ) : null}
    </div>
  );
}

/** How the post will look, refreshed as the form changes (POST /posts/preview, htmx). */
export function PreviewPane({ preview }: { preview: EditorComposer['preview'] }) {
  return (
    <aside
      id="post-preview"
      class="preview-pane"
      hx-post="/posts/preview"
      hx-trigger="input changed delay:300ms from:#post-form, change from:#post-form"
      hx-include="#post-form"
      hx-target="this"
      hx-swap="innerHTML"
    >
      <PreviewBody preview={preview} />
    </aside>
  );
}

export function PreviewBody({ preview }: { preview: EditorComposer['preview'] }) {
  return preview ? <Preview data={preview.data} surfaceLabel={preview.surfaceLabel} /> : null;
}

const COMMENT_WORDS: Record<string, string> = {
  waiting: 'waits for the post',
  due: 'about to be sent',
  sent: 'sent; checking it arrived',
  posted: 'posted',
  failed: 'failed',
  skipped: 'skipped',
};

/** The first comment's own outcome (it never changes the post's). */
function CommentStatus({ post }: { post: PostWithMedia }) {
  return (
    <p class="comment-status" data-comment-status={post.firstCommentStatus}>
      First comment: <strong>{COMMENT_WORDS[post.firstCommentStatus] ?? post.firstCommentStatus}</strong>
      {post.firstCommentId ? <span class="muted"> · id {post.firstCommentId}</span> : null}
      {post.firstCommentError ? <span class="field-error"> · {post.firstCommentError}</span> : null}
    </p>
  );
}

export function PostEditorPage({ page, data }: { page: PageContext; data: EditorData }) {
  const { client, post, values, errors } = data;
  const tz = client.timezone;
  const account = data.accounts.find((a) => a.id === values.accountId) ?? data.accounts[0];
  // A viewer sees the post as it is: nothing to type into, nothing to save.
  const editable = pageMay(page, 'content.write') && (!post || EDITABLE_STATUSES.has(post.status));
  const title = post ? `Post for ${client.name}` : `New post for ${client.name}`;
  return (
    <AdminLayout title={title} page={page} active="pipeline">
      <p>
        <a href={`/clients/${client.id}`}>← {client.name}</a>
        {post ? (
          <>
            {' · '}
            <StatusBadge status={post.status} />{' '}
            {post.source === 'ai' ? (
              <span class="muted">written by AI{post.aiModel ? ` (${post.aiModel})` : ''}</span>
            ) : null}
          </>
        ) : null}
      </p>
      {post?.lastError ? <div class="notice notice-error">{post.lastError}</div> : null}
      {post?.reviewComment ? <div class="notice notice-warn">Review comment: {post.reviewComment}</div> : null}
      {post?.permalink ? (
        <p>
          Published:{' '}
          <a href={post.permalink} rel="noopener noreferrer" target="_blank">
            {post.permalink}
          </a>
        </p>
      ) : null}
      {post?.groupId ? (
        <p>
          Part of a group: <a href={`/groups/${post.groupId}`}>Open group</a>
        </p>
      ) : null}
      {post && post.firstCommentStatus !== 'none' ? <CommentStatus post={post} /> : null}
      {data.conflict && post ? <ConflictPanel conflict={data.conflict} post={post} tz={tz} csrf={page.csrf} /> : null}
      {data.accounts.length === 0 ? (
        <div class="notice notice-info">
          This client has no connected accounts yet. Send them an invite link from the client page.
        </div>
      ) : (
        <div class="composer-grid">
          <form method="post" action={post ? `/posts/${post.id}` : '/posts'} class="card editor" id="post-form">
            <Csrf token={page.csrf} />
            <input type="hidden" name="clientId" value={client.id} />
            {post ? <input type="hidden" name="version" value={String(post.version)} /> : null}
            <FormErrors
              errors={errors}
              message={data.message}
              shown={[
                'accountId',
                'caption',
                'mediaIds',
                'scheduledAt',
                'surface',
                'firstComment',
                'labels',
                ...(data.platforms[account!.platform]?.fields ?? []).map((f) => `options.${f.name}`),
              ]}
            />
            {post ? (
              <p>
                <input
                  type="hidden"
                  name="accountId"
                  value={account!.id}
                  data-account-facts
                  {...composerAttrs(account!.platform, data.composer)}
                />
                <AccountAvatar id={account!.id} /> <PlatformBadge platform={account!.platform} /> {account!.name}
              </p>
            ) : (
              <label>
                Account
                <select name="accountId" id="account-select" data-limits-for="caption">
                  {data.accounts.map((a) => (
                    <option
                      value={a.id}
                      selected={a.id === account?.id}
                      {...limitAttrs(a.platform, data.platforms)}
                      {...composerAttrs(a.platform, data.composer)}
                    >
                      {data.platforms[a.platform]?.label ?? a.platform} · {a.name}
                      {a.status !== 'connected' ? ` (${humanStatus(a.status)})` : ''}
                    </option>
                  ))}
                </select>
                <FieldErrors errors={errors} name="accountId" />
              </label>
            )}
            <label>
              Caption
              <textarea
                name="caption"
                id="caption"
                rows={8}
                readonly={!editable}
                data-counter="#caption-counter"
                {...limitAttrs(account!.platform, data.platforms)}
                aria-invalid={errors?.caption ? 'true' : undefined}
              >
                {values.caption}
              </textarea>
              <small id="caption-counter" class="counter" aria-live="polite"></small>
              <FieldErrors errors={errors} name="caption" />
            </label>
            {editable ? <SnippetPicker snippets={data.composer.snippets} target="#caption" /> : null}
            <fieldset>
              <legend>Media</legend>
              <MediaPicker library={data.library} selected={values.mediaIds} clientId={client.id} />
              {data.mediaNote ? (
                <p class="muted" data-media-note>
                  {data.mediaNote}
                </p>
              ) : null}
              <FieldErrors errors={errors} name="mediaIds" />
            </fieldset>
            <SurfaceSelect
              name="surface"
              id="surface"
              surfaces={data.composer.surfaces}
              value={values.surface}
              errors={errors}
              disabled={!editable}
              always={!post}
            />
            {Object.values(data.composer.platforms).some((p) => p.commentSurfaces.length) || values.firstComment ? (
              <FirstCommentField
                name="firstComment"
                id="first-comment"
                value={values.firstComment}
                errors={errors}
                missingScopes={data.composer.missingCommentScopes}
                readonly={!editable}
                hidden={!data.composer.takesFirstComment && !values.firstComment}
              />
            ) : null}
            <LabelsSelect labels={data.composer.labels} selected={values.labels} errors={errors} />
            <PostOptionFields
              platforms={data.platforms}
              shown={post ? [account!] : data.accounts}
              chosen={account!}
              values={values.options}
              errors={errors}
            />
            <label>
              Time <small class="muted">({tz})</small>
              <input
                type="datetime-local"
                name="scheduledAt"
                value={values.scheduledAt}
                readonly={!editable}
                aria-invalid={errors?.scheduledAt ? 'true' : undefined}
              />
              <FieldErrors errors={errors} name="scheduledAt" />
            </label>
            {editable ? (
              <div class="form-actions">
                {post ? (
                  <>
                    <button type="submit" name="intent" value="save">
                      Save
                    </button>
                    <button
                      type="submit"
                      name="intent"
                      value="publish_now"
                      class="secondary"
                      data-confirm="Publish this post now?"
                    >
                      Publish now
                    </button>
                  </>
                ) : (
                  <>
                    <button type="submit" name="intent" value="schedule">
                      {client.approvalMode === 'client' ? 'Send for the client’s approval' : 'Schedule'}
                    </button>
                    <button type="submit" name="intent" value="draft" class="secondary">
                      Save draft
                    </button>
                    <button type="submit" name="intent" value="queue" class="secondary outline">
                      Add to queue
                    </button>
                  </>
                )}
              </div>
            ) : (
              <p class="muted">This post can no longer be edited.</p>
            )}
          </form>
          <PreviewPane preview={data.composer.preview} />
        </div>
      )}
      {post ? (
        <Actions
          post={post}
          csrf={page.csrf}
          approvalMode={client.approvalMode}
          may={{
            write: pageMay(page, 'content.write'),
            approve: !page.access || mayApprove(page.access, page.memberId ?? '', post, client.approvalMode),
          }}
        />
      ) : null}
      {post ? <QueueButtons post={post} account={account} csrf={page.csrf} /> : null}
      {post && data.evergreen ? <EvergreenBox post={post} view={data.evergreen} csrf={page.csrf} tz={tz} /> : null}
      {post?.ruleId && data.aiEnabled && editable ? (
        <form method="post" action={`/posts/${post.id}/do/regenerate`} class="inline-actions">
          <Csrf token={page.csrf} />
          <button type="submit" class="secondary small">
            Regenerate{post.reviewComment ? ' with the review comment' : ''}
          </button>
        </form>
      ) : null}
      {post?.aiPrompt ? (
        <details class="card">
          <summary>
            How the AI wrote it <span class="muted">({post.aiModel})</span>
          </summary>
          <pre class="caption-view">{post.aiPrompt}</pre>
        </details>
      ) : null}
      {post ? (
        <section class="card">
          <h2>History</h2>
          <table class="compact history">
            <tbody>
              {data.logs.map((l) => (
                <tr class={`log-${l.level}`}>
                  <td>{formatInZone(l.createdAt, tz)}</td>
                  <td>
                    <span class={`badge level-${l.level}`}>{l.step}</span>
                  </td>
                  <td>
                    <LogMessage entry={l} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted">Times in {tz}.</p>
        </section>
      ) : null}
    </AdminLayout>
  );
}
