// Delivery never slows publishing: with every delivery slot held by a receiver that never
// answers, a due post is still claimed and published in the same round.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_OPTIONS } from '../../src/notify/delivery-loop.js';
import { engineHarness, type EngineHarness } from '../helpers/engine-harness.js';
import { waitFor } from '../helpers/processes.js';

let h: EngineHarness | undefined;
let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await h?.close();
  h = undefined;
});

describe('delivery and publishing', () => {
  it('a receiver that hangs every request does not delay a due post', async () => {
    let hung = 0;
    // Reads every request and never answers.
    server = createServer((req) => {
      hung++;
      req.resume();
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    h = await engineHarness({ OUTBOUND_PRIVATE_HOSTS: '127.0.0.1' });
    const { herald } = h.t;
    // Two endpoints on it: between them they take every slot (each may hold only its share).
    herald.services.channels.create({ kind: 'webhook', url });
    herald.services.channels.create({ kind: 'webhook', url: `${url}/2` });
    herald.database.immediate(() => {
      for (let i = 0; i < 30; i++) herald.services.events.emit('post.failed', null, { title: `failure ${i}` });
    });
    herald.deliveries.kick();
    const slots = DEFAULT_DELIVERY_OPTIONS.concurrency;
    await waitFor(() => hung === slots, 10_000, 'every delivery slot taken by the hanging receiver');

    const post = h.schedule('goes out on time');
    const round = await h.round();
    expect(round.claimed).toBe(1);
    expect(h.status(post), JSON.stringify(herald.services.posts.logs(post))).toBe('published');
    expect(h.platform.posts.map((p) => p.key)).toEqual([post]);
    // All the while, the deliveries were still waiting for their answers.
    expect(hung).toBe(slots);
    // The failures emitted above; the harness's own changes (a connected account…) told of themselves too.
    const log = herald.repos.notify.listDeliveries({ eventType: 'post.failed', limit: 100 });
    expect(log).toHaveLength(60);
    expect(log.every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
  });
});
