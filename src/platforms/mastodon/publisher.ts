// Publishing a status (docs/platforms/mastodon.md#publishing): prepare uploads each file with
// POST /api/v2/media and waits until the instance has processed it; send is one
// POST /api/v1/statuses carrying an Idempotency-Key saved before the call; lookup re-sends that same
// request within the instance's idempotency window, which answers with the status already made
// (or makes it, if the first never arrived), so a lost answer never gives a duplicate.
import { readFile } from 'node:fs/promises';
import { randomSecret } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import { PlatformError, type AttemptContext, type LookupResult, type Publisher, type PublishResult } from '../types.js';
import { budgetOf, mastodonCall, mastodonError, MastodonFailure } from './api.js';
import { MastodonFirstComment } from './comments.js';
import { instanceOf } from './connector.js';
import { checkMastodonPost, limitsOf } from './limits.js';
import type { MastodonOptions } from './options.js';
import type { MastodonSettings } from './settings.js';

interface Status {
  readonly id: string;
  readonly url?: string | null;
}

export class MastodonPublisher implements Publisher {
  readonly platform = 'mastodon';
  readonly firstComment: MastodonFirstComment;

  constructor(
    private readonly settings: MastodonSettings,
    private readonly clock: Clock,
  ) {
    this.firstComment = new MastodonFirstComment(settings, clock);
  }

  private fail(err: unknown, sent: boolean): PlatformError {
    return mastodonError(err, { sent, now: this.clock.now() });
  }

  async prepare(ctx: AttemptContext): Promise<void> {
    const origin = instanceOf(ctx.account);
    const token = ctx.account.accessToken;
    const options = ctx.options as MastodonOptions;
    try {
      // The instance's limits as they are today, not as they were at connect.
      const instance = await mastodonCall(origin, '/api/v2/instance', { timeoutMs: this.settings.requestTimeoutMs });
      const problems = checkMastodonPost(ctx.caption, ctx.media, limitsOf(instance.json), options.spoilerText ?? '');
      if (problems) throw new PlatformError('permanent', Object.values(problems).flat().join(' '), 'instance_limits');
      // An instance that says the budget is spent is not asked again before its reset
      // (docs/platforms/mastodon.md#rate-limits).
      const budget = budgetOf(instance.headers);
      if (budget.remaining === 0 && budget.resetAt !== null && budget.resetAt > this.clock.now())
        throw new PlatformError(
          'rate_limited',
          'The Mastodon instance’s request budget is spent until its reset.',
          'budget',
          {
            retryAfterMs: budget.resetAt - this.clock.now(),
            scope: 'account',
          },
        );
      const mediaIds = [...((ctx.state.mediaIds as string[] | undefined) ?? [])];
      for (const media of ctx.media.slice(mediaIds.length)) {
        const form = new FormData();
        form.append('file', new Blob([await readFile(media.path)], { type: media.mime }), media.id);
        if (media.altText) form.append('description', media.altText);
        const encoded = new Response(form);
        const res = await mastodonCall(origin, '/api/v2/media', {
          method: 'POST',
          token,
          body: new Uint8Array(await encoded.arrayBuffer()),
          headers: { 'content-type': encoded.headers.get('content-type')! },
          signal: ctx.signal,
          timeoutMs: this.settings.requestTimeoutMs * 4,
        });
        const attachment = res.json as { id: string; url: string | null };
        mediaIds.push(attachment.id);
        ctx.save({ mediaIds });
        ctx.log({
          step: 'upload',
          message: `uploaded ${media.mime} as ${attachment.id}`,
          request: 'POST /api/v2/media',
        });
        if (res.status === 202 || !attachment.url) await this.waitProcessed(origin, token, attachment.id, ctx.signal);
      }
    } catch (err) {
      throw this.fail(err, false);
    }
  }

  /** GET /api/v1/media/:id answers 206 while processing and 200 with its `url` once done. */
  private async waitProcessed(origin: string, token: string, id: string, signal: AbortSignal): Promise<void> {
    const until = this.clock.now() + this.settings.mediaWaitMs;
    for (;;) {
      await this.clock.sleep(this.settings.mediaPollIntervalMs, signal);
      const res = await mastodonCall(origin, `/api/v1/media/${encodeURIComponent(id)}`, {
        token,
        signal,
        timeoutMs: this.settings.requestTimeoutMs,
      });
      if (res.status === 200 && (res.json as { url?: unknown }).url) return;
      if (this.clock.now() >= until)
        throw new PlatformError('transient', 'The instance is still processing the media; Herald will try again.');
    }
  }

  private create(ctx: AttemptContext, key: string) {
    const options = ctx.options as MastodonOptions;
    return mastodonCall(instanceOf(ctx.account), '/api/v1/statuses', {
      method: 'POST',
      token: ctx.account.accessToken,
      headers: { 'idempotency-key': key },
      json: {
        status: ctx.caption,
        media_ids: (ctx.state.mediaIds as string[] | undefined) ?? [],
        ...(options.spoilerText ? { spoiler_text: options.spoilerText } : {}),
        ...(options.visibility ? { visibility: options.visibility } : {}),
        ...(options.language ? { language: options.language } : {}),
      },
      signal: ctx.signal,
      timeoutMs: this.settings.requestTimeoutMs,
    });
  }

  private saveStatus(ctx: AttemptContext, status: Status): void {
    ctx.save({ statusId: status.id, statusUrl: status.url ?? null });
  }

  async send(ctx: AttemptContext): Promise<void> {
    // One key per attempt, saved before the call: a retry or a lookup sends the same key.
    const key = (ctx.state.idempotencyKey as string | undefined) ?? randomSecret(24);
    ctx.save({ idempotencyKey: key });
    try {
      const res = await this.create(ctx, key);
      this.saveStatus(ctx, res.json as Status);
      const budget = budgetOf(res.headers);
      ctx.log({
        step: 'send',
        message: `status ${(res.json as Status).id} created`,
        request: 'POST /api/v1/statuses',
        ...(budget.remaining !== null ? { code: `remaining ${budget.remaining}` } : {}),
      });
    } catch (err) {
      throw this.fail(err, true);
    }
  }

  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const id = ctx.state.statusId as string | undefined;
    if (!id) throw new PlatformError('unknown_outcome', 'The instance gave no status id.');
    return { externalId: id, permalink: (ctx.state.statusUrl as string | null | undefined) ?? null };
  }

  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    const id = ctx.state.statusId as string | undefined;
    if (id) return { status: 'published', externalId: id, permalink: (ctx.state.statusUrl as string | null) ?? null };
    const key = ctx.state.idempotencyKey as string | undefined;
    if (!key) return { status: 'absent', reason: 'the create call was never made' };
    if (ctx.sentAt !== null && ctx.now() - ctx.sentAt > this.settings.idempotencyWindowMs)
      return { status: 'unknown', reason: 'the instance’s idempotency window has passed; check the account by hand' };
    try {
      const res = await this.create(ctx, key);
      const status = res.json as Status;
      this.saveStatus(ctx, status);
      return { status: 'published', externalId: status.id, permalink: status.url ?? null };
    } catch (err) {
      if (err instanceof MastodonFailure && err.status === 422)
        return { status: 'failed', error: this.fail(err, false) };
      return { status: 'unknown', reason: this.fail(err, false).message };
    }
  }
}
