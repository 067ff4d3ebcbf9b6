import { lstatSync, readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';

// Every test here talks to a real server on a loopback port through a raw socket, so that the
// client can vanish mid-body the way a closed laptop does; app.request() cannot show that.

const MiB = 1024 * 1024;
const BOUNDARY = '----herald-abort-test';

/** Open descriptors of this process (vitest runs each file in its own process). */
const openDescriptors = () => readdirSync('/proc/self/fd').length;

/**
 * Bytes under a directory, every level, temporary upload files included; the database's own files
 * are left out (the server writes to them on its own meanwhile: leases, notifications being sent).
 */
function treeSize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    if (/^herald\.db(-wal|-shm)?$/.test(name)) continue;
    try {
      const st = lstatSync(join(dir, name));
      total += st.isDirectory() ? treeSize(join(dir, name)) : st.size;
    } catch {
      // Removed between the listing and the stat: counts as gone.
    }
  }
  return total;
}

/** Waits for the server to catch up; the bound is generous for a loaded machine, never a speed claim. */
async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('uploads cut off by the client', () => {
  let t: TestHerald;
  let port: number;
  let clientId: string;
  const idleTimeoutMs = 700;

  beforeAll(async () => {
    t = await makeHerald({ PORT: '0', HOST: '127.0.0.1' }, { uploads: { idleTimeoutMs } });
    clientId = seedClient(t).client.id;
    port = (await t.herald.start()).port;
    // Settle what the first API call writes (the token's last use) before measuring anything.
    await t.api('GET', `/media?clientId=${clientId}`);
  });
  afterAll(() => t.close());

  /** Opens a connection and sends the head of a multipart upload declaring `declared` bytes. */
  async function startUpload(declared: number, firstBytes: Buffer): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('error', () => undefined);
    const preamble =
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="clientId"\r\n\r\n${clientId}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n` +
      'Content-Type: video/mp4\r\n\r\n';
    socket.write(
      'POST /api/v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Authorization: Bearer ${t.token}\r\n` +
        `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
        `Content-Length: ${declared}\r\n\r\n${preamble}`,
    );
    await write(socket, firstBytes);
    return socket;
  }

  function write(socket: Socket, data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  /** Streams `total` bytes in 256 KB pieces, waiting for the socket to take each. */
  async function stream(socket: Socket, total: number, fill = 0x11): Promise<number> {
    const piece = Buffer.alloc(256 * 1024, fill);
    let sent = 0;
    while (sent < total && !socket.destroyed) {
      await write(socket, piece).catch(() => undefined);
      sent += piece.length;
    }
    return sent;
  }

  /** Descriptors and bytes back where they were (or fewer: idle keep-alive sockets close). */
  const backTo = (fds: number, bytes: number) => () => openDescriptors() <= fds && treeSize(t.dataDir) <= bytes;

  /** Resolves once the server has written at least the staged file's first bytes to disk. */
  const uploadOnDisk = () => readdirSync(t.config.mediaDir).some((n) => n.startsWith('.upload-'));

  it('a client that disconnects after 8 MB of a declared 200 MB leaves no descriptor or byte behind', async () => {
    const fdsBefore = openDescriptors();
    const bytesBefore = treeSize(t.dataDir);
    const socket = await startUpload(200 * MiB, makeMp4({ bytes: 4096 }).subarray(0, 4096));
    await stream(socket, 8 * MiB);
    await until('the upload to reach the disk', uploadOnDisk);
    expect(treeSize(t.dataDir)).toBeGreaterThan(bytesBefore + MiB);
    socket.destroy();
    await until('descriptors and disk to return to where they were', backTo(fdsBefore, bytesBefore));
    expect(readdirSync(t.config.mediaDir).filter((n) => n.startsWith('.upload-'))).toEqual([]);
  });

  it('a stalled upload is cut off after the idle timeout and leaves nothing behind', async () => {
    const fdsBefore = openDescriptors();
    const bytesBefore = treeSize(t.dataDir);
    const socket = await startUpload(200 * MiB, makeMp4({ bytes: 4096 }).subarray(0, 4096));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await stream(socket, 2 * MiB);
    await until('the upload to reach the disk', uploadOnDisk);
    const stalledAt = Date.now();
    // The client now sends nothing more and never closes: the server must give up on its own.
    await until('the server to close the stalled connection', () => socket.destroyed || socket.readableEnded);
    await closed;
    expect(Date.now() - stalledAt).toBeGreaterThanOrEqual(idleTimeoutMs - 100);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await until('descriptors and disk to return to where they were', backTo(fdsBefore, bytesBefore));
  });

  it('an image over its cap is refused with 413 while still streaming, long before the declared end', async () => {
    const bytesBefore = treeSize(t.dataDir);
    const socket = await startUpload(200 * MiB, await makeImage(10, 10, 'png'));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const piece = Buffer.alloc(256 * 1024, 0x22);
    let sent = 0;
    // Keep sending until the answer arrives; an answer only after 200 MB would mean buffering.
    while (!answer && !socket.destroyed && sent < 100 * MiB) {
      await write(socket, piece).catch(() => undefined);
      sent += piece.length;
    }
    await until('the answer', () => answer.length > 0);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(sent).toBeLessThan(40 * MiB);
    socket.destroy();
    await until('the partial file to go', () => treeSize(t.dataDir) <= bytesBefore);
  });
});
