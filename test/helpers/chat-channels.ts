// A Herald with the real chat senders, a manual clock and the loopback allowed as a chat target
// (OUTBOUND_PRIVATE_HOSTS=127.0.0.1), and small steps to emit events and run the delivery loop.
import type { EventType } from '../../src/domain/events.js';
import { ManualClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/crypto.js';
import type { NotifyDeps } from '../../src/notify/channel.js';
import { makeHerald, type TestHerald } from './herald.js';

export const T0 = Date.parse('2026-11-30T09:00:00Z');

export interface ChatHarness {
  t: TestHerald;
  clock: ManualClock;
  /** What a sender built outside the loop needs (bundles, limits). */
  notifyDeps: NotifyDeps;
  emit(type: EventType, clientId: string | null, data: { title: string; text?: string; url?: string }): string;
  /** One pass of the leader's loop: fan-out, then every due send, awaited. */
  pass(): Promise<void>;
  deliveriesOf(channelId: string): ReturnType<TestHerald['herald']['repos']['notify']['listDeliveries']>;
}

export async function chatHarness(
  delivery: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<ChatHarness> {
  const clock = new ManualClock(T0);
  const t = await makeHerald(
    { OUTBOUND_PRIVATE_HOSTS: '127.0.0.1', ...env },
    { clock, delivery: { random: () => 1, ...delivery } },
  );
  t.herald.lease.tick();
  const { herald } = t;
  return {
    t,
    clock,
    notifyDeps: {
      config: herald.config,
      repos: herald.repos,
      clock,
      log: herald.log,
      box: new SecretBox(herald.config.secretKey),
    },
    emit(type, clientId, data) {
      return herald.database.immediate(() => herald.services.events.emit(type, clientId, data)).id;
    },
    async pass() {
      herald.deliveries.kick();
      await herald.deliveries.idle();
    },
    deliveriesOf(channelId) {
      return herald.repos.notify.listDeliveries({ target: channelId, limit: 200 });
    },
  };
}
