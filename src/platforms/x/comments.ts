// The first comment on X (docs/platforms/x.md#first-comments): a reply from the same account,
// `POST /2/tweets` with `reply.in_reply_to_tweet_id` (https://docs.x.com/x-api/posts/create-post). A
// reply is a post: it is refused once the app's monthly post cap is used up and counted in it when
// made. After a lost answer, `find` reads the account's posts since the reply left
// (`GET /2/users/:id/tweets`, as the post's own lookup does; X bills the read), matching the post
// replied to and the text; when X refuses that read the answer is unknown, never absent.
import type { Clock } from '../../lib/clock.js';
import {
  PlatformError,
  type AttemptContext,
  type CommentLookup,
  type FirstCommentPublisher,
  type PublishResult,
} from '../types.js';
import { record, str, type XApi } from './api.js';
import type { XTiming } from './config.js';
import type { XPostCap } from './post-cap.js';
import { comparable, X_MAX_WEIGHT, xWeightedLength } from './text.js';

/** Slack before the reply left: X's clock is not Herald's. */
const SLACK_MS = 30_000;
/** The most posts one timeline page gives. */
const PAGE = 100;

export interface XCommentDeps {
  readonly api: XApi;
  readonly timing: Pick<XTiming, 'timelineLagMs'>;
  readonly clock: Clock;
  readonly cap: XPostCap;
  /** The publisher's access token (renewed first when nearly expired). */
  token(ctx: AttemptContext): Promise<string>;
}

/** A reply's text as listed: X may put the replied-to account's @handle in front. */
function replyText(text: string): string {
  return comparable(text.replace(/^(?:@\w{1,15}\s+)+/, ''));
}

export class XFirstComment implements FirstCommentPublisher {
  constructor(private readonly deps: XCommentDeps) {}

  async post(ctx: AttemptContext, result: PublishResult, message: string): Promise<string> {
    const weight = xWeightedLength(message);
    if (weight > X_MAX_WEIGHT)
      throw new PlatformError(
        'permanent',
        `X allows ${X_MAX_WEIGHT} characters in a reply, links counting 23 (this comment counts ${weight}).`,
        'x:comment_too_long',
      );
    this.deps.cap.ensureRoom();
    const token = await this.deps.token(ctx);
    // When the reply left, for `find`'s window.
    ctx.save({ xComment: { sentAt: this.deps.clock.now() } });
    const res = await this.deps.api.call({
      method: 'POST',
      path: '/2/tweets',
      token,
      json: { text: message.normalize('NFC'), reply: { in_reply_to_tweet_id: result.externalId } },
      publishing: true,
      userId: ctx.account.externalId,
      signal: ctx.signal,
    });
    const id = str(record(res.data.data)?.id);
    if (!id) throw new PlatformError('unknown_outcome', 'X accepted the reply without giving its id.', 'x:no_post_id');
    this.deps.cap.count();
    ctx.log({ step: 'comment', message: `X created reply ${id}.`, request: res.request });
    return id;
  }

  async find(ctx: AttemptContext, result: PublishResult, message: string): Promise<CommentLookup> {
    const saved = record(ctx.state.xComment);
    const sentAt = typeof saved?.sentAt === 'number' ? saved.sentAt : null;
    // Saved before the call: without it the reply never left.
    if (sentAt === null) return { status: 'absent', reason: 'the reply was never sent to X' };
    let posts: Record<string, unknown>[];
    try {
      const res = await this.deps.api.call({
        path: `/2/users/${ctx.account.externalId}/tweets`,
        token: await this.deps.token(ctx),
        query: {
          start_time: new Date(sentAt - SLACK_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          max_results: PAGE,
          exclude: 'retweets',
          'tweet.fields': 'created_at,text,referenced_tweets',
        },
        signal: ctx.signal,
      });
      posts = (Array.isArray(res.data.data) ? res.data.data : []).map((p) => record(p) ?? {});
    } catch (err) {
      return { status: 'unknown', reason: `X’s timeline could not be read (${(err as Error).message})` };
    }
    const want = replyText(message);
    const found = posts.find(
      (p) =>
        Array.isArray(p.referenced_tweets) &&
        p.referenced_tweets.some((r) => record(r)?.type === 'replied_to' && str(record(r)?.id) === result.externalId) &&
        replyText(String(p.text ?? '')) === want,
    );
    const id = str(found?.id);
    if (id) {
      // Made by the lost request: it counts against the month like any other post.
      this.deps.cap.count();
      return { status: 'found', commentId: id };
    }
    if (posts.length >= PAGE)
      return { status: 'unknown', reason: 'too many posts on the account since the reply to be sure' };
    if (this.deps.clock.now() - sentAt < this.deps.timing.timelineLagMs)
      return { status: 'unknown', reason: 'X’s timeline may not show the reply yet; looking again shortly.' };
    return { status: 'absent', reason: 'the reply is not among the account’s posts since it was sent' };
  }
}
