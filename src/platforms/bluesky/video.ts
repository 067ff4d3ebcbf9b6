// Videos go through Bluesky's video service, not the PDS: a service token from the account's PDS,
// the MP4 streamed to `app.bsky.video.uploadVideo`, then the processing job polled until it names
// the blob the video service stored on the PDS (docs/platforms/bluesky.md#video,
// https://docs.bsky.app/docs/tutorials/video). The job id and the blob are saved as soon as they
// are known, so a later attempt resumes the job or reuses the blob instead of uploading again.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { Clock } from '../../lib/clock.js';
import { PlatformError, type AttemptContext, type PublishMedia } from '../types.js';
import { blueskyError } from './errors.js';
import type { BlueskySettings } from './settings.js';
import { xrpc, XrpcFailure } from './xrpc.js';

export interface BlobRef {
  readonly $type: 'blob';
  readonly ref: { readonly $link: string };
  readonly mimeType: string;
  readonly size: number;
}

/** What is saved under `blueskyVideo` while a video is processed. */
interface SavedVideo {
  readonly mediaId: string;
  readonly jobId?: string;
  readonly blob?: BlobRef;
}

interface JobStatus {
  readonly jobId?: string;
  readonly state?: string;
  readonly blob?: BlobRef;
  readonly failureCode?: string;
  readonly error?: string;
  readonly message?: string;
}

export interface VideoDeps {
  readonly settings: BlueskySettings;
  readonly clock: Clock;
  /** `com.atproto.server.getServiceAuth` on the account's PDS, signed in (the publisher renews the session). */
  serviceAuth(ctx: AttemptContext, aud: string, lxm: string, exp: number): Promise<string>;
}

/** When the daily allowance is used up, the next try is an hour away (the service names no reset time). */
const DAILY_LIMIT_WAIT_MS = 60 * 60_000;

/** Plain words for the lexicon's failure codes (app.bsky.video.defs#jobStatus). */
const FAILURES: Record<string, string> = {
  validation_failure: 'Bluesky’s video service did not accept this file as a video',
  encoding_failure: 'Bluesky’s video service could not convert this video; export it again as an ordinary MP4',
  pds_upload_failure: 'Bluesky’s video service processed the video but could not store it on the account’s server',
  pds_upload_unsupported_blob_size: 'the account’s Bluesky server does not take a video this large',
  generic_failure: 'Bluesky’s video service failed to process this video',
};

/** `did:web:<host>`, a port written `%3A` as the method requires (https://w3c-ccg.github.io/did-method-web/). */
export function didWebOf(serviceUrl: string): string {
  return `did:web:${encodeURIComponent(new URL(serviceUrl).host)}`;
}

/** The lexicon wraps the status in `jobStatus`; some answers carry its fields at the top level: both are read. */
function jobStatusOf(data: unknown): JobStatus {
  const body = (data ?? {}) as Record<string, unknown>;
  const inner = body.jobStatus;
  const status = (typeof inner === 'object' && inner !== null ? inner : body) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const blob = status.blob as BlobRef | undefined;
  const jobId = text(status.jobId);
  const state = text(status.state);
  const failureCode = text(status.failureCode);
  const error = text(status.error);
  const message = text(status.message);
  return {
    ...(jobId ? { jobId } : {}),
    ...(state ? { state } : {}),
    ...(blob?.$type === 'blob' && typeof blob.ref?.$link === 'string' ? { blob } : {}),
    ...(failureCode ? { failureCode } : {}),
    ...(error ? { error } : {}),
    ...(message ? { message } : {}),
  };
}

export class BlueskyVideo {
  constructor(private readonly deps: VideoDeps) {}

