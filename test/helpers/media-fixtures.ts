import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/** A real JPEG/PNG/WebP of the given size, made with sharp. */
export async function makeImage(width: number, height: number, format: 'jpeg' | 'png' | 'webp' = 'jpeg'): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 80, g: 70, b: 200 } } });
  return format === 'jpeg' ? img.jpeg().toBuffer() : format === 'png' ? img.png().toBuffer() : img.webp().toBuffer();
}

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(body.length + 8, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/**
 * A structurally valid MP4 (ftyp, moov with mvhd and a video tkhd, mdat padding) carrying the
 * given duration and frame size. Nothing decodes it; it is what our parser and the platform
 * fakes need.
 */
export function makeMp4(options: { width?: number; height?: number; durationMs?: number; bytes?: number; moovLast?: boolean } = {}): Buffer {
  const { width = 1080, height = 1920, durationMs = 8000, bytes = 64 * 1024, moovLast = false } = options;
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2avc1mp41', 'latin1'));
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(0, 0); // version 0 + flags
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(durationMs, 16); // duration
  const tkhd = Buffer.alloc(84);
  tkhd.writeUInt32BE(3, 0); // version 0, flags enabled|in_movie
  tkhd.writeUInt32BE(1, 12); // track id
  tkhd.writeUInt32BE(durationMs, 20);
  tkhd.writeUInt32BE(width * 65536, 76);
  tkhd.writeUInt32BE(height * 65536, 80);
  const moov = box('moov', box('mvhd', mvhd), box('trak', box('tkhd', tkhd)));
  const used = ftyp.length + moov.length + 8;
  const mdat = box('mdat', Buffer.alloc(Math.max(0, bytes - used), 0x11));
  return moovLast ? Buffer.concat([ftyp, mdat, moov]) : Buffer.concat([ftyp, moov, mdat]);
}

/** A plain file server standing in for Herald's public media URLs, which the fakes download from. */
export interface FileHost {
  url: string;
  close(): Promise<void>;
}

export async function startFileHost(files: Record<string, [mime: string, body: Buffer]>, redirects: Record<string, string> = {}): Promise<FileHost> {
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
