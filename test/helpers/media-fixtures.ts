import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/** A real JPEG/PNG/WebP of the given size, made with sharp. */
export async function makeImage(
  width: number,
  height: number,
  format: 'jpeg' | 'png' | 'webp' = 'jpeg',
): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 80, g: 70, b: 200 } } });
  return format === 'jpeg' ? img.jpeg().toBuffer() : format === 'png' ? img.png().toBuffer() : img.webp().toBuffer();
}

/** One ISO-BMFF box: a 32-bit size, the four-letter type, the body. */
export function mp4Box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(body.length + 8, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** The same box with a 64-bit size (size field 1, the real size after the type). */
function largeBox(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write(type, 4, 'latin1');
  header.writeBigUInt64BE(BigInt(body.length + 16), 8);
  return Buffer.concat([header, body]);
}

export interface Mp4Options {
  width?: number;
  height?: number;
  durationMs?: number;
  bytes?: number;
  moovLast?: boolean;
  /** mvhd and tkhd in their version-1 layout (64-bit times). */
  version1?: boolean;
  /** The mdat box with a 64-bit size. */
  largeMdat?: boolean;
  /**
   * Frames per second: adds the track's mdia (mdhd timescale, hdlr `vide`, minf > stbl > stts) so
   * the rate can be read; without it the file says nothing about its frame rate.
   */
  frameRate?: number;
}

/** trak > mdia for a video track at `fps`: timescale fps × 1000, one stts entry of 1000-tick samples. */
function videoMedia(fps: number, durationMs: number): Buffer {
  const timescale = Math.round(fps * 1000);
  const samples = Math.round((durationMs / 1000) * fps);
  const mdhd = Buffer.alloc(24);
  mdhd.writeUInt32BE(timescale, 12);
  mdhd.writeUInt32BE(samples * 1000, 16);
  const hdlr = Buffer.alloc(25);
  hdlr.write('vide', 8, 'latin1');
  const stts = Buffer.alloc(16);
  stts.writeUInt32BE(1, 4); // entry_count
  stts.writeUInt32BE(samples, 8);
  stts.writeUInt32BE(1000, 12);
  const stbl = mp4Box('stbl', mp4Box('stts', stts));
  return mp4Box('mdia', mp4Box('mdhd', mdhd), mp4Box('hdlr', hdlr), mp4Box('minf', stbl));
}

/**
 * A structurally valid MP4 (ftyp, moov with mvhd and a video tkhd, mdat padding) carrying the
 * given duration and frame size. Nothing decodes it; it is what our parser and the platform
 * fakes need.
 */
export function makeMp4(options: Mp4Options = {}): Buffer {
  const { width = 1080, height = 1920, durationMs = 8000, bytes = 64 * 1024, moovLast = false } = options;
  const { version1 = false } = options;
  const brands = Buffer.from('isomiso2avc1mp41', 'latin1');
  const ftyp = mp4Box('ftyp', Buffer.from('isom', 'latin1'), Buffer.from([0, 0, 2, 0]), brands);
  let mvhd: Buffer;
  let tkhd: Buffer;
  if (version1) {
    mvhd = Buffer.alloc(112);
    mvhd.writeUInt32BE(0x01000000, 0); // version 1 + flags
    mvhd.writeUInt32BE(1000, 20); // timescale after two 64-bit times
    mvhd.writeBigUInt64BE(BigInt(durationMs), 24);
    tkhd = Buffer.alloc(96);
    tkhd.writeUInt32BE(0x01000003, 0);
    tkhd.writeUInt32BE(1, 20); // track id
    tkhd.writeBigUInt64BE(BigInt(durationMs), 28);
    tkhd.writeUInt32BE(width * 65536, 88);
    tkhd.writeUInt32BE(height * 65536, 92);
  } else {
    mvhd = Buffer.alloc(100);
    mvhd.writeUInt32BE(0, 0); // version 0 + flags
    mvhd.writeUInt32BE(1000, 12); // timescale
    mvhd.writeUInt32BE(durationMs, 16); // duration
    tkhd = Buffer.alloc(84);
    tkhd.writeUInt32BE(3, 0); // version 0, flags enabled|in_movie
    tkhd.writeUInt32BE(1, 12); // track id
    tkhd.writeUInt32BE(durationMs, 20);
    tkhd.writeUInt32BE(width * 65536, 76);
    tkhd.writeUInt32BE(height * 65536, 80);
  }
  const media = options.frameRate ? [videoMedia(options.frameRate, durationMs)] : [];
  const moov = mp4Box('moov', mp4Box('mvhd', mvhd), mp4Box('trak', mp4Box('tkhd', tkhd), ...media));
  const headerSize = options.largeMdat ? 16 : 8;
  const padding = Buffer.alloc(Math.max(0, bytes - ftyp.length - moov.length - headerSize), 0x11);
  const mdat = options.largeMdat ? largeBox('mdat', padding) : mp4Box('mdat', padding);
  return moovLast ? Buffer.concat([ftyp, mdat, moov]) : Buffer.concat([ftyp, moov, mdat]);
}

/** A plain file server standing in for Herald's public media URLs, which the fakes download from. */
export interface FileHost {
  url: string;
  close(): Promise<void>;
}

export async function startFileHost(
  files: Record<string, [mime: string, body: Buffer]>,
  redirects: Record<string, string> = {},
): Promise<FileHost> {
  const server = createServer((req, res) => {
    const to = redirects[req.url ?? ''];
    if (to) return void res.writeHead(302, { location: to }).end();
    const file = files[req.url ?? ''];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0], 'content-length': file[1].length }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
