// Videos on a YouTube channel (docs/platforms/youtube.md#publishing): the checks and the video
// resource (prepare); the resumable upload, its session URI saved before a byte is sent and the
// video id the moment YouTube gives it (send); processing followed through videos.list (confirm);
// and, after a lost answer, the session asked where it stands or the channel's uploads searched
// (lookup). An interrupted upload resumes from the byte YouTube reports, never from zero.
import { open } from 'node:fs/promises';
import { systemClock, type Clock } from '../../lib/clock.js';
import { PlatformError, type AttemptContext, type LookupResult, type Publisher, type PublishResult } from '../types.js';
import { CHUNK_UNIT, type UploadState, type YouTubeApi, type YouTubeVideo } from './youtube-api.js';
import { checkYouTubePost, isShort, optionsOf, videoResource, YOUTUBE } from './youtube-video.js';

export interface YouTubePublisherOptions {
  /** Bytes per PUT; rounded down to a multiple of 256 KiB. */
  readonly chunkBytes: number;
  /** Status checks and resumes after a failed chunk, within one send. */
  readonly resumeTries: number;
  readonly resumeWaitMs: number;
  readonly pollIntervalMs: number;
  readonly confirmTimeoutMs: number;
  /** Allowed difference between Herald's clock and YouTube's `publishedAt`. */
  readonly clockSkewMs: number;
  /** How long after the last chunk a video missing from the uploads is believed absent. */
  readonly absentAfterMs: number;
}

export const DEFAULT_YOUTUBE_OPTIONS: YouTubePublisherOptions = {
  chunkBytes: 32 * CHUNK_UNIT,
  resumeTries: 5,
  resumeWaitMs: 5_000,
  pollIntervalMs: 15_000,
  confirmTimeoutMs: 30 * 60_000,
  clockSkewMs: 5 * 60_000,
  absentAfterMs: 10 * 60_000,
};

interface Plan {
  readonly video: Record<string, unknown>;
  readonly title: string;
  readonly size: number;
  readonly mime: string;
  readonly path: string;
  readonly privacy: string;
}

