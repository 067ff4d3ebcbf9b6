import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVideoInfo } from '../../src/lib/mp4-info.js';
import { makeHerald, seedClient, tempDir, type TestHerald } from '../helpers/herald.js';
import { makeMp4, mp4Box } from '../helpers/media-fixtures.js';

const run = promisify(execFile);
let dir: string;

beforeAll(() => {
  dir = tempDir('mp4-fps-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A real MP4 from ffmpeg: a test pattern at `rate` plus a sound track (which must not be taken for the video). */
async function encode(name: string, rate: string): Promise<string> {
  const path = join(dir, name);
  await run(ffmpeg.path, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=320x568:rate=${rate}`],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-c:v', 'mpeg4', '-c:a', 'aac', '-shortest', path],
  ]);
  return path;
}

describe('readVideoInfo frame rate', () => {
  it.each([
    ['30000/1001', 29.97],
    ['25', 25],
    ['60', 60],
  ])(
    'reads %s fps from a file ffmpeg wrote, past its sound track',
    async (rate, expected) => {
      const info = await readVideoInfo(await encode(`real-${rate.replace('/', '_')}.mp4`, rate));
      expect(info.frameRate).toBeCloseTo(expected, 2);
      expect(info).toMatchObject({ width: 320, height: 568 });
    },
    30_000,
  );

  it.each([22, 23.976, 24, 59.94])('reads %s fps from the stts and mdhd of a built file', async (fps) => {
    const info = await readVideoInfo(file(`built-${fps}.mp4`, makeMp4({ frameRate: fps, durationMs: 6_000 })));
    expect(info.frameRate).toBeCloseTo(fps, 2);
    expect(info.durationMs).toBe(6_000);
  });

  it('leaves the rate unknown rather than sum a sample table of over a million entries', async () => {
    const entries = 1_000_001;
    const stts = Buffer.alloc(8 + entries * 8);
    stts.writeUInt32BE(entries, 4);
    for (let i = 0; i < entries; i++) {
      stts.writeUInt32BE(1, 8 + i * 8);
      stts.writeUInt32BE(1000, 12 + i * 8);
    }
    const mdhd = Buffer.alloc(24);
    mdhd.writeUInt32BE(30_000, 12);
    const hdlr = Buffer.alloc(25);
    hdlr.write('vide', 8, 'latin1');
    const mdia = mp4Box(
      'mdia',
      mp4Box('mdhd', mdhd),
      mp4Box('hdlr', hdlr),
      mp4Box('minf', mp4Box('stbl', mp4Box('stts', stts))),
    );
    const base = makeMp4({ frameRate: 30 });
    // The same file with its track's mdia swapped for the huge one.
    const info = await readVideoInfo(file('huge-stts.mp4', withTrackMedia(base, mdia)));
    expect(info.frameRate).toBeNull();
    expect(info.durationMs).toBe(8000);
  });

  it('says null when the track has no sample table', async () => {
    expect((await readVideoInfo(file('bare.mp4', makeMp4()))).frameRate).toBeNull();
  });
});

describe('media ingest', () => {
  let t: TestHerald;
  beforeAll(async () => {
    t = await makeHerald();
  });
  afterAll(() => t.close());

  it('stores the frame rate of an uploaded video in media.frame_rate, and none for an image', async () => {
    const clientId = seedClient(t).client.id;
    const { media } = t.herald.services;
    const video = await media.ingest([makeMp4({ frameRate: 24, durationMs: 5_000 })], { clientId });
    expect(t.herald.repos.media.get(video.id)!.frameRate).toBe(24);
    const bare = await media.ingest([makeMp4()], { clientId });
    expect(t.herald.repos.media.get(bare.id)!.frameRate).toBeNull();
  });
});

/** Rebuilds a built MP4's moov with `mdia` in place of its track's own (ftyp, moov, mdat order). */
function withTrackMedia(mp4: Buffer, mdia: Buffer): Buffer {
  const ftypSize = mp4.readUInt32BE(0);
  const moovStart = ftypSize;
  const moovSize = mp4.readUInt32BE(moovStart);
  const mvhdSize = mp4.readUInt32BE(moovStart + 8);
  const mvhd = mp4.subarray(moovStart + 8, moovStart + 8 + mvhdSize);
  const trakStart = moovStart + 8 + mvhdSize;
  const tkhdSize = mp4.readUInt32BE(trakStart + 8);
  const tkhd = mp4.subarray(trakStart + 8, trakStart + 8 + tkhdSize);
  const moov = mp4Box('moov', mvhd, mp4Box('trak', tkhd, mdia));
  return Buffer.concat([mp4.subarray(0, ftypSize), moov, mp4.subarray(moovStart + moovSize)]);
}
