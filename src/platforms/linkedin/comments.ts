// The first comment on LinkedIn (docs/platforms/linkedin.md#first-comments): a comment on the
// published post by the same author, `POST /rest/socialActions/{post urn}/comments` with `actor`,
// `object` and `message.text`
// (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api).
// The comment text is plain text, not the post's "little" text: it is sent as written, never escaped
// (escaping there shows the backslashes). The create call is not idempotent, so `find` lists the
// post's comments for one by the same actor with the same text before anything is sent again.
import type { Clock } from '../../lib/clock.js';
import {
  PlatformError,
  type AttemptContext,
  type CommentLookup,
  type FirstCommentPublisher,
  type PublishResult,
} from '../types.js';
import { encodeUrn, type LinkedInApi } from './api.js';

/** A comment's length as LinkedIn's own editor allows it [UNVERIFIED for the API]. */
export const LINKEDIN_COMMENT_MAX = 1_250;
const PAGE = 50;
const PAGES = 4;

interface CommentElement {
  readonly id?: unknown;
  readonly commentUrn?: unknown;
  readonly $URN?: unknown;
  readonly actor?: unknown;
  readonly object?: unknown;
  readonly message?: { readonly text?: unknown } | null;
}

/** Text compared with spacing collapsed (LinkedIn may normalise line ends). */
function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();
  return norm(a) === norm(b);
}

/** The comment's URN: `urn:li:comment:(<activity or post urn>,<id>)`. */
function commentUrnOf(element: CommentElement, post: string, header: string | null): string | null {
  for (const value of [element.commentUrn, element.$URN])
    if (typeof value === 'string' && value.startsWith('urn:li:comment:')) return value;
  const id = typeof element.id === 'string' || typeof element.id === 'number' ? String(element.id) : header;
  if (!id) return null;
  if (id.startsWith('urn:li:comment:')) return id;
  const object = typeof element.object === 'string' ? element.object : post;
  return `urn:li:comment:(${object},${id})`;
}

export class LinkedInFirstComment implements FirstCommentPublisher {
  constructor(
    private readonly api: LinkedInApi,
    /** How long a comment may take to be listed before "not there" is believed. */
    private readonly settleMs: number,
    private readonly clock: Clock,
  ) {}

  private actor(ctx: AttemptContext): string {
    const actor = ctx.account.externalId;
    if (!/^urn:li:(organization|person):[^:]+$/.test(actor))
      throw new PlatformError(
        'permanent',
        'This LinkedIn account is not a Page or a member profile; reconnect it.',
        'bad_author',
      );
    return actor;
  }

  async post(ctx: AttemptContext, result: PublishResult, message: string): Promise<string> {
    const actor = this.actor(ctx);
    const length = [...message].length;
    if (length > LINKEDIN_COMMENT_MAX)
      throw new PlatformError(
        'permanent',
        `LinkedIn comments hold at most ${LINKEDIN_COMMENT_MAX} characters; this one has ${length}.`,
        'comment_too_long',
      );
    // When the call left, for `find`'s patience with LinkedIn's listing.
    ctx.save({ linkedinComment: { sentAt: this.clock.now() } });
    const reply = await this.api.rest<CommentElement | null>(ctx.account.accessToken, {
      method: 'POST',
      path: `/rest/socialActions/${encodeUrn(result.externalId)}/comments`,
      json: { actor, object: result.externalId, message: { text: message } },
      sends: true,
      signal: ctx.signal,
    });
    const urn = commentUrnOf(reply.data ?? {}, result.externalId, reply.headers.get('x-restli-id'));
    if (!urn)
      throw new PlatformError(
        'unknown_outcome',
        'LinkedIn accepted the comment but did not say which comment it made.',
        'no_comment_id',
      );
    ctx.log({ step: 'comment', message: `LinkedIn created ${urn}.`, request: reply.request });
    return urn;
  }

  /**
   * The post's comments, paged, for one by this actor with this text. Reading them needs
   * r_organization_social for a Page's post; a member's own post needs a permission LinkedIn keeps
   * for partners, so for a member it is usually refused and the answer is unknown.
   */
  async find(ctx: AttemptContext, result: PublishResult, message: string): Promise<CommentLookup> {
    const actor = ctx.account.externalId;
    let complete = false;
    try {
      for (let page = 0; page < PAGES && !complete; page++) {
        const reply = await this.api.rest<{ elements?: CommentElement[] }>(ctx.account.accessToken, {
          method: 'GET',
          path: `/rest/socialActions/${encodeUrn(result.externalId)}/comments`,
          query: { start: page * PAGE, count: PAGE },
          signal: ctx.signal,
        });
        const elements = reply.data?.elements ?? [];
        const mine = elements.find(
          (c) => c.actor === actor && typeof c.message?.text === 'string' && sameText(c.message.text, message),
        );
        const urn = mine ? commentUrnOf(mine, result.externalId, null) : null;
        if (urn) return { status: 'found', commentId: urn };
        complete = elements.length < PAGE;
      }
    } catch (err) {
      if (err instanceof PlatformError)
        return { status: 'unknown', reason: `LinkedIn could not be asked: ${err.message}` };
      throw err;
    }
    if (!complete) return { status: 'unknown', reason: 'Too many comments on the post to be sure.' };
    const saved = ctx.state.linkedinComment as { sentAt?: unknown } | undefined;
    const sentAt = typeof saved?.sentAt === 'number' ? saved.sentAt : null;
    if (sentAt !== null && this.clock.now() - sentAt < this.settleMs)
      return { status: 'unknown', reason: 'Not among the comments yet; LinkedIn may still be listing it.' };
    return { status: 'absent', reason: 'The post has no comment from this account with this text.' };
  }
}