function plan(ctx: AttemptContext): Plan | null {
  const p = ctx.state.youtube as Plan | undefined;
  return p && typeof p.size === 'number' ? p : null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export const PRIVATE_LOCK_NOTE =
  'YouTube keeps videos uploaded through an unaudited Google Cloud project private; ' +
  'publish them by hand in YouTube Studio, or have the project audited (see the README, "Connecting YouTube").';

export class YouTubePublisher implements Publisher {
  readonly platform = YOUTUBE;
  private readonly options: YouTubePublisherOptions;

  constructor(
    private readonly api: YouTubeApi,
    options: Partial<YouTubePublisherOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    const merged = { ...DEFAULT_YOUTUBE_OPTIONS, ...options };
    this.options = {
      ...merged,
      chunkBytes: Math.max(CHUNK_UNIT, merged.chunkBytes - (merged.chunkBytes % CHUNK_UNIT)),
    };
  }

  async prepare(ctx: AttemptContext): Promise<void> {
    const options = optionsOf(ctx.options);
    if (!options)
      throw new PlatformError(
        'permanent',
        'The YouTube fields of this post are not valid; edit the post.',
        'invalid_post',
      );
    const problems = checkYouTubePost(ctx.caption, ctx.media, ctx.options);
    if (problems)
      throw new PlatformError(
        'permanent',
        `YouTube would refuse this video: ${Object.values(problems).flat().join(' ')}`,
        'invalid_post',
      );
    const media = ctx.media[0]!;
    const video = videoResource(ctx.caption, options);
    const title = (video.snippet as { title: string }).title;
    // An earlier attempt's session for the same file is carried over: this send resumes it.
    const prev = (ctx.state.previous ?? {}) as Record<string, unknown>;
    const prevPlan = (prev.youtube ?? {}) as Partial<Plan>;
    const resume =
      str(prev.uploadSession) && prevPlan.size === media.size && prevPlan.path === media.path
        ? { uploadSession: prev.uploadSession, uploadStartedAt: prev.uploadStartedAt ?? null }
        : {};
    ctx.save({
      step: 'prepared',
      youtube: { video, title, size: media.size, mime: media.mime, path: media.path, privacy: options.privacy },
      ...resume,
    });
    // No API flag: YouTube makes a Short of a square or vertical video of at most 3 minutes.
    const kind = isShort(media) ? 'a Short (vertical, at most 3 minutes)' : 'a regular video';
    ctx.log({ step: 'prepare', message: `YouTube video "${title}" checked: ${kind}, ${media.size} bytes.` });
  }

  /**
   * Starts the session (or reuses the saved one, asking it where it stands) and sends the rest in
   * chunks. A chunk that fails is followed by a status check; the upload goes on from the byte
   * YouTube reports. The video exists only once the last byte is in.
   */
  async send(ctx: AttemptContext): Promise<void> {
    const p = plan(ctx);
    if (!p) throw new PlatformError('transient', 'The video was not prepared; nothing was sent.', 'not_prepared');
    const token = ctx.account.accessToken;
    let session = str(ctx.state.uploadSession);
    let state: UploadState;
    if (session) {
      state = await this.api.probe(token, session, p.size, ctx.signal);
      if (state.status === 'expired') {
        if (ctx.state.finalChunkSent)
          throw new PlatformError(
            'unknown_outcome',
            'The YouTube upload session expired after its last bytes were sent; Herald checks the channel first.',
            'session_expired',
          );
        session = null;
      } else ctx.log({ step: 'send', message: this.where(state, p.size) });
    } else state = { status: 'incomplete', received: 0 };
    if (!session) {
      session = await this.api.startUpload(token, p.video, p.size, p.mime, ctx.signal);
      ctx.save({ uploadSession: session, uploadStartedAt: ctx.now() });
      state = { status: 'incomplete', received: 0 };
      ctx.log({ step: 'send', message: 'YouTube upload session opened.' });
    }
    const file = await open(p.path, 'r');
    try {
      let failures = 0;
      while (state.status === 'incomplete') {
        const first = state.received;
        const length = Math.min(this.options.chunkBytes, p.size - first);
        const chunk = new Uint8Array(length);
        const { bytesRead } = await file.read(chunk, 0, length, first);
        if (bytesRead !== length)
          throw new PlatformError('permanent', 'The video file is shorter than when it was checked.', 'file_changed');
        const final = first + length === p.size;
        if (final) ctx.save({ finalChunkSent: true });
        try {
          state = await this.api.putChunk(token, session, chunk, first, p.size, ctx.signal);
          failures = 0;
        } catch (err) {
          if (!(err instanceof PlatformError) || !['transient', 'unknown_outcome'].includes(err.kind)) throw err;
          if (++failures > this.options.resumeTries) throw this.unclear(err, final);
          ctx.log({
            step: 'send',
            level: 'warn',
            message: `A chunk failed (${err.message}); asking YouTube where it stands.`,
          });
          await this.clock.sleep(this.options.resumeWaitMs * 2 ** (failures - 1), ctx.signal);
          try {
            state = await this.api.probe(token, session, p.size, ctx.signal);
          } catch (probeErr) {
            throw this.unclear(probeErr, final);
          }
          if (state.status === 'expired') throw this.unclear(err, final);
          ctx.log({ step: 'send', message: this.where(state, p.size) });
        }
      }
      if (state.status === 'done') this.saveVideo(ctx, state.video);
    } finally {
      await file.close();
    }
  }

  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const id = str(ctx.state.videoId);
    if (!id) throw new PlatformError('unknown_outcome', 'No YouTube video id was saved for this post.', 'no_video_id');
    const deadline = this.clock.now() + this.options.confirmTimeoutMs;
    let last = 'no answer yet';
    for (;;) {
      let wait = this.options.pollIntervalMs;
      try {
        const video = await this.video(ctx, id);
        if (!video) throw new PlatformError('permanent', 'YouTube no longer has the uploaded video.', 'video_gone');
        const settled = this.settled(video);
        if (settled) return settled;
        const now = video.processingDetails?.processingStatus ?? video.status?.uploadStatus ?? 'processing';
        if (now !== last) ctx.log({ step: 'confirm', message: `YouTube is processing the video (${now}).` });
        last = now;
      } catch (err) {
        if (!(err instanceof PlatformError) || err.kind === 'auth' || err.kind === 'permanent') throw err;
        if (err.kind === 'rate_limited') wait = Math.max(wait, err.retryAfterMs ?? wait);
        last = err.message;
      }
      if (this.clock.now() + wait > deadline)
        throw new PlatformError(
          'transient',
          `YouTube has not finished processing the video yet (${last}); Herald keeps checking.`,
          'still_processing',
        );
      await this.clock.sleep(wait, ctx.signal);
    }
  }

  /**
   * After a lost answer: the saved video id, else the session's own status (a finished upload
   * repeats its answer), else the channel's uploads matched by title and time.
   */
  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    const p = plan(ctx);
    try {
      let id = str(ctx.state.videoId);
      const session = str(ctx.state.uploadSession);
      if (!id && session && p) {
        const state = await this.api.probe(ctx.account.accessToken, session, p.size, ctx.signal);
        if (state.status === 'done') id = this.saveVideo(ctx, state.video);
        else if (state.status === 'incomplete')
          return {
            status: 'absent',
            reason:
              `YouTube holds ${state.received} of ${p.size} bytes and creates the video only with the last; ` +
              'the next send resumes the same upload.',
          };
        else if (!ctx.state.finalChunkSent)
          return { status: 'absent', reason: 'The upload session expired before its last bytes; no video was made.' };
      }
      if (!id) {
        if (!session) return { status: 'absent', reason: 'No upload session was opened, so nothing was sent.' };
        const found = await this.search(ctx, p!);
        if (typeof found !== 'string') return found;
        id = found;
        ctx.save({ videoId: id });
        ctx.log({
          step: 'lookup',
          message: 'Found the video on the channel after the lost answer; not uploaded again.',
        });
      }
      const video = await this.video(ctx, id);
      if (!video) return { status: 'absent', reason: `YouTube has no video ${id} (deleted).` };
      const settled = this.settled(video);
      if (settled) return { status: 'published', ...settled };
      return { status: 'pending', reason: 'YouTube is still processing the video.' };
    } catch (err) {
      if (err instanceof PlatformError && err.kind === 'permanent' && err.code !== 'video_gone')
        return { status: 'failed', error: err };
      return { status: 'unknown', reason: `YouTube did not report on the video: ${(err as Error).message}` };
    }
  }

  private saveVideo(ctx: AttemptContext, video: YouTubeVideo): string {
    const id = video.id!;
    ctx.save({ step: 'sent', videoId: id });
    const p = plan(ctx);
    ctx.log({ step: 'send', level: 'ok', message: `YouTube received the whole video (${id}).` });
    if (p && p.privacy !== 'private' && video.status?.privacyStatus === 'private')
      ctx.log({ step: 'send', level: 'warn', message: PRIVATE_LOCK_NOTE });
    return id;
  }

  /** The final word, or null while processing; failures and rejections throw. */
  private settled(video: YouTubeVideo): PublishResult | null {
    const s = video.status ?? {};
    if (s.uploadStatus === 'failed')
      throw new PlatformError(
        'permanent',
        `YouTube could not process the video (${s.failureReason ?? 'failed'}).`,
        'failed',
      );
    if (s.uploadStatus === 'rejected')
      throw new PlatformError(
        'permanent',
        `YouTube rejected the video (${s.rejectionReason ?? 'rejected'}).`,
        'rejected',
      );
    if (s.uploadStatus === 'deleted')
      throw new PlatformError('permanent', 'The video was deleted on YouTube.', 'deleted');
    const processing = video.processingDetails?.processingStatus;
    if (processing === 'failed' || processing === 'terminated')
      throw new PlatformError(
        'permanent',
        `YouTube could not process the video (${video.processingDetails?.processingFailureReason ?? processing}).`,
        'processing_failed',
      );
    if (s.uploadStatus !== 'processed' && processing !== 'succeeded') return null;
    return { externalId: video.id!, permalink: `https://www.youtube.com/watch?v=${video.id}` };
  }

  private async video(ctx: AttemptContext, id: string): Promise<YouTubeVideo | null> {
    const reply = await this.api.list<{ items?: YouTubeVideo[] }>(
      ctx.account.accessToken,
      'videos',
      { id, part: 'status,processingDetails' },
      ctx.signal,
    );
    return reply.items?.[0] ?? null;
  }

  /** The channel's uploads playlist, newest first: a video with this title published since the session opened. */
  private async search(ctx: AttemptContext, p: Plan): Promise<string | LookupResult> {
    const startedAt = typeof ctx.state.uploadStartedAt === 'number' ? ctx.state.uploadStartedAt : ctx.sentAt;
    if (startedAt === null) return { status: 'unknown', reason: 'Herald does not know when the upload started.' };
    const playlist = str(ctx.account.platformData.uploadsPlaylist);
    if (!playlist) return { status: 'unknown', reason: 'The channel’s uploads list is not known; reconnect YouTube.' };
    const reply = await this.api.list<{
      items?: { snippet?: { title?: string; publishedAt?: string; resourceId?: { videoId?: string } } }[];
    }>(
      ctx.account.accessToken,
      'playlistItems',
      { part: 'snippet', playlistId: playlist, maxResults: '50' },
      ctx.signal,
    );
    const since = startedAt - this.options.clockSkewMs;
    const match = (reply.items ?? []).find(
      (i) =>
        i.snippet?.title === p.title &&
        Date.parse(i.snippet.publishedAt ?? '') >= since &&
        i.snippet.resourceId?.videoId,
    );
    if (match) return match.snippet!.resourceId!.videoId!;
    if (ctx.now() - startedAt < this.options.absentAfterMs)
      return {
        status: 'unknown',
        reason: 'The channel does not list the video yet; too soon to be sure it is absent.',
      };
    return { status: 'absent', reason: 'The channel has no upload with this title since the session opened.' };
  }

  private where(state: UploadState, size: number): string {
    if (state.status === 'incomplete') return `YouTube holds ${state.received} of ${size} bytes; resuming from there.`;
    return state.status === 'done' ? 'YouTube already has the whole video.' : 'The upload session expired.';
  }

  /** Once the last chunk may have arrived, an unclear failure may have created the video. */
  private unclear(err: unknown, final: boolean): PlatformError {
    const message = err instanceof Error ? err.message : String(err);
    if (final)
      return new PlatformError(
        'unknown_outcome',
        `The end of the upload went unanswered: ${message}`,
        'upload_unclear',
      );
    // Bytes short of the end create nothing; the saved session lets the next send resume.
    return new PlatformError(
      'transient',
      `The upload stopped part way (${message}); it resumes from there.`,
      'upload_stopped',
    );
  }
}
