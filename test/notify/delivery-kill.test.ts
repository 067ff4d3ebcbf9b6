// kill -9 of the leader while webhook deliveries are in flight (the receiver holds the requests
// open): a second process takes the lease and every event reaches the receiver, with its own id,
// verified; no event is lost and no delivery row is doubled.
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../fakes/webhook-receiver.js';
import { json, makeHerald, TEST_SECRET, type TestHerald } from '../helpers/herald.js';
import { startEngineProcess, waitFor, type HeraldProcess } from '../helpers/processes.js';

const children: HeraldProcess[] = [];
let seeder: TestHerald | null = null;
let receiver: WebhookReceiver | null = null;

afterEach(async () => {
  for (const c of children.splice(0)) c.child.kill('SIGKILL');
  await receiver?.stop();
  await seeder?.close();
  seeder = null;
  receiver = null;
});

const EVENTS = 60;

describe('webhook delivery across a kill -9 of the leader', () => {
  it('every event reaches the receiver at least once with its original id; nothing lost, no row doubled', async () => {
    seeder = await makeHerald({ OUTBOUND_PRIVATE_HOSTS: '127.0.0.1' });
    receiver = await new WebhookReceiver().start();
    const hook = await json(await seeder.api('POST', '/webhooks', { url: receiver.url }));
    receiver.secret = hook.secret;
    const sqlite = seeder.herald.database.sqlite;
    const ids = seeder.herald.database.immediate(() =>
      Array.from(
        { length: EVENTS },
        (_, i) => seeder!.herald.services.events.emit('post.published', null, { title: `Post ${i} is out` }).id,
      ),
    );
    const leader = () => {
      const row = sqlite
        .prepare("SELECT holder, epoch, expires_at AS expiresAt FROM leases WHERE name = 'scheduler'")
        .get() as { holder: string | null; epoch: number; expiresAt: number } | undefined;
      return row?.holder && row.expiresAt > Date.now()
        ? { pid: Number(row.holder.split(':')[1]), epoch: row.epoch }
        : null;
    };

    receiver.holding = true;
    const env = {
      DATA_DIR: seeder.dataDir,
      SECRET_KEY: TEST_SECRET,
      LEASE_TTL_SECONDS: '3',
      OUTBOUND_PRIVATE_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    children.push(startEngineProcess(env), startEngineProcess(env));
    // The leader fans out and fills the endpoint's send slots; the receiver keeps every request open.
    await waitFor(() => receiver!.heldCount >= 4, 30_000, 'deliveries in flight');
    const first = leader()!;
    const victim = children.find((c) => c.child.pid === first.pid)!;
    const inFlight = receiver.received.map((r) => r.id);
    expect(inFlight.length).toBeGreaterThanOrEqual(4);
    expect(receiver.accepted).toHaveLength(0);
    victim.child.kill('SIGKILL');
    await victim.exited;
    // What the dead leader had in flight never got an answer.
    receiver.dropHeld();

    await waitFor(() => (leader()?.epoch ?? 0) > first.epoch, 20_000, 'a new leader');
    const delivered = () =>
      (sqlite.prepare("SELECT count(*) AS n FROM deliveries WHERE status = 'delivered'").get() as { n: number }).n;
    await waitFor(() => delivered() === EVENTS, 60_000, 'every delivery recorded as delivered');

    expect(new Set(receiver.acceptedIds())).toEqual(new Set(ids));
    // The requests cut off by the kill were sent again by the new leader with the same webhook-id.
    for (const id of inFlight) expect(receiver.acceptedIds()).toContain(id);
    expect(receiver.received.filter((r) => !r.verified).map((r) => `${r.id} ${r.error} ${r.raw.length}`)).toEqual([]);
    const rows = sqlite
      .prepare('SELECT event_id AS eventId, status, attempts FROM deliveries ORDER BY event_id')
      .all() as Array<{ eventId: string; status: string; attempts: number }>;
    expect(rows.map((r) => r.eventId)).toEqual([...ids].sort());
    expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    const unfanned = sqlite.prepare('SELECT count(*) AS n FROM events WHERE fanned_out_at IS NULL').get() as {
      n: number;
    };
    expect(unfanned.n).toBe(0);
  }, 120_000);
});
