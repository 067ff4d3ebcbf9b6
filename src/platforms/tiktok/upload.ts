// FILE_UPLOAD (docs/platforms/tiktok.md#chunked-upload): the chunk plan sent with video/init, and the
// sequential PUTs to upload_url.
import { open } from 'node:fs/promises';
import { describeRequest, NetworkError, type HttpResponse } from '../http.js';
import { PlatformError, type StepLog } from '../types.js';
import type { TikTokApi } from './api.js';

// TikTok says "5–64 MB" without saying which MB; each bound is taken in its stricter reading so a
// plan is valid under both: at least 5 MiB, at most 64,000,000 bytes. The last chunk absorbs the
// remainder and stays below 2 × 64,000,000 = the 128 MB cap on a final chunk.
export const MIN_CHUNK_BYTES = 5 * 1024 * 1024;
export const MAX_CHUNK_BYTES = 64_000_000;
/** Enough chunks that one lost chunk costs little, few enough that a big file is not 200 PUTs. */
const TARGET_CHUNKS = 64;

export interface ChunkPlan {
  readonly videoSize: number;
  readonly chunkSize: number;
  readonly totalChunkCount: number;
}

/**
 * Files under 5 MB are one chunk of their full size; larger ones use chunks of at least 5 MB and
 * at most 64 MB, and `total_chunk_count = floor(video_size / chunk_size)` with the remainder
 * merged into the last chunk (docs/platforms/tiktok.md#chunked-upload).
 */
export function chunkPlan(videoSize: number): ChunkPlan {
  if (videoSize < MIN_CHUNK_BYTES) return { videoSize, chunkSize: videoSize, totalChunkCount: 1 };
  const chunkSize = Math.min(
    MAX_CHUNK_BYTES,
    videoSize,
    Math.max(MIN_CHUNK_BYTES, Math.ceil(videoSize / TARGET_CHUNKS)),
  );
  return { videoSize, chunkSize, totalChunkCount: Math.floor(videoSize / chunkSize) };
}

/** Byte range of chunk `index` (inclusive), the last one running to the end of the file. */
export function chunkRange(plan: ChunkPlan, index: number): { first: number; last: number } {
  const first = index * plan.chunkSize;
  const last = index === plan.totalChunkCount - 1 ? plan.videoSize - 1 : first + plan.chunkSize - 1;
  return { first, last };
}

/**
 * After a 416, where to go on: TikTok's `Content-Range: bytes 0-{uploaded}/{total}` says what it
 * has. Returns the offset of the next chunk to send (videoSize when it has everything), or null
 * when that is not a chunk boundary we can resume from.
 */
export function resumeOffset(plan: ChunkPlan, contentRange: string | null): number | null {
  const m = /^bytes\s+0-(\d+)\/(\d+)$/.exec(contentRange?.trim() ?? '');
  if (!m || Number(m[2]) !== plan.videoSize) return null;
  const last = Number(m[1]);
  // "0-0" is how an upload with nothing received yet is reported as well.
  const next = last === 0 && plan.chunkSize > 1 ? 0 : last + 1;
  if (next >= plan.videoSize) return plan.videoSize;
  const index = next / plan.chunkSize;
  return Number.isInteger(index) && index < plan.totalChunkCount ? next : null;
}

export interface UploadJob {
  readonly api: TikTokApi;
  readonly uploadUrl: string;
  readonly path: string;
  readonly mime: string;
  readonly plan: ChunkPlan;
  readonly signal: AbortSignal;
  /** Extra tries of one chunk after a 5xx or a network failure. */
  readonly chunkRetries: number;
  readonly retryDelayMs: number;
  sleep(ms: number): Promise<void>;
  log(entry: StepLog): void;
}

const MiB = 1024 * 1024;

/**
 * PUTs the chunks in order (TikTok requires sequential upload). Once init has answered the
 * publish exists but cannot go out until every byte is in, so a failure before the last chunk
 * is "nothing was published" (transient/permanent); only an unclear answer to the last chunk is
 * an unknown outcome.
 */
