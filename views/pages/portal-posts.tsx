import type { PostListItem } from '../../src/db/repos/index.js';
import { EmptyState, PlatformBadge, StatusBadge, When } from '../components/bits.js';
import { Csrf } from '../components/forms.js';
import { PortalLayout, type PortalContext } from '../layouts/portal.js';

export interface PortalPost extends PostListItem {
  media: Array<{ url: string; mime: string; altText: string }>;
}

/** Posts awaiting the client's approval, with approve and reject-with-comment; then what is coming. */
export function PortalPostsPage({
  portal,
  pending,
  upcoming,
  timezone,
}: {
  portal: PortalContext;
  pending: PortalPost[];
  upcoming: PostListItem[];
  timezone: string;
}) {
  return (
    <PortalLayout title="Posts" portal={portal} active="posts">
      <section class="card">
        <h2>
          Waiting for your approval <span class="count">{pending.length}</span>
        </h2>
        {pending.length ? (
          pending.map((p) => (
            <article class="approval" id={`post-${p.id}`}>
              <header>
                <PlatformBadge platform={p.platform} /> {p.accountName} · <When ms={p.scheduledAt} tz={timezone} />
              </header>
              <pre class="caption-view">{p.caption}</pre>
              {p.media.length ? (
                <div class="media-grid">
                  {p.media.map((m) =>
                    m.mime.startsWith('image/') ? (
                      <img src={m.url} alt={m.altText || 'image'} loading="lazy" />
                    ) : (
                      <span class="video-thumb">▶ video</span>
                    ),
                  )}
                </div>
              ) : null}
              <div class="post-actions">
                <form method="post" action={`/portal/posts/${p.id}/approve`}>
                  <Csrf token={portal.csrf} />
                  <button type="submit">Approve</button>
                </form>
                <form method="post" action={`/portal/posts/${p.id}/reject`} class="reject-form">
                  <Csrf token={portal.csrf} />
                  <input type="text" name="comment" placeholder="What should change?" aria-label="Comment" />
                  <button type="submit" class="secondary">
                    Ask for changes
                  </button>
                </form>
              </div>
            </article>
          ))
        ) : (
          <EmptyState title="Nothing to approve right now." />
        )}
      </section>
      <section class="card">
        <h2>Coming up</h2>
        {upcoming.length ? (
          <ul class="postlist">
            {upcoming.map((p) => (
              <li>
                <span class="postlist-main">
                  <span class="postlist-caption">{p.caption}</span>
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
