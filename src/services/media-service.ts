import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaError,
  ValidationError,
} from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { MediaRow, Page } from '../db/repos/index.js';
import type { MediaUse } from '../db/repos/media-repo.js';
import { MAX_PAGE_SIZE } from '../db/repos/pagination.js';
import { newId, randomSecret } from '../lib/ids.js';
import { EXTENSIONS, SNIFF_BYTES, sniffMime, type MediaMime } from '../lib/media-sniff.js';
import { readVideoInfo, VideoStructureError } from '../lib/mp4-info.js';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { editOf, recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { loadSharp, mediaDerivatives } from './media-derivatives.js';
import type { Scope } from './posts-service.js';
import { authorize } from './access.js';

const MiB = 1024 * 1024;

/** Upload caps by kind. Each platform's own, lower limits are checked when a post uses the file. */
export const MAX_IMAGE_BYTES = 20 * MiB;
const MAX_VIDEO_BYTES = 1024 * MiB;
export const MAX_UPLOAD_BYTES = MAX_VIDEO_BYTES;

const mediaPatchSchema = z
  .object({
    name: z.string().trim().min(1, 'is required').max(255, 'must be at most 255 characters'),
    altText: z.string().trim().max(1000, 'must be at most 1000 characters'),
  })
  .partial()
  .strict();

export interface StagedFile {
  readonly tempPath: string;
  readonly mime: MediaMime;
  readonly size: number;
  readonly sha256: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly durationMs: number | null;
  readonly frameRate: number | null;
}

export interface IngestOptions {
  clientId: string;
  originalName?: string | null;
  source?: MediaRow['source'];
  altText?: string;
  /** Who uploads (the audit trail); Herald's own files (AI images) are the system's. */
  actor?: Actor;
}

export function mediaService(deps: ServiceDeps) {
  const { repos, clock, config } = deps;
  const derivatives = mediaDerivatives(deps);

  function load(id: string, scope: Scope = {}): MediaRow {
    const row = repos.media.get(id);
    if (!row || (scope.clientId && row.clientId !== scope.clientId)) throw new NotFoundError('Media');
    return row;
  }

  async function describe(
    path: string,
    mime: MediaMime,
  ): Promise<Pick<MediaRow, 'width' | 'height' | 'durationMs' | 'frameRate'>> {
    if (mime.startsWith('video/')) {
      try {
        return await readVideoInfo(path);
      } catch (err) {
        if (err instanceof VideoStructureError) throw new UnsupportedMediaError(err.message);
        throw err;
      }
    }
    try {
      const sharp = await loadSharp();
      const meta = await sharp(path).metadata();
      // Phone photos store rotation in EXIF; platforms show them rotated, so count them that way.
      const oriented = meta.autoOrient ?? meta;
      return { width: oriented.width ?? null, height: oriented.height ?? null, durationMs: null, frameRate: null };
    } catch {
      throw new UnsupportedMediaError('The file looks like an image but cannot be read; it may be damaged.');
    }
  }

  /**
   * Streams a file to disk under a temporary name, recognising its type from the first bytes and
   * stopping as soon as it passes the cap for that type. The file is not yet media: `commit`
   * gives it an owner and an unguessable public key, `discard` throws it away.
   */
  async function stage(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<StagedFile> {
    const tempPath = join(config.mediaDir, `.upload-${randomSecret(12)}`);
    const out = createWriteStream(tempPath, { flags: 'wx' });
    const hash = createHash('sha256');
    let head = Buffer.alloc(0);
    let mime: MediaMime | null = null;
    let size = 0;
    try {
      for await (const chunk of chunks) {
        const buf = Buffer.from(chunk);
        size += buf.length;
        if (!mime) {
          head = Buffer.concat([head, buf]);
          if (head.length >= SNIFF_BYTES) {
            mime = sniffMime(head);
            if (!mime)
              throw new UnsupportedMediaError('Only JPEG, PNG and WebP images and MP4 videos can be uploaded.');
          }
        }
        const cap = mime?.startsWith('video/') ? MAX_VIDEO_BYTES : mime ? MAX_IMAGE_BYTES : MAX_UPLOAD_BYTES;
        if (size > cap)
          throw new PayloadTooLargeError(
            `The file is larger than ${Math.round(cap / MiB)} MB, the most Herald accepts for this type.`,
          );
        hash.update(buf);
        if (!out.write(buf)) await new Promise<void>((resolve) => out.once('drain', resolve));
      }
      if (!mime) mime = sniffMime(head);
      if (!mime)
        throw new UnsupportedMediaError(
          size === 0 ? 'The file is empty.' : 'Only JPEG, PNG and WebP images and MP4 videos can be uploaded.',
        );
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      // On disk before the row points at it; asynchronous, as a large file can take a while.
      const handle = await open(tempPath, 'r');
      await handle.sync().finally(() => handle.close());
      const facts = await describe(tempPath, mime);
      return { tempPath, mime, size, sha256: hash.digest('hex'), ...facts };
    } catch (err) {
      // Wait for the stream to close: it opens the file asynchronously, so removing it before
      // then would leave the file to appear afterwards.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()).destroy());
      rmSync(tempPath, { force: true });
      throw err;
    }
  }

  const jpegInProgress = new Map<string, Promise<string>>();

  async function toJpeg(row: MediaRow): Promise<string> {
    const jpegKey = `${randomSecret(24)}.jpg`;
    const target = join(config.mediaDir, jpegKey);
    const sharp = await loadSharp();
    await sharp(join(config.mediaDir, row.key))
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 90, mozjpeg: true })
      .toFile(`${target}.partial`);
    renameSync(`${target}.partial`, target);
    repos.media.update(row.id, { jpegKey });
    return jpegKey;
  }

  function discard(staged: StagedFile): void {
    rmSync(staged.tempPath, { force: true });
  }

  function commit(staged: StagedFile, options: IngestOptions): MediaRow {
    try {
      if (!options.clientId || !repos.clients.get(options.clientId))
        throw ValidationError.field('clientId', options.clientId ? 'no such client' : 'is required');
      const now = clock.now();
      const key = `${randomSecret(24)}.${EXTENSIONS[staged.mime]}`;
      renameSync(staged.tempPath, join(config.mediaDir, key));
      const row: MediaRow = {
        id: newId('med', now),
        clientId: options.clientId,
        key,
        mime: staged.mime,
        size: staged.size,
        width: staged.width,
        height: staged.height,
        durationMs: staged.durationMs,
        sha256: staged.sha256,
        originalName: options.originalName?.slice(0, 255) ?? null,
        source: options.source ?? 'upload',
        altText: options.altText?.slice(0, 1000) ?? '',
        jpegKey: null,
        name: (options.originalName?.slice(0, 255) ?? '') || defaultName(options.source ?? 'upload', staged.mime, now),
        thumbKey: null,
        posterKey: null,
        posterStatus: 'none',
        frameRate: staged.frameRate,
        createdAt: now,
        updatedAt: now,
      };
      deps.database.immediate(() => {
        repos.media.insert(row);
        recordAudit(deps, options.actor ?? SYSTEM, {
          kind: 'media.upload',
          clientId: row.clientId,
          targetId: row.id,
          summary: `Uploaded ${row.name} (${row.mime}, ${row.size} bytes)`,
          after: { name: row.name, altText: row.altText },
        });
      });
      // Thumbnail and poster are made beside the request, not in it; the upload page waits for
      // an image's thumbnail (quick), never for a video's poster.
      void derivatives.derived(row.id);
      return row;
    } catch (err) {
      discard(staged);
      throw err;
    }
  }

  return {
    get: load,
    stage,
    commit,
    discard,

    /** Stores a whole file for a client in one step (generated images, tests). */
    async ingest(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: IngestOptions): Promise<MediaRow> {
      return commit(await stage(chunks), options);
    },

    list(clientId: string, limit: number, cursor?: string): Page<MediaRow> {
      return repos.media.listByClient(clientId, Math.min(limit, MAX_PAGE_SIZE), cursor);
    },

    /** The library: a client's files, newest first, searched by name and alt text. */
    search(clientId: string, q: string, limit: number, cursor?: string, scope: Scope = {}): Page<MediaRow> {
      if (!repos.clients.get(clientId) || (scope.clientId && scope.clientId !== clientId))
        throw new NotFoundError('Client');
      return repos.media.search(clientId, q.trim().slice(0, 200), Math.min(limit, MAX_PAGE_SIZE), cursor);
    },

    /** Where each file is used (posts and post groups). */
    usage(ids: readonly string[]): Map<string, MediaUse[]> {
      return repos.media.usage(ids);
    },

    /** Changes the name the library shows and the alt text the networks get. */
    update(id: string, input: unknown, scope: Scope = {}, actor: Actor = SYSTEM): MediaRow {
      const before = load(id, scope);
      authorize(actor, 'content.write', before.clientId);
      const data = parseInput(mediaPatchSchema, input);
      deps.database.immediate(() => {
        repos.media.update(id, { ...data, updatedAt: clock.now() });
        const after = load(id);
        recordAudit(deps, actor, {
          kind: 'media.update',
          clientId: before.clientId,
          targetId: id,
          summary: `Edited ${after.name || id}`,
          ...editOf(before, after, ['name', 'altText']),
        });
      });
      return load(id);
    },

    /** Resolves once the file's thumbnail or poster is made (or given up); starts it if needed. */
    derived: derivatives.derived,
    backfill: derivatives.backfill,
    settled: derivatives.settled,
    ffmpegStatus: derivatives.ffmpegStatus,

    /** The public URL platforms fetch the file from. */
    url(key: string): string {
      return `${config.publicUrl}/media/${key}`;
    },

    /** The file behind a public key, or null; keys are only ever our own generated names. */
    fileOf(key: string): { row: MediaRow; path: string; mime: string } | null {
      if (!/^[A-Za-z0-9_-]{20,}\.(jpg|png|webp|mp4|mov)$/.test(key)) return null;
      const row = repos.media.byKey(key);
      if (!row) return null;
      const path = join(config.mediaDir, key);
      if (!existsSync(path)) return null;
      const mime =
        key === row.jpegKey || key === row.posterKey ? 'image/jpeg' : key === row.thumbKey ? 'image/webp' : row.mime;
      return { row, path, mime };
    },

    /**
     * A JPEG rendition for platforms that take nothing else (Instagram); made once and kept.
     * Returns the key to publish from.
     */
    jpegKeyFor(id: string): Promise<string> {
      const row = load(id);
      if (row.mime === 'image/jpeg') return Promise.resolve(row.key);
      if (!row.mime.startsWith('image/')) return Promise.resolve(row.key);
      if (row.jpegKey && existsSync(join(config.mediaDir, row.jpegKey))) return Promise.resolve(row.jpegKey);
      // One image going to two Instagram accounts at once is converted once.
      let converting = jpegInProgress.get(id);
      if (!converting) {
        converting = toJpeg(row).finally(() => jpegInProgress.delete(id));
        jpegInProgress.set(id, converting);
      }
      return converting;
    },

    /** Only an unused file goes; otherwise a conflict naming each post and group that uses it. */
    delete(id: string, scope: Scope = {}, actor: Actor = SYSTEM): void {
      const row = load(id, scope);
      authorize(actor, 'content.write', row.clientId);
      if (repos.media.isUsed(id)) {
        const uses = repos.media.usage([id]).get(id) ?? [];
        const names = uses.map((u) => (u.kind === 'group' ? `post group ${u.id}` : `post ${u.id} (${u.accountName})`));
        throw new ConflictError(
          `"${row.name || row.id}" is used by ${names.length ? names.join(', ') : 'a post'}; remove it there first.`,
          { usedBy: uses.map((u) => ({ kind: u.kind, id: u.id })) },
        );
      }
      deps.database.immediate(() => {
        repos.media.delete(id);
        recordAudit(deps, actor, {
          kind: 'media.delete',
          clientId: row.clientId,
          targetId: id,
          summary: `Deleted ${row.name || id}`,
        });
      });
      for (const key of [row.key, row.jpegKey, row.thumbKey, row.posterKey])
        if (key) rmSync(join(config.mediaDir, key), { force: true });
    },
  };
}
export type MediaService = ReturnType<typeof mediaService>;

/** The library's name for a file that came without one: `ai-2026-11-30.jpg`, `upload-2026-11-30.mp4`. */
function defaultName(source: 'upload' | 'ai', mime: string, now: number): string {
  const extension = EXTENSIONS[mime as keyof typeof EXTENSIONS] ?? 'bin';
  return `${source}-${new Date(now).toISOString().slice(0, 10)}.${extension}`;
}