export async function uploadChunks(job: UploadJob): Promise<void> {
  const { plan } = job;
  const file = await open(job.path, 'r');
  const started = performance.now();
  try {
    let index = 0;
    let troubles = 0;
    while (index < plan.totalChunkCount) {
      const { first, last } = chunkRange(plan, index);
      const isLast = index === plan.totalChunkCount - 1;
      const bytes = Buffer.alloc(last - first + 1);
      const { bytesRead } = await file.read(bytes, 0, bytes.length, first);
      if (bytesRead !== bytes.length)
        throw new PlatformError(
          'permanent',
          'The video file on disk is shorter than recorded; upload it again.',
          'file_truncated',
        );
      let res: HttpResponse | null = null;
      let failure = '';
      try {
        res = await job.api.put(
          job.uploadUrl,
          bytes,
          {
            'content-type': job.mime,
            'content-length': String(bytes.length),
            'content-range': `bytes ${first}-${last}/${plan.videoSize}`,
          },
          job.signal,
        );
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        failure = err.phase === 'timeout' ? 'no answer in time' : err.message;
      }
      const part = `part ${index + 1} of ${plan.totalChunkCount}`;
      if (res && (res.status === 201 || res.status === 206)) {
        // 201: TikTok has every byte and starts processing (docs/platforms/tiktok.md#chunked-upload).
        if (res.status === 201) break;
        index++;
        troubles = 0;
        continue;
      }
      if (res?.status === 416) {
        // Out of step (e.g. a chunk whose answer was lost did arrive): resume where TikTok is.
        const offset = resumeOffset(plan, res.headers.get('content-range'));
        if (offset === null || troubles > job.chunkRetries)
          throw new PlatformError(
            'transient',
            'The upload to TikTok got out of step; nothing was published and Herald will start over.',
            'upload_out_of_sync',
          );
        job.log({
          step: 'upload',
          level: 'warn',
          message: `TikTok already had ${offset} of ${plan.videoSize} bytes; resuming from there.`,
          code: '416',
        });
        if (offset >= plan.videoSize) break;
        index = offset / plan.chunkSize;
        troubles++;
        continue;
      }
      if (!res || res.status >= 500) {
        troubles++;
        const why = res ? `HTTP ${res.status}` : failure;
        if (troubles <= job.chunkRetries) {
          job.log({ step: 'upload', level: 'warn', message: `Sending ${part} failed (${why}); trying it again.` });
          await job.sleep(job.retryDelayMs * troubles);
          continue;
        }
        if (isLast) {
          throw new PlatformError(
            'unknown_outcome',
            `The last part of the video may not have reached TikTok (${why}); ` +
              'Herald checks TikTok before doing anything else.',
            res ? `upload_${res.status}` : 'upload_network',
          );
        }
        throw new PlatformError(
          'transient',
          `TikTok did not take ${part} of the video (${why}); nothing was published.`,
          res ? `upload_${res.status}` : 'upload_network',
        );
      }
      if (res.status === 403) {
        throw new PlatformError(
          'transient',
          "TikTok's upload link expired (it lasts one hour) before the whole video was sent; nothing was published.",
          'upload_url_expired',
        );
      }
      if (res.status === 404)
        throw new PlatformError(
          'transient',
          'TikTok no longer knows this upload; nothing was published.',
          'upload_not_found',
        );
      throw new PlatformError(
        'permanent',
        `TikTok refused ${part} of the video (HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 200)}` : ''}).`,
        `upload_${res.status}`,
      );
    }
    job.log({
      step: 'upload',
      level: 'info',
      message:
        `Uploaded the video to TikTok (${(plan.videoSize / MiB).toFixed(1)} MB in ${plan.totalChunkCount} ` +
        `part${plan.totalChunkCount === 1 ? '' : 's'}).`,
      request: describeRequest('PUT', job.uploadUrl),
      durationMs: Math.round(performance.now() - started),
    });
  } finally {
    await file.close();
  }
}