  /** The processed video's blob, from the saved state when an earlier attempt got that far. */
  async blobFor(ctx: AttemptContext, did: string, pds: string, media: PublishMedia): Promise<BlobRef> {
    const saved = ctx.state.blueskyVideo as SavedVideo | undefined;
    const mine = saved?.mediaId === media.id ? saved : undefined;
    if (mine?.blob) return mine.blob;
    if (mine?.jobId) {
      const resumed = await this.status(ctx, mine.jobId, true);
      if (resumed) {
        ctx.log({ step: 'prepare', message: `Bluesky video job ${mine.jobId} resumed; the video is not sent again.` });
        return this.wait(ctx, media, mine.jobId, resumed);
      }
    }
    await this.checkLimits(ctx, pds, media);
    // For uploadBlob on the account's own PDS, which the video service presents when it stores the
    // processed video there; 30 minutes, as the tutorial recommends.
    const exp = Math.floor(this.deps.clock.now() / 1000) + 30 * 60;
    const token = await this.token(ctx, pds, didWebOf(pds), 'com.atproto.repo.uploadBlob', exp);
    const first = await this.upload(ctx, did, media, token);
    if (!first.jobId) {
      if (first.blob) return this.keep(ctx, media, undefined, first.blob);
      throw new PlatformError('transient', 'Bluesky’s video service took the video without a job id.', 'no_job');
    }
    ctx.save({ blueskyVideo: { mediaId: media.id, jobId: first.jobId } satisfies SavedVideo });
    return this.wait(ctx, media, first.jobId, first);
  }

  /** `getUploadLimits` with a token for the video service itself: refused accounts and used-up days stop here. */
  private async checkLimits(ctx: AttemptContext, pds: string, media: PublishMedia): Promise<void> {
    const { settings, clock } = this.deps;
    const exp = Math.floor(clock.now() / 1000) + 60;
    const token = await this.token(ctx, pds, didWebOf(settings.videoServiceUrl), 'app.bsky.video.getUploadLimits', exp);
    let limits: Record<string, unknown>;
    try {
      const reply = await xrpc<Record<string, unknown>>(
        settings.videoServiceUrl,
        { method: 'GET', nsid: 'app.bsky.video.getUploadLimits', token, signal: ctx.signal },
        settings.requestTimeoutMs,
      );
      limits = reply.data;
    } catch (err) {
      throw this.serviceError(err, 'checking the account’s video limits');
    }
    const why = [limits.message, limits.error].filter((v) => typeof v === 'string' && v).join(': ');
    if (limits.canUpload === false)
      throw new PlatformError(
        'permanent',
        `Bluesky does not let this account upload videos${why ? ` (${why})` : ''}. Bluesky accounts need a ` +
          'verified email address to post videos.',
        'video_not_allowed',
      );
    const videos = limits.remainingDailyVideos;
    const bytes = limits.remainingDailyBytes;
    if ((typeof videos === 'number' && videos < 1) || (typeof bytes === 'number' && bytes < media.size))
      throw new PlatformError(
        'rate_limited',
        'This Bluesky account has used up its videos for today; Herald tries again later.',
        'video_daily_limit',
        { retryAfterMs: DAILY_LIMIT_WAIT_MS, scope: 'account' },
      );
  }

  /** A service token from the account's PDS. A PDS that will not issue one cannot take videos this way. */
  private async token(ctx: AttemptContext, pds: string, aud: string, lxm: string, exp: number): Promise<string> {
    try {
      return await this.deps.serviceAuth(ctx, aud, lxm, exp);
    } catch (err) {
      if (err instanceof PlatformError && err.kind === 'permanent')
        throw new PlatformError(
          'permanent',
          `The account’s Bluesky server (${new URL(pds).host}) would not give Herald the permission ` +
            `Bluesky’s video service needs, so videos cannot be posted for this account (${err.message})`,
          'service_auth_refused',
        );
      throw err;
    }
  }

