import type { AccountRow, PostWithMedia } from '../../src/db/repos/index.js';
import { EDITABLE_STATUSES } from '../../src/domain/post-status.js';
import { Csrf } from './forms.js';

/**
 * "Add to queue" (the account's next free posting time) and "Share next" (the first one; the queued
 * posts after it move one posting time later) for a post that can still move.
 */
export function QueueButtons({
  post,
  account,
  csrf,
  next,
}: {
  post: PostWithMedia;
  account: AccountRow | undefined;
  csrf: string;
  /** Where to come back to (the editor by default). */
  next?: string;
}) {
  if (!account || !EDITABLE_STATUSES.has(post.status)) return null;
  if (account.postingTimes.length === 0)
    return (
      <p class="muted queue-actions">
        {account.name} has no posting times yet: <a href={`/accounts/${account.id}/queue`}>set them</a> to add posts to
        its queue.
      </p>
    );
  return (
    <div class="post-actions queue-actions">
      <form method="post" action={`/posts/${post.id}/queue`}>
        <Csrf token={csrf} />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <button type="submit" class="secondary">
          Add to queue
        </button>
      </form>
      <form method="post" action={`/posts/${post.id}/queue`}>
        <Csrf token={csrf} />
        <input type="hidden" name="front" value="1" />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <button type="submit" class="secondary outline">
          Share next
        </button>
      </form>
      <a href={`/accounts/${account.id}/queue`}>View queue</a>
    </div>
  );
}
