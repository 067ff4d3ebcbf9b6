import { open, type FileHandle } from 'node:fs/promises';

export interface VideoInfo {
  width: number | null;
  height: number | null;
  durationMs: number | null;
}

/** A file whose box structure Herald will not walk (built to exhaust the reader, or not an MP4). */
export class VideoStructureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VideoStructureError';
  }
}

/**
 * Boxes visited at most, at every level together. Real files have a handful at the top (ftyp, moov,
 * mdat, free; a few thousand moof/mdat pairs when fragmented, and then moov comes first) and a
 * few dozen inside moov; a file of millions of tiny boxes is made to keep a reader busy.
 */
export const MAX_BOXES = 10_000;
/** Box headers are read from windows this large, so small boxes do not cost one read each. */
const WINDOW = 64 * 1024;
/** Enough for a version-1 tkhd (the larger of the two bodies read). */
const BODY_BYTES = 96;

/** Reads a file through a window, only where asked: skipped boxes (mdat) are never read. */
class WindowedFile {
  private buf = Buffer.alloc(WINDOW);
  private start = 0;
  private length = 0;
  constructor(private readonly handle: FileHandle) {}

  /** Up to `n` bytes at `offset` (fewer at the end of the file), valid until the next call. */
  async bytes(offset: number, n: number): Promise<Buffer> {
    if (offset < this.start || offset + n > this.start + this.length) {
      const { bytesRead } = await this.handle.read(this.buf, 0, WINDOW, offset);
      this.start = offset;
      this.length = bytesRead;
    }
    const from = offset - this.start;
    return this.buf.subarray(from, Math.min(from + n, this.length));
  }
}

/**
 * Reads duration and frame size from an MP4/MOV file's `moov` box (ISO/IEC 14496-12), wherever
 * the box sits in the file. Walks only the boxes on the way to mvhd (duration) and each track's
 * tkhd (frame size), seeks over everything else, stops once moov has been read, and refuses a file
 * with more than MAX_BOXES boxes before it gets there. Returns nulls for what it cannot find.
 */
export async function readVideoInfo(path: string): Promise<VideoInfo> {
  const handle = await open(path, 'r');
  const info: VideoInfo = { width: null, height: null, durationMs: null };
  try {
    const size = (await handle.stat()).size;
    const file = new WindowedFile(handle);
    let visited = 0;

    /** Walks the boxes in [start, end); true once moov has been read (nothing more to find). */
    const walk = async (start: number, end: number, depth: number): Promise<boolean> => {
      let offset = start;
      while (offset + 8 <= end) {
        if (++visited > MAX_BOXES) {
          const limit = MAX_BOXES.toLocaleString('en-US');
          throw new VideoStructureError(`The video has more than ${limit} boxes before its header; it cannot be read.`);
        }
        const header = await file.bytes(offset, 16);
        if (header.length < 8) return false;
        let boxSize = header.readUInt32BE(0);
        const type = header.toString('latin1', 4, 8);
        let headerSize = 8;
        if (boxSize === 1) {
          if (header.length < 16) return false;
          boxSize = Number(header.readBigUInt64BE(8));
          headerSize = 16;
        } else if (boxSize === 0) {
          boxSize = end - offset;
        }
        if (boxSize < headerSize) return false;
        const bodyStart = offset + headerSize;
        const bodyEnd = Math.min(offset + boxSize, end);
        const body = () => file.bytes(bodyStart, Math.min(BODY_BYTES, bodyEnd - bodyStart));
        if (type === 'moov' && depth === 0) {
          await walk(bodyStart, bodyEnd, depth + 1);
          return true;
        }
        // moov > trak > tkhd is as deep as the facts we read go; nothing deeper is entered.
        if (type === 'trak' && depth === 1) await walk(bodyStart, bodyEnd, depth + 1);
        else if (type === 'mvhd' && depth === 1) readMvhd(await body());
        else if (type === 'tkhd' && depth === 2) readTkhd(await body());
        offset += boxSize;
      }
      return false;
    };

    const readMvhd = (body: Buffer): void => {
      const v1 = body[0] === 1;
      if (body.length < (v1 ? 32 : 20)) return;
      const timescale = v1 ? body.readUInt32BE(20) : body.readUInt32BE(12);
      const duration = v1 ? Number(body.readBigUInt64BE(24)) : body.readUInt32BE(16);
      if (timescale > 0) info.durationMs = Math.round((duration / timescale) * 1000);
    };

    const readTkhd = (body: Buffer): void => {
      // width and height are the last two 16.16 fixed-point fields: 76/80 (v0) or 88/92 (v1).
      const base = body[0] === 1 ? 88 : 76;
      if (body.length < base + 8) return;
      const width = body.readUInt32BE(base) / 65536;
      const height = body.readUInt32BE(base + 4) / 65536;
      if (width > 0 && height > 0 && info.width === null) {
        info.width = Math.round(width);
        info.height = Math.round(height);
      }
    };

    await walk(0, size, 0);
  } finally {
    await handle.close();
  }
  return info;
}