  /** `uploadVideo?did=&name=` with the service token, the file streamed from disk. */
  private async upload(ctx: AttemptContext, did: string, media: PublishMedia, token: string): Promise<JobStatus> {
    const { settings } = this.deps;
    const size = (await stat(media.path)).size;
    const stream = Readable.toWeb(createReadStream(media.path)) as unknown as ReadableStream<Uint8Array>;
    try {
      const reply = await xrpc(
        settings.videoServiceUrl,
        {
          method: 'POST',
          nsid: 'app.bsky.video.uploadVideo',
          query: { did, name: basename(media.path) },
          token,
          body: { bytes: stream, contentType: 'video/mp4', length: size },
          signal: ctx.signal,
        },
        // At least a megabyte a second on top of the usual wait.
        settings.requestTimeoutMs + Math.ceil(size / 1_000_000) * 1000,
      );
      ctx.log({
        step: 'prepare',
        message: 'Bluesky’s video service took the video.',
        request: reply.request,
        durationMs: reply.durationMs,
      });
      return jobStatusOf(reply.data);
    } catch (err) {
      throw this.serviceError(err, 'uploading the video');
    }
  }

  /** Polls getJobStatus on the Clock until a blob appears, the job fails, or this attempt's wait is over. */
  private async wait(ctx: AttemptContext, media: PublishMedia, jobId: string, first: JobStatus): Promise<BlobRef> {
    const { settings, clock } = this.deps;
    const deadline = clock.now() + settings.videoWaitMs;
    let status = first;
    for (;;) {
      if (status.blob) return this.keep(ctx, media, jobId, status.blob);
      if (status.state === 'JOB_STATE_FAILED') {
        // A failed job is over: the next attempt starts a new one.
        ctx.save({ blueskyVideo: { mediaId: media.id } satisfies SavedVideo });
        const words = FAILURES[status.failureCode ?? ''] ?? FAILURES.generic_failure!;
        const detail = status.error ?? status.message;
        throw new PlatformError(
          'permanent',
          `${words}${detail ? ` (Bluesky said: ${detail})` : ''}.`,
          status.failureCode ?? 'video_failed',
        );
      }
      if (clock.now() >= deadline)
        throw new PlatformError(
          'transient',
          `Bluesky is still processing the video (${status.state ?? 'no state yet'}); Herald checks again later.`,
          'video_processing',
        );
      await clock.sleep(settings.videoPollIntervalMs, ctx.signal);
      status = (await this.status(ctx, jobId, false))!;
    }
  }

  /**
   * `getJobStatus?jobId=` (no sign-in). When resuming a saved job the service no longer knows, null:
   * the video is uploaded afresh.
   */
  private async status(ctx: AttemptContext, jobId: string, resuming: boolean): Promise<JobStatus | null> {
    const { settings } = this.deps;
    try {
      const reply = await xrpc(
        settings.videoServiceUrl,
        { method: 'GET', nsid: 'app.bsky.video.getJobStatus', query: { jobId }, signal: ctx.signal },
        settings.requestTimeoutMs,
      );
      return jobStatusOf(reply.data);
    } catch (err) {
      if (resuming && err instanceof XrpcFailure && (err.status === 400 || err.status === 404)) return null;
      throw this.serviceError(err, 'asking about the video');
    }
  }

  private keep(ctx: AttemptContext, media: PublishMedia, jobId: string | undefined, blob: BlobRef): BlobRef {
    ctx.save({ blueskyVideo: { mediaId: media.id, ...(jobId ? { jobId } : {}), blob } satisfies SavedVideo });
    ctx.log({ step: 'prepare', message: 'Bluesky’s video service has processed the video.' });
    return blob;
  }

  /**
   * Nothing is posted before putRecord, so every failure here is at most transient. A service token
   * the video service refuses says nothing about the account's session: refused, not "reconnect".
   */
  private serviceError(err: unknown, doing: string): PlatformError {
    const e = blueskyError(err, { sent: false, now: this.deps.clock.now() });
    const kind = e.kind === 'auth' ? 'permanent' : e.kind;
    return new PlatformError(kind, `Bluesky’s video service failed while ${doing}: ${e.message}`, e.code, {
      ...e.options,
    });
  }
}
