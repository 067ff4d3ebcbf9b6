import type { AccountRow, ClientRow } from '../../src/db/repos/index.js';
import type { Surface } from '../../src/domain/composer.js';
import type { PostField } from '../../src/platforms/network.js';
import { AccountAvatar, PlatformBadge, StatusBadge } from '../components/bits.js';
import {
  FirstCommentField,
  LabelsSelect,
  SnippetPicker,
  SurfaceSelect,
  type LabelChoice,
  type SnippetChoice,
} from '../components/composer-fields.js';
import { Csrf, FieldErrors, FormErrors, type Errors } from '../components/forms.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';
import { Preview, type PreviewData } from '../previews/preview.js';
import { MediaPicker, PostFieldInput, type EditorData } from './post-editor.js';

/** One account's part of the group, as the form holds it. An absent own value follows the group. */
export interface MemberValues {
  accountId: string;
  on: boolean;
  surface: string;
  caption: string | null;
  mediaIds: string[] | null;
  firstComment: string | null;
  options: Record<string, string>;
  /** The member post and the version read (editing). */
  postId: string;
  version: string;
}

export interface GroupValues {
  caption: string;
  mediaIds: string[];
  firstComment: string;
  /** `YYYY-MM-DDTHH:mm` in the client's zone. */
  scheduledAt: string;
  labels: string[];
  members: MemberValues[];
}

/** What an account's network offers, and how the member stands right now (its checks and preview). */
export interface MemberView {
  account: AccountRow;
  platformLabel: string;
  surfaces: ReadonlyArray<{ readonly surface: Surface; readonly label: string }>;
  fields: readonly PostField[];
  takesFirstComment: boolean;
  missingCommentScopes: string[];
  /** The member post's status when editing. */
  status: string | null;
  checks: Errors | null;
  preview: { data: PreviewData; surfaceLabel: string } | null;
}

export interface GroupEditorData {
  client: ClientRow;
  group: { id: string; version: number } | null;
  values: GroupValues;
  members: MemberView[];
  library: EditorData['library'];
  labels: readonly LabelChoice[];
  snippets: SnippetChoice[];
  errors?: Errors;
  message?: string;
}

const memberName = (accountId: string, field: string) => `m.${accountId}.${field}`;

/** A member's live checks: what its network would refuse, or that it is ready. */
export function MemberChecks({ member, oob = false }: { member: MemberView; oob?: boolean }) {
  const problems = Object.entries(member.checks ?? {});
  return (
    <div
      id={`member-checks-${member.account.id}`}
      class="member-checks"
      hx-swap-oob={oob ? 'true' : undefined}
      aria-live="polite"
    >
      {problems.length ? (
        <ul class="field-error">
          {problems.map(([field, messages]) => (
            <li>
              {field}: {messages.join(' ')}
            </li>
          ))}
        </ul>
      ) : (
        <small class="ok">✓ {member.platformLabel} takes this as it is.</small>
      )}
    </div>
  );
}

export function MemberPreview({ member, oob = false }: { member: MemberView; oob?: boolean }) {
  return (
    <div id={`member-preview-${member.account.id}`} class="member-preview" hx-swap-oob={oob ? 'true' : undefined}>
      {member.preview ? <Preview data={member.preview.data} surfaceLabel={member.preview.surfaceLabel} /> : null}
    </div>
  );
}

/** How many of the chosen accounts would refuse the post as it is. */
function GroupSummary({ members }: { members: MemberView[] }) {
  const on = members.filter((m) => m.preview);
  const refusing = on.filter((m) => Object.keys(m.checks ?? {}).length);
  return (
    <p class="muted" data-group-summary>
      {on.length === 0
        ? 'Choose the accounts to post to.'
        : refusing.length
          ? `${refusing.length} of ${on.length} accounts would refuse this as it is.`
          : `Ready for ${on.length} account${on.length === 1 ? '' : 's'}.`}
    </p>
  );
}

