// Publishing pins (docs/platforms/pinterest.md#pins). Images are fetched by Pinterest from
// PUBLIC_URL; a video is registered, uploaded to the storage URL Pinterest gives and processed
// first — all of that is `prepare`, nothing is public yet. The one public step is `POST /pins`,
// which has no idempotency key: its id is saved the moment it is known, and a lost answer is
// settled by `lookup` on the board's pins, never by sending again.
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
import { record, text, type PinterestApi, type Query } from './api.js';
import { PINTEREST_ID } from './connector.js';
import { PINTEREST_LIMITS } from './limits.js';
import { defaultBoard, pinOptions } from './post-options.js';
import type { PinterestTiming } from './settings.js';

type MediaStatus = 'registered' | 'processing' | 'succeeded' | 'failed';

/** Pins created this long before the send still count as its own (clocks differ a little). */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Board pins read when looking for a lost pin: newest first, a few pages are plenty. */
const LOOKUP_PAGES = 4;

const isVideo = (m: PublishMedia) => (PINTEREST_LIMITS.video.mimes as readonly string[]).includes(m.mime);

/** A pin's public address (https://help.pinterest.com/en/article/find-the-url-of-a-pin). */
export function pinUrl(id: string): string {
  return `https://www.pinterest.com/pin/${id}/`;
}

export class PinterestPublisher implements Publisher {
  readonly platform = PINTEREST_ID;

  constructor(
    private readonly api: PinterestApi,
    private readonly timing: Pick<PinterestTiming, 'pollIntervalMs' | 'pollTimeoutMs' | 'lookupSettleMs'>,
    private readonly clock: Clock,
  ) {}

  private call<T = Record<string, unknown>>(
    ctx: AttemptContext,
    step: string,
    req: { method?: 'GET' | 'POST'; path: string; query?: Query; json?: unknown; publishing?: boolean },
    quiet = false,
  ) {
    return this.api
      .call<T>({ ...req, token: ctx.account.accessToken, userId: ctx.account.externalId, signal: ctx.signal })
      .then((res) => {
        if (!quiet)
          ctx.log({
            step,
            message: `Pinterest answered ${res.status}.`,
            request: res.request,
            durationMs: res.durationMs,
          });
        return res;
      });
  }

  /** The post's board, else the account's default board (docs/platforms/pinterest.md#boards). */
  private board(ctx: AttemptContext): string {
    const chosen = pinOptions(ctx.options).boardId ?? defaultBoard(ctx.account.platformData);
    if (!chosen)
      throw new PlatformError(
        'permanent',
        'No Pinterest board is chosen for this pin and the account has no default board; ' +
          'create a board on Pinterest and connect the account again, or name a board on the post.',
        'pinterest:no_board',
      );
    return chosen;
  }

  async prepare(ctx: AttemptContext): Promise<void> {
    const boardId = this.board(ctx);
    if (ctx.media.length === 0)
      throw new PlatformError('permanent', 'A pin needs an image or a video.', 'pinterest:no_media');
    const video = ctx.media.find(isVideo);
    if (video && ctx.media.length > 1)
      throw new PlatformError('permanent', 'A video pin holds one video and nothing else.', 'pinterest:mixed_media');
    if (!video && ctx.media.length > PINTEREST_LIMITS.multiImage.maxItems)
      throw new PlatformError(
        'permanent',
        `A pin holds at most ${PINTEREST_LIMITS.multiImage.maxItems} images.`,
        'pinterest:too_many_images',
      );
    ctx.save({ boardId });
    if (video) await this.prepareVideo(ctx, video);
  }

