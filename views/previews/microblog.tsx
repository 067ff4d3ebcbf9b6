import type { Child } from 'hono/jsx';
import { Caption } from './caption.js';
import { Avatar, Media, type PreviewData } from './parts.js';

/**
 * The short-post networks (Threads, X, Bluesky, Mastodon) share a shape: avatar beside the name and
 * handle, the text, the media, and the first comment as the author's own reply under it.
 */
export function Microblog({ data, handle, actions }: { data: PreviewData; handle: Child; actions: Child }) {
  return (
    <>
      <div class="pv-micro">
        <Avatar data={data} size={40} />
        <div>
          <span class="pv-name">
            <bdi>{data.accountName}</bdi> <small class="pv-sub">{handle}</small>
          </span>
          <Caption platform={data.platform} text={data.caption} />
          <Media data={data} />
          <footer class="pv-actions">{actions}</footer>
        </div>
      </div>
      {data.firstComment ? (
        <div class="pv-micro pv-reply">
          <Avatar data={data} size={28} />
          <div>
            <span class="pv-name">
              <bdi>{data.accountName}</bdi>
            </span>
            <Caption platform={data.platform} text={data.firstComment} full />
          </div>
        </div>
      ) : null}
    </>
  );
}