/** The live part of the page (POST /groups/preview): the summary, and each member's checks and preview out of band. */
export function GroupLive({ members }: { members: MemberView[] }) {
  return (
    <>
      <GroupSummary members={members} />
      {members.map((m) => (
        <>
          <MemberChecks member={m} oob />
          <MemberPreview member={m} oob />
        </>
      ))}
    </>
  );
}

function OwnToggle({ name, checked, label }: { name: string; checked: boolean; label: string }) {
  return (
    <label class="own-toggle">
      <input type="checkbox" name={name} value="1" checked={checked} /> {label}
    </label>
  );
}

function MemberSection({ member, values, data }: { member: MemberView; values: MemberValues; data: GroupEditorData }) {
  const id = member.account.id;
  const errors = data.errors;
  return (
    <section id={`member-${id}`} class="card member" hidden={!values.on} data-platform={member.account.platform}>
      <h3>
        <AccountAvatar id={id} /> <PlatformBadge platform={member.account.platform} /> {member.account.name}
        {member.status ? (
          <>
            {' '}
            <StatusBadge status={member.status} />
          </>
        ) : null}
      </h3>
      <input type="hidden" name={memberName(id, 'postId')} value={values.postId} />
      <input type="hidden" name={memberName(id, 'version')} value={values.version} />
      <div class="member-grid">
        <div class="member-fields">
          <SurfaceSelect
            name={memberName(id, 'surface')}
            id={`surface-${id}`}
            surfaces={member.surfaces}
            value={values.surface}
            errors={errors}
          />
          <OwnToggle
            name={memberName(id, 'ownCaption')}
            checked={values.caption !== null}
            label={`Its own caption on ${member.platformLabel}`}
          />
          <label>
            <span class="visually-hidden">Caption for {member.account.name}</span>
            <textarea name={memberName(id, 'caption')} id={`caption-${id}`} rows={4} placeholder="The shared caption">
              {values.caption ?? ''}
            </textarea>
            <FieldErrors errors={errors} name={memberName(id, 'caption')} />
          </label>
          <OwnToggle
            name={memberName(id, 'ownMedia')}
            checked={values.mediaIds !== null}
            label="Its own media (choose below)"
          />
          <div class="media-grid small-grid">
            {data.library.map((m) => (
              <label class="media-item">
                <input
                  type="checkbox"
                  name={memberName(id, 'mediaIds')}
                  value={m.id}
                  checked={values.mediaIds?.includes(m.id) ?? false}
                />
                {m.mime.startsWith('image/') ? (
                  <img src={m.url} alt={m.altText || m.name || 'image'} loading="lazy" />
                ) : (
                  <span class="video-thumb">▶ video</span>
                )}
              </label>
            ))}
          </div>
          <FieldErrors errors={errors} name={memberName(id, 'mediaIds')} />
          {member.takesFirstComment ? (
            <>
              <OwnToggle
                name={memberName(id, 'ownFirstComment')}
                checked={values.firstComment !== null}
                label="Its own first comment"
              />
              <FirstCommentField
                name={memberName(id, 'firstComment')}
                id={`first-comment-${id}`}
                value={values.firstComment ?? ''}
                errors={errors}
                missingScopes={member.missingCommentScopes}
                hint="Empty with the switch on: no first comment on this account."
              />
            </>
          ) : (
            <small class="muted">
              No first comment here: {member.platformLabel} does not take one on this surface.
            </small>
          )}
          {member.fields.map((f) => (
            <PostFieldInput
              field={f}
              value={values.options[f.name] ?? ''}
              errors={errors}
              account={member.account}
              prefix={`m.${id}.`}
            />
          ))}
          <MemberChecks member={member} />
        </div>
        <MemberPreview member={member} />
      </div>
    </section>
  );
}

/**
 * One idea for several of a client's accounts: shared words and media, each account's own changes
 * beside its preview.
 */
