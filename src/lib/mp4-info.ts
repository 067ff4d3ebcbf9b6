import { open, type FileHandle } from 'node:fs/promises';

export interface VideoInfo {
  width: number | null;
  height: number | null;
  durationMs: number | null;
  /** Frames per second of the video track (its sample count over its media duration), when it says. */
  frameRate: number | null;
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
/**
 * `stts` entries read at most, over the whole file: a constant-rate video has one, a variable-rate
 * hour at 60 fps a few hundred thousand; past this the frame rate is left unknown rather than read
 * for seconds.
 */
const MAX_STTS_ENTRIES = 1_000_000;
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

/** What one `trak` says about its samples, gathered while walking it. */
interface TrackFacts {
  /** `hdlr` handler type: `vide` for video, `soun` for sound. */
  handler: string | null;
  /** `mdhd` timescale: ticks per second of the track's sample times. */
  timescale: number;
  /** From `stts`: how many samples, and how many ticks they last together. */
  samples: number;
  ticks: number;
}

/**
 * Reads duration, frame size and frame rate from an MP4/MOV file's `moov` box (ISO/IEC 14496-12),
 * wherever the box sits in the file. Walks only the boxes on the way to mvhd (duration), each
 * track's tkhd (frame size) and its mdia > mdhd, hdlr and minf > stbl > stts (frame rate: samples
 * over the track's duration in its own timescale), seeks over everything else, stops once moov has
 * been read, and refuses a file with more than MAX_BOXES boxes before it gets there. Returns nulls
 * for what it cannot find.
 */
export async function readVideoInfo(path: string): Promise<VideoInfo> {
  const handle = await open(path, 'r');
  const info: VideoInfo = { width: null, height: null, durationMs: null, frameRate: null };
  let track: TrackFacts | null = null;
  let sttsBudget = MAX_STTS_ENTRIES;
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
        // moov > trak > mdia > minf > stbl > stts is as deep as the facts we read go.
        if (type === 'trak' && depth === 1) {
          track = { handler: null, timescale: 0, samples: 0, ticks: 0 };
          await walk(bodyStart, bodyEnd, depth + 1);
          readFrameRate(track);
          track = null;
        } else if (type === 'mvhd' && depth === 1) readMvhd(await body());
        else if (type === 'tkhd' && depth === 2) readTkhd(await body());
        else if (
          (type === 'mdia' && depth === 2) ||
          (type === 'minf' && depth === 3) ||
          (type === 'stbl' && depth === 4)
        )
          await walk(bodyStart, bodyEnd, depth + 1);
        else if (type === 'mdhd' && depth === 3) readMdhd(await body());
        else if (type === 'hdlr' && depth === 3) readHdlr(await body());
        else if (type === 'stts' && depth === 5) await readStts(bodyStart, bodyEnd);
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

    const readMdhd = (body: Buffer): void => {
      // version 1 has 64-bit creation and modification times before the timescale.
      const at = body[0] === 1 ? 20 : 12;
      if (track && body.length >= at + 4) track.timescale = body.readUInt32BE(at);
    };

    const readHdlr = (body: Buffer): void => {
      // version/flags, pre_defined, then the four-letter handler type.
      if (track && body.length >= 12) track.handler = body.toString('latin1', 8, 12);
    };

    /** `stts`: entry_count pairs of (sample_count, sample_delta), summed; read entry by entry through the window. */
    const readStts = async (start: number, end: number): Promise<void> => {
      // Only the first video track's table is summed (hdlr comes before minf inside mdia).
      if (!track || info.frameRate !== null || (track.handler !== null && track.handler !== 'vide')) return;
      const head = await file.bytes(start, 8);
      if (head.length < 8) return;
      const count = Math.min(head.readUInt32BE(4), Math.floor((end - start - 8) / 8));
      if (count > sttsBudget) {
        sttsBudget = 0;
        return;
      }
      sttsBudget -= count;
      let samples = 0;
      let ticks = 0;
      for (let i = 0; i < count; i++) {
        const entry = await file.bytes(start + 8 + i * 8, 8);
        if (entry.length < 8) break;
        const n = entry.readUInt32BE(0);
        samples += n;
        ticks += n * entry.readUInt32BE(4);
      }
      track.samples = samples;
      track.ticks = ticks;
    };

    /** The first video track's rate; a track without a handler counts as video when it has a frame size. */
    const readFrameRate = (t: TrackFacts): void => {
      if (info.frameRate !== null || t.timescale <= 0 || t.samples <= 0 || t.ticks <= 0) return;
      if (t.handler !== null && t.handler !== 'vide') return;
      info.frameRate = Math.round(((t.samples * t.timescale) / t.ticks) * 1000) / 1000;
    };

    await walk(0, size, 0);
  } finally {
    await handle.close();
  }
  return info;
}
