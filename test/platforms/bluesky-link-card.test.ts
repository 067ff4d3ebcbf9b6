import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLinkCard } from '../../src/platforms/bluesky/link-card.js';
import { DEFAULT_SETTINGS } from '../../src/platforms/bluesky/settings.js';

// A link card is fetched from whatever address a caption names, so the fetch must never reach the
// private network: a listener on loopback counts every connection that gets through.

let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('link cards', () => {
  it.each([
    ['a private address written in the link', () => `https://127.0.0.1:${port}/menu`],
    ['a name that resolves to a private address', () => `https://localhost:${port}/menu`],
    ['the IPv4 address in IPv6 form', () => `https://[::ffff:127.0.0.1]:${port}/menu`],
  ])('are not fetched from %s', async (_, link) => {
    const before = connections;
    expect(await fetchLinkCard(DEFAULT_SETTINGS, link())).toBeNull();
    // Give a connection that did get out time to be counted.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connections).toBe(before);
  });

  it('are fetched from a host the settings name for plain HTTP (a local test server)', async () => {
    const before = connections;
    const settings = { ...DEFAULT_SETTINGS, insecureHosts: [`127.0.0.1:${port}`] };
    // The listener hangs up at once, so there is no card, but the connection was allowed.
    expect(await fetchLinkCard(settings, `http://127.0.0.1:${port}/menu`)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connections).toBe(before + 1);
  });
});