export function GroupEditorPage({ page, data }: { page: PageContext; data: GroupEditorData }) {
  const { client, values, errors, group } = data;
  const title = group ? `Post group for ${client.name}` : `New post for several accounts · ${client.name}`;
  const byAccount = new Map(values.members.map((m) => [m.accountId, m]));
  return (
    <AdminLayout title={title} page={page} active="pipeline">
      <p>
        <a href={`/clients/${client.id}`}>← {client.name}</a>
      </p>
      {data.members.length === 0 ? (
        <div class="notice notice-info">
          This client has no connected accounts yet. Send them an invite link from the client page.
        </div>
      ) : (
        <form
          method="post"
          action={group ? `/groups/${group.id}` : '/groups'}
          class="editor group-editor"
          id="group-form"
        >
          <Csrf token={page.csrf} />
          <input type="hidden" name="clientId" value={client.id} />
          {group ? <input type="hidden" name="version" value={String(group.version)} /> : null}
          <FormErrors
            errors={errors}
            message={data.message}
            shown={[
              'caption',
              'mediaIds',
              'firstComment',
              'scheduledAt',
              'labels',
              'members',
              ...Object.keys(errors ?? {}).filter((k) => k.startsWith('m.')),
            ]}
          />
          <section class="card">
            <fieldset>
              <legend>Accounts</legend>
              <div class="account-toggles">
                {data.members.map((m) => (
                  <label>
                    <input
                      type="checkbox"
                      name="accounts"
                      value={m.account.id}
                      checked={byAccount.get(m.account.id)?.on ?? false}
                      data-member-toggle={`member-${m.account.id}`}
                    />{' '}
                    <PlatformBadge platform={m.account.platform} /> {m.account.name}
                  </label>
                ))}
              </div>
              <FieldErrors errors={errors} name="members" />
            </fieldset>
            <label>
              Caption <small class="muted">(shared: each account may keep its own below)</small>
              <textarea name="caption" id="caption" rows={6} aria-invalid={errors?.caption ? 'true' : undefined}>
                {values.caption}
              </textarea>
              <FieldErrors errors={errors} name="caption" />
            </label>
            <SnippetPicker snippets={data.snippets} target="#caption" />
            <fieldset>
              <legend>Media (shared)</legend>
              <MediaPicker library={data.library} selected={values.mediaIds} clientId={client.id} />
              <FieldErrors errors={errors} name="mediaIds" />
            </fieldset>
            <FirstCommentField
              name="firstComment"
              id="first-comment"
              value={values.firstComment}
              errors={errors}
              missingScopes={[]}
              hint="Shared by the accounts that take a first comment (a Story takes none)."
            />
            <label>
              Time <small class="muted">({client.timezone})</small>
              <input type="datetime-local" name="scheduledAt" value={values.scheduledAt} />
              <FieldErrors errors={errors} name="scheduledAt" />
            </label>
            <LabelsSelect labels={data.labels} selected={values.labels} errors={errors} />
            <div
              id="group-checks"
              hx-post="/groups/preview"
              hx-trigger="input changed delay:300ms from:#group-form, change from:#group-form"
              hx-include="#group-form"
              hx-target="this"
              hx-swap="innerHTML"
            >
              <GroupSummary members={data.members} />
            </div>
          </section>
          {data.members.map((m) => (
            <MemberSection member={m} values={byAccount.get(m.account.id) ?? emptyMember(m.account.id)} data={data} />
          ))}
          <div class="form-actions">
            {group ? (
              <button type="submit" name="intent" value="save">
                Save the group
              </button>
            ) : (
              <>
                <button type="submit" name="intent" value="schedule">
                  {client.approvalMode === 'client' ? 'Send for the client’s approval' : 'Schedule'}
                </button>
                <button type="submit" name="intent" value="draft" class="secondary">
                  Save drafts
                </button>
              </>
            )}
          </div>
        </form>
      )}
    </AdminLayout>
  );
}

export function emptyMember(accountId: string): MemberValues {
  return {
    accountId,
    on: false,
    surface: 'feed',
    caption: null,
    mediaIds: null,
    firstComment: null,
    options: {},
    postId: '',
    version: '',
  };
}
