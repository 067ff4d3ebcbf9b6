// Facebook's three-call video upload for Reels and video Stories (docs/platforms/meta-surfaces.md#the-video-upload):
// `upload_phase=start` on the Page's edge, the file's bytes to the returned rupload URL, and a status read.
// Nothing of this is public: only the edge's `finish` (the publisher's send) publishes.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Clock } from '../../lib/clock.js';
import { describeRequest, httpRequest, NetworkError, type HttpResponse } from '../http.js';
import { PlatformError, type AttemptContext } from '../types.js';
import { record, text, type GraphClient } from './graph.js';

/** The Page edges that take a video this way. */
export type VideoEdge = 'video_reels' | 'video_stories';

export interface VideoUploadOptions {
  /** One rupload request (the whole file). */
  readonly uploadTimeoutMs: number;
  /** Between status reads while Facebook takes in or publishes the video. */
  readonly pollIntervalMs: number;
  readonly pollTimeoutMs: number;
}

/** `GET /{video-id}?fields=status`, read without trusting its shape. */
export interface VideoStatus {
  /** `ready`, `processing`, `upload_complete`, `expired`, `error`. */
  readonly videoStatus: string | null;
  readonly uploading: string | null;
  /** Bytes Facebook holds: the next upload starts there. */
  readonly bytesTransferred: number;
  readonly processing: string | null;
  readonly publishing: string | null;
  /** `published` or `not_published`. */
  readonly publishStatus: string | null;
  /** Facebook's words when processing failed ("Resolution too low…"). */
  readonly error: string | null;
}

/** Uploads that fail this many times in one prepare leave it to the next attempt. */
const MAX_UPLOAD_TRIES = 4;

function phase(value: unknown): Record<string, unknown> | null {
  return record(value);
}

function errorText(p: Record<string, unknown> | null): string | null {
  if (!p) return null;
  const single = text(record(p.error)?.message);
  if (single) return single;
  const list = Array.isArray(p.errors) ? p.errors : [];
  return text(record(list[0])?.message) ?? null;
}

export function parseVideoStatus(data: unknown): VideoStatus {
  const status = record(record(data)?.status);
  const uploading = phase(status?.uploading_phase);
  const processing = phase(status?.processing_phase);
  const publishing = phase(status?.publishing_phase);
  // Meta's page spells it `bytes_transfered`; live answers say `bytes_transferred`.
  const bytes = uploading?.bytes_transferred ?? uploading?.bytes_transfered;
  return {
    videoStatus: text(status?.video_status) ?? null,
    uploading: text(uploading?.status) ?? null,
    bytesTransferred: typeof bytes === 'number' ? bytes : Number(text(bytes) ?? 0) || 0,
    processing: text(processing?.status) ?? null,
    publishing: text(publishing?.status) ?? null,
    publishStatus: text(publishing?.publish_status) ?? null,
    error: errorText(processing) ?? errorText(publishing),
  };
}

