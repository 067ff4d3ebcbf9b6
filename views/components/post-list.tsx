import type { PostListItem } from '../../src/db/repos/index.js';
import { PlatformBadge, StatusBadge, When } from './bits.js';

/** A compact list of posts for the dashboard and the client page. */
export function PostMiniList({ posts }: { posts: PostListItem[] }) {
  return (
    <ul class="postlist">
      {posts.map((p) => (
        <li>
          <a href={`/posts/${p.id}`} class="postlist-main">
            <span class="postlist-caption">{p.caption.trim() ? p.caption.slice(0, 120) : '(no caption)'}</span>
            <span class="postlist-meta">
              <StatusBadge status={p.status} /> <PlatformBadge platform={p.platform} /> {p.accountName} · {p.clientName}
            </span>
          </a>
          <span class="postlist-when">
            <When ms={p.scheduledAt} tz={p.clientTimezone} />
            {p.lastError &&
            (p.status === 'failed' ||
              p.status === 'unconfirmed' ||
              p.status === 'missed' ||
              p.status === 'scheduled') ? (
              <small class="error-text">{p.lastError}</small>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
