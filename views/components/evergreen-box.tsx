import type { PostRow, PostWithMedia } from '../../src/db/repos/index.js';
import { describeEvergreen } from '../../src/domain/evergreen.js';
import { StatusBadge, When } from './bits.js';
import { Csrf, FieldErrors, type Errors } from './forms.js';

export interface EvergreenView {
  copies: PostRow[];
  /** When the next copy is due, or null. */
  next: number | null;
  errors?: Errors;
}

/**
 * A post's evergreen setting (published posts, and posts before they go out) and the copies made
 * of it; on a copy, the post it was made from.
 */
export function EvergreenBox({
  post,
  view,
  csrf,
  tz,
}: {
  post: PostWithMedia;
  view: EvergreenView;
  csrf: string;
  tz: string;
}) {
  if (post.evergreenSourceId)
    return (
      <section class="card evergreen">
        <p>
          Copy {post.evergreenRound} of an evergreen post: <a href={`/posts/${post.evergreenSourceId}`}>open it</a>
        </p>
      </section>
    );
  // Set on a published post (or kept on one marked before it went out, to change or stop it).
  if (post.status !== 'published' && !post.evergreen) return null;
  const e = post.evergreen;
  const errors = view.errors;
  return (
    <section class="card evergreen" id="evergreen">
      <h2>Evergreen</h2>
      {e ? (
        <p>
          <strong>Evergreen: {describeEvergreen(e)}</strong>
          {view.next !== null ? (
            <>
              , next <When ms={view.next} tz={tz} />
            </>
          ) : post.status !== 'published' ? (
            ', from when it is published'
          ) : null}
        </p>
      ) : (
        <p class="muted">
          Bring this post back every few weeks: Herald queues a copy (optionally reworded by the AI so the network does
          not see a duplicate) until it has come back the times you set or the end date passes.
        </p>
      )}
      <form method="post" action={`/posts/${post.id}/evergreen`} class="evergreen-form">
        <Csrf token={csrf} />
        <input type="hidden" name="version" value={String(post.version)} />
        <div class="grid">
          <label>
            Every (weeks)
            <input type="number" name="everyWeeks" min="1" max="52" value={String(e?.everyWeeks ?? 8)} />
            <FieldErrors errors={errors} name="evergreen.everyWeeks" />
          </label>
          <label>
            At most (times) <small class="muted">(empty: no limit)</small>
            <input type="number" name="times" min="1" max="100" value={e?.times ? String(e.times) : ''} />
            <FieldErrors errors={errors} name="evergreen.times" />
          </label>
          <label>
            Until <small class="muted">(empty: no end)</small>
            <input type="date" name="until" value={e?.until?.slice(0, 10) ?? ''} />
            <FieldErrors errors={errors} name="evergreen.until" />
          </label>
        </div>
        <label>
          <input type="checkbox" name="rewrite" value="1" checked={e?.rewrite === true} /> Let the AI reword each copy
          lightly
        </label>
        <FieldErrors errors={errors} name="evergreen" />
        <div class="form-actions">
          <button type="submit" class="small">
            {e ? 'Save evergreen' : 'Make evergreen'}
          </button>
          {e ? (
            <button type="submit" name="stop" value="1" class="small secondary outline">
              Stop
            </button>
          ) : null}
        </div>
      </form>
      {view.copies.length ? (
        <>
          <h3>Copies</h3>
          <table class="compact">
            <tbody>
              {view.copies.map((c) => (
                <tr>
                  <td>
                    <a href={`/posts/${c.id}`}>Copy {c.evergreenRound}</a>
                  </td>
                  <td>
                    <When ms={c.publishedAt ?? c.scheduledAt} tz={tz} showZone={false} />
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
