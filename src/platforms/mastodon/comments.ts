// The first comment on Mastodon (docs/platforms/mastodon.md#first-comments): a reply status from the
// same account (`in_reply_to_id`), with the post's visibility. The create call carries an
// Idempotency-Key derived from the post, attempt and text, so a resend within the instance's hour
// answers the reply already made instead of making a second; `find` reads the post's thread
// (GET /api/v1/statuses/:id/context) for the account's own reply with that text.
import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import {
  PlatformError,
  type AttemptContext,
  type CommentLookup,
  type FirstCommentPublisher,
  type PublishResult,
} from '../types.js';
import { mastodonCall, mastodonError } from './api.js';
import { instanceOf } from './connector.js';
import type { MastodonOptions } from './options.js';
import type { MastodonSettings } from './settings.js';

/** A stock instance's limit; an instance's own may be longer (docs/platforms/mastodon.md#instance-limits). */
export const MASTODON_COMMENT_MAX = 500;

interface ContextStatus {
  readonly id?: unknown;
  readonly in_reply_to_id?: unknown;
  readonly content?: unknown;
  readonly account?: { readonly id?: unknown } | null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * A status's HTML `content` as the text that was sent: Mastodon wraps paragraphs in <p>, breaks
 * lines with <br>, links URLs, mentions and hashtags, and escapes the rest.
 */
export function plainOfContent(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      if (/^#x/i.test(name)) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();
  return norm(a) === norm(b);
}

export class MastodonFirstComment implements FirstCommentPublisher {
  constructor(
    private readonly settings: MastodonSettings,
    private readonly clock: Clock,
  ) {}

  /** The account's own id on its instance (stored at connect; the external id is `<id>@<host>`). */
  private accountId(ctx: AttemptContext): string {
    const stored = ctx.account.platformData.accountId;
    return typeof stored === 'string' && stored ? stored : ctx.account.externalId.split('@')[0]!;
  }

  /**
   * The same key for the same comment of the same attempt: a resend after a lost answer gets the
   * reply already made (https://docs.joinmastodon.org/methods/statuses/#create, "Idempotency-Key").
   */
  private key(ctx: AttemptContext, result: PublishResult, message: string): string {
    return createHash('sha256')
      .update(`herald-first-comment\n${ctx.postId}\n${ctx.attemptId}\n${result.externalId}\n${message}`)
      .digest('base64url');
  }

  async post(ctx: AttemptContext, result: PublishResult, message: string): Promise<string> {
    const options = ctx.options as MastodonOptions;
    try {
      const res = await mastodonCall(instanceOf(ctx.account), '/api/v1/statuses', {
        method: 'POST',
        token: ctx.account.accessToken,
        headers: { 'idempotency-key': this.key(ctx, result, message) },
        json: {
          status: message,
          in_reply_to_id: result.externalId,
          // The post's own visibility: a followers-only post gets a followers-only comment. Without
          // one both take the account's default.
          ...(options.visibility ? { visibility: options.visibility } : {}),
          ...(options.language ? { language: options.language } : {}),
        },
        signal: ctx.signal,
        timeoutMs: this.settings.requestTimeoutMs,
      });
      const id = (res.json as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !id)
        throw new PlatformError('unknown_outcome', 'The instance answered without the reply’s id.', 'no_status_id');
      ctx.log({ step: 'comment', message: `reply ${id} created`, request: 'POST /api/v1/statuses' });
      return id;
    } catch (err) {
      throw mastodonError(err, { sent: true, now: this.clock.now() });
    }
  }

  async find(ctx: AttemptContext, result: PublishResult, message: string): Promise<CommentLookup> {
    const me = this.accountId(ctx);
    let descendants: ContextStatus[];
    try {
      const res = await mastodonCall(
        instanceOf(ctx.account),
        `/api/v1/statuses/${encodeURIComponent(result.externalId)}/context`,
        { token: ctx.account.accessToken, signal: ctx.signal, timeoutMs: this.settings.requestTimeoutMs },
      );
      const body = res.json as { descendants?: unknown } | null;
      if (!Array.isArray(body?.descendants))
        return { status: 'unknown', reason: 'the instance answered without the thread’s replies' };
      descendants = body.descendants as ContextStatus[];
    } catch (err) {
      return { status: 'unknown', reason: mastodonError(err, { sent: false, now: this.clock.now() }).message };
    }
    const mine = descendants.find(
      (s) =>
        s.in_reply_to_id === result.externalId &&
        s.account?.id === me &&
        typeof s.content === 'string' &&
        sameText(plainOfContent(s.content), message),
    );
    if (mine && typeof mine.id === 'string') return { status: 'found', commentId: mine.id };
    return { status: 'absent', reason: 'the post’s thread holds no reply from the account with this text' };
  }
}
