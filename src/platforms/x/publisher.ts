// Publishing to X (docs/platforms/x.md#publishing): media uploaded and processed in `prepare`
// (invisible until attached), the first post in `send`, a thread's replies in `confirm`, each
// chained to the one before. Every id is saved the moment it exists, so a retry continues a thread
// where it stopped; a lost answer is settled by reading the account's own recent posts.
import { readFile } from 'node:fs/promises';
import type { Clock } from '../../lib/clock.js';
import {
  PlatformError,
  type AttemptContext,
  type LookupResult,
  type Publisher,
  type PublishMedia,
  type PublishResult,
} from '../types.js';
import { record, str, type XApi } from './api.js';
import type { XTiming } from './config.js';
import { XFirstComment } from './comments.js';
import { X_ID, type XConnector } from './connector.js';
import type { XPostCap } from './post-cap.js';
import { comparable, splitIntoThread } from './text.js';

/** Chunks of the upload (https://docs.x.com/x-api/media/quickstart/media-upload-chunked). */
const CHUNK_BYTES = 1024 * 1024;
/** Renew the access token first when it has less than this left (it lives 2 hours). */
const RENEW_AHEAD_MS = 5 * 60_000;

function category(m: PublishMedia): string {
  if (m.mime === 'image/gif') return 'tweet_gif';
  return m.mime.startsWith('video/') ? 'tweet_video' : 'tweet_image';
}

export class XPublisher implements Publisher {
  readonly platform = X_ID;
  /** Tokens renewed during an attempt, by account, until the stored ones catch up. */
  private readonly renewed = new Map<string, { token: string; until: number }>();
  readonly firstComment: XFirstComment;

  constructor(
    private readonly api: XApi,
    private readonly connector: XConnector,
    private readonly timing: XTiming,
    private readonly clock: Clock,
    private readonly cap: XPostCap,
  ) {
    this.firstComment = new XFirstComment({ api, timing, clock, cap, token: (ctx) => this.token(ctx) });
  }

  /** The token to use: renewed (and stored in one commit, refresh token included) before use when nearly expired. */
  private async token(ctx: AttemptContext): Promise<string> {
    const a = ctx.account;
    const kept = this.renewed.get(a.id);
    if (kept && kept.until - this.clock.now() > RENEW_AHEAD_MS) return kept.token;
    if (a.tokenExpiresAt === null || a.tokenExpiresAt - this.clock.now() > RENEW_AHEAD_MS) return a.accessToken;
    const fresh = await this.connector.renew(a, ctx.signal);
    ctx.storeTokens(fresh);
    this.renewed.set(a.id, { token: fresh.accessToken, until: fresh.tokenExpiresAt ?? this.clock.now() + 3_600_000 });
    ctx.log({ step: 'token', message: 'Renewed the X access before using it (the new pair is stored).' });
    return fresh.accessToken;
  }

  private parts(ctx: AttemptContext): string[] {
    const saved = ctx.state.parts;
    if (Array.isArray(saved)) return saved as string[];
    return ctx.options.thread === 'yes' ? splitIntoThread(ctx.caption) : [ctx.caption.normalize('NFC')];
  }

  private tweetIds(ctx: AttemptContext): string[] {
    return Array.isArray(ctx.state.tweetIds) ? [...(ctx.state.tweetIds as string[])] : [];
  }

  async prepare(ctx: AttemptContext): Promise<void> {
    const token = await this.token(ctx);
    for (const m of ctx.media) {
      const key = `media:${m.id}`;
      if (typeof ctx.state[key] === 'string') continue;
      const id = await this.upload(ctx, token, m);
      ctx.save({ [key]: id });
    }
    if (!Array.isArray(ctx.state.parts)) ctx.save({ parts: this.parts(ctx) });
  }

  /** initialize → append (segments) → finalize → processing followed (docs/platforms/x.md#media-upload). */
  private async upload(ctx: AttemptContext, token: string, m: PublishMedia): Promise<string> {
    const bytes = await readFile(m.path);
    const init = await this.api.call({
      method: 'POST',
      path: '/2/media/upload/initialize',
      token,
      json: { media_type: m.mime, total_bytes: bytes.length, media_category: category(m) },
      signal: ctx.signal,
    });
    const id = str(record(init.data.data)?.id);
    if (!id) throw new PlatformError('transient', 'X did not give the upload an id.', 'x:no_media_id');
    ctx.save({ uploading: id });
    for (let i = 0, segment = 0; i < bytes.length; i += CHUNK_BYTES, segment++) {
      const form = new FormData();
      form.set('segment_index', String(segment));
      form.set('media', new Blob([bytes.subarray(i, i + CHUNK_BYTES)]), 'chunk');
      await this.api.call({ method: 'POST', path: `/2/media/upload/${id}/append`, token, form, signal: ctx.signal });
    }
    const fin = await this.api.call({
      method: 'POST',
      path: `/2/media/upload/${id}/finalize`,
      token,
      signal: ctx.signal,
    });
    ctx.log({ step: 'upload', message: `Uploaded ${m.mime} to X as media ${id}.`, request: fin.request });
    await this.processed(ctx, token, id, record(record(fin.data.data)?.processing_info));
    if (m.altText && category(m) !== 'tweet_video')
      await this.api.call({
        method: 'POST',
        path: '/2/media/metadata',
        token,
        json: { id, metadata: { alt_text: { text: m.altText.slice(0, 1000) } } },
        signal: ctx.signal,
      });
    return id;
  }

