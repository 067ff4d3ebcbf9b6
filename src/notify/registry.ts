// The senders and routers this server runs: one entry per way of telling people. The delivery
// loop refuses two senders for the same channel.
import type { NotifyDeps, Notifiers } from './channel.js';
import { channelsRouter } from './channels-router.js';
import { discordSender } from './discord-sender.js';
import { slackSender } from './slack-sender.js';
import { teamsSender } from './teams-sender.js';
import { emailRouter } from './email-router.js';
import { emailSender } from './email-sender.js';
import { webhookSender } from './webhook-sender.js';

export function createNotifiers(deps: NotifyDeps): Notifiers {
  // Without SMTP_URL there is no email at all: nothing is planned that nothing could send.
  const smtp = deps.config.smtp;
  return {
    senders: [
      webhookSender(deps),
      slackSender(deps),
      discordSender(deps),
      teamsSender(deps),
      ...(smtp ? [emailSender(deps, smtp)] : []),
    ],
    routers: [channelsRouter(deps.repos), ...(smtp ? [emailRouter(deps.repos)] : [])],
  };
}