export class FbVideoUpload {
  constructor(
    private readonly graph: GraphClient,
    private readonly options: VideoUploadOptions,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts a session on `edge` (or goes on with this attempt's own, unfinished one), uploads the
   * file and waits until Facebook has all of it. Each id is saved the moment it is known. A new
   * attempt never reuses an earlier attempt's session: its state starts with only `previous`.
   */
  async prepare(ctx: AttemptContext, edge: VideoEdge): Promise<string> {
    const video = ctx.media[0];
    if (!video) throw new PlatformError('permanent', 'A Facebook Reel or Story needs a video.', 'meta:no_media');
    if (ctx.state.uploaded === true && text(ctx.state.videoId)) return text(ctx.state.videoId)!;
    let videoId = ctx.state.videoEdge === edge ? text(ctx.state.videoId) : undefined;
    let uploadUrl = ctx.state.videoEdge === edge ? text(ctx.state.uploadUrl) : undefined;
    let offset = 0;
    if (videoId && uploadUrl) {
      offset = (await this.status(ctx, videoId)).bytesTransferred;
    } else {
      const { data } = await this.graph.forAttempt(ctx, 'facebook', 'prepare', {
        method: 'POST',
        path: `/${ctx.account.externalId}/${edge}`,
        params: { upload_phase: 'start' },
      });
      videoId = text(record(data)?.video_id);
      uploadUrl = text(record(data)?.upload_url);
      if (!videoId || !uploadUrl)
        throw new PlatformError('transient', 'Facebook started a video upload without its id or URL.', 'meta:no_id');
      ctx.save({ step: 'upload_started', videoEdge: edge, videoId, uploadUrl });
    }
    await this.upload(ctx, videoId, uploadUrl, video.path, offset);
    await this.waitUploaded(ctx, videoId);
    ctx.save({ step: 'uploaded', uploaded: true });
    return videoId;
  }

  /** The local file's bytes from `offset` on, resumed where Facebook says it is after an offset error. */
  private async upload(
    ctx: AttemptContext,
    videoId: string,
    uploadUrl: string,
    path: string,
    from: number,
  ): Promise<void> {
    if (!this.graph.isUploadHost(uploadUrl))
      throw new PlatformError(
        'permanent',
        `Facebook gave an upload address on an unexpected host (${new URL(uploadUrl).host}); nothing was sent.`,
        'meta:upload_host',
      );
    const size = (await stat(path)).size;
    let offset = from;
    for (let tries = 1; offset < size; tries++) {
      const outcome = await this.send(ctx, uploadUrl, path, offset, size);
      if (outcome === 'done') return;
      if (tries >= MAX_UPLOAD_TRIES)
        throw new PlatformError(
          'transient',
          `The video upload to Facebook did not complete after ${tries} tries (${outcome}); nothing was published.`,
          'meta:upload_incomplete',
        );
      // A lost answer: the same request again; Facebook says so if it already holds more bytes.
      if (outcome !== 'OffsetInvalidError') continue;
      // The server's count is the truth (docs/platforms/meta-surfaces.md#the-video-upload).
      const held = (await this.status(ctx, videoId)).bytesTransferred;
      ctx.log({
        step: 'upload',
        level: 'warn',
        message: `Facebook holds ${held} of ${size} bytes; the upload goes on from there.`,
        code: outcome,
      });
      offset = held;
    }
  }

  /** One rupload request: 'done', or why it did not complete. */
  private async send(ctx: AttemptContext, url: string, path: string, offset: number, size: number): Promise<string> {
    // Streamed from disk with its length declared: a Reel can be hundreds of megabytes.
    const length = size - offset;
    const stream = Readable.toWeb(createReadStream(path, { start: offset })) as unknown as ReadableStream<Uint8Array>;
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method: 'POST',
        body: stream,
        headers: {
          // rupload takes `OAuth`, not `Bearer` (docs/platforms/meta-surfaces.md#the-video-upload).
          authorization: `OAuth ${ctx.account.accessToken}`,
          offset: String(offset),
          file_size: String(size),
          'content-type': 'application/octet-stream',
          'content-length': String(length),
        },
        signal: ctx.signal,
        timeoutMs: this.options.uploadTimeoutMs,
      });
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      return `no answer: ${err.message}`;
    }
    ctx.log({
      step: 'upload',
      message: `Facebook's upload host answered ${res.status} (${length} bytes from ${offset}).`,
      request: describeRequest('POST', url),
      durationMs: res.durationMs,
    });
    const body = record(res.json);
    if (res.status >= 200 && res.status < 300 && body?.success === true) return 'done';
    const info = record(body?.debug_info);
    const type = text(info?.type) ?? `HTTP ${res.status}`;
    if (type === 'OffsetInvalidError' || type === 'ProcessingFailedError' || res.status >= 500) return type;
    throw new PlatformError(
      'permanent',
      `Facebook refused the video upload (${type}: ${text(info?.message) ?? 'no details'}).`,
      `meta:rupload_${type}`,
    );
  }

  /** Until Facebook has the whole file (`uploading_phase` complete, or the video ready). */
  private async waitUploaded(ctx: AttemptContext, videoId: string): Promise<void> {
    const maxPolls = Math.max(1, Math.ceil(this.options.pollTimeoutMs / this.options.pollIntervalMs));
    for (let polls = 1; ; polls++) {
      const s = await this.status(ctx, videoId);
      if (s.videoStatus === 'error' || s.uploading === 'error')
        throw new PlatformError(
          'permanent',
          `Facebook could not take the video: ${s.error ?? 'upload error'}.`,
          'meta:video_error',
        );
      if (s.uploading === 'complete' || s.videoStatus === 'upload_complete' || s.videoStatus === 'ready') return;
      if (polls >= maxPolls)
        throw new PlatformError(
          'transient',
          'Facebook had not taken in the whole video in time; nothing was published.',
          'meta:upload_slow',
        );
      await this.clock.sleep(this.options.pollIntervalMs, ctx.signal);
    }
  }

  async status(ctx: AttemptContext, videoId: string): Promise<VideoStatus> {
    const { data } = await this.graph.forAttempt(
      ctx,
      'facebook',
      'poll',
      { path: `/${videoId}`, params: { fields: 'status' } },
      true,
    );
    return parseVideoStatus(data);
  }
}
