// First comments on Facebook Page posts and Instagram media (docs/platforms/meta.md#first-comments).
// Creating a comment is not idempotent: a lost answer is settled by reading the post's comments
// for the account's own one with the same text, never by sending again blindly.
import {
  PlatformError,
  type AttemptContext,
  type CommentLookup,
  type FirstCommentPublisher,
  type PublishResult,
} from '../types.js';
import { record, text, type GraphClient } from './graph.js';

/** How many of the newest comments a lookup reads; ours was written moments ago. */
const LOOKUP_LIMIT = 50;

/** Line endings and outer whitespace are all the networks change in a comment's text. */
function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\r\n?/g, '\n').trim();
  return norm(a) === norm(b);
}

/** The created comment's id, or an unknown outcome: without it Herald cannot tell it exists. */
function commentIdOf(data: unknown, label: string): string {
  const id = text(record(data)?.id);
  if (!id)
    throw new PlatformError(
      'unknown_outcome',
      `${label} accepted the comment without giving its id; Herald looks for it before anything else.`,
      'meta:no_id',
    );
  return id;
}

/** The newest comments of an object, or why they cannot prove anything. */
async function newest(
  graph: GraphClient,
  ctx: AttemptContext,
  surface: 'facebook' | 'instagram',
  path: string,
  params: Record<string, string | number>,
): Promise<{ items: Array<Record<string, unknown>>; complete: boolean } | { reason: string }> {
  try {
    const { data } = await graph.forAttempt<{ data?: unknown[]; paging?: { next?: string } }>(
      ctx,
      surface,
      'comment',
      { path, params: { ...params, limit: LOOKUP_LIMIT } },
      true,
    );
    const items = (Array.isArray(data.data) ? data.data : []).map((c) => record(c) ?? {});
    // A full page with more behind it may hide ours further on: not proof of absence.
    return { items, complete: !(items.length >= LOOKUP_LIMIT && data.paging?.next) };
  } catch (err) {
    return { reason: `the comments could not be read (${(err as Error).message})` };
  }
}

/**
 * Facebook Page posts: `POST /{object-id}/comments` with `message`, as the Page, with the Page
 * token and `pages_manage_engagement`
 * (https://developers.facebook.com/docs/graph-api/reference/object/comments). The parent is the
 * full `{page-id}_{post-id}` id the publish returned (a bare post id answers #100/33); a
 * publisher may name another parent in `state.commentParentId` (a reel's comment hangs on its video).
 */
export class FacebookComments implements FirstCommentPublisher {
  constructor(private readonly graph: () => GraphClient) {}

  private parent(ctx: AttemptContext, result: PublishResult): string {
    return text(ctx.state.commentParentId) ?? result.externalId;
  }

  async post(ctx: AttemptContext, result: PublishResult, message: string): Promise<string> {
    const { data } = await this.graph().forAttempt(ctx, 'facebook', 'comment', {
      method: 'POST',
      path: `/${this.parent(ctx, result)}/comments`,
      params: { message },
      // Once it has left, anything but a clear refusal may have created it.
      publishing: true,
    });
    return commentIdOf(data, 'Facebook');
  }

  async find(ctx: AttemptContext, result: PublishResult, message: string): Promise<CommentLookup> {
    const page = ctx.account.externalId;
    const got = await newest(this.graph(), ctx, 'facebook', `/${this.parent(ctx, result)}/comments`, {
      filter: 'toplevel',
      order: 'reverse_chronological',
      fields: 'id,message,from',
    });
    if ('reason' in got) return { status: 'unknown', reason: got.reason };
    // The Page's own comments always carry `from` (third parties' may not).
    const match = got.items.find(
      (c) => text(record(c.from)?.id) === page && typeof c.message === 'string' && sameText(c.message, message),
    );
    if (match) return { status: 'found', commentId: String(match.id) };
    if (!got.complete) return { status: 'unknown', reason: 'more comments than Herald reads came after it' };
    return { status: 'absent', reason: 'no comment by the Page with this text on the post' };
  }
}

/**
 * Instagram media: `POST /{ig-media-id}/comments` with `message`, on the PUBLISHED media id, never
 * a container
 * (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments).
 * No `fields=` on that POST: Meta has been seen to create the comment and then answer #20/1772107,
 * which a retry would turn into two comments (docs/platforms/meta.md#first-comments).
 */
export class InstagramComments implements FirstCommentPublisher {
  constructor(private readonly graph: () => GraphClient) {}

  /** The published media's id: saved by `media_publish`, else what confirm or lookup returned (if not a container). */
  private mediaId(ctx: AttemptContext, result: PublishResult): string {
    const saved = text(ctx.state.mediaId);
    if (saved) return saved;
    if (result.externalId !== text(ctx.state.containerId)) return result.externalId;
    throw new PlatformError(
      'permanent',
      'Instagram gave no id for the published media, and comments cannot hang on the container; ' +
        'add the comment in the Instagram app.',
      'meta:no_media_id',
    );
  }

  async post(ctx: AttemptContext, result: PublishResult, message: string): Promise<string> {
    const { data } = await this.graph().forAttempt(ctx, 'instagram', 'comment', {
      method: 'POST',
      path: `/${this.mediaId(ctx, result)}/comments`,
      params: { message },
      publishing: true,
    });
    return commentIdOf(data, 'Instagram');
  }

  async find(ctx: AttemptContext, result: PublishResult, message: string): Promise<CommentLookup> {
    // Newest first, top level only, at most 50 a page; the read edge spells the body `text`.
    const got = await newest(this.graph(), ctx, 'instagram', `/${this.mediaId(ctx, result)}/comments`, {
      fields: 'id,text,from',
    });
    if ('reason' in got) return { status: 'unknown', reason: got.reason };
    const me = ctx.account.externalId;
    const match = got.items.find(
      (c) => text(record(c.from)?.id) === me && typeof c.text === 'string' && sameText(c.text, message),
    );
    if (match) return { status: 'found', commentId: String(match.id) };
    if (!got.complete) return { status: 'unknown', reason: 'more comments than Herald reads came after it' };
    return { status: 'absent', reason: 'no comment by the account with this text on the media' };
  }
}
