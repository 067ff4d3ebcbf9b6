// The profile's own posts, read after a lost publish to find the post and its id, and to date the
// oldest post of the quota window (docs/platforms/threads.md#lookup-after-a-lost-response).
import type { AttemptContext } from '../types.js';
import { record, text, type ThreadsApi } from './api.js';
import { THREADS_LIMITS } from './limits.js';

/** How a published thread's `media_type` reads for each kind of container. */
const LISTED_TYPE = { TEXT: 'TEXT_POST', IMAGE: 'IMAGE', VIDEO: 'VIDEO', CAROUSEL: 'CAROUSEL_ALBUM' } as const;
export type ContainerKind = keyof typeof LISTED_TYPE;

/** Slack on the `since` bound: the post's timestamp is Threads' clock, not ours. */
const SINCE_SLACK_S = 60;
/** The API refuses a `since` before its launch. */
const API_START_S = 1_688_540_400;

export interface ListedPost {
  readonly id: string;
  readonly text: string | null;
  readonly mediaType: string | null;
  /** Epoch ms. */
  readonly at: number;
  readonly permalink: string | null;
  /** Carousel items, when the list said. */
  readonly children: number | null;
}

/** Unix seconds to list from: the send time, or the container's whole lifetime without one. */
export function sinceOf(ctx: AttemptContext): number {
  const from = ctx.sentAt ?? ctx.now() - THREADS_LIMITS.containerLifetimeMs;
  return Math.floor(from / 1000) - SINCE_SLACK_S;
}

/** Newest first, up to `maxPages` pages of 100 (https://developers.facebook.com/docs/threads/reference/user). */
export async function listProfilePosts(
  api: ThreadsApi,
  ctx: AttemptContext,
  sinceS: number,
  maxPages: number,
): Promise<ListedPost[]> {
  const out: ListedPost[] = [];
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { data } = await api.call({
      path: `/${ctx.account.externalId}/threads`,
      token: ctx.account.accessToken,
      userId: ctx.account.externalId,
      signal: ctx.signal,
      params: {
        fields: 'id,text,timestamp,permalink,media_type,children',
        since: Math.max(sinceS, API_START_S),
        limit: 100,
        after,
      },
    });
    const body = record(data);
    for (const item of Array.isArray(body?.data) ? body.data : []) {
      const p = record(item);
      const id = text(p?.id);
      if (!p || !id) continue;
      const kids = record(p.children)?.data;
      out.push({
        id,
        text: typeof p.text === 'string' ? p.text : null,
        mediaType: text(p.media_type) ?? null,
        // Threads writes `2026-11-30T12:00:00+0000`.
        at: Date.parse(text(p.timestamp) ?? '') || 0,
        permalink: text(p.permalink) ?? null,
        children: Array.isArray(kids) ? kids.length : null,
      });
    }
    after = text(record(record(body?.paging)?.cursors)?.after);
    if (!after || !record(body?.paging)?.next) break;
  }
  return out;
}

/**
 * The attempt's post among the listed ones: same text, same kind, same item count for carousels.
 * Several matches prove nothing about which one is ours.
 */
export function matchPost(
  posts: readonly ListedPost[],
  ctx: AttemptContext,
): { id: string; permalink: string | null } | 'several' | null {
  const kind = text(ctx.state.kind) as ContainerKind | undefined;
  const children = Array.isArray(ctx.state.children) ? ctx.state.children.length : ctx.media.length;
  const wanted = ctx.caption.trim();
  const matches = posts.filter(
    (p) =>
      (p.text ?? '').trim() === wanted &&
      (!kind || p.mediaType === LISTED_TYPE[kind]) &&
      (kind !== 'CAROUSEL' || p.children === null || p.children === children),
  );
  if (matches.length > 1) return 'several';
  const found = matches[0];
  return found ? { id: found.id, permalink: found.permalink } : null;
}
