import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface VideoInfo {
  width: number | null;
  height: number | null;
  durationMs: number | null;
}

// Boxes we descend into to reach mvhd (duration) and each track's tkhd (size).
const CONTAINERS = new Set(['moov', 'trak']);

/**
 * Reads duration and frame size from an MP4/MOV file's `moov` box (ISO/IEC 14496-12), wherever
 * the box sits in the file. Returns nulls for what it cannot find rather than failing the upload.
 */
export function readVideoInfo(path: string): VideoInfo {
  const fd = openSync(path, 'r');
  const info: VideoInfo = { width: null, height: null, durationMs: null };
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(16);

    const walk = (start: number, end: number, depth: number): void => {
      let offset = start;
      while (offset + 8 <= end && depth < 6) {
        readSync(fd, header, 0, 16, offset);
        let boxSize = header.readUInt32BE(0);
        const type = header.toString('latin1', 4, 8);
        let headerSize = 8;
        if (boxSize === 1) {
          boxSize = Number(header.readBigUInt64BE(8));
          headerSize = 16;
        } else if (boxSize === 0) {
          boxSize = end - offset;
        }
        if (boxSize < headerSize) return;
        const bodyStart = offset + headerSize;
        const bodyEnd = Math.min(offset + boxSize, end);
        if (CONTAINERS.has(type)) walk(bodyStart, bodyEnd, depth + 1);
        else if (type === 'mvhd') readMvhd(bodyStart);
        else if (type === 'tkhd') readTkhd(bodyStart);
        offset += boxSize;
      }
    };

    const readMvhd = (at: number): void => {
      const body = Buffer.alloc(32);
      readSync(fd, body, 0, 32, at);
      const version = body[0];
      const timescale = version === 1 ? body.readUInt32BE(20) : body.readUInt32BE(12);
      const duration = version === 1 ? Number(body.readBigUInt64BE(24)) : body.readUInt32BE(16);
      if (timescale > 0) info.durationMs = Math.round((duration / timescale) * 1000);
    };

    const readTkhd = (at: number): void => {
      const body = Buffer.alloc(96);
      readSync(fd, body, 0, 96, at);
      // width and height are the last two 16.16 fixed-point fields: 76/80 (v0) or 88/92 (v1).
      const base = body[0] === 1 ? 88 : 76;
      const width = body.readUInt32BE(base) / 65536;
      const height = body.readUInt32BE(base + 4) / 65536;
      if (width > 0 && height > 0 && info.width === null) {
        info.width = Math.round(width);
        info.height = Math.round(height);
      }
    };

    walk(0, size, 0);
  } finally {
    closeSync(fd);
  }
  return info;
}
