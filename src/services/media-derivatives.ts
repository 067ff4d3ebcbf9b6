import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MediaRow } from '../db/repos/index.js';
import { firstFrame, probeFfmpeg, type FfmpegStatus } from '../lib/ffmpeg.js';
import { randomSecret } from '../lib/ids.js';
import type { ServiceDeps } from './deps.js';

/** The library grid's thumbnails: 480 px on the longer side, WebP. */
const THUMB_PX = 480;
const POSTER_TIMEOUT_MS = 20_000;
const MAX_POSTERS_AT_ONCE = 2;

// sharp (libvips) costs ~30 MB of memory once loaded; load it on the first image, not at start.
let sharpModule: Promise<typeof import('sharp')> | undefined;
export async function loadSharp(): Promise<typeof import('sharp').default> {
  sharpModule ??= import('sharp');
  return (await sharpModule).default;
}

/**
 * What the library shows for a file, made beside the upload: a thumbnail of each image, and a
 * video's first frame (with ffmpeg, when it is installed) with a thumbnail of that.
 */
export function mediaDerivatives(deps: ServiceDeps) {
  const { repos, config } = deps;

  // Checked once per process: the answer does not change while Herald runs.
  let ffmpeg: Promise<FfmpegStatus> | undefined;
  function ffmpegStatus(): Promise<FfmpegStatus> {
    ffmpeg ??= probeFfmpeg(config.ffmpegPath);
    return ffmpeg;
  }

  /** A 480 px WebP of an image (or of a video's poster); libvips works off the event loop. */
  async function thumbnail(source: string): Promise<string> {
    const thumbKey = `${randomSecret(24)}.webp`;
    const target = join(config.mediaDir, thumbKey);
    const sharp = await loadSharp();
    await sharp(source)
      .autoOrient()
      .resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toFile(`${target}.partial`);
    renameSync(`${target}.partial`, target);
    return thumbKey;
  }

  // At most this many ffmpeg processes at once, however many videos arrive together.
  let postersRunning = 0;
  const posterQueue: Array<() => void> = [];
  async function posterSlot<T>(work: () => Promise<T>): Promise<T> {
    if (postersRunning >= MAX_POSTERS_AT_ONCE) await new Promise<void>((resolve) => posterQueue.push(resolve));
    postersRunning++;
    try {
      return await work();
    } finally {
      postersRunning--;
      posterQueue.shift()?.();
    }
  }

  /** A video's first frame as JPEG, when ffmpeg is here; else the row says why there is none. */
  async function poster(row: MediaRow): Promise<Partial<MediaRow>> {
    const status = await ffmpegStatus();
    if (!status.available) return { posterStatus: 'no_ffmpeg' };
    return posterSlot(() => firstFramePoster(row, status));
  }

  async function firstFramePoster(row: MediaRow, status: FfmpegStatus): Promise<Partial<MediaRow>> {
    const posterKey = `${randomSecret(24)}.jpg`;
    // A name the maintenance job sweeps if the process dies half-way.
    const temp = join(config.mediaDir, `.upload-${randomSecret(12)}.jpg`);
    try {
      await firstFrame(status.path, join(config.mediaDir, row.key), temp, POSTER_TIMEOUT_MS);
      renameSync(temp, join(config.mediaDir, posterKey));
    } catch (err) {
      rmSync(temp, { force: true });
      deps.log.warn({ mediaId: row.id, err: (err as Error).message.slice(0, 300) }, 'video poster failed');
      return { posterStatus: 'failed' };
    }
    const thumbKey = await thumbnail(join(config.mediaDir, posterKey)).catch(() => null);
    return { posterKey, posterStatus: 'made', thumbKey };
  }

  /** Makes what the library shows for a file: a thumbnail for images, a poster (+ thumbnail) for videos. */
  async function derive(id: string): Promise<void> {
    const row = repos.media.get(id);
    if (!row) return;
    // Made already (an earlier run): nothing to do, so a second call never leaves a stray file.
    const video = row.mime.startsWith('video/');
    const done = video
      ? row.posterStatus === 'made' || row.posterStatus === 'failed'
      : row.thumbKey && existsSync(join(config.mediaDir, row.thumbKey));
    if (done) return;
    let patch: Partial<MediaRow>;
    if (video) patch = await poster(row);
    else {
      try {
        patch = { thumbKey: await thumbnail(join(config.mediaDir, row.key)) };
      } catch (err) {
        deps.log.warn({ mediaId: id, err: (err as Error).message.slice(0, 300) }, 'thumbnail failed');
        return;
      }
    }
    // Deleted meanwhile: the new files belong to nobody.
    if (!repos.media.get(id)) {
      for (const key of [patch.thumbKey, patch.posterKey]) if (key) rmSync(join(config.mediaDir, key), { force: true });
      return;
    }
    repos.media.update(id, patch);
  }

  const deriving = new Map<string, Promise<void>>();
  /** Starts (or joins) the derivation of a file; never rejects. */
  function derived(id: string): Promise<void> {
    let running = deriving.get(id);
    if (!running) {
      running = derive(id)
        .catch((err: unknown) => deps.log.warn({ mediaId: id, err }, 'media derivation failed'))
        .finally(() => deriving.delete(id));
      deriving.set(id, running);
    }
    return running;
  }

  return {
    ffmpegStatus,
    derived,
    /** Resolves once every thumbnail and poster being made has been written (or given up): for shutting down. */
    async settled(): Promise<void> {
      while (deriving.size) await Promise.all(deriving.values());
    },
    /**
     * Files uploaded before thumbnails existed get theirs when the library first shows them, in
     * the background; so do videos that came while ffmpeg was missing, once it is installed.
     */
    backfill(rows: readonly MediaRow[]): void {
      for (const row of rows) if (!row.mime.startsWith('video/') && !row.thumbKey) void derived(row.id);
      const videos = rows.filter((r) => r.mime.startsWith('video/') && ['none', 'no_ffmpeg'].includes(r.posterStatus));
      if (videos.length)
        void ffmpegStatus().then((status) => {
          for (const row of videos) if (row.posterStatus === 'none' || status.available) void derived(row.id);
        });
    },
  };
}