  private async processed(
    ctx: AttemptContext,
    token: string,
    id: string,
    info: Record<string, unknown> | null,
  ): Promise<void> {
    const deadline = this.clock.now() + this.timing.processingTimeoutMs;
    let state = info;
    while (state) {
      const s = str(state.state);
      if (s === 'succeeded') return;
      if (s === 'failed') {
        const why = str(record(state.error)?.message) ?? 'it gave no reason';
        throw new PlatformError('permanent', `X could not process the media: ${why}.`, 'x:media_failed');
      }
      if (this.clock.now() >= deadline)
        throw new PlatformError(
          'transient',
          'X is still processing the media; it will be tried again.',
          'x:processing',
        );
      const after = typeof state.check_after_secs === 'number' ? state.check_after_secs : 5;
      await this.clock.sleep(after * 1000, ctx.signal);
      const res = await this.api.call({
        path: '/2/media/upload',
        token,
        query: { media_id: id, command: 'STATUS' },
        signal: ctx.signal,
      });
      state = record(record(res.data.data)?.processing_info);
    }
  }

  private async post(ctx: AttemptContext, index: number, replyTo: string | null): Promise<string> {
    this.cap.ensureRoom();
    const token = await this.token(ctx);
    const parts = this.parts(ctx);
    const mediaIds = index === 0 ? ctx.media.map((m) => ctx.state[`media:${m.id}`] as string) : [];
    const body = {
      ...(parts[index] ? { text: parts[index] } : {}),
      ...(mediaIds.length ? { media: { media_ids: mediaIds } } : {}),
      ...(replyTo ? { reply: { in_reply_to_tweet_id: replyTo } } : {}),
    };
    const res = await this.api.call({
      method: 'POST',
      path: '/2/tweets',
      token,
      json: body,
      publishing: true,
      userId: ctx.account.externalId,
      signal: ctx.signal,
    });
    const id = str(record(res.data.data)?.id);
    if (!id) throw new PlatformError('unknown_outcome', 'X accepted the post without giving its id.', 'x:no_post_id');
    ctx.save({ tweetIds: [...this.tweetIds(ctx), id] });
    this.cap.count();
    ctx.log({ step: 'post', message: `X created post ${id} (${index + 1} of ${parts.length}).`, request: res.request });
    return id;
  }

  async send(ctx: AttemptContext): Promise<void> {
    if (this.tweetIds(ctx).length) return;
    await this.post(ctx, 0, null);
  }

  /** A thread's remaining replies, each to the post before it; saved ids are never posted again. */
  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const parts = this.parts(ctx);
    let ids = this.tweetIds(ctx);
    if (!ids.length) throw new PlatformError('unknown_outcome', 'No X post id was saved.', 'x:no_post_id');
    while (ids.length < parts.length) {
      await this.post(ctx, ids.length, ids[ids.length - 1]!);
      ids = this.tweetIds(ctx);
    }
    return this.result(ctx, ids[0]!);
  }

  private result(ctx: AttemptContext, id: string): PublishResult {
    const username = str(ctx.account.platformData.username);
    return {
      externalId: id,
      permalink: username ? `https://x.com/${username}/status/${id}` : `https://x.com/i/web/status/${id}`,
    };
  }

  /**
   * After a lost answer: the account's posts since the attempt left (GET /2/users/:id/tweets),
   * matched by text. Found parts are saved; when the head is there, a thread's missing replies
   * continue from the last one found (the timeline proves they are absent).
   */
  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    const parts = this.parts(ctx);
    const ids = this.tweetIds(ctx);
    const since = (ctx.sentAt ?? ctx.now()) - 30_000;
    const token = await this.token(ctx);
    const res = await this.api.call({
      path: `/2/users/${ctx.account.externalId}/tweets`,
      token,
      query: {
        start_time: new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        max_results: 100,
        exclude: 'retweets',
        'tweet.fields': 'created_at,text,in_reply_to_user_id,referenced_tweets',
      },
      signal: ctx.signal,
    });
    const posts = (Array.isArray(res.data.data) ? res.data.data : []).map((p) => record(p) ?? {});
    // Oldest first, so the first match of a repeated text is the earlier post.
    posts.reverse();
    const taken = new Set(ids);
    for (let i = ids.length; i < parts.length; i++) {
      const want = comparable(parts[i]!);
      const found = posts.find((p) => !taken.has(String(p.id)) && comparable(String(p.text ?? '')) === want);
      if (!found) break;
      ids.push(String(found.id));
      taken.add(String(found.id));
      ctx.save({ tweetIds: [...ids] });
      // Created by the lost request: it counts against the month like any other.
      this.cap.count();
    }
    if (!ids.length) {
      if (ctx.now() - (ctx.sentAt ?? 0) < this.timing.timelineLagMs)
        return { status: 'unknown', reason: 'X’s timeline may not show the post yet; looking again shortly.' };
      return { status: 'absent', reason: 'The post is not among the account’s posts since the attempt.' };
    }
    const lagging = ctx.now() - (ctx.sentAt ?? 0) < this.timing.timelineLagMs;
    if (ids.length < parts.length && lagging)
      return {
        status: 'unknown',
        reason: 'X’s timeline may not show the thread’s last reply yet; looking again shortly.',
      };
    try {
      return { status: 'published', ...(await this.confirm(ctx)) };
    } catch (err) {
      if (err instanceof PlatformError && err.kind === 'unknown_outcome')
        return { status: 'unknown', reason: err.message };
      throw err;
    }
  }
}
