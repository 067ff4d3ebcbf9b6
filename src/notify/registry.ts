// The senders and routers this server runs: one entry per way of telling people. The delivery
// loop refuses two senders for the same channel.
import type { NotifyDeps, Notifiers } from './channel.js';
import { channelsRouter } from './channels-router.js';
import { discordSender } from './discord-sender.js';
import { slackSender } from './slack-sender.js';
import { teamsSender } from './teams-sender.js';

export function createNotifiers(deps: NotifyDeps): Notifiers {
  return {
    senders: [slackSender(deps), discordSender(deps), teamsSender(deps)],
    routers: [channelsRouter(deps.repos)],
  };
}