  /**
   * Register → upload → processed (docs/platforms/pinterest.md#video-pins). A video the previous
   * attempt already got processed is used again rather than uploaded twice.
   */
  private async prepareVideo(ctx: AttemptContext, video: PublishMedia): Promise<void> {
    const previous = text(record(ctx.state.previous)?.mediaId);
    if (previous) {
      const status = await this.mediaStatus(ctx, previous).catch(() => null);
      if (status === 'succeeded' || status === 'processing' || status === 'registered') {
        if (status !== 'registered' || record(ctx.state.previous)?.uploaded === true) {
          ctx.save({ mediaId: previous, uploaded: true });
          ctx.log({ step: 'prepare', message: `Reusing the video ${previous} uploaded by the previous attempt.` });
          await this.waitProcessed(ctx, previous);
          return;
        }
      }
    }
    const { data } = await this.call(ctx, 'prepare', { method: 'POST', path: '/media', json: { media_type: 'video' } });
    const body = record(data);
    const mediaId = text(body?.media_id);
    const uploadUrl = text(body?.upload_url);
    const fields = record(body?.upload_parameters) ?? {};
    if (!mediaId || !uploadUrl)
      throw new PlatformError(
        'transient',
        'Pinterest registered the video without an upload address.',
        'pinterest:no_upload',
      );
    ctx.save({ mediaId, uploaded: false });
    const bytes = await readFile(video.path);
    const upload = await this.api.upload(
      uploadUrl,
      Object.fromEntries(Object.entries(fields).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : []))),
      bytes,
      video.mime,
      ctx.signal,
    );
    ctx.save({ uploaded: true });
    ctx.log({ step: 'prepare', message: `Video uploaded (HTTP ${upload.status}).`, durationMs: upload.durationMs });
    await this.waitProcessed(ctx, mediaId);
  }

  private async mediaStatus(ctx: AttemptContext, mediaId: string): Promise<MediaStatus | null> {
    const { data } = await this.call(ctx, 'poll', { path: `/media/${mediaId}` }, true);
    const status = text(record(data)?.status);
    return status && ['registered', 'processing', 'succeeded', 'failed'].includes(status)
      ? (status as MediaStatus)
      : null;
  }

  /** Polls on the injected clock until `succeeded`; counted in polls so a simulated clock cannot loop. */
  private async waitProcessed(ctx: AttemptContext, mediaId: string): Promise<void> {
    const maxPolls = Math.max(1, Math.ceil(this.timing.pollTimeoutMs / this.timing.pollIntervalMs));
    for (let polls = 1; ; polls++) {
      const status = await this.mediaStatus(ctx, mediaId);
      if (status === 'succeeded') {
        ctx.log({ step: 'prepare', message: `Pinterest processed the video (${polls} status checks).` });
        return;
      }
      if (status === 'failed')
        throw new PlatformError(
          'permanent',
          'Pinterest could not process the video; use an MP4 or MOV between 4 seconds and 15 minutes.',
          'pinterest:media_failed',
        );
      if (polls >= maxPolls)
        throw new PlatformError(
          'transient',
          `Pinterest was still processing the video after ${Math.round(this.timing.pollTimeoutMs / 1000)} s; ` +
            'the next attempt picks it up.',
          'pinterest:media_slow',
        );
      await this.clock.sleep(this.timing.pollIntervalMs, ctx.signal);
    }
  }

  /** The pin as sent; `lookup` matches the board's pins against the same fields. */
  private async pinBody(ctx: AttemptContext): Promise<Record<string, unknown>> {
    const options = pinOptions(ctx.options);
    const first = ctx.media[0]!;
    let mediaSource: Record<string, unknown>;
    if (isVideo(first)) {
      const mediaId = text(ctx.state.mediaId);
      if (!mediaId)
        throw new PlatformError(
          'transient',
          'No processed Pinterest video was prepared for this attempt.',
          'pinterest:no_video',
        );
      // The cover: Pinterest's frame at the first second (no separate image to host).
      mediaSource = { source_type: 'video_id', media_id: mediaId, cover_image_key_frame_time: 1 };
    } else if (ctx.media.length > 1) {
      mediaSource = { source_type: 'multiple_image_urls', items: ctx.media.map((m) => ({ url: m.url })) };
    } else {
      mediaSource = { source_type: 'image_url', url: first.url };
    }
    const altText = first.altText.trim()
      ? [...first.altText.trim()].slice(0, PINTEREST_LIMITS.altText).join('')
      : undefined;
    return {
      board_id: text(ctx.state.boardId) ?? this.board(ctx),
      ...(options.title ? { title: options.title } : {}),
      ...(ctx.caption.trim() ? { description: ctx.caption } : {}),
      ...(options.link ? { link: options.link } : {}),
      ...(altText ? { alt_text: altText } : {}),
      media_source: mediaSource,
    };
  }

  async send(ctx: AttemptContext): Promise<void> {
    const { data } = await this.call(ctx, 'send', {
      method: 'POST',
      path: '/pins',
      json: await this.pinBody(ctx),
      publishing: true,
    });
    const pinId = text(record(data)?.id);
    if (!pinId)
      throw new PlatformError(
        'unknown_outcome',
        'Pinterest accepted the pin without giving its id; Herald checks the board.',
        'pinterest:no_id',
      );
    ctx.save({ pinId });
  }

  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const pinId = text(ctx.state.pinId);
    if (!pinId)
      throw new PlatformError('unknown_outcome', 'No Pinterest pin id was saved for this attempt.', 'pinterest:no_id');
    return { externalId: pinId, permalink: pinUrl(pinId) };
  }

  /**
   * After a lost create (docs/platforms/pinterest.md#lookup-after-a-lost-response): the board's
   * newest pins, matched by title, description and link and created since the send. No match is
   * proof of absence only once the settle time has passed, as a new pin may show a moment late.
   */
  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    const saved = text(ctx.state.pinId);
    if (saved) return { status: 'published', externalId: saved, permalink: pinUrl(saved) };
    const boardId = text(ctx.state.boardId);
    if (!boardId) return { status: 'absent', reason: 'the attempt stopped before a board was chosen' };
    let wanted: Record<string, unknown>;
    try {
      wanted = await this.pinBody(ctx);
    } catch (err) {
      return { status: 'unknown', reason: (err as Error).message };
    }
    const since = (ctx.sentAt ?? ctx.now()) - CLOCK_SKEW_MS;
    const matches: string[] = [];
    try {
      let bookmark: string | undefined;
      pages: for (let page = 0; page < LOOKUP_PAGES; page++) {
        const { data } = await this.call(
          ctx,
          'lookup',
          { path: `/boards/${boardId}/pins`, query: { page_size: 25, bookmark } },
          true,
        );
        const body = record(data);
        for (const item of Array.isArray(body?.items) ? body.items : []) {
          const pin = record(item);
          const created = Date.parse(text(pin?.created_at) ?? '');
          if (!Number.isNaN(created) && created < since) break pages;
          const same = (k: string) => (text(pin?.[k]) ?? null) === (text(wanted[k]) ?? null);
          if (same('title') && same('description') && same('link') && text(pin?.id)) matches.push(text(pin!.id)!);
        }
        bookmark = text(body?.bookmark);
        if (!bookmark) break;
      }
    } catch (err) {
      return { status: 'unknown', reason: `the board’s pins could not be read (${(err as Error).message})` };
    }
    if (matches.length > 1)
      return { status: 'unknown', reason: 'several recent pins on the board match this one; check it by hand' };
    if (matches.length === 1) return { status: 'published', externalId: matches[0]!, permalink: pinUrl(matches[0]!) };
    if (ctx.now() - (ctx.sentAt ?? 0) < this.timing.lookupSettleMs)
      return { status: 'unknown', reason: 'no matching pin on the board so far; Herald checks again shortly' };
    return { status: 'absent', reason: `no pin matching this post was created on board ${boardId}` };
  }
}
