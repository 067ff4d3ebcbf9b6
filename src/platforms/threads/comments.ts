// The first comment on Threads (docs/platforms/threads.md#first-comments): a reply from the same
// profile, made like a post — a TEXT container with `reply_to_id`, then `threads_publish` — so it needs
// `threads_manage_replies` and counts against the 1,000 replies a profile may publish in 24 hours
// (https://developers.facebook.com/docs/threads/reply-management). The container id is saved before
// the publish call; after a lost answer, `find` reads the container's status and the profile's own
// replies (`GET /{user-id}/replies`, which needs `threads_read_replies`), never guessing.
import type { Clock } from '../../lib/clock.js';
import {
  PlatformError,
  type AttemptContext,
  type CommentLookup,
  type FirstCommentPublisher,
  type PublishResult,
} from '../types.js';
import { record, text, type Params, type ThreadsApi } from './api.js';
import { THREADS_LIMITS, threadsTextLength } from './limits.js';
import type { ThreadsTiming } from './settings.js';

/** What `post` saves: the reply's container, and when its publish call left. */
interface SavedReply {
  readonly containerId: string;
  readonly text: string;
  readonly parentId: string;
  readonly sentAt: number | null;
}

/** Slack on the `since` bound of the replies list: the timestamp is Threads' clock. */
const SINCE_SLACK_S = 60;
const REPLIES_PAGE = 100;

function savedReply(state: Readonly<Record<string, unknown>>, parentId: string, message: string): SavedReply | null {
  const s = record(state.threadsComment);
  const containerId = text(s?.containerId);
  if (!s || !containerId || s.text !== message || s.parentId !== parentId) return null;
  return { containerId, text: message, parentId, sentAt: typeof s.sentAt === 'number' ? s.sentAt : null };
}

export class ThreadsFirstComment implements FirstCommentPublisher {
  constructor(
    private readonly api: ThreadsApi,
    private readonly timing: Pick<ThreadsTiming, 'pollIntervalMs' | 'pollTimeoutMs' | 'publishSettleMs'>,
    private readonly clock: Clock,
  ) {}

  private call<T = Record<string, unknown>>(
    ctx: AttemptContext,
    req: { method?: 'GET' | 'POST'; path: string; params?: Params; publishing?: boolean },
  ) {
    return this.api.call<T>({
      ...req,
      token: ctx.account.accessToken,
      userId: ctx.account.externalId,
      signal: ctx.signal,
    });
  }

  /** The live reply quota (`reply_quota_usage`, `reply_config`), not an assumed 1,000. */
  private async checkReplyQuota(ctx: AttemptContext): Promise<void> {
    const { data } = await this.call(ctx, {
      path: `/${ctx.account.externalId}/threads_publishing_limit`,
      params: { fields: 'reply_quota_usage,reply_config' },
    });
    const row = record(Array.isArray(record(data)?.data) ? (record(data)!.data as unknown[])[0] : null);
    const config = record(row?.reply_config);
    const used = typeof row?.reply_quota_usage === 'number' ? row.reply_quota_usage : null;
    const total = typeof config?.quota_total === 'number' ? config.quota_total : null;
    if (used === null || total === null || used < total) return;
    const windowMs = typeof config?.quota_duration === 'number' ? config.quota_duration * 1000 : 24 * 3_600_000;
    throw new PlatformError(
      'rate_limited',
      `Threads’ limit of ${total} replies published through the API in 24 hours is used up for this profile.`,
      'threads:reply_quota',
      { retryAfterMs: windowMs, scope: 'account' },
    );
  }

  private async containerStatus(ctx: AttemptContext, containerId: string): Promise<string | null> {
    const { data } = await this.call(ctx, { path: `/${containerId}`, params: { fields: 'id,status,error_message' } });
    return text(record(data)?.status) ?? null;
  }

  /** Polls the reply's container until FINISHED, as the post's (counted in polls, not time). */
  private async waitFinished(ctx: AttemptContext, containerId: string): Promise<void> {
    const maxPolls = Math.max(1, Math.ceil(this.timing.pollTimeoutMs / this.timing.pollIntervalMs));
    for (let polls = 1; ; polls++) {
      const status = await this.containerStatus(ctx, containerId);
      if (status === 'FINISHED') return;
      if (status === 'ERROR' || status === 'EXPIRED' || status === 'PUBLISHED')
        throw new PlatformError(
          status === 'PUBLISHED' ? 'permanent' : 'transient',
          `The Threads reply’s container ${containerId} is ${status.toLowerCase()}.`,
          `threads:comment_container_${status.toLowerCase()}`,
        );
      if (polls >= maxPolls)
        throw new PlatformError(
          'transient',
          'Threads was still preparing the reply; it is tried again later.',
          'threads:comment_container_slow',
        );
      await this.clock.sleep(this.timing.pollIntervalMs, ctx.signal);
    }
  }

