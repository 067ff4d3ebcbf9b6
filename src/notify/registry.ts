// The senders and routers this server runs: one entry per way of telling people. The delivery
// loop refuses two senders for the same channel.
import type { NotifyDeps, Notifiers } from './channel.js';
import { channelsRouter } from './channels-router.js';
import { webhookSender } from './webhook-sender.js';

export function createNotifiers(deps: NotifyDeps): Notifiers {
  return {
    senders: [webhookSender(deps)],
    routers: [channelsRouter(deps.repos)],
  };
}
