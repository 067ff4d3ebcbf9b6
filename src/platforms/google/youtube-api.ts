// The HTTP side of YouTube: Data API reads (`/youtube/v3`) and the resumable upload protocol
// (`/upload/youtube/v3`), each call's quota cost counted first (docs/platforms/youtube.md#quota).
// Nothing here logs tokens or session URIs' query strings.
import { parseRetryAfter } from '../../lib/backoff.js';
import { httpRequest, NetworkError, type HttpResponse } from '../http.js';
import type { PlatformError } from '../types.js';
import { networkFailure } from './api.js';
import type { GoogleSettings } from './settings.js';
import { parseYouTubeError, youtubeError } from './youtube-errors.js';
import { YOUTUBE_COSTS, type YouTubeQuota } from './youtube-quota.js';

/** Every non-final chunk is a multiple of this (docs/platforms/youtube.md#resumable-upload). */
export const CHUNK_UNIT = 256 * 1024;

/** A video resource as YouTube returns it (the fields Herald reads). */
export interface YouTubeVideo {
  readonly id?: string;
  readonly snippet?: { title?: string; publishedAt?: string; description?: string };
  readonly status?: {
    uploadStatus?: string;
    privacyStatus?: string;
    failureReason?: string;
    rejectionReason?: string;
    publishAt?: string;
  };
  readonly processingDetails?: { processingStatus?: string; processingFailureReason?: string };
}

/** Where an upload session stands: bytes 0…received-1 are on YouTube, or the video exists. */
export type UploadState =
  | { readonly status: 'incomplete'; readonly received: number }
  | { readonly status: 'done'; readonly video: YouTubeVideo }
  | { readonly status: 'expired' };

export class YouTubeApi {
  constructor(
    private readonly settings: GoogleSettings,
    readonly quota: YouTubeQuota,
    private readonly options: { readonly timeoutMs: number; readonly now: () => number },
  ) {}

  /** A Data API read (`GET /youtube/v3/<path>`), 1 unit. */
  async list<T>(token: string, path: string, query: Record<string, string>, signal?: AbortSignal): Promise<T> {
    this.quota.spend(YOUTUBE_COSTS.list);
    const res = await this.request(`${this.settings.youtubeUrl}/youtube/v3/${path}`, false, {
      method: 'GET',
      query,
      headers: { authorization: `Bearer ${token}` },
      ...(signal ? { signal } : {}),
    });
    if (res.status === 200 && res.json !== null) return res.json as T;
    throw this.failure(res, false);
  }

  /**
   * A YouTube Analytics report (`GET {analytics}/v2/reports`,
   * https://developers.google.com/youtube/analytics/reference/reports/query). Its quota is the
   * Analytics API's own, not the Data API units.
   */
  async report<T>(token: string, query: Record<string, string>, signal?: AbortSignal): Promise<T> {
    const res = await this.request(`${this.settings.youtubeAnalyticsUrl}/v2/reports`, false, {
      method: 'GET',
      query,
      headers: { authorization: `Bearer ${token}` },
      ...(signal ? { signal } : {}),
    });
    if (res.status === 200 && res.json !== null) return res.json as T;
    throw this.failure(res, false);
  }

  /**
   * Starts a resumable upload session (`POST /upload/youtube/v3/videos?uploadType=resumable`): the
   * metadata now, the bytes later. Its cost is the insert's; the answer's `Location` is the session URI.
   */
  async startUpload(
    token: string,
    video: Record<string, unknown>,
    size: number,
    mime: string,
    signal?: AbortSignal,
  ): Promise<string> {
    this.quota.spend(YOUTUBE_COSTS.insert);
    const res = await this.request(`${this.settings.youtubeUrl}/upload/youtube/v3/videos`, false, {
      method: 'POST',
      query: { uploadType: 'resumable', part: 'snippet,status' },
      json: video,
      headers: {
        authorization: `Bearer ${token}`,
        'x-upload-content-length': String(size),
        'x-upload-content-type': mime,
      },
      ...(signal ? { signal } : {}),
    });
    const location = res.headers.get('location');
    if (res.status === 200 && location) return new URL(location, this.settings.youtubeUrl).toString();
    throw this.failure(res, false);
  }

  /** `PUT {session}` with bytes first…first+chunk.length-1 of total. */
  async putChunk(
    token: string,
    session: string,
    chunk: Uint8Array,
    first: number,
    total: number,
    signal?: AbortSignal,
  ): Promise<UploadState> {
    const last = first + chunk.length - 1;
    const res = await this.request(session, last === total - 1, {
      method: 'PUT',
      body: chunk,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-range': `bytes ${first}-${last}/${total}`,
      },
      ...(signal ? { signal } : {}),
    });
    return this.uploadState(res, last === total - 1);
  }

  /**
   * Asks the session where it stands (`PUT` with `Content-Range: bytes *\/total` and no body): 308
   * with the bytes received, the final answer again when the upload completed, 404 once expired.
   */
  async probe(token: string, session: string, total: number, signal?: AbortSignal): Promise<UploadState> {
    const res = await this.request(session, false, {
      method: 'PUT',
      body: new Uint8Array(0),
      headers: { authorization: `Bearer ${token}`, 'content-range': `bytes */${total}` },
      ...(signal ? { signal } : {}),
    });
    if (res.status === 404 || res.status === 410) return { status: 'expired' };
    return this.uploadState(res, false);
  }

  private uploadState(res: HttpResponse, final: boolean): UploadState {
    if (res.status === 308) {
      // `Range: bytes=0-N` when N+1 bytes arrived; no header when none did.
      const m = /^bytes=0-(\d+)$/.exec(res.headers.get('range') ?? '');
      return { status: 'incomplete', received: m ? Number(m[1]) + 1 : 0 };
    }
    if ((res.status === 200 || res.status === 201) && res.json !== null) {
      const video = res.json as YouTubeVideo;
      if (video.id) return { status: 'done', video };
    }
    throw this.failure(res, final);
  }

  private failure(res: HttpResponse, sent: boolean): PlatformError {
    const err = parseYouTubeError(res.status, res.json);
    if (err.reason === 'quotaExceeded') this.quota.exhaust();
    const retry = parseRetryAfter(res.headers.get('retry-after'), this.options.now());
    return youtubeError(err, sent, retry);
  }

  private async request(
    url: string,
    sends: boolean,
    init: Omit<Parameters<typeof httpRequest>[1], 'timeoutMs'>,
  ): Promise<HttpResponse> {
    try {
      return await httpRequest(url, { ...init, timeoutMs: this.options.timeoutMs });
    } catch (err) {
      if (err instanceof NetworkError) throw networkFailure(err, sends);
      throw err;
    }
  }
}