  async post(ctx: AttemptContext, result: PublishResult, message: string): Promise<string> {
    const length = threadsTextLength(message);
    if (length > THREADS_LIMITS.text)
      throw new PlatformError(
        'permanent',
        `Threads replies hold at most ${THREADS_LIMITS.text} characters; this comment has ${length}.`,
        'threads:comment_too_long',
      );
    await this.checkReplyQuota(ctx);
    const user = ctx.account.externalId;
    // A container made for this comment before and never published is published now.
    let saved = savedReply(ctx.state, result.externalId, message);
    const before = saved ? await this.containerStatus(ctx, saved.containerId).catch(() => null) : null;
    if (before === 'PUBLISHED')
      throw new PlatformError(
        'unknown_outcome',
        'The Threads reply’s container is already published; Herald looks the reply up instead.',
        'threads:comment_already_published',
      );
    if (before !== 'FINISHED') saved = null;
    if (!saved) {
      const { data } = await this.call(ctx, {
        method: 'POST',
        path: `/${user}/threads`,
        params: { media_type: 'TEXT', text: message, reply_to_id: result.externalId },
      });
      const containerId = text(record(data)?.id);
      if (!containerId)
        throw new PlatformError('transient', 'Threads made the reply’s container without its id.', 'threads:no_id');
      saved = { containerId, text: message, parentId: result.externalId, sentAt: null };
      ctx.save({ threadsComment: saved });
      await this.waitFinished(ctx, containerId);
    }
    ctx.save({ threadsComment: { ...saved, sentAt: this.clock.now() } });
    const { data, request } = await this.call(ctx, {
      method: 'POST',
      path: `/${user}/threads_publish`,
      params: { creation_id: saved.containerId },
      publishing: true,
    });
    const id = text(record(data)?.id);
    if (!id)
      throw new PlatformError(
        'unknown_outcome',
        'Threads published the reply without giving its id; Herald checks the container.',
        'threads:no_id',
      );
    ctx.log({ step: 'comment', message: `Threads published reply ${id}.`, request });
    return id;
  }

  async find(ctx: AttemptContext, result: PublishResult, message: string): Promise<CommentLookup> {
    const saved = savedReply(ctx.state, result.externalId, message);
    // Nothing reaches Threads without a container, and containers are invisible until published.
    if (!saved) return { status: 'absent', reason: 'no container was made for the reply' };
    let status: string | null;
    try {
      status = await this.containerStatus(ctx, saved.containerId);
    } catch (err) {
      return { status: 'unknown', reason: `the reply’s container could not be read (${(err as Error).message})` };
    }
    if (status === 'ERROR' || status === 'EXPIRED')
      return { status: 'absent', reason: `the reply’s container is ${status.toLowerCase()} and was never published` };
    if (status !== 'FINISHED' && status !== 'PUBLISHED')
      return { status: 'unknown', reason: `the reply’s container is ${status ?? 'in an unknown state'}` };
    let found: string | null | 'several';
    try {
      found = await this.ownReply(ctx, result.externalId, message, saved.sentAt);
    } catch (err) {
      return { status: 'unknown', reason: `the profile’s replies could not be read (${(err as Error).message})` };
    }
    if (found === 'several') return { status: 'unknown', reason: 'several replies with this text; check by hand' };
    if (found) return { status: 'found', commentId: found };
    if (status === 'PUBLISHED') return { status: 'unknown', reason: 'the reply is published but not listed yet' };
    // FINISHED and not listed: not published, unless the flip is still on its way.
    if (saved.sentAt !== null && this.clock.now() - saved.sentAt < this.timing.publishSettleMs)
      return { status: 'unknown', reason: 'the reply’s container is unpublished so far; checking again shortly' };
    return { status: 'absent', reason: 'the reply’s container is ready and unpublished, and no such reply exists' };
  }

  /** The profile's replies since the publish left, matched on the post replied to and the text. */
  private async ownReply(
    ctx: AttemptContext,
    parentId: string,
    message: string,
    sentAt: number | null,
  ): Promise<string | null | 'several'> {
    const since = Math.floor((sentAt ?? this.clock.now() - THREADS_LIMITS.containerLifetimeMs) / 1000) - SINCE_SLACK_S;
    const { data } = await this.call(ctx, {
      path: `/${ctx.account.externalId}/replies`,
      params: { fields: 'id,text,timestamp,replied_to', since, limit: REPLIES_PAGE },
    });
    const items = Array.isArray(record(data)?.data) ? (record(data)!.data as unknown[]) : [];
    const matches: string[] = [];
    for (const item of items) {
      const r = record(item);
      const id = text(r?.id);
      if (!r || !id || text(record(r.replied_to)?.id) !== parentId) continue;
      if (typeof r.text === 'string' && r.text.trim() === message.trim()) matches.push(id);
    }
    if (matches.length > 1) return 'several';
    return matches[0] ?? null;
  }
}
