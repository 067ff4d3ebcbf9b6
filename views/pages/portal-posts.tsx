import type { PostListItem } from '../../src/db/repos/index.js';
import { EmptyState, PlatformBadge, StatusBadge, When } from '../components/bits.js';
import { Csrf } from '../components/forms.js';
import { PortalLayout, type PortalContext } from '../layouts/portal.js';
import { Preview, type PreviewData } from '../previews/preview.js';

export interface PortalPost extends PostListItem {
  /** How it will look on its network (the same previews the agency's editor shows). */
  preview: { data: PreviewData; surfaceLabel: string };
  /** The comment permissions its account has not granted, when it has a first comment (it would be skipped). */
  missingCommentScopes: string[];
}

/** Posts of one group waiting for the client, shown and approved together. */
export interface PortalGroup {
  id: string;
  members: PortalPost[];
}

function PostActions({ post, csrf }: { post: PortalPost; csrf: string }) {
  return (
    <div class="post-actions">
      <form method="post" action={`/portal/posts/${post.id}/approve`}>
        <Csrf token={csrf} />
        <button type="submit">Approve</button>
      </form>
      <form method="post" action={`/portal/posts/${post.id}/reject`} class="reject-form">
        <Csrf token={csrf} />
        <input type="text" name="comment" placeholder="What should change?" aria-label="Comment" />
        <button type="submit" class="secondary">
          Ask for changes
        </button>
      </form>
    </div>
  );
}

/** `lang`: the client's language, their captions' (WCAG 3.1.2); the portal's own words are English. */
function PendingPost({
  post,
  timezone,
  csrf,
  lang,
}: {
  post: PortalPost;
  timezone: string;
  csrf: string;
  lang: string;
}) {
  return (
    <article class="approval" id={`post-${post.id}`}>
      <header>
        <PlatformBadge platform={post.platform} /> {post.accountName} · <When ms={post.scheduledAt} tz={timezone} />
      </header>
      <Preview data={post.preview.data} surfaceLabel={post.preview.surfaceLabel} />
      {post.firstComment && post.missingCommentScopes.length ? (
        <p class="notice notice-warn" data-missing-scopes>
          The first comment will be skipped: this account has not allowed Herald to comment (
          {post.missingCommentScopes.join(', ')}). Reconnect it from your portal’s home page and allow it.
        </p>
      ) : null}
      {post.caption ? (
        <details>
          <summary>Full text</summary>
          <pre class="caption-view" lang={lang}>
            {post.caption}
          </pre>
          {post.firstComment ? (
            <>
              <strong>First comment</strong>
              <pre class="caption-view" lang={lang}>
                {post.firstComment}
              </pre>
            </>
          ) : null}
        </details>
      ) : null}
      <PostActions post={post} csrf={csrf} />
    </article>
  );
}

/** One idea for several accounts: every member's preview, approved or sent back at once (or one by one). */
function PendingGroup({
  group,
  timezone,
  csrf,
  lang,
}: {
  group: PortalGroup;
  timezone: string;
  csrf: string;
  lang: string;
}) {
  const first = group.members[0]!;
  return (
    <article class="approval approval-group" id={`group-${group.id}`}>
      <header>
        One post for {group.members.length} accounts · <When ms={first.scheduledAt} tz={timezone} />
      </header>
      <div class="post-actions">
        <form method="post" action={`/portal/groups/${group.id}/approve`}>
          <Csrf token={csrf} />
          <button type="submit">Approve all {group.members.length}</button>
        </form>
        <form method="post" action={`/portal/groups/${group.id}/reject`} class="reject-form">
          <Csrf token={csrf} />
          <input type="text" name="comment" placeholder="What should change?" aria-label="Comment for all" />
          <button type="submit" class="secondary">
            Ask for changes to all
          </button>
        </form>
      </div>
      <div class="previews">
        {group.members.map((m) => (
          <PendingPost post={m} timezone={timezone} csrf={csrf} lang={lang} />
        ))}
      </div>
    </article>
  );
}

/** Posts awaiting the client's approval, with approve and reject-with-comment; then what is coming. */
export function PortalPostsPage({
  portal,
  pending,
  groups,
  upcoming,
  timezone,
}: {
  portal: PortalContext;
  /** Posts on their own. */
  pending: PortalPost[];
  groups: PortalGroup[];
  upcoming: PostListItem[];
  timezone: string;
}) {
  const waiting = [...groups.flatMap((g) => g.members), ...pending];
  const count = waiting.length;
  return (
    <PortalLayout title="Posts" portal={portal} active="posts">
      <section class="card">
        <h2>
          Waiting for your approval <span class="count">{count}</span>
        </h2>
        {count > 1 ? (
          <form method="post" action="/portal/posts/approve-all" class="approve-all">
            <Csrf token={portal.csrf} />
            {waiting.map((p) => (
              <input type="hidden" name="post" value={`${p.id}:${p.version}`} />
            ))}
            <button type="submit" data-confirm={`Approve all ${count} posts? Each will be published at its time.`}>
              Approve all ({count})
            </button>
          </form>
        ) : null}
        {groups.map((g) => (
          <PendingGroup group={g} timezone={timezone} csrf={portal.csrf} lang={portal.language} />
        ))}
        {pending.map((p) => (
          <PendingPost post={p} timezone={timezone} csrf={portal.csrf} lang={portal.language} />
        ))}
        {count === 0 ? <EmptyState title="Nothing to approve right now." /> : null}
      </section>
      <section class="card">
        <h2>Coming up</h2>
        {upcoming.length ? (
          <ul class="postlist">
            {upcoming.map((p) => (
              <li>
                <span class="postlist-main">
                  <span class="postlist-caption" lang={portal.language}>
                    {p.caption}
                  </span>
                  <span class="postlist-meta">
                    <StatusBadge status={p.status} /> <PlatformBadge platform={p.platform} /> {p.accountName}
                  </span>
                </span>
                <span class="postlist-when">
                  <When ms={p.scheduledAt} tz={timezone} />
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState title="Nothing scheduled." />
        )}
      </section>
    </PortalLayout>
  );
}
