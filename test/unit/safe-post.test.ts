// safePost keeps connections open between requests to one receiver, and sends again once, on a
// new connection, a request whose kept-alive connection the receiver had just closed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { safePost } from '../../src/lib/safe-post.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A receiver; `dropSecond`: it cuts a connection off when a second request comes on it (keep-alive ran out). */
async function receiver(dropSecond = false): Promise<{ url: string; connections: Socket[]; bodies: string[] }> {
  const connections: Socket[] = [];
  const bodies: string[] = [];
  const served = new WeakMap<Socket, number>();
  server = createServer((req, res) => {
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    if (dropSecond && n === 2) return void req.socket.resetAndDestroy();
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.end('ok');
    });
  });
  server.on('connection', (s) => connections.push(s));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, connections, bodies };
}

const post = (url: string, body: string) =>
  safePost(url, { body, headers: {}, privateHosts: ['127.0.0.1'], signal: AbortSignal.timeout(5000) });

describe('safePost connections', () => {
  it('sends requests one after another over one kept-alive connection', async () => {
    const r = await receiver();
    for (let i = 0; i < 5; i++) expect((await post(r.url, `m${i}`)).status).toBe(200);
    expect(r.bodies).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(r.connections).toHaveLength(1);
  });

  it('sends a request again on a new connection when the kept-alive one was closed by the receiver', async () => {
    const r = await receiver(true);
    expect((await post(r.url, 'first')).status).toBe(200);
    expect((await post(r.url, 'second')).status).toBe(200);
    expect(r.bodies).toEqual(['first', 'second']);
    expect(r.connections).toHaveLength(2);
  });
});
