// The senders and routers this server runs: one entry per way of telling people. The delivery
// loop refuses two senders for the same channel.
import type { NotifyDeps, Notifiers } from './channel.js';

export function createNotifiers(_deps: NotifyDeps): Notifiers {
  return { senders: [], routers: [] };
}
